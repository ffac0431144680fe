from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/catalog/conditions/",
    "/catalog/conditions/rolling-scar/",
    "/catalog/conditions/acne-scar/",
    "/catalog/treatments/",
    "/catalog/treatments/?category=regenerative",
    "/catalog/treatments/subcision/",
    "/catalog/treatments/rejuran/",
    "/catalog/treatments/prp-skin-regeneration/",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/catalog/treatment/",
    "/admin/catalog/treatment/?q=potenza",
    "/admin/catalog/condition/",
    "/admin/catalog/offering/",
    "/admin/catalog/medicalflag/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("language,word", [("ja", "施術"), ("en", "Treatments")])
@pytest.mark.parametrize("path", PAGES)
def test_catalog_pages_render_in_both_languages(client, counselor, path, language, word):
    client.force_login(counselor)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert word in body


def test_treatment_detail_shows_catalog_text_in_the_ui_language(client, counselor):
    from catalog.models import Treatment

    subcision = Treatment.objects.get(slug="subcision")
    client.force_login(counselor)
    client.cookies["django_language"] = "en"
    assert subcision.name_en in client.get("/catalog/treatments/subcision/").content.decode()
    client.cookies["django_language"] = "ja"
    assert subcision.name_ja in client.get("/catalog/treatments/subcision/").content.decode()


def test_unknown_slug_is_404(client, counselor):
    client.force_login(counselor)
    assert client.get("/catalog/treatments/no-such-thing/").status_code == 404


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_render_for_a_clinic_admin(client, clinic_admin, path, language):
    client.force_login(clinic_admin)
    client.cookies["django_language"] = language
    assert client.get(path).status_code == 200


def test_treatment_admin_form_has_japanese_and_english_side_by_side(client, catalog_editor):
    from catalog.models import Treatment

    client.force_login(catalog_editor)  # the shared catalog's editor (issue 12)
    pk = Treatment.objects.get(slug="subcision").pk
    body = client.get(f"/admin/catalog/treatment/{pk}/change/").content.decode()
    assert 'name="name_ja"' in body and 'name="name_en"' in body
    assert "indications-" in body and "contraindications-" in body


def test_the_admin_edits_lead_times_and_the_flags_home_care_must_not_reach(client, catalog_editor):
    from catalog.models import HomeCareTip, Nutrient, Treatment

    client.force_login(catalog_editor)  # the shared catalog's editor (issue 12)
    pk = Treatment.objects.get(slug="fibroblast-transplant").pk
    body = client.get(f"/admin/catalog/treatment/{pk}/change/").content.decode()
    for name in ("lead_time_weeks", "lead_time_description_ja", "lead_time_description_en"):
        assert f'name="{name}"' in body
    for model, slug in ((HomeCareTip, "turnover-supporting-ingredients"), (Nutrient, "vitamin-a")):
        pk = model.objects.get(slug=slug).pk
        body = client.get(f"/admin/catalog/{model._meta.model_name}/{pk}/change/").content.decode()
        assert 'name="avoid_with"' in body


def test_a_counselor_cannot_reach_the_admin(client, counselor):
    client.force_login(counselor)
    assert client.get("/admin/catalog/treatment/").status_code == 302


def test_the_ui_language_can_be_switched(client, counselor):
    client.force_login(counselor)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalog/treatments/"})
    assert response.status_code == 302
    assert "Treatments" in client.get("/catalog/treatments/").content.decode()


# --- the user's clinic on the treatment page: prices and the regenerative-medicine plan ---------


def page(client, user, path: str, language: str = "en") -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "language, shown",
    [("en", "Plan number (filed): PC3000001（架空）"), ("ja", "提供計画番号（届出）：PC3000001（架空）")],
)
def test_a_regenerative_treatment_shows_the_clinics_filed_plan_number(client, counselor, language, shown):
    body = page(client, counselor, "/catalog/treatments/prp-skin-regeneration/", language)
    assert shown in body


def test_the_plan_number_is_never_called_an_approval(client, counselor):
    body = page(client, counselor, "/catalog/treatments/prp-skin-regeneration/")
    assert "Filing is not an approval" in body
    assert "approved" not in body.lower()


def test_the_regenerative_page_in_japanese_says_filed_not_approved(client, counselor):
    body = page(client, counselor, "/catalog/treatments/prp-skin-regeneration/", "ja")
    assert "日本の制度上の位置づけ" in body
    assert "届出は治療の承認ではありません" in body
    assert "承認状況" not in body


def test_the_clinic_section_is_in_japanese(client, counselor):
    body = page(client, counselor, "/catalog/treatments/subcision/", "ja")
    assert "当院での提供" in body
    assert "1回あたりの料金（税込）" in body
    assert "回コース（税込）" in body


def test_a_regenerative_offering_without_a_plan_number_says_so(client, counselor):
    from catalog.models import Offering

    Offering.objects.filter(treatment__slug="acrs", clinic__slug="demo-clinic").update(
        regenerative_plan_number=""
    )
    body = page(client, counselor, "/catalog/treatments/acrs/")
    assert "Plan number not recorded: ask the clinic admin." in body
    assert "Plan number (filed)" not in body


def test_another_clinics_plan_number_and_prices_are_not_shown(client, outsider):
    body = page(client, outsider, "/catalog/treatments/prp-skin-regeneration/")
    assert "PC3000001" not in body
    assert "¥110,000" not in body
    assert "Your clinic does not currently offer it." in body


def test_a_treatment_without_regulation_shows_no_plan_number(client, counselor):
    body = page(client, counselor, "/catalog/treatments/subcision/")
    assert "Plan number" not in body


@pytest.mark.parametrize("language, label", [("en", "sample price"), ("ja", "サンプル料金")])
def test_every_sample_price_on_the_page_is_labelled(client, counselor, language, label):
    from catalog.models import Offering

    offering = Offering.objects.get(treatment__slug="subcision", clinic__slug="demo-clinic")
    assert offering.is_sample_price
    prices = [offering.price_per_session_yen] + [
        c.price_yen for c in offering.course_prices.all() if c.sessions > 1
    ]
    assert len(prices) > 1

    body = page(client, counselor, "/catalog/treatments/subcision/", language)
    for price in prices:
        assert f"¥{price:,}" in body
    assert body.count(f'<span class="sample">{label}</span>') == len(prices)


def test_a_real_price_carries_no_sample_label(client, counselor):
    from catalog.models import Offering

    Offering.objects.filter(treatment__slug="subcision", clinic__slug="demo-clinic").update(
        is_sample_price=False
    )
    body = page(client, counselor, "/catalog/treatments/subcision/")
    assert "¥55,000" in body
    assert 'class="sample"' not in body


# --- a child condition lists each treatment once, with its own rating ---------------------------


def test_a_child_condition_shows_the_treatments_own_rating_not_the_parents(client, counselor):
    from catalog.models import Indication

    own = Indication.objects.get(treatment__slug="co2-fractional", condition__slug="ice-pick-scar")
    parent = Indication.objects.get(treatment__slug="co2-fractional", condition__slug="acne-scar")
    body = page(client, counselor, "/catalog/conditions/ice-pick-scar/")
    assert body.count('href="/catalog/treatments/co2-fractional/"') == 1
    assert own.rationale_en in body
    assert parent.rationale_en not in body


def test_a_child_condition_still_lists_treatments_rated_only_for_the_parent(client, counselor):
    body = page(client, counselor, "/catalog/conditions/ice-pick-scar/")
    assert 'href="/catalog/treatments/dermapen-4/"' in body
    assert "(Acne scars (craters and uneven skin))" in body


# --- "not suitable": a child condition's rating that overrides the parent's --------------------


def _sections(body: str, heading: str) -> tuple[str, str]:
    """The page before and from the `heading` of the "not suitable" section."""
    assert body.count(heading) == 1, heading
    return tuple(body.split(heading))


@pytest.mark.parametrize(
    "language, heading, label",
    [("en", "Treatments not suitable for it", "not suitable"), ("ja", "適応外の施術", "適応外")],
)
def test_the_ice_pick_page_lists_subcision_as_not_suitable_apart(client, counselor, language, heading, label):
    from catalog.models import Indication

    rating = Indication.objects.get(treatment__slug="subcision", condition__slug="ice-pick-scar")
    body = page(client, counselor, "/catalog/conditions/ice-pick-scar/", language)
    addressing, not_suitable = _sections(body, heading)
    assert 'href="/catalog/treatments/subcision/"' not in addressing
    assert 'href="/catalog/treatments/co2-fractional/"' in addressing
    assert 'href="/catalog/treatments/subcision/"' in not_suitable
    assert f"<td>{label}</td>" in not_suitable
    assert getattr(rating, f"rationale_{language}") in not_suitable


def test_the_rolling_scar_page_lists_subcision_as_addressing_it(client, counselor):
    body = page(client, counselor, "/catalog/conditions/rolling-scar/")
    assert 'href="/catalog/treatments/subcision/"' in body
    assert "Treatments not suitable for it" not in body


@pytest.mark.parametrize("language, label", [("en", "Ice-pick scars</a> — not suitable"), ("ja", "適応外")])
def test_the_treatment_page_shows_the_not_suitable_rating(client, counselor, language, label):
    body = page(client, counselor, "/catalog/treatments/subcision/", language)
    assert label in body


@pytest.mark.parametrize(
    "language, phrases",
    [
        ("en", ["Before the first session", "about 4 weeks of preparation"]),
        ("ja", ["初回までの準備", "約4週間の準備"]),
    ],
)
def test_the_fibroblast_page_states_the_lead_time_for_cell_culture(client, counselor, language, phrases):
    body = page(client, counselor, "/catalog/treatments/fibroblast-transplant/", language)
    for phrase in phrases:
        assert phrase in body
    assert "Before the first session" not in page(client, counselor, "/catalog/treatments/subcision/")


def test_the_condition_page_marks_home_care_to_avoid_in_pregnancy(client, counselor):
    from catalog.models import MedicalFlag

    pregnancy = MedicalFlag.objects.get(slug="pregnancy")
    body = page(client, counselor, "/catalog/conditions/acne-scar/", "ja")
    # The retinol tip and the vitamin A row of the nutrients table.
    assert body.count(f"(避けたほうがよい方: {pregnancy.label_ja})") >= 2


# --- facts carried over from the seed articles into patient-facing texts -------------------------

REGENERATIVE = ["cultured-epidermal-autograft", "fibroblast-transplant", "prp-skin-regeneration", "acrs"]


@pytest.mark.parametrize("slug", REGENERATIVE)
@pytest.mark.parametrize(
    "language, phrases",
    [
        ("en", ["weeks to months", "the cost tends to be high", "few clinics", "filing a provision plan"]),
        ("ja", ["数週間〜数か月", "費用は高くなりやすく", "受けられるクリニックや医師は限られて", "届け出"]),
    ],
)
def test_regenerative_treatments_state_their_cautions(client, counselor, slug, language, phrases):
    body = page(client, counselor, f"/catalog/treatments/{slug}/", language)
    for phrase in phrases:
        assert phrase in body, phrase


@pytest.mark.parametrize(
    "language, phrases",
    [
        ("en", ["set their own prices", "location", "private or semi-private", "advertising"]),
        ("ja", ["料金をクリニックごとに決める", "立地", "個室か半個室か", "広告"]),
    ],
)
def test_the_acne_scar_page_explains_what_drives_cost(client, counselor, language, phrases):
    body = page(client, counselor, "/catalog/conditions/acne-scar/", language)
    for phrase in phrases:
        assert phrase in body, phrase


@pytest.mark.parametrize(
    "language, phrases",
    [
        (
            "en",
            [
                "High-molecular-weight HA works mainly near the surface",
                "Low-molecular-weight HA penetrates deeper",
                "biorevitalisation",
                "differ from hyaluronic-acid fillers",
                "different idea from lasers",
            ],
        ),
        (
            "ja",
            [
                "高分子のヒアルロン酸は主に肌の表面近くで",
                "低分子のヒアルロン酸は肌の奥まで届きやすく",
                "バイオリバイタリゼーション",
                "ヒアルロン酸フィラーとは目的が異なります",
                "レーザーなどで肌にわざと小さな傷をつけ",
            ],
        ),
    ],
)
def test_the_ecm_booster_page_explains_hyaluronic_acid_fillers_and_lasers(
    client, counselor, language, phrases
):
    body = page(client, counselor, "/catalog/treatments/jalupro-super-hydro/", language)
    for phrase in phrases:
        assert phrase in body, phrase


@pytest.mark.parametrize("slug", ["profhilo", "sunekos"])
def test_other_ecm_boosters_explain_molecular_weight_and_fillers(client, counselor, slug):
    body = page(client, counselor, f"/catalog/treatments/{slug}/")
    assert "low-molecular-weight HA" in body.replace("Low-", "low-")
    assert "filler" in body
