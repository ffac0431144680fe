"""The plan's arithmetic and the law's thresholds (consult/plan.py), pinned at every edge. No database."""

from __future__ import annotations

from datetime import date

import pytest

from consult.engine import PriceFacts
from consult.plan import (
    Pack,
    PlanItem,
    cancellation,
    cooling_off_until,
    mid_term_fee_cap_yen,
    one_month_ends,
    price_mix,
    provided_value_yen,
    schedule,
    service_period_days,
    specified_continuous_service,
)

D = date.fromisoformat


def item(
    price_yen: int, *, sessions: int = 5, first: str = "2026-12-10", weeks: int = 4, in_scope=True, slug="t"
):
    return PlanItem(
        treatment=slug,
        name=slug.upper(),
        sessions=sessions,
        interval_weeks=weeks,
        first_session=D(first),
        price=price_mix(PriceFacts(per_session_yen=price_yen // sessions), sessions)
        if price_yen % sessions == 0
        else price_mix(PriceFacts(per_session_yen=price_yen, courses=((sessions, price_yen),)), sessions),
        in_scope=in_scope,
    )


# --- schedule ---------------------------------------------------------------------------------


def test_schedule_is_first_session_then_every_interval():
    assert schedule(D("2026-12-10"), 5, 4) == [
        D("2026-12-10"),
        D("2027-01-07"),
        D("2027-02-04"),
        D("2027-03-04"),
        D("2027-04-01"),
    ]


def test_one_session_is_just_the_first():
    assert schedule(D("2026-12-10"), 1, 4) == [D("2026-12-10")]


def test_schedule_refuses_no_sessions():
    with pytest.raises(ValueError):
        schedule(D("2026-12-10"), 0, 4)


# --- price ------------------------------------------------------------------------------------


def test_price_mix_names_the_course_and_the_singles():
    price = PriceFacts(per_session_yen=25_000, courses=((3, 66_000), (5, 100_000)))
    mix = price_mix(price, 7)
    assert mix.total_yen == price.course_cost(7) == 150_000
    assert mix.packs == (Pack(5, 100_000, 1), Pack(1, 25_000, 2))
    assert [p.sessions for p in mix.courses] == [5]


def test_price_mix_takes_a_course_twice_when_cheapest():
    price = PriceFacts(per_session_yen=25_000, courses=((3, 60_000),))
    assert price_mix(price, 6).packs == (Pack(3, 60_000, 2),)


def test_price_mix_without_courses_is_singles():
    mix = price_mix(PriceFacts(per_session_yen=30_000), 3)
    assert mix.total_yen == 90_000 and mix.packs == (Pack(1, 30_000, 3),) and mix.courses == ()


def test_price_mix_skips_a_course_dearer_than_singles():
    mix = price_mix(PriceFacts(per_session_yen=10_000, courses=((3, 35_000),)), 3)
    assert mix.total_yen == 30_000 and mix.courses == ()


def test_price_mix_of_equal_cost_prefers_the_course():
    mix = price_mix(PriceFacts(per_session_yen=20_000, courses=((3, 60_000),)), 3)
    assert mix.packs == (Pack(3, 60_000, 1),)


# --- service period and the one-month edge ---------------------------------------------------


def test_service_period_runs_from_contract_day_to_last_session():
    assert service_period_days(D("2026-12-01"), D("2027-04-01")) == 121


@pytest.mark.parametrize(
    ("contract", "ends"),
    [
        ("2026-12-01", "2027-01-01"),
        ("2026-11-30", "2026-12-31"),  # counting starts on the 1st: ends at that month's end
        ("2027-01-30", "2027-02-28"),  # no 31 February: the end of February
        ("2027-01-31", "2027-02-28"),
        ("2028-01-30", "2028-02-29"),  # leap year
        ("2027-02-28", "2027-03-31"),
        ("2026-12-31", "2027-01-31"),
        ("2027-03-15", "2027-04-15"),
    ],
)
def test_one_month_is_counted_as_the_civil_code_counts(contract, ends):
    assert one_month_ends(D(contract)) == D(ends)


def law(items, contract="2026-12-01", language="ja", goods=0):
    return specified_continuous_service(items, D(contract), language, goods)


def test_the_law_applies_over_one_month_over_50000_in_scope():
    result = law([item(110_000)])
    assert result.applies
    assert [r.code for r in result.reasons] == ["period", "amount", "scope"]


def test_exactly_one_month_does_not_exceed_it():
    # contract 12-01, one session on 01-01: exactly one month
    result = law([item(60_000, sessions=1, first="2027-01-01")])
    assert not result.applies
    assert result.reasons[0].code == "period-short"
    assert "2027年1月1日" in result.reasons[0].text


def test_one_day_past_one_month_exceeds_it():
    assert law([item(60_000, sessions=1, first="2027-01-02")]).applies


def test_exactly_50000_does_not_exceed_it():
    result = law([item(50_000)])
    assert not result.applies
    assert result.reasons[1].code == "amount-low" and "50,000円" in result.reasons[1].text


def test_50001_exceeds_it():
    assert law([item(50_001)]).applies


def test_related_goods_count_towards_the_amount():
    assert not law([item(45_000)]).applies
    assert law([item(45_000)], goods=5_001).applies


def test_amount_adds_up_every_item():
    assert law([item(30_000, slug="a"), item(30_000, slug="b", in_scope=False)]).applies


def test_no_treatment_in_scope_means_the_law_does_not_apply():
    result = law([item(200_000, in_scope=False)])
    assert not result.applies
    assert result.reasons[2].code == "not-in-scope"


def test_reasons_in_english():
    result = law([item(110_000)], language="en")
    assert "exceeds one month" in result.reasons[0].text and "¥110,000" in result.reasons[1].text


# --- cooling-off ------------------------------------------------------------------------------


def test_cooling_off_counts_the_receipt_day():
    assert cooling_off_until(D("2026-12-01")) == D("2026-12-08")
    assert cooling_off_until(D("2026-12-28")) == D("2027-01-04")


def cancel(items, day, used=None, received="2026-12-01"):
    return cancellation(items, law(items), D(day), used or {}, D(received) if received else None)


def test_cancelling_on_the_last_cooling_off_day_refunds_everything():
    result = cancel([item(110_000)], "2026-12-08", {"t": 1})
    assert (result.kind, result.fee_cap_yen, result.refund_yen) == ("cooling-off", 0, 110_000)


def test_cancelling_the_day_after_is_mid_term():
    result = cancel([item(110_000)], "2026-12-09")
    assert (result.kind, result.fee_cap_yen, result.refund_yen) == ("mid-term", 20_000, 90_000)


def test_without_a_received_contract_document_cooling_off_has_not_started():
    result = cancel([item(110_000)], "2027-03-01", {"t": 3}, received=None)
    assert (result.kind, result.refund_yen) == ("cooling-off", 110_000)


# --- mid-term cancellation --------------------------------------------------------------------


def test_cap_before_the_service_starts_is_20000():
    assert mid_term_fee_cap_yen(300_000, 0, started=False) == 20_000


def test_cap_after_start_is_20_percent_of_what_is_left_when_lower():
    # 5 × 22,000; 2 provided = 44,000; 66,000 left; 20 % = 13,200
    result = cancel([item(110_000)], "2027-02-10", {"t": 2})
    assert (result.kind, result.provided_yen, result.fee_cap_yen, result.refund_yen) == (
        "mid-term",
        44_000,
        13_200,
        52_800,
    )


def test_cap_after_start_is_50000_when_20_percent_is_more():
    # 10 × 60,000 = 600,000; 1 provided; 540,000 left; 20 % = 108,000 > 50,000
    result = cancel([item(600_000, sessions=10)], "2027-01-10", {"t": 1})
    assert (result.provided_yen, result.fee_cap_yen, result.refund_yen) == (60_000, 50_000, 490_000)


def test_cap_at_exactly_250000_left_is_50000_either_way():
    assert mid_term_fee_cap_yen(300_000, 50_000, started=True) == 50_000


def test_provided_sessions_are_paid_at_the_contract_unit_price_not_the_single_price():
    # a 5-session course at 100,000 (singles 25,000): one provided session is worth 20,000
    plan_item = PlanItem(
        "t", "T", 5, 4, D("2026-12-10"), price_mix(PriceFacts(25_000, ((5, 100_000),)), 5), True
    )
    assert provided_value_yen(plan_item, 1) == 20_000


def test_unit_price_rounds_down_in_the_patients_favour():
    plan_item = PlanItem(
        "t", "T", 3, 4, D("2026-12-10"), price_mix(PriceFacts(40_000, ((3, 100_000),)), 3), True
    )
    assert provided_value_yen(plan_item, 1) == 33_333


def test_every_session_provided_leaves_nothing_to_refund():
    result = cancel([item(110_000)], "2027-04-02", {"t": 5})
    assert (result.provided_yen, result.fee_cap_yen, result.refund_yen) == (110_000, 0, 0)


def test_used_sessions_over_the_plan_are_refused():
    with pytest.raises(ValueError):
        cancel([item(110_000)], "2027-02-10", {"t": 6})


def test_outside_the_law_no_statutory_figure_is_given():
    result = cancel([item(50_000)], "2027-02-10", {"t": 1})
    assert (result.kind, result.fee_cap_yen, result.refund_yen) == ("not-covered", None, None)


def test_several_items_share_one_cap():
    items = [item(110_000, slug="a"), item(90_000, sessions=3, slug="b")]
    result = cancel(items, "2027-02-10", {"a": 1})
    # provided 22,000; left 178,000; 20 % = 35,600
    assert (result.provided_yen, result.fee_cap_yen, result.refund_yen) == (22_000, 35_600, 142_400)


def test_downtime_over_the_event_names_the_sessions():
    plan_item = PlanItem(
        "t", "T", 3, 4, D("2026-12-10"), price_mix(PriceFacts(10_000), 3), True, downtime_days_max=5
    )
    # sessions 12-10, 01-07, 02-04; the downtime after 01-07 runs to 01-12
    assert plan_item.downtime_over(D("2027-01-12")) == [D("2027-01-07")]
    assert plan_item.downtime_over(D("2027-01-13")) == []
    assert plan_item.downtime_over(D("2026-12-10")) == [D("2026-12-10")]
