"""A handout that takes longer than the request waits (issue 13, target 3), at 1280×800 and 820×1180:
the card says the PDF is being prepared, the counselor keeps working, and the card polls until the
document is stored, then offers it as usual."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consult.documents import rendering
from tests.browser.conftest import log_in_context, watch_for_errors
from tests.browser.scenes import consultation_with_options
from tests.conftest import sign_off

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}
SHOTS = Path("/tmp/speedbench")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_card_says_preparing_then_offers_the_pdf(
    browser, browser_context_args, live_server, counselor, physician, demo_clinic, viewport, settings
):
    settings.RENDER_BACKEND = "pool"
    settings.RENDER_WAIT_SECONDS = 0  # the request never waits: the poll always runs
    rendering.pool()
    consultation = consultation_with_options(counselor, demo_clinic)
    sign_off(consultation, physician)
    context = browser.new_context(**{**browser_context_args, "viewport": viewport})
    log_in_context(context, counselor, live_server.url)
    page: Page = context.new_page()
    errors = watch_for_errors(page)
    page.goto(f"/consultations/{consultation.public_id}/")
    page.locator("#handout-issue button[type=submit]").click()
    preparing = page.locator("#handout-pending")
    expect(preparing).to_contain_text("PDFを作成しています", timeout=30_000)
    SHOTS.mkdir(exist_ok=True)
    preparing.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"pending-{viewport['width']}.png"))
    notice = page.locator("#handouts .notice")
    expect(notice).to_contain_text("資料を発行しました", timeout=60_000)
    expect(preparing).to_have_count(0)
    expect(notice.get_by_role("link", name="PDFを開く")).to_be_visible()
    expect(page.locator("table.handout-list tbody tr")).to_have_count(1)
    page.screenshot(path=str(SHOTS / f"issued-{viewport['width']}.png"))
    assert consultation.documents.count() == 1
    assert errors == []
    context.close()
