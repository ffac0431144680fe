"""The suggestion engine: which catalog treatments fit a patient's profile, and why.

Plain, deterministic Python over plain data (design.md §5). No database, no randomness, no
network: `consult/facts.py` turns the catalog into `CatalogFacts`, this module does the rest.

- A treatment is a *candidate* when it has an indication for at least one concern; a concern on a
  child condition (``rolling-scar``) also matches indications of its ancestors (``acne-scar``),
  and the nearest one gives the strength and rationale. A nearest rating of "not for" (`NOT_FOR`,
  e.g. subcision for ice-pick scars) overrides the parent's: that concern is not addressed.
- A candidate is *excluded* (with every reason) when an absolute contraindication is flagged, the
  patient refuses needles and it uses needles or injections, or the clinic does not offer it.
- Otherwise it is *suggested* with a score 0–100: severity-weighted coverage of the concerns,
  lowered by a fixed penalty for each caution (downtime, budget, pain, event timing, relative
  contraindication, skin type). Ties are broken by slug so the order never varies.
- The event rule looks at the whole course (`_event_caution`): the first session no earlier than
  today plus the lead time (cell culture), the typical number of sessions at the shortest interval,
  the last session's longest downtime and the first visible change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

Language = Literal["ja", "en"]

FIRST_LINE, GOOD, ADJUNCT, NOT_FOR = 3, 2, 1, 0
STRENGTH_WEIGHT = {FIRST_LINE: 1.0, GOOD: 0.7, ADJUNCT: 0.4}

PENALTY = {
    "downtime": 15,
    "downtime-maybe": 5,
    "budget": 20,
    "budget-maybe": 5,
    "pain": 10,
    "event-timing": 20,
    "event-timing-maybe": 5,
    "relative-contraindication": 15,
    "skin-type": 10,
}


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


# --- wording ---------------------------------------------------------------------------------

STRENGTH_WORD = {
    "ja": {FIRST_LINE: "第一選択の一つ", GOOD: "よく用いられる", ADJUNCT: "補助的", NOT_FOR: "適応外"},
    "en": {
        FIRST_LINE: "a first-line option",
        GOOD: "a good option",
        ADJUNCT: "an adjunct option",
        NOT_FOR: "not suitable",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "indication": {
        "ja": "{condition}（重症度{severity}）に対して{strength}：{rationale}",
        "en": "For {condition} (severity {severity}), {strength}: {rationale}",
    },
    "contraindication": {
        "ja": "「{flag}」に該当するため、この施術は避ける必要があります（絶対禁忌）：{note}",
        "en": "Not suitable because of “{flag}” (absolute contraindication): {note}",
    },
    "relative-contraindication": {
        "ja": "「{flag}」に該当するため、医師による慎重な判断が必要です（相対禁忌）：{note}",
        "en": "“{flag}” calls for the physician's careful judgement (relative contraindication): {note}",
    },
    "needles": {
        "ja": "針や注射を使う施術ですが、針を使わない施術をご希望です。",
        "en": "Uses needles or injections, and the patient prefers no needles.",
    },
    "insurance": {
        "ja": "保険診療で受けられる標準治療です。自費の料金はありません。皮膚科（保険診療）で相談してください。",
        "en": "A standard treatment covered by health insurance, with no self-pay price: see a dermatologist "
        "(insurance-covered care).",
    },
    "not-offered": {
        "ja": "当院では現在この施術を提供していません。",
        "en": "This clinic does not currently offer it.",
    },
    "downtime": {
        "ja": "ダウンタイムが{low}〜{high}日あり、ご希望の{wish}日を超えます。",
        "en": "Downtime of {low}–{high} days exceeds the wished maximum of {wish} days.",
    },
    "downtime-maybe": {
        "ja": "ダウンタイムは{low}〜{high}日で、長い場合はご希望の{wish}日を超える可能性があります。",
        "en": "Downtime is {low}–{high} days; at the longer end it may exceed the wished {wish} days.",
    },
    "budget": {
        "ja": "標準的なコースの目安費用（{low}円〜、税込）がご予算の{wish}円を超えます。",
        "en": "The typical course (from ¥{low}, tax incl.) exceeds the budget of ¥{wish}.",
    },
    "budget-maybe": {
        "ja": "回数が多い場合の目安費用（最大{high}円、税込）はご予算の{wish}円を超える可能性があります。",
        "en": "A longer course (up to ¥{high}, tax incl.) may exceed the budget of ¥{wish}.",
    },
    "pain": {
        "ja": "痛みの目安は{pain}（0〜3）で、ご希望の上限{wish}を超えます。",
        "en": "Pain is rated {pain} of 3, above the wished maximum of {wish}.",
    },
    # The event rule's sentences: a caution is one or more of them, in this order.
    "event-lead": {
        "ja": "初回の施術の前に約{lead}週間の準備（細胞の培養など）が必要なため、初回は早くても{first}になります。",
        "en": "The first session needs about {lead} weeks of preparation (such as cell culture), so it can "
        "be on {first} at the earliest.",
    },
    "event-too-close": {
        "ja": "{event}のご予定（あと{left}日）までの日数では、施術のダウンタイム（最大{high}日）がご予定の前に明けません。",
        "en": "The event on {event} is {left} days away: too soon for a session's downtime (up to {high} "
        "days) to be over before it.",
    },
    "event-no-fit": {
        "ja": "ダウンタイム（最大{high}日）を{event}のご予定（あと{left}日）の前に終えるには、最後の施術を"
        "{deadline}までに受ける必要がありますが、初回がそれより後になるため、ご予定までに間に合いません。",
        "en": "For the downtime (up to {high} days) to be over before the event on {event} ({left} days "
        "away), the last session would have to be by {deadline}; the first comes later, so the course "
        "cannot fit before the event.",
    },
    "event-downtime": {
        "ja": "{n}回の施術を{weeks}週間ごとに受けると、最後の施術は早くても{last}になります。コースとその"
        "ダウンタイム（最大{high}日）を{event}のご予定（あと{left}日）の前に終えるには、最後の施術を"
        "{deadline}までに受ける必要があります。",
        "en": "With {n} sessions every {weeks} weeks, the last is on {last} at the earliest. For the course "
        "and its downtime (up to {high} days) to be over before the event on {event} ({left} days away), "
        "the last session would have to be by {deadline}.",
    },
    "event-effect": {
        "ja": "変化が見え始めるのは初回の施術から通常{weeks}週間以降で、早くても{change}ごろのため、"
        "{event}のご予定（あと{left}日）までに間に合わない可能性があります。",
        "en": "A change usually takes at least {weeks} weeks after the first session to show, so not before "
        "{change}: after the event on {event} ({left} days away).",
    },
    "event-effect-also": {  # after a sentence that has named the event already
        "ja": "また、変化が見え始めるのは初回の施術から通常{weeks}週間以降（早くても{change}ごろ）です。",
        "en": "A change also usually takes at least {weeks} weeks after the first session to show (not before "
        "{change}).",
    },
    "event-downtime-maybe": {
        "ja": "回数が増えて{n}回になった場合、最後の施術は早くても{last}になります。そのダウンタイム（最大{high}日）"
        "まで{event}のご予定（あと{left}日）の前に終えるには、最後の施術を{deadline}までに受ける必要があります。",
        "en": "If more sessions are needed (up to {n}), the last would be on {last} at the earliest; for them "
        "and their downtime (up to {high} days) to be over before the event on {event} ({left} days away), "
        "the last session would have to be by {deadline}.",
    },
    "skin-type": {
        "ja": "スキンタイプ{skin}では、施術後の色素沈着（炎症後色素沈着）のリスクが高くなります。",
        "en": "With skin type {skin}, the risk of post-inflammatory hyperpigmentation is higher.",
    },
}

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}  # Fitzpatrick skin types

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date, language: Language | str) -> str:
    """A date as patients read it: 2026年12月20日 / 20 December 2026 (never ISO in patient text).

    The one date format of every patient text: the engine's cautions and the printed documents
    (`consult/documents/wording.py` re-exports it). Month names are spelled out here rather than
    taken from the C library's locale, which a server may not have set.
    """
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _say(key: str, language: Language, code: str | None = None, **values) -> Reason:
    return Reason(code or key, MESSAGES[key][language].format(**values))


def _yen(amount: int) -> str:
    return f"{amount:,}"


# --- the rules -------------------------------------------------------------------------------


def lineage(slug: str, parent: dict[str, str | None]) -> list[str]:
    """The slug and its ancestors, nearest first (cycle-safe)."""
    chain: list[str] = []
    node: str | None = slug
    while node is not None and node not in chain:
        chain.append(node)
        node = parent.get(node)
    return chain


def ratings(
    treatment: TreatmentFacts, concerns: tuple[ConcernIn, ...], catalog: CatalogFacts, language: Language
) -> tuple[Addressed, ...]:
    """Each concern the treatment has a rating for, by the nearest of its condition's and its
    ancestors' indications, "not for" (`NOT_FOR`) included.

    The nearest indication wins even when an ancestor's is stronger: a rating for the child
    condition is the catalog's more specific judgement (CO2 fractional is first-line for acne
    scars in general but only a good option for ice-pick scars), so the parent's strength and
    rationale would overstate it. The same holds for "not for": subcision is good for acne scars
    in general, but not for ice-pick scars, which no tethering pulls down. This is the one place
    that rule lives.
    """
    return _rated(treatment, _chains(concerns, catalog), catalog, STRENGTH_WORD[language])


def _chains(
    concerns: tuple[ConcernIn, ...], catalog: CatalogFacts
) -> tuple[tuple[ConcernIn, list[str]], ...]:
    """Each concern with its condition's lineage (nearest first): computed once per profile."""
    return tuple((c, lineage(c.condition, catalog.condition_parent)) for c in concerns)


def _rated(
    treatment: TreatmentFacts,
    chains: tuple[tuple[ConcernIn, list[str]], ...],
    catalog: CatalogFacts,
    words: dict[int, str],
) -> tuple[Addressed, ...]:
    by_condition = treatment.indication_by_condition
    names = catalog.condition_name
    found = []
    for concern, chain in chains:
        for slug in chain:
            indication = by_condition.get(slug)
            if indication is not None:
                break
        else:
            continue
        found.append(
            Addressed(
                condition=concern.condition,
                condition_name=names.get(concern.condition, concern.condition),
                severity=concern.severity,
                strength=indication.strength,
                strength_text=words.get(indication.strength, ""),
                rationale=indication.rationale,
                rated_for=indication.condition,
                rated_for_name=names.get(indication.condition, indication.condition),
            )
        )
    return tuple(found)


def addresses(
    treatment: TreatmentFacts, concerns: tuple[ConcernIn, ...], catalog: CatalogFacts, language: Language
) -> tuple[Addressed, ...]:
    """The concerns the treatment addresses: those whose nearest rating is not "not for"."""
    return tuple(a for a in ratings(treatment, concerns, catalog, language) if not a.not_for)


def option_facts(
    treatment: TreatmentFacts,
    profile: Profile,
    catalog: CatalogFacts,
    language: Language,
    rated: tuple[Addressed, ...] | None = None,
) -> OptionFacts:
    """What every screen and document says about `treatment` for this profile (`rated`: its
    `ratings()` for the concerns, when the caller has them already)."""
    price = treatment.price
    if rated is None:
        rated = ratings(treatment, profile.concerns, catalog, language)
    return OptionFacts(
        treatment=treatment.slug,
        name=treatment.name,
        addresses=tuple(a for a in rated if not a.not_for),
        timing=treatment.timing,
        pain=treatment.pain,
        uses_needles=treatment.uses_needles,
        price=price,
        unsuitable=tuple(a for a in rated if a.not_for),
    )


def flagged(
    treatment: TreatmentFacts, profile: Profile, kind: Literal["absolute", "relative"] = "absolute"
) -> tuple[ContraindicationFacts, ...]:
    """The treatment's contraindications of `kind` that the patient's flags trigger, in catalog order."""
    return tuple(c for c in treatment.contraindications if c.kind == kind and c.flag in profile.flags)


def _exclusion_reasons(treatment: TreatmentFacts, profile: Profile, catalog: CatalogFacts, lang: Language):
    reasons = []
    for contra in flagged(treatment, profile, "absolute"):
        flag = catalog.flag_label.get(contra.flag, contra.flag)
        reasons.append(_say("contraindication", lang, flag=flag, note=contra.note))
    if not profile.needles_ok and treatment.uses_needles:
        reasons.append(_say("needles", lang))
    if treatment.insurance_covered:
        reasons.append(_say("insurance", lang))
    elif treatment.price is None:
        reasons.append(_say("not-offered", lang))
    return reasons


def _cautions(
    treatment: TreatmentFacts, profile: Profile, catalog: CatalogFacts, cost: tuple[int, int], lang
):
    """Each caution with its penalty key (a softer 'maybe' variant keeps the same public code)."""
    cautions: list[tuple[str, Reason]] = []
    low, high = treatment.downtime_days_min, treatment.downtime_days_max
    wish = profile.max_downtime_days
    if wish is not None:
        if low > wish:
            cautions.append(("downtime", _say("downtime", lang, low=low, high=high, wish=wish)))
        elif high > wish:
            cautions.append(
                ("downtime-maybe", _say("downtime-maybe", lang, "downtime", low=low, high=high, wish=wish))
            )
    if profile.budget_yen is not None:
        budget = _yen(profile.budget_yen)
        if cost[0] > profile.budget_yen:
            cautions.append(("budget", _say("budget", lang, low=_yen(cost[0]), wish=budget)))
        elif cost[1] > profile.budget_yen:
            cautions.append(
                ("budget-maybe", _say("budget-maybe", lang, "budget", high=_yen(cost[1]), wish=budget))
            )
    if profile.max_pain is not None and treatment.pain > profile.max_pain:
        cautions.append(("pain", _say("pain", lang, pain=treatment.pain, wish=profile.max_pain)))
    event = _event_caution(treatment.timing, profile, lang)
    if event is not None:
        cautions.append(event)
    for contra in flagged(treatment, profile, "relative"):
        flag = catalog.flag_label.get(contra.flag, contra.flag)
        cautions.append(
            (
                "relative-contraindication",
                _say("relative-contraindication", lang, flag=flag, note=contra.note),
            )
        )
    risk_from = treatment.pih_risk_from_skin_type
    if risk_from is not None and profile.skin_type is not None and profile.skin_type >= risk_from:
        cautions.append(("skin-type", _say("skin-type", lang, skin=ROMAN.get(profile.skin_type, "?"))))
    return cautions


def _event_caution(timing: Timing, profile: Profile, lang: Language) -> tuple[str, Reason] | None:
    """Whether the course fits before the event, started as early as it can be.

    The first session is no earlier than today plus the lead time; the typical course is
    `sessions_min` sessions every `interval_weeks_min` weeks. It does not fit when the longest
    downtime after its last session reaches the event day, or when the first change can show only
    after the event. A longer course (`sessions_max`) whose last downtime would reach the event
    gets the softer variant. The handout's timeline draws the same schedule (documents/timeline.py).
    """
    event, today = profile.event_date, profile.today
    if event is None or today is None or event < today:
        return None
    first = timing.first_session(today)
    last = timing.last_session(today, timing.sessions_min)
    deadline = timing.latest_last_session(event)
    change = timing.first_change(today)
    days = {
        "event": format_date(event, lang),
        "left": (event - today).days,
        "high": timing.downtime_days_max,
        "deadline": format_date(deadline, lang),
    }
    lead = []
    if timing.lead_weeks:
        lead.append(
            MESSAGES["event-lead"][lang].format(lead=timing.lead_weeks, first=format_date(first, lang))
        )
    problems = []
    if deadline < today:
        problems.append(MESSAGES["event-too-close"][lang].format(**days))
    elif deadline < first:
        problems.append(MESSAGES["event-no-fit"][lang].format(**days))
    elif not timing.clear_of(event, last):
        problems.append(
            MESSAGES["event-downtime"][lang].format(
                n=timing.sessions_min, weeks=timing.interval_weeks_min, last=format_date(last, lang), **days
            )
        )
    if change > event:
        key = "event-effect-also" if problems else "event-effect"
        problems.append(
            MESSAGES[key][lang].format(
                weeks=timing.effect_weeks_min, change=format_date(change, lang), **days
            )
        )
    joiner = "" if lang == "ja" else " "
    if problems:
        return "event-timing", Reason("event-timing", joiner.join(lead + problems))
    longest = timing.last_session(today, timing.sessions_max)
    if not timing.clear_of(event, longest):
        maybe = MESSAGES["event-downtime-maybe"][lang].format(
            n=timing.sessions_max, last=format_date(longest, lang), **days
        )
        return "event-timing-maybe", Reason("event-timing", joiner.join([*lead, maybe]))
    return None


def _coverage(addressed: tuple[Addressed, ...], profile: Profile) -> float:
    """Severity-weighted share of the concerns covered, each weighted by how well (0.0-1.0)."""
    total = sum(c.severity for c in profile.concerns)
    if total == 0:
        return 0.0
    return sum(a.severity * STRENGTH_WEIGHT.get(a.strength, 0.0) for a in addressed) / total


def suggest(
    profile: Profile, catalog: CatalogFacts, language: Language = "ja", compare: tuple[str, ...] = ()
) -> Result:
    """Suggestions and exclusions for the profile; with `compare`, also the facts of those options
    (in that order; slugs the catalog does not know are skipped)."""
    suggestions: list[Suggestion] = []
    excluded: list[Exclusion] = []
    chains, words = _chains(profile.concerns, catalog), STRENGTH_WORD[language]
    index = catalog.treatments_by_condition
    candidates = {t.slug: t for _, chain in chains for slug in chain for t in index.get(slug, ())}
    for treatment in sorted(candidates.values(), key=lambda t: t.slug):
        rated = _rated(treatment, chains, catalog, words)
        if all(a.not_for for a in rated):  # no rating, or only "not for"
            continue
        option = option_facts(treatment, profile, catalog, language, rated)
        blockers = _exclusion_reasons(treatment, profile, catalog, language)
        if blockers:
            excluded.append(Exclusion(option, tuple(blockers)))
            continue
        reasons = tuple(
            _say(
                "indication",
                language,
                condition=a.condition_name,
                severity=a.severity,
                strength=a.strength_text,
                rationale=a.rationale,
            )
            for a in option.addresses
        )
        cautions = _cautions(treatment, profile, catalog, option.estimated_cost_yen, language)
        score = round(100 * _coverage(option.addresses, profile)) - sum(PENALTY[key] for key, _ in cautions)
        suggestions.append(
            Suggestion(
                option=option,
                score=max(0, min(100, score)),
                reasons=reasons,
                cautions=tuple(reason for _, reason in cautions),
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.treatment))
    # Insurance-covered standard care leads the list of what is not given here, so that a patient with
    # active acne hears of it before any self-pay option is weighed (stable: otherwise by slug).
    excluded.sort(key=lambda e: candidates[e.treatment].insurance_covered is False)
    compared = _compared(compare, suggestions, excluded, profile, catalog, language)
    return Result(tuple(suggestions), tuple(excluded), compared)


def _compared(
    slugs: tuple[str, ...],
    suggestions: list[Suggestion],
    excluded: list[Exclusion],
    profile: Profile,
    catalog: CatalogFacts,
    language: Language,
) -> tuple[Compared, ...]:
    if not slugs:
        return ()
    suggested = {s.treatment: s for s in suggestions}
    blocked = {e.treatment: e for e in excluded}
    treatments = {t.slug: t for t in catalog.treatments}
    compared = []
    for slug in dict.fromkeys(slugs):
        if slug in suggested:
            compared.append(Compared(suggested[slug].option, suggestion=suggested[slug]))
        elif slug in blocked:
            compared.append(Compared(blocked[slug].option, exclusion=blocked[slug]))
        elif slug in treatments:
            compared.append(Compared(option_facts(treatments[slug], profile, catalog, language)))
    return tuple(compared)
