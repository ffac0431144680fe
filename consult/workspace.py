"""What the workspace shows: suggestions, exclusions and the comparison grid for a consultation.

Kept out of the views so the page, the htmx fragments and the handout share one computation, in a
fixed number of queries whatever the catalog's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Prefetch, prefetch_related_objects

from catalog.models import Condition, Indication, MedicalFlag, Offering, SideEffect, Treatment
from consult.engine import ConcernIn, Exclusion, Profile, Result, Suggestion, nearest_indication, suggest
from consult.facts import catalog_facts
from consult.models import MAX_OPTIONS, ChosenOption, Concern, Consultation


def profile_of(consultation: Consultation, today) -> Profile:
    return Profile(
        concerns=tuple(
            ConcernIn(c.condition.slug, c.severity, tuple(c.areas)) for c in consultation.concerns.all()
        ),
        flags=frozenset(f.slug for f in consultation.flags.all()),
        skin_type=consultation.skin_type,
        max_downtime_days=consultation.max_downtime_days,
        budget_yen=consultation.budget_yen,
        needles_ok=consultation.needles_ok,
        max_pain=consultation.max_pain,
        event_date=consultation.event_date,
        today=today,
    )


def load_consultation(queryset, **lookup) -> Consultation:
    return (
        queryset.select_related("clinic", "counselor")
        .prefetch_related(
            Prefetch("concerns", queryset=Concern.objects.select_related("condition")),
            "flags",
            Prefetch("options", queryset=ChosenOption.objects.select_related("treatment")),
        )
        .get(**lookup)
    )


# Suggestion cards and exclusions shown before "show all": enough for any real consultation, and it
# keeps the page (and every htmx update) the same size whatever the size of the catalog.
SHOWN = 15


@dataclass
class OptionColumn:
    treatment: Treatment
    suggestion: Suggestion | None
    exclusion: Exclusion | None
    cost: tuple[int, int] | None
    per_session_yen: int | None
    is_sample_price: bool
    plan_number: str
    addresses: list[tuple[Condition, Indication]]  # (concern's condition, the indication rating it)


@dataclass
class Card:
    """A suggestion with the facts weighed against it, shown in as much detail as its reasons (IPDAS)."""

    suggestion: Suggestion
    downtime_days: tuple[int, int]
    pain: int
    side_effects: list[str]
    is_sample_price: bool


@dataclass
class Analysis:
    result: Result
    columns: list[OptionColumn]
    offered: list[tuple[str, str]]  # (slug, name) of every treatment the clinic offers
    cards: list[Card]
    excluded: list[Exclusion]
    hidden_suggestions: int = 0
    hidden_excluded: int = 0


def analyse(consultation: Consultation, language: str, today, show_all: bool = False) -> Analysis:
    """Suggestions, exclusions and comparison columns, in the same number of queries at any catalog size.

    Only the first `SHOWN` cards and exclusions are built unless `show_all`.
    """
    facts = catalog_facts(consultation.clinic, language)
    profile = profile_of(consultation, today)
    result = suggest(profile, facts, language) if profile.concerns else Result((), ())
    by_slug = {t.slug: t for t in facts.treatments}
    suggestions = {s.treatment: s for s in result.suggestions}
    exclusions = {e.treatment: e for e in result.excluded}
    limit = None if show_all else SHOWN
    shown = list(result.suggestions[:limit])
    excluded = list(result.excluded[:limit])
    # The chosen treatments came with the consultation; add what the grid shows about them.
    treatments = {o.treatment.slug: o.treatment for o in consultation.options.all()}
    chosen_slugs = list(treatments)
    offerings = Offering.objects.filter(clinic=consultation.clinic, active=True)
    prefetch_related_objects(
        list(treatments.values()),
        "side_effects",
        Prefetch("indications", queryset=Indication.objects.select_related("condition")),
        Prefetch("offerings", queryset=offerings, to_attr="clinic_offerings"),
    )
    concerns = list(consultation.concerns.all())
    columns = []
    for slug in chosen_slugs:
        treatment, fact = treatments[slug], by_slug[slug]
        offering = treatment.clinic_offerings[0] if treatment.clinic_offerings else None
        cost = None
        if fact.price is not None:
            cost = (fact.price.course_cost(fact.sessions_min), fact.price.course_cost(fact.sessions_max))
        columns.append(
            OptionColumn(
                treatment=treatment,
                suggestion=suggestions.get(slug),
                exclusion=exclusions.get(slug),
                cost=cost,
                per_session_yen=fact.price.per_session_yen if fact.price else None,
                is_sample_price=bool(offering and offering.is_sample_price),
                plan_number=offering.regenerative_plan_number if offering else "",
                addresses=_addresses(treatment, concerns, facts.condition_parent),
            )
        )
    shown_slugs = [s.treatment for s in shown]
    side_effects: dict[str, list[str]] = {}
    sample_slugs: set[str] = set()
    if shown_slugs:
        rows = SideEffect.objects.filter(treatment__slug__in=shown_slugs).values_list(
            "treatment__slug", "name_ja", "name_en"
        )
        for slug, name_ja, name_en in rows:  # Japanese is the fallback, as modeltranslation's
            side_effects.setdefault(slug, []).append((name_en if language == "en" else "") or name_ja)
        sample_slugs = set(
            offerings.filter(treatment__slug__in=shown_slugs, is_sample_price=True).values_list(
                "treatment__slug", flat=True
            )
        )
    cards = [
        Card(
            suggestion=s,
            downtime_days=(by_slug[s.treatment].downtime_days_min, by_slug[s.treatment].downtime_days_max),
            pain=by_slug[s.treatment].pain,
            side_effects=side_effects.get(s.treatment, []),
            is_sample_price=s.treatment in sample_slugs,
        )
        for s in shown
    ]
    offered = sorted(((t.slug, t.name) for t in facts.treatments if t.price is not None), key=lambda x: x[1])
    return Analysis(
        result,
        columns,
        offered,
        cards,
        excluded,
        hidden_suggestions=len(result.suggestions) - len(shown),
        hidden_excluded=len(result.excluded) - len(excluded),
    )


def _addresses(
    treatment: Treatment, concerns: list[Concern], parent: dict[str, str | None]
) -> list[tuple[Condition, Indication]]:
    """Each recorded concern the treatment addresses, with the indication the engine rates it by
    (the one on the concern's condition or its nearest ancestor)."""
    by_condition = {i.condition.slug: i for i in treatment.indications.all()}
    pairs = []
    for concern in concerns:
        indication = nearest_indication(by_condition, concern.condition.slug, parent)
        if indication is not None:
            pairs.append((concern.condition, indication))
    return pairs


class Conflict(Exception):
    """The consultation changed since the page was loaded (another tab or another user)."""


def claim_version(consultation: Consultation, version: int) -> int:
    """Atomically move the consultation from `version` to the next; raise Conflict if it moved on.

    Must run inside a transaction: the UPDATE ... WHERE version = N is the compare-and-swap that
    makes two simultaneous saves end with one winner and one conflict, on SQLite and PostgreSQL.
    """
    updated = Consultation.objects.filter(pk=consultation.pk, version=version).update(
        version=F("version") + 1
    )
    if not updated:
        raise Conflict
    consultation.version = version + 1
    return consultation.version


PROFILE_FIELDS = [
    "chart_number",
    "display_name",
    "age_band",
    "skin_type",
    "handout_language",
    "max_downtime_days",
    "budget_yen",
    "needles_ok",
    "max_pain",
    "event_date",
    "notes",
]


@transaction.atomic
def save_profile(consultation: Consultation, data: dict) -> None:
    claim_version(consultation, data["version"])
    for name in PROFILE_FIELDS:
        setattr(consultation, name, data[name])
    consultation.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
    wanted = {condition.pk: (severity, areas) for condition, severity, areas in data["concerns"]}
    existing = {c.condition_id: c for c in consultation.concerns.all()}
    Concern.objects.filter(consultation=consultation).exclude(condition_id__in=wanted).delete()
    for condition_id, (severity, areas) in wanted.items():
        concern = existing.get(condition_id)
        if concern is None:
            Concern.objects.create(
                consultation=consultation, condition_id=condition_id, severity=severity, areas=areas
            )
        elif (concern.severity, concern.areas) != (severity, areas):
            concern.severity, concern.areas = severity, areas
            concern.save(update_fields=["severity", "areas"])
    consultation.flags.set(MedicalFlag.objects.filter(slug__in=data["flags"]))


@transaction.atomic
def change_options(consultation: Consultation, version: int, action: str, treatment: Treatment) -> str | None:
    """Add, remove or move a compared option. Returns an error code, or None when done."""
    options = list(consultation.options.order_by("position", "id"))
    slugs = [o.treatment_id for o in options]
    if action == "add" and treatment.pk not in slugs and len(options) >= MAX_OPTIONS:
        return "too-many"
    claim_version(consultation, version)
    if action == "add":
        if treatment.pk in slugs:
            return None
        ChosenOption.objects.create(consultation=consultation, treatment=treatment, position=len(options))
        return None
    if treatment.pk not in slugs:
        return None
    index = slugs.index(treatment.pk)
    if action == "remove":
        options.pop(index).delete()
    elif action in ("up", "down"):
        target = index - 1 if action == "up" else index + 1
        if 0 <= target < len(options):
            options[index], options[target] = options[target], options[index]
    for position, option in enumerate(options):
        if option.position != position:
            option.position = position
            option.save(update_fields=["position"])
    return None


def condition_groups(conditions: list[Condition]) -> list[tuple[str, list[Condition]]]:
    groups: dict[str, list[Condition]] = {}
    labels = dict(Condition.Group.choices)
    for condition in conditions:
        groups.setdefault(labels[condition.group], []).append(condition)
    return list(groups.items())
