"""Autosave never drops input (issue 16, item 1), at 1280×800 and 820×1180: a refused field does not
hold back the others and is marked next to itself; leaving with unsaved typing asks first; a session
that ended keeps what was typed; the status is seen where the counselor works."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from consult.models import Consultation
from tests.browser.conftest import SAVE_TIMEOUT_MS, log_in_context
from tests.browser.scenes import consultation_with_options
from tests.browser.test_session_expiry import log_in_form_here
from tests.conftest import sign_off

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


@pytest.fixture(params=VIEWPORTS.values(), ids=VIEWPORTS.keys())
def page_at(request, browser, browser_context_args, live_server, counselor):
    context = browser.new_context(**{**browser_context_args, "viewport": request.param})
    log_in_context(context, counselor, live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    return Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="S-1")


def open_page(page: Page, consultation: Consultation) -> str:
    url = f"/consultations/{consultation.public_id}/"
    page.goto(url)
    return url


def answered(page: Page, action, status: int) -> None:
    with page.expect_response(
        lambda r: "/save/" in r.url and r.request.method == "POST", timeout=SAVE_TIMEOUT_MS
    ) as response:
        action()
    assert response.value.status == status
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_a_cleared_chart_number_does_not_hold_back_the_age_band(page_at: Page, consultation):
    page = page_at
    open_page(page, consultation)
    chart = page.locator("#id_chart_number")
    answered(page, lambda: (chart.fill(""), chart.press("Tab")), 422)
    answered(page, lambda: page.locator("#id_age_band").select_option("30s"), 422)
    # The refused field is marked next to itself, with the server's message, and stays as typed.
    expect(page.locator("#error-chart_number")).to_be_visible()
    expect(page.locator("#error-chart_number")).not_to_be_empty()
    expect(chart).to_have_attribute("aria-invalid", "true")
    expect(chart).to_have_value("")
    consultation.refresh_from_db()
    assert consultation.age_band == "30s" and consultation.chart_number == "S-1"
    page.reload()
    expect(page.locator("#id_age_band")).to_have_value("30s")
    expect(page.locator("#error-chart_number")).to_be_empty()


@pytest.mark.parametrize(("field", "value"), [("budget_yen", "-5"), ("max_downtime_days", "999")])
def test_an_out_of_range_number_is_marked_and_the_rest_is_saved(page_at: Page, consultation, field, value):
    page = page_at
    open_page(page, consultation)
    box = page.locator(f"#id_{field}")
    answered(page, lambda: (box.fill(value), box.press("Tab")), 422)
    expect(page.locator(f"#error-{field}")).not_to_be_empty()
    expect(box).to_have_attribute("aria-invalid", "true")
    answered(page, lambda: page.locator("#id_max_pain").select_option("1"), 422)
    consultation.refresh_from_db()
    assert consultation.max_pain == 1 and getattr(consultation, field) is None
    # Corrected, it saves and the mark goes.
    answered(page, lambda: (box.fill("5"), box.press("Tab")), 200)
    expect(box).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#save-state")).to_have_class(re.compile(r"\bsaved\b"))


def test_leaving_with_unsaved_typing_asks_first(page_at: Page, consultation):
    page = page_at
    open_page(page, consultation)
    notes = page.locator("#id_notes")
    notes.click()
    notes.press_sequentially("術後のケアについて質問あり")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.evaluate("location.reload()")
    expect(notes).to_have_value("術後のケアについて質問あり")
    assert dialogs == ["beforeunload"]
    # The typing is sent anyway (flushed): once saved, leaving no longer asks.
    expect(page.locator("#save-state")).to_have_class(re.compile(r"\bsaved\b"), timeout=SAVE_TIMEOUT_MS)
    consultation.refresh_from_db()
    assert consultation.notes == "術後のケアについて質問あり"


def test_after_the_session_ended_the_typed_change_is_offered_back(page_at: Page, consultation):
    page = page_at
    url = open_page(page, consultation)
    Session.objects.all().delete()
    page.locator("#id_age_band").select_option("40s")
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=SAVE_TIMEOUT_MS)
    log_in_form_here(page)
    page.wait_for_url(lambda u: "/accounts/login/" not in u)
    assert page.url.endswith(url)
    notice = page.locator("#draft-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("保存されていません")
    consultation.refresh_from_db()
    assert consultation.age_band == ""  # nothing is saved unasked
    answered(page, lambda: notice.get_by_role("button", name="元に戻して保存する").click(), 200)
    expect(notice).to_be_hidden()
    expect(page.locator("#id_age_band")).to_have_value("40s")
    consultation.refresh_from_db()
    assert consultation.age_band == "40s"
    page.reload()
    expect(page.locator("#draft-notice")).to_be_hidden()


def test_a_refused_save_while_writing_notes_is_seen_there(page_at: Page, consultation):
    page = page_at
    open_page(page, consultation)
    Consultation.objects.filter(pk=consultation.pk).update(version=5)  # another tab saved meanwhile
    notes = page.locator("#id_notes")
    notes.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/save/" in r.url, timeout=SAVE_TIMEOUT_MS) as response:
        notes.fill("メモ")
        notes.press("Tab")
    assert response.value.status == 409
    expect(page.locator("#conflict .conflict")).to_be_in_viewport()
    expect(page.locator("#save-state")).to_be_in_viewport()


def test_issuing_a_handout_does_not_leave_the_badge_on_saving(
    page_at: Page, counselor, physician, demo_clinic
):
    consultation = consultation_with_options(counselor, demo_clinic)
    sign_off(consultation, physician)
    page = page_at
    open_page(page, consultation)
    with page.expect_response(lambda r: "/handouts/" in r.url, timeout=60_000):
        page.locator("#handout-issue button[type=submit]").click()
    expect(page.locator("#handouts .notice")).to_be_visible(timeout=60_000)
    expect(page.locator("#save-state")).not_to_have_text(re.compile("保存中"))


def test_the_language_hint_follows_the_handout_language(page_at: Page, counselor, physician, demo_clinic):
    consultation = consultation_with_options(counselor, demo_clinic)
    sign_off(consultation, physician)
    page = page_at
    open_page(page, consultation)
    expect(page.locator("#handout-issue")).to_contain_text("日本語")
    answered(page, lambda: page.locator("#id_handout_language").select_option("en"), 200)
    expect(page.locator("#handout-issue")).to_contain_text("英語")
    expect(page.locator("#handout-issue")).not_to_contain_text("English")


def test_opening_the_workspace_saves_nothing(page_at: Page, consultation):
    """The check for input made while the page loaded finds none on a plain load: no save, no new
    version, no audit row of a change (a select with no option marked selected starts on its first)."""
    from consult.models import AuditEvent

    version = consultation.version
    open_page(page_at, consultation)
    expect(page_at.locator("#results")).to_be_visible()
    page_at.wait_for_load_state("networkidle")
    page_at.wait_for_timeout(1000)
    consultation.refresh_from_db()
    assert consultation.version == version
    assert not AuditEvent.objects.filter(consultation=consultation, action=AuditEvent.Action.CHANGE).exists()


def test_a_partly_refused_save_says_what_was_saved_and_points_at_the_field(page_at: Page, consultation):
    """keep_valid stored the other fields and refused one: the badge says so (not 未保存), counts the
    marked fields and takes the counselor to the first."""
    page = page_at
    open_page(page, consultation)
    budget = page.locator("#id_budget_yen")
    answered(page, lambda: (budget.fill("-5"), budget.press("Tab")), 422)
    badge = page.locator("#save-state")
    expect(badge).to_have_text(re.compile(r"^\s*一部保存できませんでした — 1項目を確認してください\s*$"))
    expect(badge).not_to_have_class(re.compile(r"\bfailed\b"))
    consultation.refresh_from_db()
    assert consultation.version == 2  # the rest was stored
    chart = page.locator("#id_chart_number")
    answered(page, lambda: (chart.fill(""), chart.press("Tab")), 422)
    expect(badge).to_contain_text("2項目")
    page.locator("#id_notes").focus()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    badge.get_by_role("link").click()
    expect(chart).to_be_focused()
    expect(chart).to_be_in_viewport()
    box = badge.get_by_role("link").bounding_box()
    assert box["height"] >= 44, box


def test_a_save_refused_whole_still_says_not_saved(page_at: Page, consultation):
    page = page_at
    open_page(page, consultation)
    # A version the server cannot read: nothing can be saved at all.
    page.evaluate("document.querySelector('#profile-form input[name=version]').value = '0'")
    answered(page, lambda: page.locator("#id_age_band").select_option("30s"), 422)
    badge = page.locator("#save-state")
    expect(badge).to_have_text(re.compile(r"^\s*未保存\s*$"))
    expect(badge).to_have_class(re.compile(r"\bfailed\b"))
    expect(badge.get_by_role("link")).to_have_count(0)
    consultation.refresh_from_db()
    assert consultation.version == 1 and consultation.age_band == ""


def _expire_and_type(page: Page, consultation) -> None:
    """The session ends; the counselor's next change cannot be saved and is kept on the tablet."""
    open_page(page, consultation)
    Session.objects.all().delete()
    page.locator("#id_age_band").select_option("40s")
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=SAVE_TIMEOUT_MS)


def _log_in_as(page: Page, username: str) -> None:
    from tests.conftest import PASSWORD

    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def _drafts(page: Page) -> list[str]:
    return page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('draft:'))")


def test_another_user_signing_in_on_the_tablet_is_not_offered_the_draft(
    page_at: Page, consultation, demo_clinic
):
    from catalog.models import Membership
    from tests.conftest import make_user

    make_user("counselor2", demo_clinic, Membership.Role.COUNSELOR)
    page = page_at
    _expire_and_type(page, consultation)
    assert len(_drafts(page)) == 1  # kept while nobody is signed in
    _log_in_as(page, "counselor2")
    assert page.url.endswith(f"/consultations/{consultation.public_id}/")
    expect(page.locator("#profile-form")).to_be_visible()
    expect(page.locator("#draft-notice")).to_be_hidden()
    expect(page.locator("#id_age_band")).to_have_value("")
    assert _drafts(page) == []  # discarded, not kept for later
    consultation.refresh_from_db()
    assert consultation.age_band == ""


def test_the_draft_is_offered_only_within_30_minutes(page_at: Page, consultation):
    page = page_at
    _expire_and_type(page, consultation)
    # 31 minutes pass on the login page.
    page.evaluate(
        """() => { for (const k of Object.keys(sessionStorage).filter(k => k.startsWith('draft:'))) {
                     const d = JSON.parse(sessionStorage.getItem(k)); d.at -= 31 * 60 * 1000;
                     sessionStorage.setItem(k, JSON.stringify(d)); } }"""
    )
    _log_in_as(page, "counselor")
    expect(page.locator("#profile-form")).to_be_visible()
    expect(page.locator("#draft-notice")).to_be_hidden()
    assert _drafts(page) == []


def test_signing_out_discards_the_draft(page_at: Page, consultation):
    page = page_at
    _expire_and_type(page, consultation)
    _log_in_as(page, "counselor")
    expect(page.locator("#draft-notice")).to_be_visible()  # the same user within the window: offered
    page.get_by_role("button", name=re.compile("ログアウト")).click()
    page.wait_for_load_state()
    assert _drafts(page) == []
    page.goto(f"/consultations/{consultation.public_id}/")
    _log_in_as(page, "counselor")
    expect(page.locator("#profile-form")).to_be_visible()
    expect(page.locator("#draft-notice")).to_be_hidden()


def test_signing_out_from_another_page_discards_the_draft(page_at: Page, consultation):
    """Only the workspace's script knows the draft; the sign-out's Clear-Site-Data header clears it
    from any page (tablets are shared)."""
    page = page_at
    _expire_and_type(page, consultation)
    _log_in_as(page, "counselor")
    page.goto("/consultations/")
    assert len(_drafts(page)) == 1  # still kept: the list page does not touch it
    page.get_by_role("button", name=re.compile("ログアウト")).click()
    page.wait_for_load_state()
    assert _drafts(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_status_bar_states_have_no_serious_accessibility_violations(
    browser, browser_context_args, live_server, counselor, consultation, viewport
):
    """The partly-saved badge and the offer of a kept draft, checked by axe (this context bypasses
    CSP to inject it; the tests above run with the policy on)."""
    from tests.browser.test_accessibility import BLOCKING, axe_violations, describe

    context = browser.new_context(**{**browser_context_args, "viewport": viewport, "bypass_csp": True})
    log_in_context(context, counselor, live_server.url)
    page = context.new_page()
    open_page(page, consultation)
    budget = page.locator("#id_budget_yen")
    answered(page, lambda: (budget.fill("-5"), budget.press("Tab")), 422)
    expect(page.locator("#save-state .save-state-jump")).to_be_visible()
    # From the top, as test_accessibility does: scrolled, whatever passes under the sticky status
    # bar counts for axe as a target too close to another.
    page.evaluate("window.scrollTo(0, 0)")
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    _expire_and_type(page, consultation)
    _log_in_as(page, "counselor")
    expect(page.locator("#draft-notice")).to_be_visible()
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    context.close()
