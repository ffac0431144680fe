"""A physician's first sign-in: password, set-up of an authenticator app (the code computed from the
key shown on the page, as the app would), recovery codes, then a later sign-in with a code."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from catalog.models import Membership
from catalog.roles import add_member
from consult.models import AuditEvent
from tests.browser.conftest import log_in_context, log_in_form, watch_for_errors
from tests.browser.test_accessibility import BLOCKING, axe_violations, describe
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def authenticator_code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def new_physician(demo_clinic) -> User:
    user = User.objects.create_user("newdoc", password=PASSWORD)
    add_member(user, demo_clinic, Membership.Role.PHYSICIAN)
    return user


def test_a_physician_sets_up_an_authenticator_and_signs_in_with_it(page: Page, new_physician):
    errors = watch_for_errors(page)
    log_in_form(page, "newdoc")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=%2F$"))
    expect(page.locator("h1")).to_have_text("2段階認証の設定")
    expect(page.locator("img.qr-code")).to_be_visible()
    # Nothing else is reachable before the set-up is done.
    expect(page.locator("nav[aria-label]")).to_have_count(0)
    page.goto("/consultations/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))

    secret = page.locator("#totp-secret").inner_text()
    page.locator("#id_code").fill(authenticator_code(secret))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("リカバリーコード")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    page.locator("main a.button.primary").click()
    expect(page).to_have_url(re.compile(r"/consultations/$"))

    page.locator("header form[action='/accounts/logout/'] button").click()
    log_in_form(page, "newdoc")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    # The code used for set-up cannot be used again; the app's next code is accepted.
    page.locator("#id_code").fill(authenticator_code(secret, steps_ahead=1))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/consultations/$"))
    expect(page.locator("h1")).to_have_text("カウンセリング一覧")
    assert list(
        AuditEvent.objects.filter(user=new_physician, action__startswith="2fa").values_list(
            "action", flat=True
        )
    ) == ["2fa-verified", "2fa-enrolled"]
    assert errors == []


@pytest.mark.browser_context_args(bypass_csp=True)
def test_the_two_factor_pages_have_no_serious_accessibility_violations(
    live_server, context, new_physician, clinic_admin, physician
):
    """axe-core, as in test_accessibility.py: set-up, the code page (with an error), the overview."""
    found = {}

    def check(name: str, page: Page) -> None:
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if blocking:
            found[name] = describe(blocking)

    page = context.new_page()
    log_in_form(page, "newdoc")
    expect(page.locator("#totp-secret")).to_be_visible()
    check("set-up", page)
    page.locator("header form[action='/accounts/logout/'] button").click()

    log_in_form(page, "physician")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.locator("#id_code").fill("12345678")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#code-errors")).to_be_visible()
    check("code page with an error", page)

    context.clear_cookies()
    log_in_context(context, clinic_admin, live_server.url)
    page.goto("/accounts/two-factor/")
    expect(page.locator("table")).to_be_visible()
    check("overview with staff", page)
    assert not found, "\n\n".join(f"{screen}\n{text}" for screen, text in found.items())
