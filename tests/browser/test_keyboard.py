"""The workspace works from the keyboard alone: Tab reaches a concern and its face-map areas, Space
and Enter toggle them, and every toggle is saved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from consult.models import Consultation
from tests.browser.conftest import SAVE_TIMEOUT_MS

pytestmark = pytest.mark.browser

FOCUS_RING = "rgb(240, 180, 41)"  # app.css: the focus colour


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} in {limit} presses")


def press_and_save(page: Page, key: str) -> None:
    with page.expect_response(lambda r: r.url.endswith("/save/"), timeout=SAVE_TIMEOUT_MS) as response:
        page.keyboard.press(key)
    assert response.value.status == 200
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_face_map_areas_are_reached_with_tab_and_toggled_with_enter_and_space(
    counselor_page: Page, counselor, demo_clinic
):
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="K-1")
    page = counselor_page
    page.goto(f"/consultations/{consultation.public_id}/")
    concern = "#concern-rolling-scar"

    # From the top of the page to the concern's checkbox, and Space ticks it: its face map opens.
    tab_to(page, f"{concern} .concern-toggle")
    press_and_save(page, "Space")
    expect(page.locator(f"{concern} .concern-toggle")).to_be_checked()
    forehead = page.locator(f"{concern} .area-group[data-area='forehead']")
    expect(forehead).to_be_visible()

    # Tab on to the first area of the map (past the "about" link and the severity radios).
    tab_to(page, f"{concern} .area-group[data-area='forehead']", limit=6)
    expect(forehead.locator(".area")).to_have_css("stroke", FOCUS_RING)  # the focus is visible
    press_and_save(page, "Enter")
    expect(forehead).to_have_attribute("aria-pressed", "true")
    expect(forehead.locator(".area")).to_have_class(re.compile(r"\bselected\b"))

    page.keyboard.press("Tab")
    temples = page.locator(f"{concern} .area-group[data-area='temples']")
    expect(temples).to_be_focused()
    press_and_save(page, "Space")
    expect(temples).to_have_attribute("aria-pressed", "true")
    concern_row = consultation.concerns.get()
    assert (concern_row.condition.slug, sorted(concern_row.areas)) == (
        "rolling-scar",
        ["forehead", "temples"],
    )

    # Space again deselects; the page did not scroll away from the focused area.
    scroll = page.evaluate("window.scrollY")
    press_and_save(page, "Space")
    expect(temples).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.scrollY") == scroll
    expect(temples).to_be_focused()
    assert consultation.concerns.get().areas == ["forehead"]
