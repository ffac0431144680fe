from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Clinic, Condition, Indication, Offering, Treatment
from consult.facts import clear_cache as clear_facts_cache
from consult.models import ChosenOption, Consultation

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    return Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="A-1001")


def url(consultation: Consultation, suffix: str = "") -> str:
    return f"/consultations/{consultation.public_id}/{suffix}"


def profile_post(consultation: Consultation, **overrides) -> dict:
    data = {
        "version": consultation.version,
        "chart_number": consultation.chart_number,
        "display_name": "",
        "age_band": "30s",
        "skin_type": "4",
        "handout_language": "ja",
        "max_downtime_days": "",
        "budget_yen": "",
        "needles_ok": "yes",
        "max_pain": "",
        "event_date": "",
        "notes": "",
        "concern": ["rolling-scar"],
        "severity-rolling-scar": "3",
        "areas-rolling-scar": ["cheek-left", "cheek-right"],
    }
    data.update(overrides)
    return data


def test_it_shows_the_workspace_to_the_clinic_counselor(counselor_client, consultation):
    response = counselor_client.get(url(consultation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A-1001" in body
    # The physician decides: the line is on the page.
    assert "医師" in body and "診察" in body


def test_it_redirects_anonymous_users_to_login(client, consultation):
    response = client.get(url(consultation))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_clinics_consultation_is_not_found(client, outsider, consultation):
    client.force_login(outsider)
    assert client.get(url(consultation)).status_code == 404
    response = client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.concerns.count() == 0


def test_htmx_save_persists_and_returns_the_rerendered_suggestions(counselor_client, consultation):
    response = counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    # A fragment, not the whole page, with the suggestions for rolling scars and the new version.
    assert "<html" not in body
    assert "サブシジョン" in body or "Subcision" in body
    assert 'id="version-field"' in body and 'value="2"' in body
    assert 'id="save-state"' in body
    consultation.refresh_from_db()
    assert consultation.version == 2
    assert consultation.skin_type == 4
    concern = consultation.concerns.get()
    assert (concern.condition.slug, concern.severity, concern.areas) == (
        "rolling-scar",
        3,
        ["cheek-left", "cheek-right"],
    )


def test_flags_and_wishes_are_saved_and_change_the_suggestions(counselor_client, consultation):
    post = profile_post(
        consultation, **{"flag-fish-allergy": "yes", "needles_ok": "no", "max_downtime_days": "2"}
    )
    response = counselor_client.post(url(consultation, "save/"), post, **HX)
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert list(consultation.flags.values_list("slug", flat=True)) == ["fish-allergy"]
    assert consultation.needles_ok is False and consultation.max_downtime_days == 2
    # Needle treatments move to the excluded list with their reason.
    excluded = _excluded_section(response.content.decode())
    assert "ダーマペン4" in excluded or "Dermapen 4" in excluded
    assert "針や注射を使う施術ですが" in excluded


def _excluded_section(body: str) -> str:
    return body[body.index('class="excluded"') :]


def _suggestion_names(body: str) -> list[str]:
    import re

    return re.findall(r'<h3 id="s-([a-z0-9-]+)">', body)


def test_every_profile_field_is_saved(counselor_client, consultation):
    post = profile_post(
        consultation,
        display_name="山田 花子",
        age_band="40s",
        skin_type="3",
        handout_language="en",
        max_downtime_days="5",
        budget_yen="300000",
        needles_ok="no",
        max_pain="1",
        event_date="2027-01-20",
        notes="来月に結婚式",
        chart_number="B-2002",
    )
    assert counselor_client.post(url(consultation, "save/"), post, **HX).status_code == 200
    consultation.refresh_from_db()
    saved = {
        name: str(getattr(consultation, name))
        for name in (
            "display_name",
            "age_band",
            "skin_type",
            "handout_language",
            "max_downtime_days",
            "budget_yen",
            "needles_ok",
            "max_pain",
            "event_date",
            "notes",
            "chart_number",
        )
    }
    assert saved == {
        "display_name": "山田 花子",
        "age_band": "40s",
        "skin_type": "3",
        "handout_language": "en",
        "max_downtime_days": "5",
        "budget_yen": "300000",
        "needles_ok": "False",
        "max_pain": "1",
        "event_date": "2027-01-20",
        "notes": "来月に結婚式",
        "chart_number": "B-2002",
    }
    # The page shows what was saved when it is opened again.
    page = counselor_client.get(url(consultation)).content.decode()
    for shown in (
        'value="山田 花子"',
        'value="B-2002"',
        'value="2027-01-20"',
        "来月に結婚式",
        'value="300000"',
    ):
        assert shown in page, shown


def test_each_card_weighs_downtime_pain_and_risks_as_fully_as_its_reasons(counselor_client, consultation):
    response = counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    body = response.content.decode()
    card = body[body.index('id="s-subcision"') :]
    card = card[: card.index("</article>")]
    weigh = card[card.index('class="weigh"') :]
    subcision = Treatment.objects.get(slug="subcision")
    assert f"{subcision.downtime_days_min}〜{subcision.downtime_days_max}日" in weigh
    assert f"痛み: {subcision.pain} / 3" in weigh
    for effect in subcision.side_effects.all():
        assert effect.name_ja in weigh
    # Demo prices are labelled as sample prices wherever they show.
    assert "サンプル料金" in card


def test_the_grid_labels_sample_prices_and_shows_the_filed_plan_number(counselor_client, consultation):
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    response = option(counselor_client, consultation, "add", "fibroblast-transplant", **HX)
    body = response.content.decode()
    grid = body[body.index('class="table compare"') : body.index("</table>")]
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment__slug="fibroblast-transplant")
    assert offering.regenerative_plan_number in grid
    assert "届出" in grid and "承認済" not in grid
    assert "サンプル料金" in grid


def test_a_large_catalog_shows_the_best_cards_and_offers_the_rest(counselor_client, consultation):
    _synthetic_treatments(30, "many")
    response = counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    body = response.content.decode()
    shown = _suggestion_names(body)
    assert len(shown) == 15
    assert "?all=1" in body
    page = counselor_client.get(url(consultation) + "?all=1").content.decode()
    assert len(_suggestion_names(page)) > 30
    # Every form on the "show all" page keeps showing all, the "compare any treatment" one included.
    add_any = page[page.index('id="id_add_treatment"') - 600 : page.index('id="id_add_treatment"')]
    assert '<input type="hidden" name="all" value="1">' in add_any
    assert _suggestion_names(page)[:15] == shown
    # Saving from the "show all" page keeps showing all.
    consultation.refresh_from_db()
    again = counselor_client.post(url(consultation, "save/"), profile_post(consultation, all="1"), **HX)
    assert len(_suggestion_names(again.content.decode())) > 30


def test_catalog_changes_reach_the_suggestions_at_once(counselor_client, consultation):
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    subcision = Treatment.objects.get(slug="subcision")
    subcision.name_ja = "サブシジョン（改訂）"
    subcision.save()
    consultation.refresh_from_db()
    body = counselor_client.post(
        url(consultation, "save/"), profile_post(consultation), **HX
    ).content.decode()
    assert "サブシジョン（改訂）" in body
    # A price change (an offering row) and a deletion (a count) move the revision too.
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment=subcision)
    offering.course_prices.all().delete()
    offering.price_per_session_yen = 123000
    offering.save()
    consultation.refresh_from_db()
    body = counselor_client.post(
        url(consultation, "save/"), profile_post(consultation), **HX
    ).content.decode()
    card = body[body.index('id="s-subcision"') :]
    assert "¥123,000" in card[: card.index("</article>")]
    Indication.objects.filter(treatment=subcision).delete()
    consultation.refresh_from_db()
    body = counselor_client.post(
        url(consultation, "save/"), profile_post(consultation), **HX
    ).content.decode()
    assert 'id="s-subcision"' not in body


def test_removing_a_concern_deletes_it(counselor_client, consultation):
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    consultation.refresh_from_db()
    response = counselor_client.post(url(consultation, "save/"), profile_post(consultation, concern=[]), **HX)
    assert response.status_code == 200
    assert consultation.concerns.count() == 0


def test_a_stale_version_is_refused_with_a_conflict_and_nothing_is_overwritten(
    counselor_client, consultation
):
    first = profile_post(consultation, notes="from tab one")
    stale = profile_post(consultation, notes="from tab two")
    assert counselor_client.post(url(consultation, "save/"), first, **HX).status_code == 200
    response = counselor_client.post(url(consultation, "save/"), stale, **HX)
    assert response.status_code == 409
    assert response["HX-Reswap"] == "none"
    assert "別のタブ" in response.content.decode() or "another tab" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.notes == "from tab one"
    assert consultation.version == 2


def test_invalid_input_is_explained_and_saves_nothing(counselor_client, consultation):
    post = profile_post(
        consultation, max_downtime_days="-3", budget_yen="lots", **{"severity-rolling-scar": "9"}
    )
    response = counselor_client.post(url(consultation, "save/"), post, **HX)
    assert response.status_code == 422
    assert 'class="error"' in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.version == 1 and consultation.concerns.count() == 0


def test_unknown_concern_slug_is_a_validation_error(counselor_client, consultation):
    response = counselor_client.post(
        url(consultation, "save/"), profile_post(consultation, concern=["nope"]), **HX
    )
    assert response.status_code == 422


def test_without_htmx_a_save_redirects_back_to_the_workspace(counselor_client, consultation):
    response = counselor_client.post(url(consultation, "save/"), profile_post(consultation))
    assert response.status_code == 302
    assert response["Location"] == url(consultation)


def option(client, consultation, action, slug, **extra):
    consultation.refresh_from_db()
    data = {"version": consultation.version, "action": action, "treatment": slug}
    return client.post(url(consultation, "options/"), data, **extra)


def chosen(consultation) -> list[str]:
    return list(
        ChosenOption.objects.filter(consultation=consultation).values_list("treatment__slug", flat=True)
    )


def test_options_can_be_added_reordered_and_removed(counselor_client, consultation):
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    for slug in ("subcision", "potenza", "dermapen-4"):
        assert option(counselor_client, consultation, "add", slug, **HX).status_code == 200
    assert chosen(consultation) == ["subcision", "potenza", "dermapen-4"]
    response = option(counselor_client, consultation, "up", "dermapen-4", **HX)
    assert chosen(consultation) == ["subcision", "dermapen-4", "potenza"]
    body = response.content.decode()
    # The comparison grid answers the patients' questions for each column.
    assert body.index("ダーマペン") < body.index("ポテンツァ")
    option(counselor_client, consultation, "remove", "subcision", **HX)
    assert chosen(consultation) == ["dermapen-4", "potenza"]


def test_at_most_four_options(counselor_client, consultation):
    for slug in ("subcision", "potenza", "dermapen-4", "exosome"):
        option(counselor_client, consultation, "add", slug, **HX)
    response = option(counselor_client, consultation, "add", "co2-fractional", **HX)
    assert response.status_code == 422
    assert len(chosen(consultation)) == 4


def test_a_treatment_the_clinic_does_not_offer_cannot_be_added(counselor_client, consultation):
    response = option(counselor_client, consultation, "add", "cultured-epidermal-autograft", **HX)
    assert response.status_code == 422
    assert chosen(consultation) == []


def test_an_option_the_clinic_stopped_offering_can_still_be_moved_and_removed(counselor_client, consultation):
    for slug in ("subcision", "potenza"):
        option(counselor_client, consultation, "add", slug, **HX)
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="potenza").update(active=False)
    assert option(counselor_client, consultation, "up", "potenza", **HX).status_code == 200
    assert chosen(consultation) == ["potenza", "subcision"]
    assert option(counselor_client, consultation, "remove", "potenza", **HX).status_code == 200
    assert chosen(consultation) == ["subcision"]
    # Removing what is not in the comparison is refused with a message, not silently "saved".
    response = option(counselor_client, consultation, "remove", "potenza", **HX)
    assert response.status_code == 422
    assert 'class="error"' in response.content.decode()


def test_a_database_error_while_changing_options_is_a_visible_failed_save(
    counselor_client, consultation, monkeypatch
):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(Consultation, "change_options", broken)
    response = option(counselor_client, consultation, "add", "subcision", **HX)
    assert response.status_code == 503
    body = response.content.decode()
    assert 'class="error"' in body and "failed" in body
    assert chosen(consultation) == []


def test_a_physician_can_view_but_an_admin_cannot_edit(client, physician, clinic_admin, consultation):
    client.force_login(physician)
    assert client.get(url(consultation)).status_code == 200
    client.force_login(clinic_admin)
    assert client.get(url(consultation)).status_code == 200
    assert client.post(url(consultation, "save/"), profile_post(consultation), **HX).status_code == 403


def test_the_comparison_grid_has_every_question_row(counselor_client, consultation):
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    option(counselor_client, consultation, "add", "subcision", **HX)
    response = option(counselor_client, consultation, "add", "exosome", **HX)
    body = response.content.decode()
    for row in ("仕組み", "回数", "ダウンタイム", "痛み", "リスク", "費用", "承認", "ご希望"):
        assert row in body, row


def _synthetic_treatments(count: int, prefix: str) -> None:
    clinic = Clinic.objects.get(slug="demo-clinic")
    template = Treatment.objects.get(slug="subcision")
    condition = Condition.objects.get(slug="rolling-scar")
    for n in range(count):
        template.pk = None
        template.id = None
        template.slug = f"{prefix}-{n}"
        template.save()
        Indication.objects.create(
            treatment=template, condition=condition, strength=2, rationale_ja="合成", rationale_en="synthetic"
        )
        Offering.objects.create(clinic=clinic, treatment=template, price_per_session_yen=10000)


def _queries_for_one_update(client, consultation) -> int:
    consultation.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_of_an_update_does_not_grow_with_the_catalog(counselor_client, consultation):
    """Counted with the engine's facts cached (the usual case) and after a catalog change (rebuilt)."""
    _synthetic_treatments(max(0, 20 - Treatment.objects.count()), "small")
    assert Treatment.objects.count() >= 20
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)  # create the concern
    small_cached = _queries_for_one_update(counselor_client, consultation)
    clear_facts_cache()
    small_rebuilt = _queries_for_one_update(counselor_client, consultation)
    _synthetic_treatments(200 - Treatment.objects.count(), "large")
    assert Treatment.objects.count() == 200
    large_rebuilt = _queries_for_one_update(counselor_client, consultation)
    large_cached = _queries_for_one_update(counselor_client, consultation)
    assert (large_cached, large_rebuilt) == (small_cached, small_rebuilt)
    assert small_cached < small_rebuilt


def test_the_grid_rates_each_concern_by_its_nearest_indication(counselor_client, consultation):
    post = profile_post(
        consultation,
        concern=["ice-pick-scar", "rolling-scar"],
        **{"severity-ice-pick-scar": "3", "areas-ice-pick-scar": ["nose"]},
    )
    counselor_client.post(url(consultation, "save/"), post, **HX)
    body = option(counselor_client, consultation, "add", "co2-fractional", **HX).content.decode()
    grid = body[body.index('class="table compare"') : body.index("</table>")]
    row = grid[grid.index("どのお悩みが対象で") :]
    row = row[: row.index("</tr>")]
    # CO2 fractional's own rating for ice-pick scars ("good") wins over acne scars' "first-line";
    # rolling scars have no rating of their own and take the parent's, which the grid says.
    assert "アイスピック型クレーター: <strong>適している</strong>" in row
    assert "ローリング型クレーター: <strong>第一選択</strong>" in row
    assert "「クレーター状のニキビ跡（凹凸）」としての評価" in row


def test_an_admin_change_moves_the_catalog_revision_in_its_own_transaction(client, catalog_editor):
    """Concurrent admin saves can commit in any order; each moves the counter the cache is keyed on."""
    from catalog.models import CatalogRevision, MedicalFlag
    from consult.facts import catalog_revision

    flag = MedicalFlag.objects.get(slug="recent-tan")
    before = (CatalogRevision.objects.get(pk=1).number, catalog_revision())
    client.force_login(catalog_editor)  # the shared catalog's editor (issue 12)
    fields = ["slug", "sort_order", "label_ja", "label_en", "question_ja", "question_en"]
    data = {name: getattr(flag, name) for name in [*fields, "explanation_ja", "explanation_en"]}
    assert client.post(f"/admin/catalog/medicalflag/{flag.pk}/change/", data).status_code == 302
    after = (CatalogRevision.objects.get(pk=1).number, catalog_revision())
    assert after[0] == before[0] + 1
    assert after[1][0] == before[1][0] + 1 and after[1] != before[1]


def test_the_grid_shows_the_clinics_own_approval_record_not_only_the_catalogs(counselor_client, consultation):
    """The catalog calls the vascular laser approved; this clinic records that it uses it outside its
    approval (適応外使用). The staff's grid says what the patient will be told, the clinic's record."""
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment__slug="vascular-laser")
    assert offering.treatment.regulatory_status == Treatment.Regulatory.APPROVED
    assert offering.japan_approval == "off-label"
    response = option(counselor_client, consultation, "add", "vascular-laser", **HX)
    body = response.content.decode()
    grid = body[body.index('class="table compare"') : body.index("</table>")]
    assert "適応外使用" in grid

    # Recorded as used within its approval: the grid no longer says off-label.
    offering.japan_approval = "approved"
    offering.save()
    clear_facts_cache()
    body = counselor_client.get(url(consultation)).content.decode()
    grid = body[body.index('class="table compare"') : body.index("</table>")]
    assert "適応外使用" not in grid
