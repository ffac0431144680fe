"""Browser fixtures: the system Chromium (Debian `chromium`) driven by pytest-playwright against
pytest-django's `live_server`.

Playwright never downloads a browser here: it launches /usr/bin/chromium.

The catalog and live_server tests: a test that uses `live_server` is transactional, and pytest-django
empties every table after it, including the catalog that tests/conftest.py loads once per session.
So a browser test loads the catalog at its start when it is missing, and after the last browser
test in a row the catalog is loaded again (`pytest_runtest_teardown` below), so ordinary tests that
run afterwards still find it, whatever the order.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from catalog.models import Clinic
from catalog.roles import ensure_groups
from tests.conftest import PASSWORD

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATALOG_FIXTURES = ("fixtures/catalog.json", "fixtures/demo_clinic.json")
# htmx posts typed text 800 ms after the last keystroke; saves and PDF rendering on a busy
# 2-core CI machine can take a few seconds more.
SAVE_TIMEOUT_MS = 15_000
expect.set_options(timeout=10_000)


def load_catalog() -> None:
    """What tests/conftest.py's django_db_setup puts in the test database once per session."""
    call_command("loaddata", *[settings.BASE_DIR / f for f in CATALOG_FIXTURES], verbosity=0)
    ensure_groups()


def catalog_missing() -> bool:
    return not Clinic.objects.filter(slug="demo-clinic").exists()


def _uses_live_server(item: pytest.Item | None) -> bool:
    return item is not None and "live_server" in getattr(item, "fixturenames", ())


_blocker = None


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(django_db_blocker):
    global _blocker
    _blocker = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    # Runs after every fixture of `item` is finalised, i.e. after pytest-django's flush.
    result = yield
    if _uses_live_server(item) and nextitem is not None and not _uses_live_server(nextitem):
        with _blocker.unblock():
            if catalog_missing():
                load_catalog()
    return result


@pytest.fixture(autouse=True)
def _catalog_for_live_server(request: pytest.FixtureRequest) -> None:
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    if catalog_missing():
        load_catalog()


@pytest.fixture(scope="session")
def playwright(playwright):
    """pytest-playwright's instance. Once the sync API has started, its asyncio loop stays registered
    on this thread until the session ends, and Django would refuse every ORM call from here on
    (SynchronousOnlyOperation), including the test database's teardown. The calls are plain
    synchronous code, so the check is switched off from this point on."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Browser tests need the system Chromium at {CHROMIUM} (Debian package `chromium`; "
                    "`make install` installs it). Playwright must not download its own browser.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server) -> dict:
    # The clinic's default language is Japanese; a Japanese browser asks for it.
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture
def live(live_server):
    """The live server, for tests that need nothing else from it (makes the test transactional)."""
    return live_server


def log_in_context(context: BrowserContext, user: User, base_url: str) -> None:
    """Skip the login form: a session made by Django's test client, as a cookie in the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def log_in_form(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit].primary").click()


def pdftotext(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext is missing: install the Debian package poppler-utils (`make install` does).")
    import subprocess

    out = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                         timeout=60)
    return out.stdout.decode("utf-8")


def squash(text: str) -> str:
    """Text without whitespace, so words broken over lines in a PDF still match."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def counselor_page(live_server, context: BrowserContext, counselor) -> Iterator[Page]:
    log_in_context(context, counselor, live_server.url)
    yield context.new_page()
