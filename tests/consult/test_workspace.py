from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Clinic, Condition, Indication, Offering, Treatment
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
    body = response.content.decode()
    # Needle treatments move to the excluded list with their reason.
    assert "針" in body


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
    _synthetic_treatments(max(0, 20 - Treatment.objects.count()), "small")
    assert Treatment.objects.count() >= 20
    counselor_client.post(url(consultation, "save/"), profile_post(consultation), **HX)  # create the concern
    small = _queries_for_one_update(counselor_client, consultation)
    _synthetic_treatments(200 - Treatment.objects.count(), "large")
    assert Treatment.objects.count() == 200
    large = _queries_for_one_update(counselor_client, consultation)
    assert large == small
