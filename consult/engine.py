"""The suggestion engine: which catalog treatments fit a patient's profile, and why.

Plain, deterministic Python over plain data (design.md §5). No database, no randomness, no
network: `consult/facts.py` turns the catalog into `CatalogFacts`, this module does the rest.

- A treatment is a *candidate* when it has an indication for at least one concern; a concern on a
  child condition (``rolling-scar``) also matches indications of its ancestors (``acne-scar``),
  and the nearest one gives the strength and rationale.
- A candidate is *excluded* (with every reason) when an absolute contraindication is flagged, the
  patient refuses needles and it uses needles or injections, or the clinic does not offer it.
- Otherwise it is *suggested* with a score 0–100: severity-weighted coverage of the concerns,
  lowered by a fixed penalty for each caution (downtime, budget, pain, event timing, relative
  contraindication, skin type). Ties are broken by slug so the order never varies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

Language = Literal["ja", "en"]

FIRST_LINE, GOOD, ADJUNCT = 3, 2, 1
STRENGTH_WEIGHT = {FIRST_LINE: 1.0, GOOD: 0.7, ADJUNCT: 0.4}

PENALTY = {
    "downtime": 15,
    "downtime-maybe": 5,
    "budget": 20,
    "budget-maybe": 5,
    "pain": 10,
    "event-timing": 20,
    "relative-contraindication": 15,
    "skin-type": 10,
}


# --- input -----------------------------------------------------------------------------------


T = TypeVar("T")


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

    @property
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
        )

    def course_cost_range(self) -> tuple[int, int] | None:
        """The cheapest price of the typical course, shortest and longest (None: not offered)."""
        if self.price is None:
            return None
        return self.price.course_cost(self.sessions_min), self.price.course_cost(self.sessions_max)


@dataclass(frozen=True)
class CatalogFacts:
    treatments: tuple[TreatmentFacts, ...]
    condition_parent: dict[str, str | None]
    condition_name: dict[str, str]
    flag_label: dict[str, str] = field(default_factory=dict)


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


@dataclass(frozen=True)
class OptionFacts:
    """Everything computed about one treatment for one profile: every screen and document reads this."""

    treatment: str
    name: str
    addresses: tuple[Addressed, ...]
    timing: Timing
    pain: int
    uses_needles: bool
    per_session_yen: int | None  # None: the clinic does not offer it
    courses: tuple[tuple[int, int], ...]
    estimated_cost_yen: tuple[int, int] | None  # the typical course, shortest and longest
    is_sample_price: bool

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(a.condition for a in self.addresses)


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
    "ja": {FIRST_LINE: "第一選択の一つ", GOOD: "よく用いられる", ADJUNCT: "補助的"},
    "en": {FIRST_LINE: "a first-line option", GOOD: "a good option", ADJUNCT: "an adjunct option"},
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
    "event-timing": {
        "ja": "変化が見え始めるまで通常{weeks}週以上かかり、{event}のご予定（あと{left}日）までに間に合わない可能性があります。",
        "en": "A change usually takes at least {weeks} weeks to show; the event on {event} is {left} days away.",
    },
    "event-downtime": {
        "ja": "{event}のご予定（あと{left}日）が、初回のダウンタイム（最大{high}日）と重なる可能性があります。",
        "en": "The event on {event} ({left} days away) may fall within the first session's downtime "
        "(up to {high} days).",
    },
    "skin-type": {
        "ja": "スキンタイプ{skin}では、施術後の色素沈着（炎症後色素沈着）のリスクが高くなります。",
        "en": "With skin type {skin}, the risk of post-inflammatory hyperpigmentation is higher.",
    },
}

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}  # Fitzpatrick skin types


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


def addresses(
    treatment: TreatmentFacts, concerns: tuple[ConcernIn, ...], catalog: CatalogFacts, language: Language
) -> tuple[Addressed, ...]:
    """The concerns the treatment addresses, each rated by the nearest of its condition's and its
    ancestors' indications.

    The nearest indication wins even when an ancestor's is stronger: a rating for the child
    condition is the catalog's more specific judgement (CO2 fractional is first-line for acne
    scars in general but only a good option for ice-pick scars), so the parent's strength and
    rationale would overstate it. This is the one place that rule lives.
    """
    by_condition = {i.condition: i for i in treatment.indications}
    names = catalog.condition_name
    words = STRENGTH_WORD[language]
    found = []
    for concern in concerns:
        indication = nearest_indication(by_condition, concern.condition, catalog.condition_parent)
        if indication is not None:
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


def option_facts(
    treatment: TreatmentFacts,
    profile: Profile,
    catalog: CatalogFacts,
    language: Language,
    addressed: tuple[Addressed, ...] | None = None,
) -> OptionFacts:
    """What every screen and document says about `treatment` for this profile (`addressed`: the
    concerns it addresses, when the caller has them already)."""
    price = treatment.price
    if addressed is None:
        addressed = addresses(treatment, profile.concerns, catalog, language)
    return OptionFacts(
        treatment=treatment.slug,
        name=treatment.name,
        addresses=addressed,
        timing=treatment.timing,
        pain=treatment.pain,
        uses_needles=treatment.uses_needles,
        per_session_yen=price.per_session_yen if price else None,
        courses=price.courses if price else (),
        estimated_cost_yen=treatment.course_cost_range(),
        is_sample_price=bool(price and price.is_sample),
    )


def nearest_indication(by_condition: dict[str, T], condition: str, parent: dict[str, str | None]) -> T | None:
    """The indication (keyed by condition slug) on `condition` or, failing that, its nearest ancestor."""
    return next((by_condition[s] for s in lineage(condition, parent) if s in by_condition), None)


def _exclusion_reasons(treatment: TreatmentFacts, profile: Profile, catalog: CatalogFacts, lang: Language):
    reasons = []
    for contra in treatment.contraindications:
        if contra.kind == "absolute" and contra.flag in profile.flags:
            flag = catalog.flag_label.get(contra.flag, contra.flag)
            reasons.append(_say("contraindication", lang, flag=flag, note=contra.note))
    if not profile.needles_ok and treatment.uses_needles:
        reasons.append(_say("needles", lang))
    if treatment.price is None:
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
    if profile.event_date is not None and profile.today is not None and profile.event_date >= profile.today:
        days_left = (profile.event_date - profile.today).days
        event = profile.event_date.isoformat()
        if treatment.effect_weeks_min * 7 > days_left:
            cautions.append(
                (
                    "event-timing",
                    _say("event-timing", lang, weeks=treatment.effect_weeks_min, event=event, left=days_left),
                )
            )
        elif treatment.downtime_days_max > days_left:
            cautions.append(
                (
                    "event-timing",
                    _say("event-downtime", lang, "event-timing", event=event, left=days_left, high=high),
                )
            )
    for contra in treatment.contraindications:
        if contra.kind == "relative" and contra.flag in profile.flags:
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
    for treatment in sorted(catalog.treatments, key=lambda t: t.slug):
        addressed = addresses(treatment, profile.concerns, catalog, language)
        if not addressed:
            continue
        option = option_facts(treatment, profile, catalog, language, addressed)
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
