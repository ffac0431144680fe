"""The clinic admin's price list (issue 16 item 6, "fit the price list"): at 1280×800 and 820×1180 an
offering's page shows its price per session and every course price whole, with nothing cut off at
the right edge and no console error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from catalog.models import Offering
from tests.browser.conftest import VIEWPORTS, log_in_context, watch_for_errors
from tests.browser.test_accessibility import BLOCKING, axe_violations, describe
from tests.conftest import give_second_factor

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("WALK_SCREENSHOTS")  # a directory to keep the screenshots in (as test_full_walk)


def _shown_whole(page: Page, selector: str) -> None:
    """Every match lies inside the viewport's width and is not hidden under or clipped by anything
    (the changelist's scrolling box, the filter panel): what is at its corners is the element."""
    width = page.evaluate("document.documentElement.clientWidth")
    boxes = page.locator(selector)
    assert boxes.count() > 0, selector
    for i in range(boxes.count()):
        element = boxes.nth(i)
        # Vertically into view only: scrolling a box sideways would hide the very cut we look for.
        element.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 200)")
        box = element.bounding_box()
        assert box is not None and box["width"] > 0, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, i, box, width)
        seen = element.evaluate(
            """e => { const r = e.getBoundingClientRect();
                      return [[r.left + 1, r.top + 1], [r.right - 1, r.bottom - 1]].every(
                        ([x, y]) => { const at = document.elementFromPoint(x, y);
                                      return at !== null && (e.contains(at) || at.contains(e)); }); }"""
        )
        assert seen, (selector, i, "covered or clipped")


@pytest.fixture
def superuser(db) -> User:
    user = User.objects.create_superuser("root", "root@example.invalid", "x-unused-password-1")
    give_second_factor(user)
    return user


# A clinic admin sees one clinic's prices; a superuser sees every clinic's, with a clinic column.
@pytest.mark.parametrize("who", ["clinic_admin", "superuser"])
@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_offering_price_list_fits_the_screen(
    signed_in_page, request, who, demo_clinic, viewport, tmp_path
):
    shots = Path(SHOTS) if SHOTS else tmp_path
    offering = Offering.objects.filter(clinic=demo_clinic, course_prices__sessions__gte=2).distinct().first()
    page = signed_in_page(request.getfixturevalue(who), viewport)
    errors = watch_for_errors(page)
    page.goto(f"/admin/catalog/offering/{offering.pk}/change/")
    page.screenshot(path=shots / f"admin-offering-{who}-{viewport['width']}.png", full_page=True)
    expect(page.locator("#id_price_per_session_yen")).to_be_visible()
    _shown_whole(page, "#id_price_per_session_yen")
    _shown_whole(page, "input[name$='-price_yen']:not([name*='__prefix__'])")
    _shown_whole(page, "input[name$='-sessions']:not([name*='__prefix__'])")
    page.goto("/admin/catalog/offering/")
    page.screenshot(path=shots / f"admin-offerings-{who}-{viewport['width']}.png", full_page=True)
    # The price per session's header and cells (its column was `price_per_session_yen` before).
    _shown_whole(page, "#result_list th[class*='per_session']")
    _shown_whole(page, "#result_list td[class*='per_session']")
    # The whole row: the courses (new here) and the last column.
    _shown_whole(page, "#result_list td.field-courses .course-price")
    _shown_whole(page, "#result_list thead th:last-child")
    _shown_whole(page, "#result_list tbody tr td:last-child")
    assert errors == [], errors


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_price_list_has_no_serious_accessibility_violations(
    browser, browser_context_args, live_server, clinic_admin, demo_clinic, viewport
):
    # axe is injected, so this context bypasses CSP; the test above runs with the policy on.
    context = browser.new_context(**{**browser_context_args, "viewport": viewport, "bypass_csp": True})
    log_in_context(context, clinic_admin, live_server.url)
    page = context.new_page()
    offering = Offering.objects.filter(clinic=demo_clinic).first()
    found = {}
    for url in ("/admin/catalog/offering/", f"/admin/catalog/offering/{offering.pk}/change/"):
        page.goto(url)
        # Everything on these pages, Django's admin and django-modeltranslation's ja/en tabs and switch
        # included (static/js/admin-tabs.js mends the last two).
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if blocking:
            found[url] = describe(blocking)
    context.close()
    assert not found, "\n\n".join(f"{url}\n{text}" for url, text in found.items())
