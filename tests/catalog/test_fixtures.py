"""The shipped catalog: every canonical slug exists, every text is bilingual, the lint passes."""

from __future__ import annotations

import pytest
from modeltranslation.translator import translator

from catalog.models import Clinic, Condition, MedicalFlag, Offering, Treatment

CONDITIONS = [
    "acne-scar",
    "ice-pick-scar",
    "boxcar-scar",
    "rolling-scar",
    "post-acne-pigmentation",
    "post-acne-redness",
    "active-acne",
    "enlarged-pores",
    "band-pores",
    "loss-of-firmness",
    "fine-wrinkles",
    "skin-thinning",
    "sagging",
    "dryness",
    "dullness",
    "dark-circles",
    "dermatitis",
]
TREATMENTS = [
    "cultured-epidermal-autograft",
    "dermapen-4",
    "velvet-skin",
    "subcision",
    "fibroblast-transplant",
    "prp-skin-regeneration",
    "acrs",
    "exosome",
    "co2-fractional",
    "potenza",
    "pico-fractional",
    "jalupro-super-hydro",
    "profhilo",
    "sunekos",
    "plasma",
    "rejuran",
    "peptide-skin-booster",
    "retinoid-therapy",
]
FLAGS = [
    "pregnancy",
    "isotretinoin-recent",
    "anticoagulant",
    "keloid-tendency",
    "active-infection",
    "fish-allergy",
    "blood-disorder",
    "implanted-device",
    "recent-tan",
]

pytestmark = pytest.mark.django_db


def test_every_canonical_slug_exists():
    assert set(CONDITIONS) <= set(Condition.objects.values_list("slug", flat=True))
    assert set(TREATMENTS) <= set(Treatment.objects.values_list("slug", flat=True))
    assert set(FLAGS) <= set(MedicalFlag.objects.values_list("slug", flat=True))


def test_crater_types_are_children_of_acne_scar():
    children = Condition.objects.filter(parent__slug="acne-scar").values_list("slug", flat=True)
    assert {"ice-pick-scar", "boxcar-scar", "rolling-scar"} <= set(children)


@pytest.mark.parametrize(
    "model",
    [m for m in translator.get_registered_models() if m._meta.app_label == "catalog"],
    ids=lambda m: m.__name__,
)
def test_every_required_patient_facing_text_is_in_japanese_and_english(model):
    fields = translator.get_options_for_model(model).fields
    for obj in model._default_manager.all():
        for name in fields:
            ja, en = getattr(obj, f"{name}_ja") or "", getattr(obj, f"{name}_en") or ""
            if not model._meta.get_field(name).blank:
                assert ja.strip() and en.strip(), f"{model.__name__} {obj.pk}: {name}"
            else:
                assert bool(ja.strip()) == bool(en.strip()), (
                    f"{model.__name__} {obj.pk}: {name} only in one language"
                )


def test_every_treatment_cites_a_source_and_treats_something():
    for treatment in Treatment.objects.prefetch_related("sources", "indications"):
        assert treatment.sources.exists(), treatment.slug
        assert treatment.indications.exists(), treatment.slug


def test_unapproved_products_carry_the_five_statements():
    for treatment in Treatment.objects.filter(regulatory_status=Treatment.Regulatory.UNAPPROVED):
        for name in Treatment.UNAPPROVED_FIELDS:
            assert getattr(treatment, f"{name}_ja") and getattr(treatment, f"{name}_en"), (
                treatment.slug,
                name,
            )


def test_regenerative_medicine_has_a_class_and_the_demo_clinic_a_plan_number():
    regenerative = Treatment.objects.filter(regulatory_status=Treatment.Regulatory.REGENERATIVE)
    assert {"fibroblast-transplant", "prp-skin-regeneration"} <= set(
        regenerative.values_list("slug", flat=True)
    )
    for treatment in regenerative:
        assert treatment.regenerative_class in (2, 3)
    for offering in Offering.objects.filter(treatment__in=regenerative):
        assert offering.regenerative_plan_number


def test_the_demo_clinic_is_fictional_with_labelled_sample_prices():
    clinic = Clinic.objects.get(slug="demo-clinic")
    assert clinic.is_demo
    assert "架空" in clinic.name_ja and "fictional" in clinic.name_en.lower()
    offerings = Offering.objects.filter(clinic=clinic)
    assert offerings.count() >= 10
    assert all(o.is_sample_price for o in offerings)
