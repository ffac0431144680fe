"""The suggestion engine (design.md §5), over small hand-made catalogs: no database.

Every test builds its catalog with the named factories below and asserts on what a caller of
`suggest()` sees: which list a treatment lands in, its codes, texts, score and estimated cost.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.engine import (
    ADJUNCT,
    FIRST_LINE,
    GOOD,
    NOT_FOR,
    CatalogFacts,
    ConcernIn,
    ContraindicationFacts,
    IndicationFacts,
    PriceFacts,
    Profile,
    TreatmentFacts,
    format_date,
    suggest,
)

# --- factories ---------------------------------------------------------------------------------

PARENT = {
    "acne-scar": None,
    "rolling-scar": "acne-scar",
    "boxcar-scar": "acne-scar",
    "ice-pick-scar": "acne-scar",
    "post-acne-pigmentation": None,
    "dryness": None,
}
CONDITION_NAME = {
    "en": {
        "acne-scar": "Acne scars",
        "rolling-scar": "Rolling scars",
        "boxcar-scar": "Boxcar scars",
        "ice-pick-scar": "Ice-pick scars",
        "post-acne-pigmentation": "Post-acne pigmentation",
        "dryness": "Dryness",
    },
    "ja": {
        "acne-scar": "ニキビ跡の凹凸",
        "rolling-scar": "ローリング型",
        "boxcar-scar": "ボックスカー型",
        "ice-pick-scar": "アイスピック型",
        "post-acne-pigmentation": "ニキビ跡の色素沈着",
        "dryness": "乾燥",
    },
}
FLAG_LABEL = {
    "en": {"fish-allergy": "Fish allergy", "keloid-tendency": "Keloid tendency", "pregnancy": "Pregnancy"},
    "ja": {"fish-allergy": "魚アレルギー", "keloid-tendency": "ケロイド体質", "pregnancy": "妊娠・授乳中"},
}

TODAY = date(2026, 11, 21)
OFFERED = PriceFacts(per_session_yen=10_000)
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
CODES = {
    "indication",
    "contraindication",
    "relative-contraindication",
    "needles",
    "not-offered",
    "downtime",
    "budget",
    "pain",
    "event-timing",
    "skin-type",
}


def indication(
    condition: str = "acne-scar", strength: int = FIRST_LINE, rationale: str = "works"
) -> IndicationFacts:
    return IndicationFacts(condition, strength, rationale)


def absolute(flag: str, note: str = "not safe") -> ContraindicationFacts:
    return ContraindicationFacts(flag, "absolute", note)


def relative(flag: str, note: str = "use care") -> ContraindicationFacts:
    return ContraindicationFacts(flag, "relative", note)


def treatment(
    slug: str = "laser",
    *,
    indications: tuple[IndicationFacts, ...] = (indication(),),
    contraindications: tuple[ContraindicationFacts, ...] = (),
    uses_needles: bool = False,
    pain: int = 1,
    sessions: tuple[int, int] = (1, 1),
    interval_weeks: tuple[int, int] = (4, 6),
    lead_weeks: int = 0,
    downtime: tuple[int, int] = (0, 0),
    effect_weeks: tuple[int, int] = (1, 4),
    pih_risk_from_skin_type: int | None = None,
    price: PriceFacts | None = OFFERED,
) -> TreatmentFacts:
    return TreatmentFacts(
        slug=slug,
        name=slug.title(),
        uses_needles=uses_needles,
        pain=pain,
        sessions_min=sessions[0],
        sessions_max=sessions[1],
        interval_weeks_min=interval_weeks[0],
        interval_weeks_max=interval_weeks[1],
        downtime_days_min=downtime[0],
        downtime_days_max=downtime[1],
        effect_weeks_min=effect_weeks[0],
        effect_weeks_max=effect_weeks[1],
        indications=indications,
        contraindications=contraindications,
        pih_risk_from_skin_type=pih_risk_from_skin_type,
        price=price,
        lead_time_weeks=lead_weeks,
    )


def catalog(*treatments: TreatmentFacts, language: str = "en") -> CatalogFacts:
    return CatalogFacts(
        treatments=tuple(treatments),
        condition_parent=dict(PARENT),
        condition_name=dict(CONDITION_NAME[language]),
        flag_label=dict(FLAG_LABEL[language]),
    )


def concern(condition: str = "rolling-scar", severity: int = 3) -> ConcernIn:
    return ConcernIn(condition, severity, ("cheek-left",))


def profile(*concerns: ConcernIn, flags: tuple[str, ...] = (), **wishes) -> Profile:
    return Profile(concerns=concerns or (concern(),), flags=frozenset(flags), today=TODAY, **wishes)


def run(prof: Profile, *treatments: TreatmentFacts, language: str = "en"):
    return suggest(prof, catalog(*treatments, language=language), language)


def suggested(result, slug: str):
    found = [s for s in result.suggestions if s.treatment == slug]
    assert len(found) == 1, f"{slug} is not suggested: {result.as_dict()}"
    return found[0]


def excluded(result, slug: str):
    found = [e for e in result.excluded if e.treatment == slug]
    assert len(found) == 1, f"{slug} is not excluded: {result.as_dict()}"
    return found[0]


def listed(result) -> list[str]:
    return [s.treatment for s in result.suggestions] + [e.treatment for e in result.excluded]


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


def score_of(prof: Profile, t: TreatmentFacts) -> int:
    return suggested(run(prof, t), t.slug).score


# --- candidates --------------------------------------------------------------------------------


def test_it_leaves_out_a_treatment_with_no_indication_for_any_concern():
    result = run(
        profile(concern("rolling-scar")),
        treatment("moisturiser", indications=(indication("dryness"),)),
        treatment("laser", indications=(indication("rolling-scar"),)),
    )
    assert listed(result) == ["laser"]


def test_it_does_not_exclude_a_non_candidate_even_when_it_would_be_blocked():
    blocked = treatment(
        "booster",
        indications=(indication("dryness"),),
        contraindications=(absolute("fish-allergy"),),
        uses_needles=True,
        price=None,
    )
    result = run(profile(concern("rolling-scar"), flags=("fish-allergy",), needles_ok=False), blocked)
    assert result.suggestions == ()
    assert result.excluded == ()


def test_it_matches_a_child_concern_to_an_indication_on_its_parent():
    result = run(profile(concern("rolling-scar")), treatment("laser", indications=(indication("acne-scar"),)))
    assert suggested(result, "laser").covered == ("rolling-scar",)


def test_it_does_not_match_a_parent_concern_to_an_indication_only_on_a_child():
    result = run(
        profile(concern("acne-scar")), treatment("subcision", indications=(indication("rolling-scar"),))
    )
    assert listed(result) == []


def test_it_does_not_match_a_sibling_condition():
    result = run(
        profile(concern("ice-pick-scar")), treatment("subcision", indications=(indication("rolling-scar"),))
    )
    assert listed(result) == []


def test_it_uses_the_best_of_several_matching_indications():
    both = treatment(
        "both",
        indications=(
            indication("acne-scar", ADJUNCT, "general scar support"),
            indication("rolling-scar", FIRST_LINE, "releases tethered scars"),
        ),
    )
    only_best = treatment("only-best", indications=(indication("rolling-scar", FIRST_LINE),))
    result = run(profile(concern("rolling-scar")), both, only_best)

    best = suggested(result, "both")
    assert best.score == suggested(result, "only-best").score
    assert codes(best.reasons) == ["indication"]
    assert "releases tethered scars" in best.reasons[0].text
    assert "general scar support" not in best.reasons[0].text


def test_the_child_indication_wins_over_a_stronger_one_on_the_parent():
    # The rule changed: a rating for the child condition is the more specific judgement, so it
    # gives the strength and rationale even when the parent's rating is stronger.
    t = treatment(
        "laser",
        indications=(
            indication("acne-scar", FIRST_LINE, "resurfaces all scar types"),
            indication("rolling-scar", ADJUNCT, "helps a little"),
        ),
    )
    adjunct = treatment("adjunct", indications=(indication("rolling-scar", ADJUNCT),))
    result = run(profile(concern("rolling-scar")), t, adjunct)
    laser = suggested(result, "laser")
    assert laser.score == suggested(result, "adjunct").score
    assert codes(laser.reasons) == ["indication"]
    assert "used as an add-on: helps a little" in laser.reasons[0].text
    assert "first-line" not in laser.reasons[0].text
    assert "resurfaces all scar types" not in laser.reasons[0].text


@pytest.mark.parametrize(
    "language, child_word, parent_word",
    [("en", "commonly used", "a first-line option"), ("ja", "よく用いられる", "第一選択の一つ")],
)
def test_a_laser_rated_good_for_ice_pick_scars_is_not_shown_as_first_line(language, child_word, parent_word):
    co2 = treatment(
        "co2-fractional",
        indications=(
            indication("acne-scar", FIRST_LINE, "craters in general"),
            indication("ice-pick-scar", GOOD, "narrow deep pits"),
        ),
    )
    good_only = treatment("good-only", indications=(indication("ice-pick-scar", GOOD),))
    result = run(profile(concern("ice-pick-scar", 3)), co2, good_only, language=language)

    s = suggested(result, "co2-fractional")
    assert s.score == suggested(result, "good-only").score < 100
    assert child_word in s.reasons[0].text and "narrow deep pits" in s.reasons[0].text
    assert parent_word not in s.reasons[0].text and "craters in general" not in s.reasons[0].text


def test_a_sibling_concern_still_uses_the_parent_indication():
    co2 = treatment(
        "co2-fractional",
        indications=(
            indication("acne-scar", FIRST_LINE, "craters in general"),
            indication("ice-pick-scar", GOOD, "narrow deep pits"),
        ),
    )
    result = run(profile(concern("ice-pick-scar", 2), concern("rolling-scar", 2)), co2)
    ice_pick, rolling = suggested(result, "co2-fractional").reasons
    assert "Ice-pick scars" in ice_pick.text and "commonly used: narrow deep pits" in ice_pick.text
    assert "Rolling scars" in rolling.text and "a first-line option: craters in general" in rolling.text


def test_the_nearest_ancestor_wins_over_a_farther_one():
    facts = CatalogFacts(
        treatments=(
            treatment(
                "laser",
                indications=(
                    indication("scar", FIRST_LINE, "all scars"),
                    indication("acne-scar", ADJUNCT, "acne scars"),
                ),
            ),
        ),
        condition_parent={"scar": None, "acne-scar": "scar", "rolling-scar": "acne-scar"},
        condition_name={"scar": "Scars", "acne-scar": "Acne scars", "rolling-scar": "Rolling scars"},
    )
    result = suggest(profile(concern("rolling-scar")), facts, "en")
    assert result.suggestions[0].reasons[0].text.endswith("used as an add-on: acne scars")


def test_it_gives_one_indication_reason_per_covered_concern():
    t = treatment("laser", indications=(indication("acne-scar"), indication("dryness", GOOD)))
    result = run(
        profile(concern("rolling-scar"), concern("dryness", 1), concern("post-acne-pigmentation")), t
    )
    s = suggested(result, "laser")
    assert codes(s.reasons) == ["indication", "indication"]
    assert s.covered == ("rolling-scar", "dryness")


# --- "not for": a rating that overrides the parent's --------------------------------------------


def subcision_facts(**changes) -> TreatmentFacts:
    return treatment(
        "subcision",
        indications=(
            indication("acne-scar", GOOD, "tethered craters"),
            indication("rolling-scar", FIRST_LINE, "releases tethered rolling scars"),
            indication("ice-pick-scar", NOT_FOR, "ice-pick scars are not tethered"),
        ),
        **changes,
    )


def test_a_not_for_rating_on_the_child_means_the_concern_is_not_addressed():
    result = run(profile(concern("ice-pick-scar")), subcision_facts())
    assert listed(result) == []


def test_a_not_for_treatment_is_not_excluded_either_even_when_it_would_be_blocked():
    result = run(profile(concern("ice-pick-scar"), needles_ok=False), subcision_facts(uses_needles=True))
    assert result.suggestions == () and result.excluded == ()


def test_a_rolling_scar_still_gets_the_treatment_not_for_ice_pick_scars():
    s = suggested(run(profile(concern("rolling-scar")), subcision_facts()), "subcision")
    assert s.covered == ("rolling-scar",)


def test_a_sibling_without_a_rating_still_inherits_the_parents():
    s = suggested(run(profile(concern("boxcar-scar")), subcision_facts()), "subcision")
    assert "commonly used: tethered craters" in s.reasons[0].text


def test_with_both_concerns_only_the_suitable_one_counts():
    result = run(profile(concern("ice-pick-scar", 3), concern("rolling-scar", 3)), subcision_facts())
    s = suggested(result, "subcision")
    assert s.covered == ("rolling-scar",)
    assert codes(s.reasons) == ["indication"] and "Rolling scars" in s.reasons[0].text
    assert s.score == 50  # first-line for half of the severity
    assert [(a.condition, a.strength_text) for a in s.option.unsuitable] == [
        ("ice-pick-scar", "not suitable")
    ]
    assert s.option.unsuitable[0].rationale == "ice-pick scars are not tethered"


@pytest.mark.parametrize("language, word", [("en", "not suitable"), ("ja", "適応外")])
def test_a_chosen_option_not_for_the_concern_carries_the_rating(language, word):
    prof = profile(concern("ice-pick-scar"))
    result = suggest(prof, catalog(subcision_facts(), language=language), language, compare=("subcision",))
    (compared,) = result.compared
    assert compared.suggestion is None and compared.exclusion is None
    assert compared.option.addresses == ()
    assert [a.strength_text for a in compared.option.unsuitable] == [word]


def test_a_not_for_rating_on_the_parent_gives_way_to_the_childs_own():
    t = treatment("laser", indications=(indication("acne-scar", NOT_FOR), indication("rolling-scar", GOOD)))
    result = run(profile(concern("rolling-scar"), concern("boxcar-scar")), t)
    assert suggested(result, "laser").covered == ("rolling-scar",)


# --- exclusions --------------------------------------------------------------------------------


def test_it_excludes_a_treatment_with_a_flagged_absolute_contraindication():
    t = treatment("rejuran", contraindications=(absolute("fish-allergy", "salmon-derived"),))
    result = run(profile(flags=("fish-allergy",)), t)
    assert result.suggestions == ()
    reasons = excluded(result, "rejuran").reasons
    assert codes(reasons) == ["contraindication"]
    assert "Fish allergy" in reasons[0].text
    assert "salmon-derived" in reasons[0].text


def test_it_ignores_an_absolute_contraindication_that_is_not_flagged():
    t = treatment("rejuran", contraindications=(absolute("fish-allergy"),))
    result = run(profile(flags=("pregnancy",)), t)
    assert suggested(result, "rejuran").cautions == ()


def test_it_excludes_a_needle_treatment_when_needles_are_refused():
    result = run(profile(needles_ok=False), treatment("dermapen", uses_needles=True), treatment("laser"))
    assert codes(excluded(result, "dermapen").reasons) == ["needles"]
    assert [s.treatment for s in result.suggestions] == ["laser"]


def test_it_keeps_a_needle_treatment_when_needles_are_ok():
    result = run(profile(needles_ok=True), treatment("dermapen", uses_needles=True))
    assert suggested(result, "dermapen").cautions == ()


def test_it_excludes_a_treatment_the_clinic_does_not_offer():
    result = run(profile(), treatment("autograft", price=None))
    assert result.suggestions == ()
    assert codes(excluded(result, "autograft").reasons) == ["not-offered"]


def test_it_lists_every_exclusion_reason_at_once():
    t = treatment(
        "booster",
        uses_needles=True,
        contraindications=(absolute("fish-allergy"), absolute("pregnancy")),
        price=None,
    )
    result = run(profile(flags=("fish-allergy", "pregnancy"), needles_ok=False), t)
    assert sorted(codes(excluded(result, "booster").reasons)) == [
        "contraindication",
        "contraindication",
        "needles",
        "not-offered",
    ]


def test_it_suggests_a_treatment_with_a_relative_contraindication_with_a_caution():
    t = treatment("laser", contraindications=(relative("keloid-tendency", "may thicken scars"),))
    result = run(profile(flags=("keloid-tendency",)), t)
    s = suggested(result, "laser")
    assert result.excluded == ()
    assert codes(s.cautions) == ["relative-contraindication"]
    assert "Keloid tendency" in s.cautions[0].text
    assert "may thicken scars" in s.cautions[0].text
    assert s.score < score_of(profile(), t)


# --- cautions ----------------------------------------------------------------------------------


def test_it_cautions_when_the_shortest_downtime_exceeds_the_wish():
    t = treatment("co2", downtime=(5, 10))
    s = suggested(run(profile(max_downtime_days=3), t), "co2")
    assert codes(s.cautions) == ["downtime"]
    assert s.score < score_of(profile(), t)


def test_it_cautions_when_only_the_longest_downtime_exceeds_the_wish():
    t = treatment("pico", downtime=(1, 5))
    s = suggested(run(profile(max_downtime_days=3), t), "pico")
    assert codes(s.cautions) == ["downtime"]
    assert s.score < score_of(profile(), t)


def test_it_weighs_a_sure_downtime_overrun_at_least_as_much_as_a_possible_one():
    sure = score_of(profile(max_downtime_days=3), treatment("co2", downtime=(5, 10)))
    maybe = score_of(profile(max_downtime_days=3), treatment("co2", downtime=(1, 10)))
    assert sure <= maybe


def test_it_does_not_caution_when_downtime_fits_the_wish():
    s = suggested(run(profile(max_downtime_days=3), treatment("laser", downtime=(1, 3))), "laser")
    assert s.cautions == ()


def test_it_estimates_the_course_cost_from_singles_and_packs():
    price = PriceFacts(per_session_yen=50_000, courses=((3, 120_000),))
    s = suggested(run(profile(), treatment("laser", sessions=(3, 5), price=price)), "laser")
    assert s.estimated_cost_yen == (120_000, 220_000)
    assert s.as_dict()["estimated_cost_yen"] == {"min": 120_000, "max": 220_000}


def test_it_cautions_when_even_the_shortest_course_exceeds_the_budget():
    price = PriceFacts(per_session_yen=50_000, courses=((3, 120_000),))
    t = treatment("laser", sessions=(3, 5), price=price)
    s = suggested(run(profile(budget_yen=100_000), t), "laser")
    assert codes(s.cautions) == ["budget"]
    assert s.score < score_of(profile(), t)


def test_it_cautions_when_only_a_longer_course_exceeds_the_budget():
    price = PriceFacts(per_session_yen=50_000, courses=((3, 120_000),))
    t = treatment("laser", sessions=(3, 5), price=price)
    s = suggested(run(profile(budget_yen=150_000), t), "laser")
    assert codes(s.cautions) == ["budget"]
    assert s.score < score_of(profile(), t)


def test_it_counts_the_course_pack_so_a_budget_below_three_singles_still_fits():
    # Three singles cost 150,000; the 3-pack costs 120,000, which the 130,000 budget covers.
    price = PriceFacts(per_session_yen=50_000, courses=((3, 120_000),))
    s = suggested(run(profile(budget_yen=130_000), treatment("laser", sessions=(3, 3), price=price)), "laser")
    assert s.cautions == ()


def test_it_cautions_when_the_pain_exceeds_the_wish():
    t = treatment("co2", pain=3)
    s = suggested(run(profile(max_pain=2), t), "co2")
    assert codes(s.cautions) == ["pain"]
    assert s.score < score_of(profile(), t)


def test_it_does_not_caution_when_the_pain_equals_the_wish():
    assert suggested(run(profile(max_pain=2), treatment("laser", pain=2)), "laser").cautions == ()


def test_it_cautions_when_the_effect_shows_only_after_the_event():
    t = treatment("booster", effect_weeks=(4, 12))
    s = suggested(run(profile(event_date=TODAY + timedelta(days=14)), t), "booster")
    assert codes(s.cautions) == ["event-timing"]
    assert "5 December 2026" in s.cautions[0].text  # the event
    assert "19 December 2026" in s.cautions[0].text  # the first change, four weeks after today
    assert s.score < score_of(profile(), t)


def test_it_cautions_when_the_downtime_may_overlap_a_close_event():
    t = treatment("co2", downtime=(5, 14), effect_weeks=(1, 4))
    s = suggested(run(profile(event_date=TODAY + timedelta(days=10)), t), "co2")
    assert codes(s.cautions) == ["event-timing"]
    assert "10 days" in s.cautions[0].text
    assert s.score < score_of(profile(), t)


def test_it_does_not_caution_when_the_event_is_far_enough_away():
    t = treatment("co2", downtime=(5, 14), effect_weeks=(4, 12))
    assert suggested(run(profile(event_date=TODAY + timedelta(days=90)), t), "co2").cautions == ()


def test_it_does_not_caution_about_an_event_that_has_passed():
    t = treatment("co2", downtime=(5, 14), effect_weeks=(4, 12))
    assert suggested(run(profile(event_date=TODAY - timedelta(days=1)), t), "co2").cautions == ()


# The event rule over the whole course: lead time, every session of the typical course at the
# shortest interval, the last session's longest downtime, and the first visible change. TODAY is
# Saturday 21 November 2026.

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def event_caution(t: TreatmentFacts, days: int, language: str = "en"):
    """The event-timing caution for an event `days` from TODAY (None: no such caution)."""
    s = suggested(run(profile(event_date=TODAY + timedelta(days=days)), t, language=language), t.slug)
    found = [c for c in s.cautions if c.code == "event-timing"]
    assert len(found) <= 1
    return found[0] if found else None


def test_a_lead_time_pushes_the_first_change_past_the_event():
    # A change shows two weeks after the first session: five weeks ahead is enough without cell
    # culture, not after four weeks of it.
    quick = treatment("fibroblast", sessions=(1, 1), downtime=(1, 7), effect_weeks=(2, 12))
    cultured = treatment("fibroblast", sessions=(1, 1), downtime=(1, 7), effect_weeks=(2, 12), lead_weeks=4)
    assert event_caution(quick, 35) is None
    caution = event_caution(cultured, 35)
    assert caution is not None
    assert "4 weeks of preparation" in caution.text
    assert "19 December 2026 at the earliest" in caution.text  # the first session: today + 4 weeks
    assert "2 January 2027" in caution.text  # the first change: two weeks later, after the event


def test_a_lead_time_longer_than_the_time_to_the_event_means_the_course_cannot_fit():
    cultured = treatment("fibroblast", sessions=(1, 3), downtime=(1, 7), effect_weeks=(2, 12), lead_weeks=4)
    caution = event_caution(cultured, 14)
    assert caution is not None
    assert "cannot fit" in caution.text
    # The downtime of up to 7 days must be over before 5 December: the session by 27 November.
    assert "would have to be by 27 November 2026" in caution.text
    assert suggested(run(profile(event_date=TODAY + timedelta(days=14)), cultured), "fibroblast").score < (
        score_of(profile(), cultured)
    )


def test_a_lead_time_gives_no_caution_when_the_whole_course_fits():
    cultured = treatment("fibroblast", sessions=(1, 3), downtime=(1, 7), effect_weeks=(2, 12), lead_weeks=4)
    assert event_caution(cultured, 120) is None


def test_the_third_sessions_downtime_ending_on_the_event_day_is_cautioned():
    # The wedding in ten weeks: sessions on weeks 0, 4 and 8 (16 January); 14 days of
    # downtime after the third end on the wedding day, 30 January.
    course = treatment(
        "subcision", sessions=(3, 3), interval_weeks=(4, 8), downtime=(3, 14), effect_weeks=(4, 12)
    )
    caution = event_caution(course, 70)
    assert caution is not None
    assert "With 3 sessions every 4 weeks, the last is on 16 January 2027 at the earliest" in caution.text
    assert "30 January 2027" in caution.text
    assert "the last session would have to be by 15 January 2027" in caution.text
    s = suggested(run(profile(event_date=TODAY + timedelta(days=70)), course), "subcision")
    assert s.score == score_of(profile(), course) - 20


def test_the_last_downtime_just_clear_of_the_event_is_not_cautioned():
    course = treatment(
        "subcision", sessions=(3, 3), interval_weeks=(4, 8), downtime=(3, 14), effect_weeks=(4, 12)
    )
    assert event_caution(course, 71) is None


def test_a_longer_course_reaching_the_event_gets_the_softer_caution():
    # The catalog's subcision: one session typically, up to three. The typical course fits a wedding
    # in ten weeks; a third session would not, which the handout's timeline shows (hollow dot).
    subcision = treatment(
        "subcision", sessions=(1, 3), interval_weeks=(4, 8), downtime=(3, 14), effect_weeks=(4, 12)
    )
    caution = event_caution(subcision, 70)
    assert caution is not None
    assert "If more sessions are needed (up to 3), the last would be on 16 January 2027" in caution.text
    assert "by 15 January 2027" in caution.text
    s = suggested(run(profile(event_date=TODAY + timedelta(days=70)), subcision), "subcision")
    assert score_of(profile(), subcision) - 20 < s.score < score_of(profile(), subcision)
    assert event_caution(subcision, 71) is None


def test_the_event_caution_uses_the_shortest_interval():
    # Every 4 weeks, three sessions end on week 8; at the longest interval (8 weeks) they would not.
    course = treatment("laser", sessions=(3, 3), interval_weeks=(4, 8), downtime=(0, 2), effect_weeks=(1, 4))
    assert event_caution(course, 60) is None  # last session day 56, downtime over on day 58


def test_an_event_too_close_for_any_downtime_says_so():
    caution = event_caution(treatment("co2", downtime=(5, 14), effect_weeks=(1, 4)), 10)
    assert caution is not None
    assert "too soon" in caution.text and "10 days away" in caution.text


@pytest.mark.parametrize(
    "language, event, deadline, last",
    [
        ("ja", "2027年1月30日", "2027年1月15日", "2027年1月16日"),
        ("en", "30 January 2027", "15 January 2027", "16 January 2027"),
    ],
)
def test_the_event_caution_writes_dates_in_the_languages_own_format(language, event, deadline, last):
    course = treatment(
        "subcision", sessions=(3, 3), interval_weeks=(4, 8), downtime=(3, 14), effect_weeks=(4, 12)
    )
    caution = event_caution(course, 70, language)
    assert event in caution.text and deadline in caution.text and last in caution.text
    assert not ISO_DATE.search(caution.text)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_caution_text_carries_an_iso_date(language):
    result = suggest(
        _every_code_profile(), catalog(*_every_code_treatments(language), language=language), language
    )
    for text in _texts(result):
        assert not ISO_DATE.search(text), text


@pytest.mark.parametrize(
    "day, language, text",
    [
        (date(2026, 12, 20), "ja", "2026年12月20日"),
        (date(2026, 12, 20), "en", "20 December 2026"),
        (date(2027, 1, 5), "ja", "2027年1月5日"),
        (date(2027, 1, 5), "en", "5 January 2027"),
    ],
)
def test_format_date_writes_the_languages_own_format(day, language, text):
    assert format_date(day, language) == text


def test_documents_and_engine_share_one_date_formatter():
    from consult.documents import wording  # imports Django models: only here, not for the whole module

    assert wording.format_date is format_date


def test_it_cautions_about_skin_type_at_the_risk_threshold():
    t = treatment("co2", pih_risk_from_skin_type=4)
    s = suggested(run(profile(skin_type=4), t), "co2")
    assert codes(s.cautions) == ["skin-type"]
    assert "IV" in s.cautions[0].text
    assert s.score < score_of(profile(), t)


def test_it_cautions_about_skin_type_above_the_risk_threshold():
    s = suggested(run(profile(skin_type=6), treatment("co2", pih_risk_from_skin_type=4)), "co2")
    assert codes(s.cautions) == ["skin-type"]
    assert "VI" in s.cautions[0].text


def test_it_does_not_caution_about_skin_type_below_the_risk_threshold():
    assert (
        suggested(run(profile(skin_type=3), treatment("co2", pih_risk_from_skin_type=4)), "co2").cautions
        == ()
    )


def test_it_does_not_caution_about_skin_type_for_a_treatment_without_that_risk():
    assert suggested(run(profile(skin_type=6), treatment("laser")), "laser").cautions == ()


def test_it_gives_no_caution_when_no_wish_is_given():
    demanding = treatment(
        "co2",
        pain=3,
        sessions=(3, 5),
        downtime=(7, 14),
        effect_weeks=(8, 24),
        pih_risk_from_skin_type=4,
        price=PriceFacts(per_session_yen=200_000),
    )
    prof = Profile(concerns=(concern(),))  # no wishes, no skin type, no event, no dates at all
    s = suggested(suggest(prof, catalog(demanding), "en"), "co2")
    assert s.cautions == ()
    assert s.score == 100


def test_it_gives_no_event_caution_without_today():
    t = treatment("booster", effect_weeks=(4, 12))
    prof = Profile(concerns=(concern(),), event_date=TODAY)
    assert suggested(suggest(prof, catalog(t), "en"), "booster").cautions == ()


# --- scores ------------------------------------------------------------------------------------


def test_it_ranks_the_treatment_for_the_severe_concern_above_the_one_for_the_mild_concern():
    prof = profile(concern("rolling-scar", 4), concern("dryness", 1))
    result = run(
        prof,
        treatment("for-mild", indications=(indication("dryness"),)),
        treatment("for-severe", indications=(indication("acne-scar"),)),
    )
    assert [s.treatment for s in result.suggestions] == ["for-severe", "for-mild"]
    assert suggested(result, "for-severe").score > suggested(result, "for-mild").score


def test_it_ranks_first_line_above_good_above_adjunct():
    result = run(
        profile(),
        treatment("adjunct", indications=(indication("rolling-scar", ADJUNCT),)),
        treatment("good", indications=(indication("rolling-scar", GOOD),)),
        treatment("first", indications=(indication("rolling-scar", FIRST_LINE),)),
    )
    assert [s.treatment for s in result.suggestions] == ["first", "good", "adjunct"]
    scores = [s.score for s in result.suggestions]
    assert scores[0] > scores[1] > scores[2]


def test_it_ranks_a_treatment_covering_both_concerns_above_one_covering_either():
    prof = profile(concern("rolling-scar", 3), concern("dryness", 3))
    result = run(
        prof,
        treatment("scar-only", indications=(indication("acne-scar"),)),
        treatment("both", indications=(indication("acne-scar"), indication("dryness"))),
    )
    assert [s.treatment for s in result.suggestions] == ["both", "scar-only"]
    assert suggested(result, "both").score == 100


def test_it_keeps_the_score_within_0_and_100_with_every_caution():
    t = treatment(
        "everything",
        indications=(indication("dryness", ADJUNCT),),
        contraindications=(relative("keloid-tendency"), relative("pregnancy")),
        pain=3,
        downtime=(10, 20),
        effect_weeks=(8, 12),
        pih_risk_from_skin_type=1,
        price=PriceFacts(per_session_yen=900_000),
    )
    prof = profile(
        concern("rolling-scar", 4),
        concern("dryness", 1),
        flags=("keloid-tendency", "pregnancy"),
        skin_type=6,
        max_downtime_days=0,
        budget_yen=0,
        max_pain=0,
        event_date=TODAY + timedelta(days=3),
    )
    s = suggested(run(prof, t), "everything")
    assert sorted(set(codes(s.cautions))) == sorted(
        CODES
        - {
            "indication",
            "contraindication",
            "needles",
            "not-offered",
        }
    )
    assert 0 <= s.score <= 100
    assert s.score == 0


def test_it_keeps_a_perfect_score_at_100():
    assert score_of(profile(), treatment("laser")) == 100


# --- language ----------------------------------------------------------------------------------


def _every_code_profile() -> Profile:
    return profile(
        concern("rolling-scar", 3),
        flags=("fish-allergy", "keloid-tendency"),
        skin_type=4,
        max_downtime_days=3,
        budget_yen=100_000,
        max_pain=1,
        needles_ok=False,
        event_date=TODAY + timedelta(days=10),
    )


def _every_code_treatments(language: str) -> tuple[TreatmentFacts, ...]:
    rationale = {"en": "breaks up scar tissue", "ja": "瘢痕組織をほぐす"}[language]
    note = {"en": "see the physician", "ja": "医師に相談"}[language]
    return (
        # excluded three ways
        treatment(
            "blocked",
            uses_needles=True,
            contraindications=(absolute("fish-allergy", note),),
            price=None,
            indications=(indication("acne-scar", GOOD, rationale),),
        ),
        # the strong variant of every caution
        treatment(
            "hard",
            indications=(indication("rolling-scar", FIRST_LINE, rationale),),
            contraindications=(relative("keloid-tendency", note),),
            pain=3,
            sessions=(3, 5),
            downtime=(5, 10),
            effect_weeks=(4, 12),
            pih_risk_from_skin_type=4,
            price=PriceFacts(per_session_yen=50_000),
        ),
        # the softer variant of downtime, budget and event timing
        treatment(
            "softer",
            indications=(indication("acne-scar", ADJUNCT, rationale),),
            sessions=(1, 5),
            downtime=(1, 14),
            effect_weeks=(1, 4),
            price=PriceFacts(per_session_yen=50_000),
        ),
    )


def _texts(result) -> list[str]:
    texts = []
    for s in result.suggestions:
        texts += [r.text for r in s.reasons + s.cautions]
    for e in result.excluded:
        texts += [r.text for r in e.reasons]
    return texts


def test_it_writes_every_text_in_english_without_japanese_characters():
    result = suggest(_every_code_profile(), catalog(*_every_code_treatments("en"), language="en"), "en")
    texts = _texts(result)
    assert len(texts) == 1 + 6 + 1 + 3 + 3  # hard: reason + 6 cautions; softer: reason + 3; blocked: 3
    for text in texts:
        assert not JAPANESE.search(text), text


def test_it_writes_the_japanese_texts_in_japanese():
    result = suggest(_every_code_profile(), catalog(*_every_code_treatments("ja"), language="ja"), "ja")
    for text in _texts(result):
        assert JAPANESE.search(text), text


def test_it_gives_the_same_codes_but_different_texts_in_each_language():
    en = suggest(_every_code_profile(), catalog(*_every_code_treatments("en"), language="en"), "en")
    ja = suggest(_every_code_profile(), catalog(*_every_code_treatments("ja"), language="ja"), "ja")
    assert [(s.treatment, s.score, codes(s.reasons), codes(s.cautions)) for s in en.suggestions] == [
        (s.treatment, s.score, codes(s.reasons), codes(s.cautions)) for s in ja.suggestions
    ]
    assert [codes(e.reasons) for e in en.excluded] == [codes(e.reasons) for e in ja.excluded]
    for en_text, ja_text in zip(_texts(en), _texts(ja), strict=True):
        assert en_text != ja_text


def test_it_passes_the_rationale_through_as_given():
    t = treatment("laser", indications=(indication("acne-scar", FIRST_LINE, "瘢痕をならす (as written)"),))
    s = suggested(run(profile(), t, language="en"), "laser")
    assert "瘢痕をならす (as written)" in s.reasons[0].text
    assert "Rolling scars" in s.reasons[0].text


# --- determinism and shape ---------------------------------------------------------------------


def _varied_treatments() -> list[TreatmentFacts]:
    return [
        treatment("delta", indications=(indication("acne-scar", GOOD),), downtime=(2, 5)),
        treatment("alpha", indications=(indication("rolling-scar", FIRST_LINE),), pain=3),
        treatment("charlie", indications=(indication("dryness", ADJUNCT),), uses_needles=True),
        treatment("bravo", indications=(indication("acne-scar", GOOD),), downtime=(2, 5)),
        treatment("echo", indications=(indication("acne-scar"),), price=None),
        treatment("foxtrot", indications=(indication("post-acne-pigmentation"),)),
    ]


def test_it_returns_identical_output_for_identical_input():
    prof = profile(concern("rolling-scar", 3), concern("dryness", 2), max_downtime_days=3, max_pain=2)
    cat = catalog(*_varied_treatments())
    assert suggest(prof, cat, "en").as_dict() == suggest(prof, cat, "en").as_dict()


def test_it_returns_identical_output_whatever_the_treatment_order():
    prof = profile(concern("rolling-scar", 3), concern("dryness", 2), max_downtime_days=3, max_pain=2)
    expected = suggest(prof, catalog(*_varied_treatments()), "en").as_dict()
    rng = random.Random(20261121)
    for _ in range(5):
        shuffled = _varied_treatments()
        rng.shuffle(shuffled)
        assert suggest(prof, catalog(*shuffled), "en").as_dict() == expected


def test_it_breaks_ties_by_slug():
    result = run(
        profile(),
        treatment("zeta"),
        treatment("alpha"),
        treatment("mu"),
        treatment("x-blocked", price=None),
        treatment("b-blocked", price=None),
    )
    assert [s.treatment for s in result.suggestions] == ["alpha", "mu", "zeta"]
    assert len({s.score for s in result.suggestions}) == 1
    assert [e.treatment for e in result.excluded] == ["b-blocked", "x-blocked"]


def test_its_dict_has_the_shape_of_the_command_line_contract():
    prof = profile(concern("rolling-scar", 3), concern("dryness", 2), max_downtime_days=3, needles_ok=False)
    out = suggest(prof, catalog(*_varied_treatments()), "en").as_dict()

    assert set(out) == {"suggestions", "excluded"}
    assert out["suggestions"] and out["excluded"]
    for s in out["suggestions"]:
        assert set(s) == {"treatment", "score", "reasons", "cautions", "estimated_cost_yen"}
        assert isinstance(s["treatment"], str)
        assert isinstance(s["score"], int) and 0 <= s["score"] <= 100
        assert set(s["estimated_cost_yen"]) == {"min", "max"}
        assert all(isinstance(v, int) for v in s["estimated_cost_yen"].values())
        assert s["estimated_cost_yen"]["min"] <= s["estimated_cost_yen"]["max"]
        assert s["reasons"]
    for e in out["excluded"]:
        assert set(e) == {"treatment", "reasons"}
        assert e["reasons"]
    every_reason = [r for s in out["suggestions"] for r in s["reasons"] + s["cautions"]]
    every_reason += [r for e in out["excluded"] for r in e["reasons"]]
    for r in every_reason:
        assert set(r) == {"code", "text"}
        assert r["code"] in CODES
        assert isinstance(r["text"], str) and r["text"]


# --- every candidate in exactly one list (property) --------------------------------------------

CONDITIONS = sorted(PARENT)
FLAGS = sorted(FLAG_LABEL["en"])


@st.composite
def treatments_st(draw) -> list[TreatmentFacts]:
    slugs = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6, unique=True))
    out = []
    for slug in slugs:
        conditions = draw(st.lists(st.sampled_from(CONDITIONS), max_size=3, unique=True))
        flags = draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True))
        sessions_min = draw(st.integers(1, 4))
        downtime_min = draw(st.integers(0, 10))
        effect_min = draw(st.integers(0, 8))
        offered = draw(st.booleans())
        per_session = draw(st.integers(5_000, 300_000))
        packs = draw(st.lists(st.tuples(st.integers(2, 6), st.integers(5_000, 1_000_000)), max_size=2))
        out.append(
            treatment(
                f"t-{slug}",
                indications=tuple(
                    indication(c, draw(st.sampled_from([NOT_FOR, ADJUNCT, GOOD, FIRST_LINE])))
                    for c in conditions
                ),
                contraindications=tuple(
                    ContraindicationFacts(f, draw(st.sampled_from(["absolute", "relative"])), "note")
                    for f in flags
                ),
                uses_needles=draw(st.booleans()),
                pain=draw(st.integers(0, 3)),
                sessions=(sessions_min, sessions_min + draw(st.integers(0, 4))),
                downtime=(downtime_min, downtime_min + draw(st.integers(0, 10))),
                effect_weeks=(effect_min, effect_min + draw(st.integers(0, 12))),
                pih_risk_from_skin_type=draw(st.none() | st.integers(1, 6)),
                price=PriceFacts(per_session, tuple(packs)) if offered else None,
            )
        )
    return out


@st.composite
def profiles_st(draw) -> Profile:
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=4, unique=True))
    return Profile(
        concerns=tuple(ConcernIn(c, draw(st.integers(1, 4))) for c in conditions),
        flags=frozenset(draw(st.lists(st.sampled_from(FLAGS), max_size=3))),
        skin_type=draw(st.none() | st.integers(1, 6)),
        max_downtime_days=draw(st.none() | st.integers(0, 20)),
        budget_yen=draw(st.none() | st.integers(0, 2_000_000)),
        needles_ok=draw(st.booleans()),
        max_pain=draw(st.none() | st.integers(0, 3)),
        event_date=draw(st.none() | st.dates(TODAY - timedelta(days=30), TODAY + timedelta(days=200))),
        today=TODAY,
    )


def _is_candidate(t: TreatmentFacts, prof: Profile) -> bool:
    """Some concern's nearest rating (its own condition's, else its parent's) is not "not for"."""
    strength = {i.condition: i.strength for i in t.indications}
    for c in prof.concerns:
        nearest = next((strength[s] for s in (c.condition, PARENT[c.condition]) if s in strength), None)
        if nearest is not None and nearest != NOT_FOR:
            return True
    return False


@settings(max_examples=60, deadline=None)
@given(
    treatments=treatments_st(), prof=profiles_st(), language=st.sampled_from(["ja", "en"]), seed=st.integers()
)
def test_it_puts_every_candidate_in_exactly_one_list(treatments, prof, language, seed):
    result = suggest(prof, catalog(*treatments, language=language), language)
    names = listed(result)

    for t in treatments:
        assert names.count(t.slug) == (1 if _is_candidate(t, prof) else 0), t.slug
    assert all(0 <= s.score <= 100 for s in result.suggestions)
    assert [s.treatment for s in result.suggestions] == [
        s.treatment for s in sorted(result.suggestions, key=lambda s: (-s.score, s.treatment))
    ]
    assert all(r.code in CODES for s in result.suggestions for r in s.reasons + s.cautions)
    assert all(e.reasons for e in result.excluded)

    shuffled = list(treatments)
    random.Random(seed).shuffle(shuffled)
    assert suggest(prof, catalog(*shuffled, language=language), language).as_dict() == result.as_dict()


# --- PriceFacts.course_cost --------------------------------------------------------------------


@pytest.mark.parametrize("sessions, cost", [(0, 0), (1, 30_000), (4, 120_000)])
def test_it_prices_single_sessions(sessions, cost):
    assert PriceFacts(per_session_yen=30_000).course_cost(sessions) == cost


@pytest.mark.parametrize("sessions, cost", [(3, 75_000), (4, 105_000), (6, 150_000), (2, 60_000)])
def test_it_prices_a_three_pack(sessions, cost):
    assert PriceFacts(per_session_yen=30_000, courses=((3, 75_000),)).course_cost(sessions) == cost


def test_it_ignores_a_pack_dearer_than_singles():
    assert PriceFacts(per_session_yen=10_000, courses=((3, 35_000),)).course_cost(3) == 30_000


@pytest.mark.parametrize(
    "sessions, cost",
    [
        (3, 24_000),  # one 3-pack
        (5, 41_000),  # one 5-pack beats a 3-pack plus two singles (44,000)
        (6, 48_000),  # two 3-packs beat a 5-pack plus a single (51,000)
        (8, 65_000),  # a 5-pack and a 3-pack
        (4, 34_000),  # a 3-pack and a single
    ],
)
def test_it_picks_the_cheapest_mix_of_packs_and_singles(sessions, cost):
    price = PriceFacts(per_session_yen=10_000, courses=((5, 41_000), (3, 24_000)))
    assert price.course_cost(sessions) == cost
