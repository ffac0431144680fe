from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import HomeCareTip, Indication, Offering, Treatment

pytestmark = pytest.mark.django_db


def run_lint() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_the_shipped_catalog_passes():
    code, output = run_lint()
    assert code == 0, output


@pytest.mark.parametrize(
    "phrase", ["必ず改善します", "半永久的に続きます", "日本一の施術", "results are guaranteed"]
)
def test_a_planted_advertising_phrase_fails_naming_object_and_field(phrase):
    treatment = Treatment.objects.get(slug="subcision")
    field = "summary_en" if phrase.isascii() else "summary_ja"
    setattr(treatment, field, phrase)
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[subcision]: {field}: exaggerated or guaranteed claim" in output


@pytest.mark.parametrize(
    "phrase",
    [
        "厚生労働省承認の再生医療です",
        "厚労省認可の施術",
        "厚生労働省受理クリニックで受けられます",
        "厚生労働省に受理された治療計画",
        "国が認めた治療法",
        "approved by the MHLW",
        "an MHLW-approved regenerative treatment",
        "accepted by Japan's Ministry of Health, Labour and Welfare",
    ],
)
def test_a_planted_claim_of_mhlw_approval_fails_naming_object_and_field(phrase):
    treatment = Treatment.objects.get(slug="prp-skin-regeneration")
    field = "how_it_works_en" if phrase.isascii() else "how_it_works_ja"
    setattr(treatment, field, f"{getattr(treatment, field)} {phrase}")
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[prp-skin-regeneration]: {field}: claims approval by the MHLW" in output
    assert "filed 届出, not approved" in output


@pytest.mark.parametrize(
    "text",
    [
        "提供計画を厚生労働省（地方厚生局）に届け出ています（届出）。",
        "国内で承認された同じ目的の医薬品はありません。",
        "米国が承認した製品です。",
        "The plan is filed (届出) with the MHLW; it is not approved.",
        "Approved in the US for acne.",
    ],
)
def test_filing_and_foreign_approval_wording_passes(text):
    treatment = Treatment.objects.get(slug="prp-skin-regeneration")
    treatment.variants_ja = treatment.variants_en = text
    treatment.save()
    code, output = run_lint()
    assert code == 0, output


def test_english_words_match_whole_words_only():
    treatment = Treatment.objects.get(slug="subcision")
    treatment.summary_en = "A secure, procured approach."
    treatment.save()
    assert run_lint()[0] == 0


def test_a_missing_translation_fails():
    treatment = Treatment.objects.get(slug="potenza")
    treatment.downtime_description_en = ""
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[potenza]: downtime_description_en: missing translation" in output


def test_a_lead_time_without_an_explanation_fails():
    treatment = Treatment.objects.get(slug="subcision")
    treatment.lead_time_weeks = 2
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[subcision]: lead_time_description: lead time without an explanation" in output


def test_an_indication_rated_not_suitable_passes():
    assert Indication.objects.filter(strength=Indication.Strength.NOT_FOR).exists()
    assert run_lint()[0] == 0


def test_an_unapproved_product_without_a_statement_fails():
    treatment = Treatment.objects.filter(regulatory_status="unapproved").first()
    treatment.relief_system_note_ja = ""
    treatment.relief_system_note_en = ""
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[{treatment.slug}]: relief_system_note_ja: unapproved product" in output


@pytest.mark.parametrize("statement", Treatment.UNAPPROVED_FIELDS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_of_the_five_unapproved_statements_is_required_in_each_language(statement, language):
    treatment = Treatment.objects.get(slug="rejuran")
    setattr(treatment, f"{statement}_{language}", "")
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert (
        f"catalog.treatment[rejuran]: {statement}_{language}: "
        "unapproved product without this required statement"
    ) in output.splitlines()


def test_an_unapproved_product_with_all_five_statements_blank_is_reported_once_per_statement():
    treatment = Treatment.objects.get(slug="rejuran")
    for statement in Treatment.UNAPPROVED_FIELDS:
        setattr(treatment, f"{statement}_ja", "")
        setattr(treatment, f"{statement}_en", "")
    treatment.save()
    code, output = run_lint()
    assert code == 1
    reported = [line for line in output.splitlines() if "without this required statement" in line]
    assert len(reported) == 2 * len(Treatment.UNAPPROVED_FIELDS)


def test_regenerative_medicine_without_plan_number_fails():
    offering = Offering.objects.filter(
        treatment__regulatory_status="regenerative", clinic__slug="demo-clinic"
    ).first()
    offering.regenerative_plan_number = ""
    offering.save()
    code, output = run_lint()
    assert code == 1
    assert "regenerative medicine offered without the clinic's plan number" in output


@pytest.mark.parametrize("slug", ["fibroblast-transplant", "prp-skin-regeneration", "acrs"])
def test_each_regenerative_offering_without_a_plan_number_is_named(slug):
    offering = Offering.objects.get(treatment__slug=slug, clinic__slug="demo-clinic")
    offering.regenerative_plan_number = ""
    offering.save()
    code, output = run_lint()
    assert code == 1
    assert (
        output.splitlines().count(
            f"catalog.offering[demo-clinic/{slug}]: regenerative_plan_number: "
            "regenerative medicine offered without the clinic's plan number"
        )
        == 1
    )


def test_a_new_clinic_offering_regenerative_medicine_without_a_plan_number_fails(other_clinic):
    Offering.objects.create(
        clinic=other_clinic,
        treatment=Treatment.objects.get(slug="prp-skin-regeneration"),
        price_per_session_yen=100_000,
    )
    code, output = run_lint()
    assert code == 1
    assert "catalog.offering[other-clinic/prp-skin-regeneration]: regenerative_plan_number" in output


def test_regenerative_medicine_without_its_class_fails():
    treatment = Treatment.objects.get(slug="acrs")
    treatment.regenerative_class = None
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[acrs]: regenerative_class: regenerative medicine without its class" in output


def test_every_shipped_indication_and_home_care_tip_cites_a_source():
    assert not Indication.objects.filter(source__isnull=True).exists()
    assert not HomeCareTip.objects.filter(source__isnull=True).exists()


def test_an_indication_without_a_source_fails():
    indication = Indication.objects.get(treatment__slug="subcision", condition__slug="rolling-scar")
    indication.source = None
    indication.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.indication[subcision/rolling-scar]: source: cites no source" in output


def test_a_home_care_tip_without_a_source_fails():
    tip = HomeCareTip.objects.get(slug="daily-uv-protection")
    tip.source = None
    tip.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.homecaretip[daily-uv-protection]: source: cites no source" in output


def test_a_treatment_without_sources_fails():
    Treatment.objects.get(slug="subcision").sources.clear()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[subcision]: sources: cites no source" in output


def test_min_greater_than_max_is_reported_without_touching_the_database():
    # The database refuses min > max, so the lint's own check is exercised on an unsaved object.
    from catalog.lint import _range_problems

    treatment = Treatment.objects.get(slug="subcision")
    treatment.downtime_days_min, treatment.downtime_days_max = 9, 2
    problems = [str(p) for p in _range_problems(treatment)]
    assert problems == ["catalog.treatment[subcision]: downtime_days: min 9 > max 2"]


def test_the_database_refuses_min_greater_than_max():
    from django.db import IntegrityError, transaction

    treatment = Treatment.objects.get(slug="subcision")
    treatment.sessions_min, treatment.sessions_max = 5, 1
    with pytest.raises(IntegrityError), transaction.atomic():
        treatment.save()
