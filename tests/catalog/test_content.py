"""The shipped catalog's clinical content: errors found in review (issue 11) stay fixed.

Each test reads the real fixtures, and where the engine is involved runs the real engine on them.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from catalog.models import Clinic, HomeCareTip, Indication, SideEffect, Treatment
from consult.engine import ConcernIn, Profile, suggest
from consult.facts import build_catalog_facts

pytestmark = pytest.mark.django_db


def run_suggest(*conditions: str, **wishes):
    clinic = Clinic.objects.get(slug="demo-clinic")
    profile = Profile(
        concerns=tuple(ConcernIn(c, 3, ("cheek-left",)) for c in conditions),
        flags=frozenset(),
        today=date(2026, 11, 21),
        **wishes,
    )
    return suggest(profile, build_catalog_facts(clinic, "ja"), "ja")


@pytest.mark.parametrize("category", [Treatment.Category.INJECTABLE, Treatment.Category.MICRONEEDLING])
def test_every_injectable_and_microneedling_treatment_uses_needles(category):
    treatments = Treatment.objects.filter(category=category)
    assert treatments.exists()
    assert [t.slug for t in treatments if not t.uses_needles or t.pain == 0] == []


def test_the_peptide_skin_booster_is_not_offered_to_a_patient_who_refuses_needles():
    peptide = Treatment.objects.get(slug="peptide-skin-booster")
    assert "注射をせずに" not in peptide.summary_ja and "without injection" not in peptide.summary_en
    result = run_suggest("loss-of-firmness", needles_ok=False)
    assert "peptide-skin-booster" not in [s.treatment for s in result.suggestions]
    excluded = [e for e in result.excluded if e.treatment == "peptide-skin-booster"]
    assert [r.code for r in excluded[0].reasons] == ["needles"]


def test_co2_fractional_rates_pigmentation_common_from_skin_type_3():
    co2 = Treatment.objects.get(slug="co2-fractional")
    assert co2.pih_risk_from_skin_type == 3
    pih = SideEffect.objects.get(treatment=co2, name_en="Post-inflammatory pigmentation")
    assert pih.frequency == SideEffect.Frequency.COMMON
    assert "III〜IV" in pih.usual_duration_ja


def test_no_aesthetic_treatment_is_suggested_for_dermatitis():
    """Dermatitis belongs to a dermatologist's standard care first; exosome was its only suggestion."""
    result = run_suggest("dermatitis")
    addressing = [s.treatment for s in result.suggestions if "dermatitis" in s.covered]
    assert addressing == []
    rating = Indication.objects.get(treatment__slug="exosome", condition__slug="dermatitis")
    assert rating.strength == Indication.Strength.NOT_FOR
    assert "皮膚科" in rating.rationale_ja and "保険診療" in rating.rationale_ja


def test_the_acne_food_tip_follows_the_guideline_not_folk_claims():
    tip = HomeCareTip.objects.get(slug="foods-to-limit-with-acne")
    for claim in ("牛乳", "唐辛子", "カフェイン", "揚げ物"):
        assert claim not in tip.text_ja
    assert "一律" in tip.text_ja
    assert tip.source.slug == "jda-acne-guideline-2017"


# Rationales that used to cite a clinic article which does not describe the use.
RESOURCED = {
    ("co2-fractional", "ice-pick-scar"): "xu-deng-2018-co2-acne-scars",
    ("co2-fractional", "boxcar-scar"): "xu-deng-2018-co2-acne-scars",
    ("potenza", "post-acne-redness"): "min-2016-fmr-post-acne-erythema",
    ("pico-fractional", "post-acne-pigmentation"): "ajcd-2023-lasers-pih-skin-of-color",
    ("rejuran", "acne-scar"): "araco-2021-polynucleotide-acne-scars",
    ("retinoid-therapy", "active-acne"): "jda-acne-rosacea-guideline-2023",
}


@pytest.mark.parametrize(("treatment", "condition"), list(RESOURCED))
def test_a_rationale_cites_a_source_that_describes_the_use(treatment, condition):
    indication = Indication.objects.get(treatment__slug=treatment, condition__slug=condition)
    assert indication.source.slug == RESOURCED[(treatment, condition)]


def test_no_patient_text_carries_an_editorial_remark():
    for indication in Indication.objects.all():
        for text in (indication.rationale_ja, indication.rationale_en):
            assert "紹介記事" not in text and "source article" not in text, indication
            assert "does not describe" not in text and "書かれていない" not in text, indication


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("rationale_ja", "紹介記事はこの使い方を個別には評価していません。"),
        ("rationale_en", "The source article does not describe this use."),
    ],
)
def test_the_lint_reports_an_editorial_remark(field, text):
    indication = Indication.objects.get(treatment__slug="subcision", condition__slug="rolling-scar")
    setattr(indication, field, text)
    indication.save()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    assert (
        f"catalog.indication[{indication.pk}]: {field}: editorial remark in a patient text" in out.getvalue()
    )


def test_acrs_explains_what_was_found_about_its_legal_class():
    """ACRS is a cell-free serum; the catalog says so and why a clinic files it (see docs/catalog.md)."""
    acrs = Treatment.objects.get(slug="acrs")
    assert "細胞" in acrs.approval_note_ja and "cell" in acrs.approval_note_en


# --- evidence (issue 11) ------------------------------------------------------------------------


def test_every_indication_has_an_evidence_level():
    from catalog.models import EvidenceLevel

    missing = Indication.objects.exclude(evidence_level__in=EvidenceLevel.values)
    assert [str(i) for i in missing] == []


def test_every_numeric_range_has_its_origin():
    from catalog.models import RANGE_STEMS, FigureOrigin, range_origin

    missing = []
    for treatment in Treatment.objects.all():
        for stem in RANGE_STEMS:
            origin, source = range_origin(treatment, stem)
            if origin not in FigureOrigin.values or (origin == FigureOrigin.SOURCE) != (source is not None):
                missing.append(f"{treatment.slug}.{stem}")
    assert missing == []


def test_every_source_has_a_kind_and_a_stable_identifier_and_literature_its_year():
    from catalog.models import Source, SourceKind

    for source in Source.objects.all():
        assert source.kind in SourceKind.values and source.identifier.strip(), source.slug
        if source.kind != SourceKind.CLINIC_ARTICLE:
            assert source.year, source.slug


def test_an_indication_cited_to_literature_is_not_rated_as_practice_only():
    from catalog.models import EvidenceLevel, SourceKind

    for indication in Indication.objects.exclude(source__kind=SourceKind.CLINIC_ARTICLE):
        assert indication.evidence_level != EvidenceLevel.PRACTICE, indication


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"evidence_level": ""},
            "catalog.indication[subcision/rolling-scar]: evidence_level: indication without",
        ),
    ],
)
def test_the_lint_reports_an_indication_without_an_evidence_level(change, expected):
    Indication.objects.filter(treatment__slug="subcision", condition__slug="rolling-scar").update(**change)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    assert expected in out.getvalue()


@pytest.mark.parametrize(
    ("origin", "source_slug", "expected"),
    [
        ("", None, "catalog.treatment[subcision]: sessions_origin: range without its origin"),
        ("source", None, "catalog.treatment[subcision]: sessions_source: range said to come from a source"),
    ],
)
def test_the_lint_reports_a_range_without_its_origin(origin, source_slug, expected):
    Treatment.objects.filter(slug="subcision").update(sessions_origin=origin, sessions_source=None)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    assert expected in out.getvalue()


def test_docs_catalog_md_carries_the_current_coverage_table():
    """The coverage table in docs/catalog.md is generated from the fixtures; regenerate it with
    `manage.py catalog_coverage --write` after changing the catalog."""
    from pathlib import Path

    from django.conf import settings

    out = io.StringIO()
    call_command("catalog_coverage", stdout=out)
    doc = (Path(settings.BASE_DIR) / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert out.getvalue().strip() in doc


# --- insurance-covered standard care (保険診療) --------------------------------------------------


def test_insurance_covered_acne_care_leads_what_is_not_given_here_and_names_no_price():
    result = run_suggest("active-acne")
    assert "insurance-acne-treatment" not in [s.treatment for s in result.suggestions]
    first = result.excluded[0]
    assert first.treatment == "insurance-acne-treatment"
    assert [r.code for r in first.reasons] == ["insurance"]
    assert "皮膚科" in first.reasons[0].text and "自費の料金はありません" in first.reasons[0].text
    assert first.option.estimated_cost_yen is None


def test_the_workspace_shows_insurance_care_first_and_it_cannot_be_priced_as_an_option(
    counselor_client, counselor, demo_clinic
):
    from consult.models import Consultation

    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="A-9")
    base = f"/consultations/{consultation.public_id}/"
    data = {
        "version": consultation.version,
        "chart_number": "A-9",
        "display_name": "",
        "age_band": "20s",
        "skin_type": "3",
        "handout_language": "ja",
        "max_downtime_days": "",
        "budget_yen": "",
        "needles_ok": "yes",
        "max_pain": "",
        "event_date": "",
        "notes": "",
        "concern": ["active-acne"],
        "severity-active-acne": "3",
        "areas-active-acne": ["cheek-left"],
    }
    body = counselor_client.post(base + "save/", data, HTTP_HX_REQUEST="true").content.decode()
    excluded = body[body.index('class="excluded"') :]
    first = excluded[: excluded.index("</li>")]
    assert "保険診療のニキビ治療" in first and "皮膚科（保険診療）で相談してください" in first
    consultation.refresh_from_db()
    response = counselor_client.post(
        base + "options/",
        {"version": consultation.version, "action": "add", "treatment": "insurance-acne-treatment"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422


def test_the_lint_refuses_a_self_pay_price_for_insurance_covered_care(demo_clinic):
    from catalog.models import Offering

    Offering.objects.create(
        clinic=demo_clinic,
        treatment=Treatment.objects.get(slug="insurance-acne-treatment"),
        price_per_session_yen=5000,
    )
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    assert (
        "catalog.offering[demo-clinic/insurance-acne-treatment]: treatment: insurance-covered"
        in out.getvalue()
    )
