"""A treatment plan's arithmetic and the Specified Commercial Transactions Act (design.md §10).

Plain, deterministic Python over plain data, like `consult/engine.py`: no database. The `plan`
command, the plan views and the documents all take their figures from here.

- A schedule is the first session, then one session every `interval_weeks`.
- A price is the cheapest mix of single sessions and course packs: the total is
  `engine.PriceFacts.course_cost`, and the mix is read back from it (`price_mix`).
- The service period runs from the contract day to the last session.
- 特定継続的役務提供 (美容医療) applies when the period **exceeds** one month, the amount (services
  plus related goods) **exceeds** ¥50,000, and at least one treatment is in scope. "Exceeds" is
  strict: a period of exactly one month, or exactly ¥50,000, does not qualify. One month is counted
  as the Civil Code counts it (民法 140条, 143条): from the day after the contract day, ending the day
  before the corresponding day of the next month (or at that month's end) — contract on 12-01, one
  month ends on 01-01, so a last session on 01-02 exceeds it.
- Cooling-off lasts 8 days counting the day the patient received the contract document
  (received 12-01 → until 12-08). While the document has not been received it has not started.
- Mid-term cancellation (中途解約): before the service starts the fee is capped at ¥20,000; after,
  at the lower of ¥50,000 and 20 % of the price of the services not yet provided, and the services
  already provided are paid at the contract's unit price. The refund assumes the total was paid in
  advance and that the clinic charges the full cap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from consult.engine import Language, PriceFacts, Reason, format_date

AMOUNT_THRESHOLD_YEN = 50_000  # the amount must exceed this (特定商取引法施行令 11条)
COOLING_OFF_DAYS = 8  # counting the day the contract document was received (48条)
FEE_CAP_BEFORE_START_YEN = 20_000  # 美容医療, before the service starts (施行令 別表第五)
FEE_CAP_AFTER_START_YEN = 50_000  # ... after: the lower of this and 20 % of what is not yet provided
FEE_CAP_AFTER_START_SHARE = (1, 5)  # 20 %, as a fraction so yen never pass through a float


# --- schedule and price ------------------------------------------------------------------------


def schedule(first_session: date, sessions: int, interval_weeks: int) -> list[date]:
    """The days of `sessions` sessions: the first, then one every `interval_weeks` weeks."""
    if sessions < 1:
        raise ValueError("sessions must be at least 1")
    return [first_session + timedelta(weeks=n * interval_weeks) for n in range(sessions)]


@dataclass(frozen=True)
class Pack:
    """`count` purchases of a pack of `sessions` sessions at `price_yen` each (sessions == 1: singles)."""

    sessions: int
    price_yen: int
    count: int

    @property
    def is_course(self) -> bool:
        return self.sessions > 1


@dataclass(frozen=True)
class PriceMix:
    total_yen: int
    packs: tuple[Pack, ...]  # largest pack first

    @property
    def courses(self) -> tuple[Pack, ...]:
        return tuple(p for p in self.packs if p.is_course)


def price_mix(price: PriceFacts, sessions: int) -> PriceMix:
    """The cheapest way to buy `sessions` sessions, with the packs that make it up.

    The total is `PriceFacts.course_cost`; the mix is read back by taking, at each step, the largest
    pack that keeps the remainder on the cheapest path (so of two equally cheap mixes the one with
    the larger course wins, and the result never varies).
    """
    if sessions < 1:
        raise ValueError("sessions must be at least 1")
    packs = sorted({(1, price.per_session_yen), *price.courses}, key=lambda p: (-p[0], p[1]))
    counts: dict[tuple[int, int], int] = {}
    left = sessions
    while left:
        cost = price.course_cost(left)
        size, yen = next(p for p in packs if p[0] <= left and p[1] + price.course_cost(left - p[0]) == cost)
        counts[(size, yen)] = counts.get((size, yen), 0) + 1
        left -= size
    return PriceMix(
        total_yen=price.course_cost(sessions),
        packs=tuple(Pack(size, yen, n) for (size, yen), n in counts.items()),
    )


# --- the law ----------------------------------------------------------------------------------


def one_month_ends(contract_day: date) -> date:
    """The last day of a one-month period that follows `contract_day` (民法 140条, 143条).

    The contract day itself is not counted; a period starting on the 1st ends at that month's end;
    otherwise it ends the day before the corresponding day of the next month, or at the end of that
    month when it has no such day.
    """
    start = contract_day + timedelta(days=1)
    if start.day == 1:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    if start.day > calendar.monthrange(year, month)[1]:
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(year, month, start.day) - timedelta(days=1)


def service_period_days(contract_day: date, last_session: date) -> int:
    """Days from the contract day to the last session (12-01 → 04-01 is 121)."""
    return (last_session - contract_day).days


def cooling_off_until(received: date) -> date:
    """The last day of cooling-off: 8 days counting the day the contract document was received."""
    return received + timedelta(days=COOLING_OFF_DAYS - 1)


@dataclass(frozen=True)
class PlanItem:
    treatment: str  # slug
    name: str
    sessions: int
    interval_weeks: int
    first_session: date
    price: PriceMix
    in_scope: bool  # 特定継続的役務提供 (美容医療) covers this treatment
    is_sample_price: bool = False  # demo data: the clinic's prices are samples
    per_session_yen: int | None = None  # the clinic's price of a single session
    downtime_days_max: int = 0  # the longest downtime after a session

    def downtime_over(self, event: date) -> list[date]:
        """The sessions whose longest downtime is not over before `event` (the downtime takes the
        `downtime_days_max` days after the session, as in the engine's event rule)."""
        return [d for d in self.schedule if d <= event <= d + timedelta(days=self.downtime_days_max)]

    @property
    def unit_price_yen(self) -> int:
        """The contract's unit price: what one session costs in this plan (rounded down)."""
        return self.price_yen // self.sessions

    @property
    def schedule(self) -> list[date]:
        return schedule(self.first_session, self.sessions, self.interval_weeks)

    @property
    def price_yen(self) -> int:
        return self.price.total_yen


@dataclass(frozen=True)
class LawTest:
    applies: bool
    reasons: tuple[Reason, ...]


MESSAGES: dict[str, dict[str, str]] = {
    "period": {
        "ja": "役務の提供期間（契約日{contract}から最終回{last}まで）が1か月（{month_end}まで）を超えます。",
        "en": "The service period (from the contract day, {contract}, to the last session, {last}) exceeds "
        "one month (which ends on {month_end}).",
    },
    "period-short": {
        "ja": "役務の提供期間（契約日{contract}から最終回{last}まで）は1か月（{month_end}まで）を超えません。",
        "en": "The service period (from the contract day, {contract}, to the last session, {last}) does not "
        "exceed one month (which ends on {month_end}).",
    },
    "amount": {
        "ja": "契約金額（関連商品を含む、税込）{total}円が5万円を超えます。",
        "en": "The amount (related goods included, tax incl.) of ¥{total} exceeds ¥50,000.",
    },
    "amount-low": {
        "ja": "契約金額（関連商品を含む、税込）{total}円は5万円を超えません。",
        "en": "The amount (related goods included, tax incl.) of ¥{total} does not exceed ¥50,000.",
    },
    "scope": {
        "ja": "美容医療として政令の対象となる施術を含みます：{names}。",
        "en": "It includes treatments that fall under cosmetic medicine as the law defines it: {names}.",
    },
    "not-in-scope": {
        "ja": "美容医療として政令の対象となる施術を含みません。",
        "en": "It includes no treatment that falls under cosmetic medicine as the law defines it.",
    },
}


def _yen(amount: int) -> str:
    return f"{amount:,}"


def specified_continuous_service(
    items: list[PlanItem], contract_day: date, language: Language, related_goods_yen: int = 0
) -> LawTest:
    """Whether 特定継続的役務提供 (美容医療) applies, with a reason for each of the three tests."""
    last = max(d for item in items for d in item.schedule)
    month_end = one_month_ends(contract_day)
    total = sum(item.price_yen for item in items) + related_goods_yen
    in_scope = [item.name for item in items if item.in_scope]
    dates = {
        "contract": format_date(contract_day, language),
        "last": format_date(last, language),
        "month_end": format_date(month_end, language),
    }
    long_enough = last > month_end
    costly_enough = total > AMOUNT_THRESHOLD_YEN
    separator = "、" if language == "ja" else ", "
    reasons = (
        Reason(
            "period" if long_enough else "period-short",
            MESSAGES["period" if long_enough else "period-short"][language].format(**dates),
        ),
        Reason(
            "amount" if costly_enough else "amount-low",
            MESSAGES["amount" if costly_enough else "amount-low"][language].format(total=_yen(total)),
        ),
        Reason("scope", MESSAGES["scope"][language].format(names=separator.join(in_scope)))
        if in_scope
        else Reason("not-in-scope", MESSAGES["not-in-scope"][language]),
    )
    return LawTest(long_enough and costly_enough and bool(in_scope), reasons)


# --- cancellation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cancellation:
    kind: str  # "cooling-off", "mid-term" or "not-covered" (the law does not apply: the contract's terms)
    provided_yen: int | None  # services already provided, at the contract's unit price
    fee_cap_yen: int | None
    refund_yen: int | None  # assuming the total was paid in advance and the full cap is charged

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "provided_yen": self.provided_yen,
            "fee_cap_yen": self.fee_cap_yen,
            "refund_yen": self.refund_yen,
        }


def provided_value_yen(item: PlanItem, sessions_used: int) -> int:
    """The sessions already provided, at the contract's unit price (item price ÷ sessions), rounded
    down in the patient's favour."""
    if not 0 <= sessions_used <= item.sessions:
        raise ValueError(f"sessions used for {item.treatment} must be between 0 and {item.sessions}")
    return item.price_yen * sessions_used // item.sessions


def mid_term_fee_cap_yen(total_yen: int, provided_yen: int, started: bool) -> int:
    """The most the clinic may charge on top of the services provided (美容医療, 49条 2項)."""
    if not started:
        return min(FEE_CAP_BEFORE_START_YEN, total_yen)
    numerator, denominator = FEE_CAP_AFTER_START_SHARE
    return min(FEE_CAP_AFTER_START_YEN, (total_yen - provided_yen) * numerator // denominator)


def cancellation(
    items: list[PlanItem],
    law: LawTest,
    cancel_day: date,
    sessions_used: dict[str, int],
    received: date | None,
    related_goods_yen: int = 0,
) -> Cancellation:
    """What a cancellation on `cancel_day` costs, when `sessions_used` sessions of each treatment
    (by slug; missing: 0) have been provided.

    Within cooling-off — or at any time while the contract document has not been received, since
    the 8 days have not started — the patient owes nothing and gets everything back (48条). After
    it, the mid-term caps apply. When the law does not apply, the contract's own terms decide and
    no figure is given.
    """
    total = sum(item.price_yen for item in items) + related_goods_yen
    if not law.applies:
        return Cancellation("not-covered", None, None, None)
    if received is None or cancel_day <= cooling_off_until(received):
        return Cancellation("cooling-off", 0, 0, total)
    provided = sum(provided_value_yen(item, sessions_used.get(item.treatment, 0)) for item in items)
    started = any(sessions_used.get(item.treatment, 0) for item in items)
    cap = mid_term_fee_cap_yen(total, provided, started)
    return Cancellation("mid-term", provided, cap, max(0, total - provided - cap))
