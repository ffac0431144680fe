"""Consent texts (同意書) per treatment: versioned, in Japanese and English, edited in the admin and
linted like the rest of the catalog."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from catalog.models import ConsentText, Treatment
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def lint() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_every_treatment_has_a_consent_text_in_both_languages():
    # Insurance-covered care is not given here (the patient is referred), so it has no consent form.
    for treatment in Treatment.objects.filter(insurance_covered=False):
        text = treatment.consent_texts.first()
        assert text is not None, treatment.slug
        for field in ("purpose", "method", "expected_course", "alternatives"):
            assert getattr(text, f"{field}_ja").strip() and getattr(text, f"{field}_en").strip()


def test_the_latest_version_comes_first_and_versions_are_unique():
    treatment = Treatment.objects.get(slug="dermapen-4")
    first = treatment.consent_texts.get()
    ConsentText.objects.create(
        treatment=treatment,
        version=2,
        purpose_ja="改訂版",
        purpose_en="Revised",
        method_ja="方法",
        method_en="method",
        expected_course_ja="経過",
        expected_course_en="course",
        alternatives_ja="他",
        alternatives_en="other",
    )
    assert treatment.consent_texts.first().version == 2 and first.version == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentText.objects.create(treatment=treatment, version=2, purpose_ja="x", method_ja="x")


def test_lint_finds_an_advertising_phrase_and_a_missing_translation():
    text = ConsentText.objects.get(treatment__slug="potenza")
    text.purpose_ja = "必ず改善します"
    text.alternatives_en = ""
    text.save()
    code, output = lint()
    assert code == 1
    assert f"catalog.consenttext[{text.pk}]: purpose_ja" in output
    assert f"catalog.consenttext[{text.pk}]: alternatives" in output


def test_the_catalog_editor_edits_consent_texts(client, demo_clinic, catalog_editor):
    # Consent texts are shared per treatment (issue 12's governance): a clinic admin reads them.
    text = ConsentText.objects.get(treatment__slug="potenza")
    client.force_login(catalog_editor)
    page = client.get(f"/admin/catalog/consenttext/{text.pk}/change/")
    assert page.status_code == 200
    assert 'name="purpose_ja"' in page.content.decode() and 'name="purpose_en"' in page.content.decode()
    client.force_login(make_user("consent-admin", demo_clinic, "clinic-admin"))
    page = client.get(f"/admin/catalog/consenttext/{text.pk}/change/")
    assert page.status_code == 200 and 'name="purpose_ja"' not in page.content.decode()
