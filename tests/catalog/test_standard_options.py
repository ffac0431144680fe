"""The standard options a dermatologist would name (issue 11, item 2): TCA CROSS and punch techniques
for ice-pick and boxcar scars, a vascular laser for post-acne redness, chemical peels, hydroquinone
and oral tranexamic acid for pigmentation. Each reads the real fixtures; the engine runs on them."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.models import Clinic, ConsentText, Offering, Treatment, disclosure_statements
from consult.engine import ConcernIn, Profile, suggest
from consult.facts import build_catalog_facts

pytestmark = pytest.mark.django_db

NEW = [
    "tca-cross",
    "punch-techniques",
    "vascular-laser",
    "chemical-peel",
    "hydroquinone",
    "tranexamic-acid-oral",
]
# design.md §4: what every treatment carries, in both languages.
TEXTS = ["name", "summary", "how_it_works", "session_description", "downtime_description", "anesthesia",
         "duration_text", "variants"]  # fmt: skip


def run_suggest(*conditions: str, flags: frozenset[str] = frozenset(), **wishes):
    profile = Profile(
        concerns=tuple(ConcernIn(c, 3, ("cheek-left",)) for c in conditions),
        flags=flags,
        today=date(2026, 12, 2),
        **wishes,
    )
    return suggest(profile, build_catalog_facts(Clinic.objects.get(slug="demo-clinic"), "en"), "en")


@pytest.mark.parametrize("slug", NEW)
def test_each_option_is_complete_in_both_languages_and_offered_at_the_demo_clinic(slug):
    treatment = Treatment.objects.get(slug=slug)
    for field in TEXTS:
        for language in ("ja", "en"):
            assert getattr(treatment, f"{field}_{language}").strip(), (field, language)
    assert treatment.sources.exists()
    assert treatment.side_effects.count() >= 3
    assert treatment.contraindications.exists()
    indications = treatment.indications.all()
    assert indications and all(i.evidence_level and i.source_id for i in indications)
    assert ConsentText.objects.filter(treatment=treatment).exists()
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment=treatment)
    assert offering.is_sample_price and offering.price_per_session_yen > 0


@pytest.mark.parametrize(
    ("slug", "keyword_ja"),
    [("tca-cross", "院内調製"), ("chemical-peel", "国内の輸入業者"), ("hydroquinone", "院内調製")],
)
def test_the_unapproved_preparations_print_the_demo_clinics_five_statements(slug, keyword_ja):
    treatment = Treatment.objects.get(slug=slug)
    assert treatment.regulatory_status == Treatment.Regulatory.UNAPPROVED
    offering = Offering.objects.select_related("clinic").get(clinic__slug="demo-clinic", treatment=treatment)
    statements = disclosure_statements(treatment, offering, "ja")
    assert len(statements) == 5 and not any(s.missing for s in statements)
    assert keyword_ja in statements[1].text


@pytest.mark.parametrize("slug", ["vascular-laser", "tranexamic-acid-oral"])
def test_approved_products_used_off_label_say_so_and_which_approval(slug):
    treatment = Treatment.objects.get(slug=slug)
    assert treatment.regulatory_status == Treatment.Regulatory.APPROVED
    assert disclosure_statements(treatment, None, "en") == []  # approved: the catalog page needs none
    offering = Offering.objects.select_related("clinic").get(clinic__slug="demo-clinic", treatment=treatment)
    statements = disclosure_statements(treatment, offering, "en")
    assert "off-label" in statements[0].text and offering.approved_use_en in statements[0].text
    assert "relief system" in statements[4].text


def test_tranexamic_acid_is_excluded_for_a_patient_at_risk_of_thrombosis():
    result = run_suggest("melasma")
    assert "tranexamic-acid-oral" in [s.treatment for s in result.suggestions]
    result = run_suggest("melasma", flags=frozenset({"thrombosis-risk"}))
    excluded = {e.treatment: [r.code for r in e.reasons] for e in result.excluded}
    assert excluded["tranexamic-acid-oral"] == ["contraindication"]
    assert "tranexamic-acid-oral" not in [s.treatment for s in result.suggestions]


def test_ice_pick_scars_without_needles_get_tca_cross_and_not_punch_surgery():
    result = run_suggest("ice-pick-scar", needles_ok=False, skin_type=4)
    suggested = {s.treatment: s for s in result.suggestions}
    assert "tca-cross" in suggested
    # Skin type IV: a pigmentation caution, said and not hidden.
    assert "skin-type" in [c.code for c in suggested["tca-cross"].cautions]
    excluded = {e.treatment: [r.code for r in e.reasons] for e in result.excluded}
    assert excluded["punch-techniques"] == ["needles"]
    # TCA CROSS does not reach tethered rolling scars.
    assert "tca-cross" not in [
        s.treatment for s in run_suggest("rolling-scar").suggestions if "rolling-scar" in s.covered
    ]


def test_post_acne_redness_gets_the_vascular_laser_with_a_skin_type_caution():
    result = run_suggest("post-acne-redness", skin_type=4)
    laser = next(s for s in result.suggestions if s.treatment == "vascular-laser")
    assert "skin-type" in [c.code for c in laser.cautions]
    assert result.suggestions[0].treatment == "vascular-laser"


def test_active_acne_hears_insurance_care_first_and_a_peel_only_as_an_adjunct():
    result = run_suggest("active-acne")
    assert result.excluded[0].treatment == "insurance-acne-treatment"
    peel = Treatment.objects.get(slug="chemical-peel").indications.get(condition__slug="active-acne")
    assert peel.strength == 1 and "C1" in peel.rationale_ja
