"""Absolute contraindications as a hard stop (design.md §9, issue 15).

An option with an absolute contraindication flagged for the patient never enters the comparison
or a patient document unless a physician overrides it with a recorded medical reason. The engine
lists such a treatment among the exclusions when it is a candidate; a treatment added from the
"compare any treatment" list need not be one, so the stop asks the catalog facts directly, for any
treatment.
"""

from __future__ import annotations

from dataclasses import dataclass

from consult.engine import CatalogFacts, Profile, TreatmentFacts, flagged


@dataclass(frozen=True)
class Flagged:
    """One absolute contraindication of a treatment that the patient's flags trigger."""

    flag: str  # slug
    label: str  # the flag's label in the facts' language


def absolute_contraindications(treatment: str, profile: Profile, facts: CatalogFacts) -> tuple[Flagged, ...]:
    """The absolute contraindications of `treatment` (a slug) flagged in `profile`, in catalog order."""
    if profile.flags:
        for t in facts.treatments:
            if t.slug == treatment:
                return _flagged(t, profile, facts)
    return ()


def contraindicated(profile: Profile, facts: CatalogFacts) -> dict[str, tuple[Flagged, ...]]:
    """Every treatment with an absolute contraindication flagged in `profile` (one pass over the catalog)."""
    if not profile.flags:
        return {}
    found = {t.slug: _flagged(t, profile, facts) for t in facts.treatments}
    return {slug: flagged for slug, flagged in found.items() if flagged}


def _flagged(treatment: TreatmentFacts, profile: Profile, facts: CatalogFacts) -> tuple[Flagged, ...]:
    return tuple(Flagged(c.flag, facts.flag_label.get(c.flag, c.flag)) for c in flagged(treatment, profile))


def uncovered(flagged: tuple[Flagged, ...], override_flags) -> tuple[Flagged, ...]:
    """The contraindications a physician's override (made for `override_flags`) does not cover: a
    flag answered "yes" after the override needs a new decision."""
    covered = set(override_flags or ())
    return tuple(f for f in flagged if f.flag not in covered)
