"""What the workspace shows: suggestion cards, exclusions and the comparison grid for a consultation.

One pass: consultation → profile → engine result (which carries every computed fact about an option)
→ what the page shows. The queries are the same in number whatever the catalog's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.models import Condition, SideEffect, Treatment
from catalog.regulatory import status_label
from consult.engine import Compared, Exclusion, OptionFacts, Result, Suggestion, suggest
from consult.facts import CatalogRows, catalog_facts, catalog_revision, catalog_rows
from consult.models import ChosenOption, Consultation
from consult.safety import Flagged, contraindicated, uncovered

# Suggestion cards and exclusions shown before "show all": enough for any real consultation, and it
# keeps the page (and every htmx update) the same size whatever the size of the catalog.
SHOWN = 15


@dataclass
class OptionColumn:
    """A chosen option in the grid: the engine's facts and verdict, and the catalog texts around them."""

    treatment: Treatment
    compared: Compared
    plan_number: str
    regulatory: str  # its status at this clinic (catalog.regulatory.status_label)
    chosen: ChosenOption
    side_effects: list[SideEffect]
    # Absolute contraindications flagged for this patient, and those no physician's override covers.
    absolute: tuple[Flagged, ...] = ()
    blocked: tuple[Flagged, ...] = ()

    @property
    def absolute_labels(self) -> str:
        return " / ".join(f.label for f in self.absolute)

    @property
    def blocked_labels(self) -> str:
        return " / ".join(f.label for f in self.blocked)

    @property
    def overridden(self) -> bool:
        return bool(self.absolute) and not self.blocked and self.chosen.override_at is not None

    @property
    def facts(self) -> OptionFacts:
        return self.compared.option

    @property
    def suggestion(self) -> Suggestion | None:
        return self.compared.suggestion

    @property
    def exclusion(self) -> Exclusion | None:
        return self.compared.exclusion


@dataclass
class Card:
    """A suggestion with the facts weighed against it, shown in as much detail as its reasons (IPDAS)."""

    suggestion: Suggestion
    side_effects: list[str]


@dataclass
class Analysis:
    result: Result
    columns: list[OptionColumn]
    offered: list[tuple[str, str]]  # (slug, name) of every treatment the clinic offers
    cards: list[Card]
    excluded: list[Exclusion]
    hidden_suggestions: int = 0
    hidden_excluded: int = 0
    # slug -> labels of the absolute contraindications flagged, for the offered and the listed excluded
    contraindicated: dict[str, str] = field(default_factory=dict)

    @property
    def blocked(self) -> list[OptionColumn]:
        """Chosen options an absolute contraindication keeps off the patient's paper."""
        return [c for c in self.columns if c.blocked]


def analyse(
    consultation: Consultation, language: str, today, show_all: bool = False, revision: tuple | None = None
) -> Analysis:
    """Suggestions, exclusions and comparison columns for a consultation read `with_details()`.

    Only the first `SHOWN` cards and exclusions are built unless `show_all`. With the catalog's
    `revision` read (once per request, consult/facts.py) and cached, this reads nothing more.
    """
    revision = catalog_revision() if revision is None else revision
    facts = catalog_facts(consultation.clinic, language, revision)
    rows = catalog_rows(consultation.clinic, revision)
    profile = consultation.profile(today)
    result = suggest(profile, facts, language, compare=consultation.option_slugs)
    limit = None if show_all else SHOWN
    shown = list(result.suggestions[:limit])
    excluded = list(result.excluded[:limit])
    offered = sorted(((t.slug, t.name) for t in facts.treatments if t.price is not None), key=lambda x: x[1])
    flagged = contraindicated(profile, facts)
    shown_slugs = {slug for slug, _name in offered} | {e.treatment for e in excluded}
    return Analysis(
        result,
        _columns(consultation, result, flagged, rows),
        offered,
        _cards(shown, language, rows),
        excluded,
        hidden_suggestions=len(result.suggestions) - len(shown),
        hidden_excluded=len(result.excluded) - len(excluded),
        contraindicated={
            slug: " / ".join(f.label for f in labels)
            for slug, labels in flagged.items()
            if slug in shown_slugs
        },
    )


def _columns(
    consultation: Consultation, result: Result, flagged: dict, rows: CatalogRows
) -> list[OptionColumn]:
    # The chosen treatments came with the consultation; the catalog texts the grid shows are cached.
    chosen = {o.treatment.slug: o for o in consultation.options.all()}
    columns = []
    for compared in result.compared:
        option = chosen[compared.option.treatment]
        slug = option.treatment.slug
        absolute = flagged.get(slug, ())
        columns.append(
            OptionColumn(
                treatment=option.treatment,
                compared=compared,
                plan_number=rows.plan_numbers.get(slug, ""),
                regulatory=status_label(option.treatment.regulatory_status, rows.approvals.get(slug, "")),
                chosen=option,
                side_effects=rows.side_effects.get(slug, []),
                absolute=absolute,
                blocked=uncovered(absolute, option.override_flags if option.override_at else ()),
            )
        )
    return columns


def _cards(shown: list[Suggestion], language: str, rows: CatalogRows) -> list[Card]:
    # Japanese is the fallback, as modeltranslation's.
    return [
        Card(
            suggestion=s,
            side_effects=[
                (se.name_en if language == "en" else "") or se.name_ja
                for se in rows.side_effects.get(s.treatment, [])
            ],
        )
        for s in shown
    ]


def condition_groups(conditions: list[Condition]) -> list[tuple[str, list[Condition]]]:
    groups: dict[str, list[Condition]] = {}
    labels = dict(Condition.Group.choices)
    for condition in conditions:
        groups.setdefault(labels[condition.group], []).append(condition)
    return list(groups.items())
