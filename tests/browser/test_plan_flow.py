"""From a signed-off consultation to a signed plan and the law's papers, in a real browser on a
tablet (820×1180) and a laptop: the counselor prepares the plan, the physician signs it, the counselor
issues the estimate, the overview and the contract document, and records the day the patient
received it; the cooling-off deadline shows."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import SAVE_TIMEOUT_MS, log_in_context, pdftotext, squash, watch_for_errors
from tests.browser.scenes import consultation_with_options
from tests.conftest import sign_off

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}
SHOTS = os.environ.get("PLAN_SCREENSHOTS")  # a directory to keep the screenshots in


@pytest.fixture
def new_context_at(browser, browser_context_args):
    contexts = []

    def make(viewport: dict):
        context = browser.new_context(**{**browser_context_args, "viewport": viewport})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def open_page(new_context_at, live_server, user, viewport, url) -> Page:
    context = new_context_at(viewport)
    log_in_context(context, user, live_server.url)
    page = context.new_page()
    page.goto(url)
    return page


def issue(page: Page, label: str) -> None:
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/plan/" not in r.url, timeout=SAVE_TIMEOUT_MS
    ) as response:
        page.get_by_role("button", name=label).click()
    assert response.value.status == 200, f"{label}: HTTP {response.value.status}"
    expect(page.locator(".htmx-request")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_plan_signed_and_contract_papers_issued(
    live_server, new_context_at, counselor, physician, demo_clinic, viewport, tmp_path
):
    consultation = consultation_with_options(
        counselor, demo_clinic, chart_number="C-3001", display_name="契約 花子", options=("dermapen-4",)
    )
    sign_off(consultation, physician)
    shots = Path(SHOTS) if SHOTS else tmp_path
    shot = shots / f"plan-{viewport['width']}x{viewport['height']}"
    url = f"/consultations/{consultation.public_id}/plan/"

    # The counselor opens the plan from the workspace's card and adds a five-session course.
    desk = open_page(
        new_context_at, live_server, counselor, viewport, f"/consultations/{consultation.public_id}/"
    )
    errors = watch_for_errors(desk)
    desk.locator("#plan-card a").click()
    expect(desk).to_have_url(f"{live_server.url}{url}")
    desk.locator("#id_treatment").select_option("dermapen-4")
    desk.locator("#id_sessions").fill("5")
    first = timezone.localdate() + timedelta(days=9)
    desk.locator("#id_first_session").fill(first.isoformat())
    desk.get_by_role("button", name="計画に追加").click()
    expect(desk.locator("table.plan-items")).to_contain_text("ダーマペン4")
    expect(desk.locator("table.plan-items")).to_contain_text((first + timedelta(weeks=16)).isoformat())
    expect(desk.locator("#plan-signature")).to_contain_text("医師の署名待ち")
    expect(desk.locator("#plan-law")).to_contain_text("特定商取引法が適用されます")
    desk.screenshot(path=f"{shot}-1-prepared.png", full_page=True)

    # The physician signs it.
    doctor = open_page(new_context_at, live_server, physician, viewport, url)
    doctor.get_by_role("button", name="この計画に署名する").click()
    expect(doctor.locator("#plan-signature")).to_contain_text("署名しました")

    # The counselor issues the papers, in the law's order.
    desk.reload()
    issue(desk, "見積書を発行")
    issue(desk, "概要書面を発行")
    issue(desk, "契約書面を発行")
    papers = desk.locator("#plan-documents table")
    expect(papers.locator("tbody tr")).to_have_count(3)
    expect(desk.locator("#plan-law")).to_contain_text("紙でお渡しください")
    with desk.expect_download() as download:
        desk.locator("#plan-documents tbody tr").first.get_by_role("link").click()
    pdf = tmp_path / "contract.pdf"
    download.value.save_as(pdf)
    text = squash(pdftotext(pdf))
    assert "契約書面" in text and "クーリング・オフ" in text and "契約花子" in text

    # The day the patient received the contract document: cooling-off runs 8 days from it.
    today = timezone.localdate()
    desk.reload()
    desk.locator("#id_received").fill(today.isoformat())
    desk.get_by_role("button", name="受領日を記録").click()
    expect(desk.locator("#plan-law")).to_contain_text(
        f"クーリング・オフは{(today + timedelta(days=7)).isoformat()}まで"
    )
    desk.screenshot(path=f"{shot}-2-contracted.png", full_page=True)
    assert not errors
