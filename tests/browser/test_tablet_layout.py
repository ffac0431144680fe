"""Tablet-first workspace (issue 16 item 2), at 1280×800 and 820×1180: skip links between the
sections with counts that change in view, touch targets of at least 44 px, a larger face map with the
patient's left and right marked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consult.models import Consultation
from tests.browser.conftest import SAVE_TIMEOUT_MS, log_in_context
from tests.browser.scenes import consultation_with_options

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


@pytest.fixture(params=VIEWPORTS.values(), ids=VIEWPORTS.keys())
def page_at(request, browser, browser_context_args, live_server, counselor):
    context = browser.new_context(**{**browser_context_args, "viewport": request.param})
    log_in_context(context, counselor, live_server.url)
    page = context.new_page()
    page.viewport = request.param
    yield page
    context.close()


def test_ticking_a_concern_changes_a_count_in_view(page_at: Page, counselor, demo_clinic):
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="T-1")
    page = page_at
    page.goto(f"/consultations/{consultation.public_id}/")
    options = page.locator("#ws-nav a[href='#h-suggestions'] .count")
    expect(options).to_have_text("0")
    box = page.locator("#concern-rolling-scar .concern-toggle")
    box.scroll_into_view_if_needed()
    box.check()
    expect(options).not_to_have_text("0", timeout=SAVE_TIMEOUT_MS)
    expect(options).to_be_in_viewport()
    expect(page.locator("#ws-nav a[href='#h-concerns'] .count")).to_have_text("1")
    # The skip link brings the options into view.
    page.locator("#ws-nav a[href='#h-suggestions']").click()
    expect(page.locator("#h-suggestions")).to_be_in_viewport()


def test_two_tabs_from_the_wishes_link_reach_the_budget(page_at: Page, counselor, demo_clinic):
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="T-2")
    page = page_at
    page.goto(f"/consultations/{consultation.public_id}/")
    page.locator("#ws-nav a[href='#h-wishes']").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#id_budget_yen")).to_be_focused()


def _at_least_44(page: Page, selector: str) -> None:
    locator = page.locator(selector)
    assert locator.count() > 0, selector
    for i in range(min(locator.count(), 12)):
        box = locator.nth(i).bounding_box()
        if box is None:  # not displayed (a closed concern)
            continue
        assert box["height"] >= 44 and box["width"] >= 44, f"{selector} #{i}: {box}"


def test_touch_targets_and_the_face_map(page_at: Page, counselor, demo_clinic):
    consultation = consultation_with_options(counselor, demo_clinic)
    page = page_at
    page.goto(f"/consultations/{consultation.public_id}/")
    _at_least_44(page, ".severity label")
    _at_least_44(page, "fieldset label.inline")
    _at_least_44(page, ".flag-q label")
    _at_least_44(page, ".compare .option-tools button")
    _at_least_44(page, "#ws-nav a")
    face = page.locator("#concern-rolling-scar .face-svg")
    width = face.bounding_box()["width"]
    assert width >= (400 if page.viewport["width"] < 1000 else 240), width
    labels = face.locator("text.side-label").all_text_contents()
    assert labels == ["右", "左"]
    # Her left cheek is drawn on the viewer's right, beside the 左 label.
    left = face.locator(".area-group[data-area='cheek-left']").bounding_box()
    right = face.locator(".area-group[data-area='cheek-right']").bounding_box()
    assert left["x"] > right["x"]
    for zone in ("cheek-left", "cheek-right", "forehead", "chin"):
        box = face.locator(f".area-group[data-area='{zone}']").bounding_box()
        assert box["width"] >= 44 and box["height"] >= 24, (zone, box)
