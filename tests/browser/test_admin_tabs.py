"""The catalog admin under our Content-Security-Policy (issue 16 item 6), at 1280×800 and 820×1180:
django-modeltranslation's ja/en tabs work with the vendored jQuery UI (no CDN, no console error), so
one language's fields show at a time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from catalog.models import Treatment
from tests.browser.conftest import log_in_context, watch_for_errors
from tests.conftest import give_second_factor

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_translation_tabs_work_without_console_errors(browser, browser_context_args, live_server, viewport):
    admin = User.objects.create_superuser("root", "root@example.invalid", "x-unused-password-1")
    give_second_factor(admin)
    context = browser.new_context(**{**browser_context_args, "viewport": viewport})
    log_in_context(context, admin, live_server.url)
    page = context.new_page()
    errors = watch_for_errors(page)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    treatment = Treatment.objects.get(slug="subcision")
    page.goto(f"/admin/catalog/treatment/{treatment.pk}/change/")
    tabs = page.locator(".ui-tabs-nav").first
    expect(tabs).to_be_visible()
    expect(page.locator("#id_name_ja")).to_be_visible()
    expect(page.locator("#id_name_en")).to_be_hidden()
    page.locator(".ui-tabs-nav a", has_text="en").first.click()
    expect(page.locator("#id_name_en")).to_be_visible()
    expect(page.locator("#id_name_ja")).to_be_hidden()
    assert errors == [], errors
    context.close()
