"""The engine's plain data: what goes in (the profile, the catalog as facts) and what comes out
(suggestions, exclusions and the facts of each option). No database, no rules: consult/engine.py
decides, consult/facts.py fills `CatalogFacts` from the catalog.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

Language = Literal["ja", "en"]

FIRST_LINE, GOOD, ADJUNCT, NOT_FOR = 3, 2, 1, 0


# --- input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernIn:
    condition: str
    severity: int
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    concerns: tuple[ConcernIn, ...]
    flags: frozenset[str] = frozenset()
    skin_type: int | None = None  # Fitzpatrick 1-6
    max_downtime_days: int | None = None
    budget_yen: int | None = None
    needles_ok: bool = True
    max_pain: int | None = None
    event_date: date | None = None
    today: date | None = None


@dataclass(frozen=True)
class IndicationFacts:
    condition: str
    strength: int
    rationale: str


@dataclass(frozen=True)
class ContraindicationFacts:
    flag: str
    kind: Literal["absolute", "relative"]
    note: str


@dataclass(frozen=True)
class PriceFacts:
    per_session_yen: int
    courses: tuple[tuple[int, int], ...] = ()  # (sessions, total yen)
    is_sample: bool = False  # demo data: the figures are samples, not the clinic's prices

    def course_cost(self, sessions: int) -> int:
        """Cheapest way to buy `sessions` sessions from single sessions and course packs."""
        best = [0] + [math.inf] * sessions
        packs = [(1, self.per_session_yen), *self.courses]
        for n in range(1, sessions + 1):
            for size, price in packs:
                if size <= n and best[n - size] + price < best[n]:
                    best[n] = best[n - size] + price
        return int(best[sessions])


@dataclass(frozen=True)
class TreatmentFacts:
    slug: str
    name: str
    uses_needles: bool
    pain: int
    sessions_min: int
    sessions_max: int
    interval_weeks_min: int
    interval_weeks_max: int
    downtime_days_min: int
    downtime_days_max: int
    effect_weeks_min: int
    effect_weeks_max: int
    indications: tuple[IndicationFacts, ...] = ()
    contraindications: tuple[ContraindicationFacts, ...] = ()
    pih_risk_from_skin_type: int | None = None
    price: PriceFacts | None = None  # None: the clinic does not offer it
    lead_time_weeks: int = 0  # before the first session can take place (cell culture)
    # 保険診療: a standard treatment under health insurance. It has no self-pay price; the patient is
    # pointed to a dermatologist instead of being offered it here (issue 11).
    insurance_covered: bool = False

    @cached_property
    def timing(self) -> Timing:
        return Timing(
            self.sessions_min,
            self.sessions_max,
            self.interval_weeks_min,
            self.interval_weeks_max,
            self.downtime_days_min,
            self.downtime_days_max,
            self.effect_weeks_min,
            self.effect_weeks_max,
            self.lead_time_weeks,
        )

    @cached_property
    def indication_by_condition(self) -> dict[str, IndicationFacts]:
        # Built once per cached catalog (consult/facts.py), not on every suggestion.
        return {i.condition: i for i in self.indications}


@dataclass(frozen=True)
class CatalogFacts:
    treatments: tuple[TreatmentFacts, ...]
    condition_parent: dict[str, str | None]
    condition_name: dict[str, str]
    flag_label: dict[str, str] = field(default_factory=dict)

    @cached_property
    def treatments_by_condition(self) -> dict[str, tuple[TreatmentFacts, ...]]:
        """Treatments by the conditions they have a rating for: the engine looks only at those for
        the profile's concerns, so its cost grows with the candidates, not with the catalog."""
        index: dict[str, list[TreatmentFacts]] = {}
        for treatment in self.treatments:
            for indication in treatment.indications:
                index.setdefault(indication.condition, []).append(treatment)
        return {condition: tuple(found) for condition, found in index.items()}


# --- output ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class Timing:
    """When things happen over a course: what the timeline and the event rules need."""

    sessions_min: int
    sessions_max: int
    interval_weeks_min: int
    interval_weeks_max: int
    downtime_days_min: int
    downtime_days_max: int
    effect_weeks_min: int
    effect_weeks_max: int
    lead_weeks: int = 0  # preparation before the first session (cell culture)

    def first_session(self, today: date) -> date:
        """The earliest day the first session can take place."""
        return today + timedelta(weeks=self.lead_weeks)

    def last_session(self, today: date, sessions: int) -> date:
        """The earliest day of the last of `sessions` sessions at the shortest interval."""
        return self.first_session(today) + timedelta(weeks=(sessions - 1) * self.interval_weeks_min)

    def first_change(self, today: date) -> date:
        """The earliest day a change may show (the shortest time after the first session)."""
        return self.first_session(today) + timedelta(weeks=self.effect_weeks_min)

    def clear_of(self, event: date, last_session: date) -> bool:
        """True when the longest downtime after `last_session` is over before the event day (the
        downtime takes the `downtime_days_max` days after the session)."""
        return last_session + timedelta(days=self.downtime_days_max) < event

    def latest_last_session(self, event: date) -> date:
        """The last day on which a session leaves the event day clear of its longest downtime."""
        return event - timedelta(days=self.downtime_days_max + 1)


@dataclass(frozen=True)
class Addressed:
    """One of the patient's concerns an option addresses, rated by the nearest indication: the one
    on the concern's condition or, failing that, on its nearest ancestor (`rated_for`)."""

    condition: str
    condition_name: str
    severity: int
    strength: int
    strength_text: str  # in the result's language
    rationale: str
    rated_for: str
    rated_for_name: str

    @property
    def inherited(self) -> bool:
        """True when the rating is a parent condition's (no indication on the condition itself)."""
        return self.rated_for != self.condition

    @property
    def not_for(self) -> bool:
        """True when the nearest rating says the treatment does not suit this condition."""
        return self.strength == NOT_FOR


@dataclass(frozen=True)
class OptionFacts:
    """Everything computed about one treatment for one profile: every screen and document reads this."""

    treatment: str
    name: str
    addresses: tuple[Addressed, ...]
    timing: Timing
    pain: int
    uses_needles: bool
    price: PriceFacts | None  # None: the clinic does not offer it
    unsuitable: tuple[Addressed, ...] = ()  # concerns whose nearest rating is "not for"

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(a.condition for a in self.addresses)

    @property
    def per_session_yen(self) -> int | None:
        return self.price.per_session_yen if self.price else None

    @property
    def courses(self) -> tuple[tuple[int, int], ...]:
        return self.price.courses if self.price else ()

    @property
    def is_sample_price(self) -> bool:
        return bool(self.price and self.price.is_sample)

    @cached_property
    def estimated_cost_yen(self) -> tuple[int, int] | None:
        """The cheapest price of the typical course, shortest and longest (None: not offered).

        Computed when first read: an excluded option's cost is only needed if it is compared."""
        if self.price is None:
            return None
        return self.price.course_cost(self.timing.sessions_min), self.price.course_cost(
            self.timing.sessions_max
        )


@dataclass(frozen=True)
class Suggestion:
    option: OptionFacts
    score: int
    reasons: tuple[Reason, ...]
    cautions: tuple[Reason, ...]

    @property
    def treatment(self) -> str:
        return self.option.treatment

    @property
    def name(self) -> str:
        return self.option.name

    @property
    def covered(self) -> tuple[str, ...]:
        """Condition slugs of the patient's concerns it addresses."""
        return self.option.covered

    @property
    def estimated_cost_yen(self) -> tuple[int, int]:
        return self.option.estimated_cost_yen or (0, 0)

    def as_dict(self) -> dict:
        return {
            "treatment": self.treatment,
            "score": self.score,
            "reasons": [r.as_dict() for r in self.reasons],
            "cautions": [c.as_dict() for c in self.cautions],
            "estimated_cost_yen": {"min": self.estimated_cost_yen[0], "max": self.estimated_cost_yen[1]},
        }


@dataclass(frozen=True)
class Exclusion:
    option: OptionFacts
    reasons: tuple[Reason, ...]

    @property
    def treatment(self) -> str:
        return self.option.treatment

    @property
    def name(self) -> str:
        return self.option.name

    def as_dict(self) -> dict:
        return {"treatment": self.treatment, "reasons": [r.as_dict() for r in self.reasons]}


@dataclass(frozen=True)
class Compared:
    """An option chosen for the comparison: its facts, and the engine's verdict when it is a candidate
    (a chosen treatment that matches none of the concerns is neither suggested nor excluded)."""

    option: OptionFacts
    suggestion: Suggestion | None = None
    exclusion: Exclusion | None = None


@dataclass(frozen=True)
class Result:
    suggestions: tuple[Suggestion, ...]
    excluded: tuple[Exclusion, ...]
    compared: tuple[Compared, ...] = ()  # the chosen options, in the order chosen

    def as_dict(self) -> dict:
        return {
            "suggestions": [s.as_dict() for s in self.suggestions],
            "excluded": [e.as_dict() for e in self.excluded],
        }
