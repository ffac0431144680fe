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

from typing import Literal

# The data in and out, and the words, live beside the rules; callers import them from here.
from consult.engine_data import (  # noqa: F401
    ADJUNCT,
    FIRST_LINE,
    GOOD,
    NOT_FOR,
    Addressed,
    CatalogFacts,
    Compared,
    ConcernIn,
    ContraindicationFacts,
    Exclusion,
    IndicationFacts,
    Language,
    OptionFacts,
    PriceFacts,
    Profile,
    Reason,
    Result,
    Suggestion,
    Timing,
    TreatmentFacts,
)
from consult.engine_text import MESSAGES, ROMAN, STRENGTH_WORD, format_date  # noqa: F401

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
