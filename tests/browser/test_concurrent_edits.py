"""Two tabs (or two people) on one consultation: the second save is refused with a clear message
instead of silently overwriting. One tab's own quick changes never conflict with each other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from consult.models import Consultation
from tests.browser.conftest import SAVE_TIMEOUT_MS, log_in_context, watch_for_errors
from tests.browser.scenes import consultation_with_options

pytestmark = pytest.mark.browser


def test_the_second_of_two_tabs_gets_the_conflict_message(
    live_server, new_context, counselor, physician, demo_clinic
):
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="C-1")
    url = f"/consultations/{consultation.public_id}/"
    pages: list[Page] = []
    for user in (counselor, physician):  # two people, two browsers, the same page version
        context = new_context()
        log_in_context(context, user, live_server.url)
        page = context.new_page()
        page.goto(url)
        pages.append(page)
    first, second = pages

    with first.expect_response(lambda r: r.url.endswith("/save/"), timeout=SAVE_TIMEOUT_MS) as response:
        first.locator("#id_age_band").select_option("40s")
    assert response.value.status == 200
    expect(first.locator("#save-state")).to_have_class(re.compile(r"\bsaved\b"))

    with second.expect_response(lambda r: r.url.endswith("/save/"), timeout=SAVE_TIMEOUT_MS) as response:
        second.locator("#id_age_band").select_option("20s")
    assert response.value.status == 409
    conflict = second.locator("#conflict .conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_have_attribute("role", "alert")
    expect(conflict).to_contain_text("別のタブまたは別のユーザーによって変更されました")
    expect(second.locator("#save-state")).to_have_text("未保存（競合）")
    expect(second.locator("#save-state")).to_have_class(re.compile(r"\bfailed\b"))
    # The second tab keeps what its user entered on screen, and nothing was overwritten.
    expect(second.locator("#id_age_band")).to_have_value("20s")
    consultation.refresh_from_db()
    assert (consultation.age_band, consultation.version) == ("40s", 2)

    # "Reload the current version" shows the first tab's change, and saving works again.
    conflict.locator("a.button").click()
    expect(second.locator("#id_age_band")).to_have_value("40s")
    expect(second.locator("#conflict .conflict")).to_have_count(0)
    with second.expect_response(lambda r: r.url.endswith("/save/"), timeout=SAVE_TIMEOUT_MS) as response:
        second.locator("#id_skin_type").select_option("3")
    assert response.value.status == 200
    consultation.refresh_from_db()
    assert (consultation.age_band, consultation.skin_type, consultation.version) == ("40s", 3, 3)


def test_typing_a_note_then_clicking_add_saves_both(
    live_server, counselor_page: Page, counselor, demo_clinic
):
    """Leaving the note field saves it, and the click that left it posts at the same moment; both
    carry the page's version. The page sends them one after the other, so neither is refused."""
    consultation = consultation_with_options(counselor, demo_clinic, options=())
    page = counselor_page
    errors = watch_for_errors(page)
    page.goto(f"/consultations/{consultation.public_id}/")
    responses = []
    page.on(
        "response",
        lambda r: (
            responses.append((r.url.rsplit("/", 2)[-2], r.status)) if r.request.method == "POST" else None
        ),
    )

    page.locator("#id_notes").press_sequentially("Prefers a short downtime", delay=10)
    results = page.locator("#results")
    results.locator("article.suggestion:has(a[href='/catalog/treatments/subcision/']) button").click()
    # And a second click while the first is still being answered.
    results.locator("article.suggestion:has(a[href='/catalog/treatments/dermapen-4/']) button").click()

    heads = results.locator("table.compare thead .option-head > a")
    expect(heads).to_have_count(2, timeout=SAVE_TIMEOUT_MS)
    expect(page.locator("#save-state")).to_have_class(re.compile(r"\bsaved\b"), timeout=SAVE_TIMEOUT_MS)
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(page.locator("#conflict .conflict")).to_have_count(0)
    consultation.refresh_from_db()
    assert consultation.notes == "Prefers a short downtime"
    assert [o.treatment.slug for o in consultation.options.order_by("position")] == [
        "subcision",
        "dermapen-4",
    ]
    assert all(status == 200 for _path, status in responses), responses
    assert errors == [], errors
