"""Read a PLAN.json (design.md §10) into the plan's plain data, and the `plan` command's JSON answer.

Every problem raises `PlanError` with one line naming the offending key; `manage.py plan` turns it
into exit status 2 (the `ProfileCommand` pattern of `consult/profile.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from catalog.models import Clinic, Treatment
from consult.engine import TreatmentFacts
from consult.facts import catalog_facts
from consult.plan import (
    Cancellation,
    LawTest,
    PlanItem,
    cancellation,
    cooling_off_until,
    price_mix,
    service_period_days,
    specified_continuous_service,
)
from consult.profile import ProfileError, clinic_and_language, load_json

KNOWN_KEYS = {"clinic", "today", "items", "contract_document_received", "cancel", "language"}
ITEM_KEYS = {"treatment", "sessions", "interval_weeks", "first_session"}
MAX_SESSIONS = 100


class PlanError(ProfileError):
    pass


@dataclass(frozen=True)
class ItemSpec:
    """One treatment of a plan as chosen: what `plan_items` prices and schedules."""

    treatment: str
    sessions: int
    interval_weeks: int | None = None  # None: the treatment's shortest interval
    first_session: date | None = None  # None: the contract day plus the treatment's lead time


@dataclass(frozen=True)
class ParsedPlan:
    clinic: Clinic
    today: date  # the contract day
    language: str
    items: list[PlanItem]
    received: date | None = None
    cancel_day: date | None = None
    sessions_used: dict[str, int] = field(default_factory=dict)


def _date(data: dict, key: str, where: str = "") -> date | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise PlanError(
            f"{where}{key} must be a date like 2026-12-01, got {json.dumps(value, ensure_ascii=False)}"
        ) from None


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError(f"{name} must be a whole number, got {json.dumps(value, ensure_ascii=False)}")
    if not low <= value <= high:
        raise PlanError(f"{name} must be between {low} and {high}, got {value}")
    return value


def plan_items(clinic: Clinic, specs: list[ItemSpec], today: date, language: str) -> list[PlanItem]:
    """Price and schedule the chosen treatments at this clinic. Raises PlanError naming an unknown
    treatment, one the clinic does not offer, or a first session before the contract day."""
    facts: dict[str, TreatmentFacts] = {t.slug: t for t in catalog_facts(clinic, language).treatments}
    scope = {
        t.slug: t.in_scta_scope
        for t in Treatment.objects.filter(slug__in=[s.treatment for s in specs]).only(
            "slug", "scta_purpose", "scta_method"
        )
    }
    items = []
    for n, spec in enumerate(specs):
        treatment = facts.get(spec.treatment)
        if treatment is None:
            raise PlanError(f"items[{n}].treatment: unknown treatment {spec.treatment!r}")
        if treatment.price is None:
            raise PlanError(f"items[{n}].treatment: {spec.treatment} is not offered by {clinic.slug}")
        first = spec.first_session or treatment.timing.first_session(today)
        if first < today:
            raise PlanError(f"items[{n}].first_session: {first.isoformat()} is before the contract day")
        items.append(
            PlanItem(
                treatment=treatment.slug,
                name=treatment.name,
                sessions=spec.sessions,
                interval_weeks=spec.interval_weeks or treatment.interval_weeks_min,
                first_session=first,
                price=price_mix(treatment.price, spec.sessions),
                in_scope=scope.get(treatment.slug, False),
                is_sample_price=treatment.price.is_sample,
                per_session_yen=treatment.price.per_session_yen,
                downtime_days_max=treatment.downtime_days_max,
            )
        )
    return items


def parse_plan_text(text: str, language: str | None = None) -> ParsedPlan:
    return parse_plan(load_json(text, "plan", PlanError), language)


def parse_plan(data: Any, language: str | None = None) -> ParsedPlan:
    clinic, language = clinic_and_language(data, KNOWN_KEYS, "plan", language, PlanError)
    today = _date(data, "today") or timezone.localdate()

    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise PlanError("items must be a non-empty list")
    specs: list[ItemSpec] = []
    for n, raw in enumerate(raw_items):
        where = f"items[{n}]."
        if not isinstance(raw, dict):
            raise PlanError(f"items[{n}] must be an object")
        extra = sorted(set(raw) - ITEM_KEYS)
        if extra:
            raise PlanError(f"items[{n}]: unknown key {extra[0]}")
        slug = raw.get("treatment")
        if not isinstance(slug, str):
            raise PlanError(f"{where}treatment must be a treatment slug")
        if any(s.treatment == slug for s in specs):
            raise PlanError(f"{where}treatment: {slug} is listed twice")
        if "sessions" not in raw:
            raise PlanError(f"{where}sessions is missing")
        sessions = _whole(raw["sessions"], f"{where}sessions", 1, MAX_SESSIONS)
        interval = raw.get("interval_weeks")
        if interval is not None:
            interval = _whole(interval, f"{where}interval_weeks", 1, 104)
        specs.append(ItemSpec(slug, sessions, interval, _date(raw, "first_session", where)))
    items = plan_items(clinic, specs, today, language)

    received = _date(data, "contract_document_received")
    if received is not None and received < today:
        raise PlanError("contract_document_received is before the contract day (today)")

    cancel_day, used = None, {}
    cancel = data.get("cancel")
    if cancel is not None:
        if not isinstance(cancel, dict):
            raise PlanError("cancel must be an object")
        extra = sorted(set(cancel) - {"date", "sessions_used"})
        if extra:
            raise PlanError(f"cancel: unknown key {extra[0]}")
        cancel_day = _date(cancel, "date", "cancel.")
        if cancel_day is None:
            raise PlanError("cancel.date is missing")
        if cancel_day < today:
            raise PlanError("cancel.date is before the contract day (today)")
        raw_used = cancel.get("sessions_used", {})
        if not isinstance(raw_used, dict):
            raise PlanError("cancel.sessions_used must be an object of treatment slug → sessions")
        planned = {item.treatment: item for item in items}
        for slug, value in raw_used.items():
            if slug not in planned:
                raise PlanError(f"cancel.sessions_used: {slug!r} is not in the plan")
            used[slug] = _whole(value, f"cancel.sessions_used.{slug}", 0, planned[slug].sessions)
    return ParsedPlan(clinic, today, language, items, received, cancel_day, used)


@dataclass(frozen=True)
class PlanOutcome:
    """Everything the plan's figures say: what the JSON, the screens and the documents show."""

    items: list[PlanItem]
    contract_day: date
    law: LawTest
    cooling_off_until: date | None
    cancellation: Cancellation | None

    @property
    def total_yen(self) -> int:
        return sum(item.price_yen for item in self.items)

    @property
    def last_session(self) -> date:
        return max(item.schedule[-1] for item in self.items)

    @property
    def service_period_days(self) -> int:
        return service_period_days(self.contract_day, self.last_session)


def outcome(parsed: ParsedPlan) -> PlanOutcome:
    law = specified_continuous_service(parsed.items, parsed.today, parsed.language)
    until = cooling_off_until(parsed.received) if law.applies and parsed.received else None
    cancelled = (
        cancellation(parsed.items, law, parsed.cancel_day, parsed.sessions_used, parsed.received)
        if parsed.cancel_day is not None
        else None
    )
    return PlanOutcome(parsed.items, parsed.today, law, until, cancelled)


def as_json(result: PlanOutcome) -> dict:
    data = {
        "items": [
            {
                "treatment": item.treatment,
                "sessions": item.sessions,
                "interval_weeks": item.interval_weeks,
                "schedule": [d.isoformat() for d in item.schedule],
                "price_yen": item.price_yen,
                "packs": [
                    {"sessions": p.sessions, "price_yen": p.price_yen, "count": p.count}
                    for p in item.price.packs
                ],
                "in_scope": item.in_scope,
                "is_sample_price": item.is_sample_price,
            }
            for item in result.items
        ],
        "total_yen": result.total_yen,
        "service_period_days": result.service_period_days,
        "specified_continuous_service": {
            "applies": result.law.applies,
            "reasons": [r.as_dict() for r in result.law.reasons],
        },
        "cooling_off_until": result.cooling_off_until.isoformat() if result.cooling_off_until else None,
    }
    if result.cancellation is not None:
        data["cancellation"] = result.cancellation.as_dict()
    return data
