"""Small, named states of the app for browser tests, the HTML checks and the screenshots."""

from __future__ import annotations

from catalog.models import Clinic, Condition, MedicalFlag, Treatment
from consult.models import ChosenOption, Concern, Consultation

# Three options a counselor would compare for rolling acne scars, in this order.
ROLLING_SCAR_OPTIONS = ("subcision", "dermapen-4", "pico-fractional")


def consultation_with_options(
    counselor,
    clinic: Clinic,
    *,
    chart_number: str = "A-2001",
    display_name: str = "",
    handout_language: str = "ja",
    options: tuple[str, ...] = ROLLING_SCAR_OPTIONS,
) -> Consultation:
    """Rolling scars on both cheeks and dull skin, some wishes, one flag, three options compared."""
    consultation = Consultation.objects.create(
        clinic=clinic,
        counselor=counselor,
        chart_number=chart_number,
        display_name=display_name,
        handout_language=handout_language,
        age_band="30s",
        skin_type=4,
        max_downtime_days=7,
        budget_yen=300_000,
        max_pain=2,
    )
    Concern.objects.create(
        consultation=consultation,
        condition=Condition.objects.get(slug="rolling-scar"),
        severity=3,
        areas=["cheek-left", "cheek-right"],
    )
    Concern.objects.create(
        consultation=consultation,
        condition=Condition.objects.get(slug="dullness"),
        severity=2,
        areas=["forehead"],
    )
    consultation.flags.set(MedicalFlag.objects.filter(slug="fish-allergy"))
    for position, slug in enumerate(options):
        ChosenOption.objects.create(
            consultation=consultation, treatment=Treatment.objects.get(slug=slug), position=position
        )
    return consultation
