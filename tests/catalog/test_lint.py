from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import Offering, Treatment

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


def test_an_unapproved_product_without_a_statement_fails():
    treatment = Treatment.objects.filter(regulatory_status="unapproved").first()
    treatment.relief_system_note_ja = ""
    treatment.relief_system_note_en = ""
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[{treatment.slug}]: relief_system_note_ja: unapproved product" in output


def test_regenerative_medicine_without_plan_number_fails():
    offering = Offering.objects.filter(
        treatment__regulatory_status="regenerative", clinic__slug="demo-clinic"
    ).first()
    offering.regenerative_plan_number = ""
    offering.save()
    code, output = run_lint()
    assert code == 1
    assert "regenerative medicine offered without the clinic's plan number" in output


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
