"""An ended session (idle timeout, log-out elsewhere) sends the counselor to the login page and,
after logging in, back to the consultation they were on."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from consult.models import Consultation
from tests.browser.conftest import SAVE_TIMEOUT_MS, log_in_form

pytestmark = pytest.mark.browser


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    return Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="S-1")


def end_every_session() -> None:
    Session.objects.all().delete()


def test_a_page_load_after_the_session_ended_goes_to_login_and_back(counselor_page: Page, consultation):
    page = counselor_page
    url = f"/consultations/{consultation.public_id}/"
    page.goto(url)
    end_every_session()

    page.reload()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=" + re.escape(url) + "$"))
    log_in_form_here(page)
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    expect(page.locator("#profile-form")).to_be_visible()


def test_a_save_after_the_session_ended_goes_to_login_and_back(counselor_page: Page, consultation):
    page = counselor_page
    url = f"/consultations/{consultation.public_id}/"
    page.goto(url)
    end_every_session()

    # The change cannot be saved; the counselor is told by being sent to log in (not a login form
    # inside the results column, not a silent failure).
    page.locator("#id_age_band").select_option("30s")
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=SAVE_TIMEOUT_MS)
    expect(page.locator("#id_username")).to_be_visible()
    log_in_form_here(page)
    page.wait_for_url(lambda u: "/accounts/login/" not in u)
    assert page.url.endswith(url), f"after logging in: {page.url}"
    expect(page.locator("#profile-form")).to_be_visible()
    consultation.refresh_from_db()
    assert consultation.age_band == ""  # the change made after the session ended was not saved


def log_in_form_here(page: Page) -> None:
    """Fill the login form already on screen (keeps its `next`)."""
    from tests.conftest import PASSWORD

    page.locator("#id_username").fill("counselor")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_logging_in_through_the_form_lands_on_the_consultation_list(live_server, page: Page, counselor):
    log_in_form(page, "counselor")
    expect(page).to_have_url(re.compile(r"/consultations/$"))
    expect(page.locator("h1")).to_have_text("カウンセリング一覧")
