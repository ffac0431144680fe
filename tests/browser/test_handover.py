"""Printing and handing over in the browser (issue 16 item 4), at 1280×800 and 820×1180: the PDF opens
in the browser, a second click on an unchanged comparison makes no second copy, and the QR page
shows a code for the patient's phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in_context, watch_for_errors
from tests.browser.scenes import consultation_with_options
from tests.conftest import sign_off

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_print_opens_inline_once_and_offers_a_qr_code(
    browser, browser_context_args, live_server, counselor, physician, demo_clinic, viewport, tmp_path
):
    consultation = consultation_with_options(counselor, demo_clinic)
    sign_off(consultation, physician)
    context = browser.new_context(**{**browser_context_args, "viewport": viewport})
    log_in_context(context, counselor, live_server.url)
    page: Page = context.new_page()
    errors = watch_for_errors(page)
    page.goto(f"/consultations/{consultation.public_id}/")
    button = page.locator("#handout-issue button[type=submit]")
    button.click()
    notice = page.locator("#handouts .notice")
    expect(notice).to_contain_text("資料を発行しました", timeout=60_000)
    open_link = notice.get_by_role("link", name="PDFを開く")
    expect(notice.get_by_role("link", name="PDFをダウンロード")).to_be_visible()
    response = page.request.get(open_link.get_attribute("href"))
    assert response.headers["content-disposition"].startswith("inline;")
    page.locator("#handout-issue button[type=submit]").click()
    expect(page.locator("#handouts .notice")).to_contain_text("2部目は作成していません", timeout=60_000)
    expect(page.locator("table.handout-list tbody tr")).to_have_count(1)
    assert consultation.documents.count() == 1

    page.locator("#handouts .notice").get_by_role("link", name="患者さんのスマートフォン用QRコード").click()
    qr = page.locator(".qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 240 and box["height"] >= 240
    page.screenshot(path=str(tmp_path / f"qr-{viewport['width']}.png"), full_page=True)
    assert errors == []
    context.close()
