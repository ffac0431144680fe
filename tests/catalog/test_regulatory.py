"""The five statements for an unapproved or off-label product, per clinic (issue 11, item 3):
composed by `disclosure_statements` from the offering's facts and the treatment's general facts,
labelled fictional at a demo clinic, checked by the lint, edited in the clinic's admin, shown on the
catalog page."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.lint import lint, lint_object
from catalog.models import (
    Clinic,
    JapanApproval,
    Membership,
    Offering,
    SupplyRoute,
    Treatment,
    disclosure_statements,
)
from catalog.regulatory import DEMO_MARK, STATEMENT_KEYS
from tests.conftest import make_user


def _offering(slug: str, clinic: str = "demo-clinic") -> Offering:
    return Offering.objects.select_related("clinic", "treatment").get(
        clinic__slug=clinic, treatment__slug=slug
    )


@pytest.mark.django_db
def test_the_statements_name_the_clinics_product_route_and_alternatives_in_both_languages():
    offering = _offering("rejuran")
    ja = {s.key: s.text for s in disclosure_statements(offering.treatment, offering, "ja")}
    en = {s.key: s.text for s in disclosure_statements(offering.treatment, offering, "en")}
    assert list(ja) == list(STATEMENT_KEYS) == list(en)
    assert "リジュラン" in ja["unapproved_statement"] and "未承認医薬品等" in ja["unapproved_statement"]
    assert "Rejuran" in en["unapproved_statement"] and "unapproved" in en["unapproved_statement"]
    # A physician's personal import says so and points to the MHLW's page, as the guideline asks.
    assert "医師の個人輸入" in ja["acquisition_route"]
    assert "https://www.yakubutsu.mhlw.go.jp/" in ja["acquisition_route"]
    assert "personal import" in en["acquisition_route"]
    assert "ありません" in ja["domestic_alternatives"]
    # The general facts come from the treatment.
    assert ja["foreign_safety_info"] == offering.treatment.foreign_safety_info_ja
    assert en["relief_system_note"] == offering.treatment.relief_system_note_en
    # Nothing vague is left: no "ask at the clinic".
    for text in [*ja.values(), *en.values()]:
        assert "カウンセリングで説明" not in text and "確認できていません" not in text


@pytest.mark.django_db
def test_the_demo_marker_follows_the_clinic_flag_not_the_text():
    offering = _offering("dermapen-4")
    statements = disclosure_statements(offering.treatment, offering, "ja")
    assert [s.text.endswith(DEMO_MARK["ja"]) for s in statements] == [True, True, True, False, False]
    Clinic.objects.filter(pk=offering.clinic_id).update(is_demo=False)
    offering = _offering("dermapen-4")
    assert not any(
        DEMO_MARK["ja"] in s.text for s in disclosure_statements(offering.treatment, offering, "ja")
    )
    assert not any(
        DEMO_MARK["en"] in s.text for s in disclosure_statements(offering.treatment, offering, "en")
    )


@pytest.mark.django_db
def test_each_supply_route_gives_its_own_statement():
    offering = _offering("dermapen-4")
    texts = set()
    for route in SupplyRoute.values:
        if route:
            offering.supply_route = route
            texts.add(disclosure_statements(offering.treatment, offering, "ja")[1].text)
    assert len(texts) == 4
    assert any("院内調製" in t for t in texts)


@pytest.mark.django_db
def test_off_label_use_of_an_approved_product_needs_the_statements_and_says_which_approval():
    offering = _offering("subcision")
    assert offering.treatment.regulatory_status != Treatment.Regulatory.UNAPPROVED
    assert disclosure_statements(offering.treatment, offering, "ja") == []
    offering.japan_approval = JapanApproval.OFF_LABEL
    offering.product_name_ja, offering.product_name_en = "見本カニューレ", "sample cannula"
    offering.approval_number = "12345BZX00000000"
    offering.approved_use_ja, offering.approved_use_en = "皮下への薬液注入", "injecting fluids under the skin"
    offering.supply_route = SupplyRoute.APPROVED_PRODUCT
    offering.alternatives_status = "none"
    ja = disclosure_statements(offering.treatment, offering, "ja")
    assert (
        "適応外使用" in ja[0].text and "皮下への薬液注入" in ja[0].text and "12345BZX00000000" in ja[0].text
    )
    # The treatment has no relief-system note of its own: the off-label sentence stands in.
    assert "救済制度の対象にはなりません" in ja[4].text
    en = disclosure_statements(offering.treatment, offering, "en")
    assert "off-label" in en[0].text and "injecting fluids under the skin" in en[0].text
    # A procedure's own general facts (foreign safety information) are still needed.
    assert ja[3].missing


@pytest.mark.django_db
def test_an_approved_model_at_this_clinic_needs_no_statements():
    offering = _offering("co2-fractional")
    assert disclosure_statements(offering.treatment, offering, "ja")
    offering.japan_approval = JapanApproval.APPROVED
    assert disclosure_statements(offering.treatment, offering, "ja") == []


@pytest.mark.django_db
def test_without_a_clinic_the_general_facts_are_the_statements():
    treatment = Treatment.objects.get(slug="rejuran")
    statements = disclosure_statements(treatment, None, "en")
    assert [s.text for s in statements] == [getattr(treatment, f"{key}_en") for key in STATEMENT_KEYS]
    assert disclosure_statements(Treatment.objects.get(slug="fibroblast-transplant"), None, "ja") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "statement"),
    [
        ("japan_approval", "", 0),
        ("product_name_en", "", 0),
        ("supply_route", "", 1),
        ("alternatives_status", "", 2),
        ("alternatives_status", "named", 2),  # named, but no names given
    ],
)
def test_a_missing_fact_leaves_its_statement_empty_and_the_lint_names_it(field, value, statement):
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="rejuran").update(**{field: value})
    offering = _offering("rejuran")
    language = "en" if field.endswith("_en") else "ja"
    statements = disclosure_statements(offering.treatment, offering, language)
    assert [s.missing for s in statements] == [i == statement for i in range(5)]
    expected = ["alternatives_named_ja", "alternatives_named_en"] if value == "named" else [field]
    reported = [p for p in lint() if p.obj == "catalog.offering[demo-clinic/rejuran]"]
    assert [p.field for p in reported] == expected
    assert "five required statements" in reported[0].message
    assert [p.field for p in lint_object(offering) if "five required" in p.message] == expected


@pytest.mark.django_db
def test_the_new_free_text_fields_are_linted():
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="rejuran").update(
        supply_note_ja="最高品質の正規品を必ずお届けします", supply_note_en=""
    )
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="rejuran").update(
        manufacturer="No.1 Pharma"
    )
    problems = [str(p) for p in lint_object(_offering("rejuran"))]
    assert any("supply_note_ja" in p and "最高" in p for p in problems)
    assert any("manufacturer" in p and "No.1" in p for p in problems)
    assert any("supply_note_en: missing translation" in p for p in problems)


@pytest.mark.django_db
def test_the_shipped_offerings_carry_every_fact():
    for offering in Offering.objects.select_related("clinic", "treatment"):
        for language in ("ja", "en"):
            for statement in disclosure_statements(offering.treatment, offering, language):
                assert not statement.missing, (offering, language, statement.key)


def test_the_clinic_admin_edits_the_facts_on_the_offering_page(db, demo_clinic):
    admin_user = make_user("factsadmin", demo_clinic, Membership.Role.CLINIC_ADMIN)
    client = Client()
    client.force_login(admin_user)
    offering = _offering("rejuran")
    url = f"/admin/catalog/offering/{offering.pk}/change/"
    page = client.get(url).content.decode()
    for name in (
        "product_name_ja",
        "product_name_en",
        "manufacturer",
        "japan_approval",
        "supply_route",
        "alternatives_status",
        "alternatives_named_ja",
        "approved_use_en",
    ):
        assert f'name="{name}"' in page
    assert "入手経路" in page and "医療広告ガイドライン" in page  # labels and help in the admin's language
    form = {
        "clinic": demo_clinic.pk,
        "treatment": offering.treatment.pk,
        "active": "on",
        "price_per_session_yen": offering.price_per_session_yen,
        "is_sample_price": "on",
        "note_ja": offering.note_ja,
        "note_en": offering.note_en,
        "product_name_ja": "リジュラン・ヒーラー",
        "product_name_en": "Rejuran Healer",
        "japan_approval": "unapproved",
        "supply_route": "domestic-supplier",
        "supply_note_ja": "見本商事（架空）から購入",
        "supply_note_en": "bought from Mihon Trading (fictional)",
        "alternatives_status": "none",
        "course_prices-TOTAL_FORMS": 0,
        "course_prices-INITIAL_FORMS": 0,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    offering = _offering("rejuran")
    route = disclosure_statements(offering.treatment, offering, "en")[1].text
    assert "supplier in Japan" in route and "Mihon Trading" in route
    # Another clinic's offering stays out of reach.
    other = _offering("rejuran", clinic="other-clinic")
    assert client.get(f"/admin/catalog/offering/{other.pk}/change/").status_code == 404


def test_the_catalog_page_shows_the_general_facts_and_the_users_clinics_own(client, counselor):
    client.force_login(counselor)
    client.cookies["django_language"] = "ja"
    body = client.get("/catalog/treatments/rejuran/").content.decode()
    treatment = Treatment.objects.get(slug="rejuran")
    offering = _offering("rejuran")
    assert treatment.unapproved_statement_ja in body  # the general facts
    for statement in disclosure_statements(treatment, offering, "ja"):
        assert statement.text in body
    assert 'id="disclosures-demo-clinic"' in body and "other-clinic" not in body
    assert body.count("（架空のデモ値）") == 3
