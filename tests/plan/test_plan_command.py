"""`manage.py plan --plan PLAN.json [--language ja|en] [--out-dir DIR]` (design.md §10), on the real
fixtures (the demo clinic's sample prices)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import Offering

pytestmark = pytest.mark.django_db

EXAMPLE = {
    "clinic": "demo-clinic",
    "today": "2026-12-01",
    "items": [{"treatment": "dermapen-4", "sessions": 5, "interval_weeks": 4, "first_session": "2026-12-10"}],
}


def example(**changes) -> dict:
    return {**EXAMPLE, **changes}


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "PLAN.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_plan(tmp_path: Path, data: dict | str, **options) -> dict:
    out = io.StringIO()
    call_command("plan", plan=str(write(tmp_path, data)), stdout=out, **options)
    return json.loads(out.getvalue())


def dermapen_price(sessions: int) -> int:
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment__slug="dermapen-4")
    best = None
    for course in offering.course_prices.all():
        if course.sessions == sessions:
            best = course.price_yen
    return min(filter(None, [best, sessions * offering.price_per_session_yen]))


def test_the_design_example(tmp_path):
    result = run_plan(tmp_path, EXAMPLE)
    item = result["items"][0]
    assert item["treatment"] == "dermapen-4" and item["sessions"] == 5
    assert item["schedule"] == ["2026-12-10", "2027-01-07", "2027-02-04", "2027-03-04", "2027-04-01"]
    assert item["price_yen"] == dermapen_price(5) == result["total_yen"]
    assert result["service_period_days"] == 121
    law = result["specified_continuous_service"]
    assert law["applies"] is True
    assert [r["code"] for r in law["reasons"]] == ["period", "amount", "scope"]
    assert result["cooling_off_until"] is None  # nothing received yet
    assert "cancellation" not in result


def test_the_course_is_named_in_the_packs(tmp_path):
    item = run_plan(tmp_path, EXAMPLE)["items"][0]
    assert item["packs"] == [{"sessions": 5, "price_yen": dermapen_price(5), "count": 1}]
    assert item["is_sample_price"] is True and item["in_scope"] is True


def test_cooling_off_runs_8_days_from_the_receipt_day(tmp_path):
    result = run_plan(tmp_path, example(contract_document_received="2026-12-01"))
    assert result["cooling_off_until"] == "2026-12-08"


def test_a_cancellation_within_cooling_off_refunds_everything(tmp_path):
    result = run_plan(
        tmp_path,
        example(
            contract_document_received="2026-12-01",
            cancel={"date": "2026-12-05", "sessions_used": {"dermapen-4": 0}},
        ),
    )
    total = result["total_yen"]
    assert result["cancellation"] == {
        "kind": "cooling-off",
        "provided_yen": 0,
        "fee_cap_yen": 0,
        "refund_yen": total,
    }


def test_a_cancellation_before_the_first_session_after_cooling_off_caps_the_fee_at_20000(tmp_path):
    result = run_plan(
        tmp_path, example(contract_document_received="2026-12-01", cancel={"date": "2026-12-09"})
    )
    assert result["cancellation"]["kind"] == "mid-term"
    assert result["cancellation"]["fee_cap_yen"] == 20_000
    assert result["cancellation"]["refund_yen"] == result["total_yen"] - 20_000


def test_a_mid_term_cancellation_after_two_sessions(tmp_path):
    result = run_plan(
        tmp_path,
        example(
            contract_document_received="2026-12-01",
            cancel={"date": "2027-02-10", "sessions_used": {"dermapen-4": 2}},
        ),
    )
    total = result["total_yen"]
    provided = total * 2 // 5
    cap = min(50_000, (total - provided) // 5)
    assert result["cancellation"] == {
        "kind": "mid-term",
        "provided_yen": provided,
        "fee_cap_yen": cap,
        "refund_yen": total - provided - cap,
    }


def test_a_short_plan_is_outside_the_law(tmp_path):
    result = run_plan(
        tmp_path,
        example(items=[{"treatment": "dermapen-4", "sessions": 1, "first_session": "2026-12-10"}]),
    )
    law = result["specified_continuous_service"]
    assert law["applies"] is False
    assert [r["code"] for r in law["reasons"]][:2] == ["period-short", "amount-low"]
    assert result["cooling_off_until"] is None


def test_a_treatment_out_of_scope_alone_is_outside_the_law(tmp_path):
    result = run_plan(
        tmp_path, example(items=[{"treatment": "subcision", "sessions": 3, "first_session": "2026-12-10"}])
    )
    assert result["specified_continuous_service"]["applies"] is False
    assert result["specified_continuous_service"]["reasons"][2]["code"] == "not-in-scope"


def test_interval_defaults_to_the_shortest_and_first_session_to_the_contract_day(tmp_path):
    result = run_plan(tmp_path, example(items=[{"treatment": "potenza", "sessions": 3}]))
    assert result["items"][0]["interval_weeks"] == 4
    assert result["items"][0]["schedule"] == ["2026-12-01", "2026-12-29", "2027-01-26"]


def test_reasons_in_english(tmp_path):
    result = run_plan(tmp_path, EXAMPLE, language="en")
    assert "exceeds one month" in result["specified_continuous_service"]["reasons"][0]["text"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "plan is not valid JSON"),
        (
            example(items=[{"treatment": "no-such", "sessions": 3}]),
            "items[0].treatment: unknown treatment 'no-such'",
        ),
        (
            example(items=[{"treatment": "dermapen-4", "sessions": 0}]),
            "items[0].sessions must be between 1 and 100, got 0",
        ),
        (
            example(items=[{"treatment": "dermapen-4", "sessions": "5"}]),
            "items[0].sessions must be a whole number",
        ),
        (example(items=[{"treatment": "dermapen-4"}]), "items[0].sessions is missing"),
        (example(today="2026-13-01"), 'today must be a date like 2026-12-01, got "2026-13-01"'),
        (
            example(items=[{"treatment": "dermapen-4", "sessions": 2, "first_session": "10/12/2026"}]),
            "items[0].first_session must be a date",
        ),
        (example(contract_document_received="yesterday"), "contract_document_received must be a date"),
        (
            example(cancel={"date": "2026-12-05", "sessions_used": {"potenza": 1}}),
            "'potenza' is not in the plan",
        ),
        (example(cancel={"date": "2026-12-05", "sessions_used": {"dermapen-4": 6}}), "between 0 and 5"),
        (example(items=[]), "items must be a non-empty list"),
        (example(clinic="nowhere"), "unknown clinic: nowhere"),
        (example(extra=1), "unknown key in plan: extra"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, data, message):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("plan", plan=str(write(tmp_path, data)), stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 2
    line = err.getvalue().strip()
    assert "\n" not in line and message in line


def test_a_treatment_the_clinic_does_not_offer_is_refused(tmp_path):
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="dermapen-4").update(active=False)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("plan", plan=str(write(tmp_path, EXAMPLE)), stdout=io.StringIO(), stderr=err)
    assert "dermapen-4 is not offered by demo-clinic" in err.getvalue()


def test_from_a_shell_bad_input_is_one_line_on_stderr_and_status_2(tmp_path):
    path = write(tmp_path, example(items=[{"treatment": "dermapen-4", "sessions": 0}]))
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "plan", "--plan", str(path), "--bogus"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
