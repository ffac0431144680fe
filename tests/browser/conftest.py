"""Browser fixtures: the system Chromium (tests/browser/chromium.py) driven by pytest-playwright against
pytest-django's `live_server`.

The database: a test that uses `live_server` is transactional, and pytest-django empties every table
after it, including the catalog that tests/conftest.py loads once per session. Every browser test
therefore uses `committed_db` (tests/conftest.py): it starts from the session's snapshot (catalog,
groups, permissions) through `serialized_rollback`. After the last browser test in a row, the
snapshot is restored once more (`pytest_runtest_teardown` below), so ordinary tests that run later
still find the catalog, whatever the order the tests run in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.chromium import CONTEXT_ARGS, launch_args, missing_chromium
from tests.conftest import PASSWORD

# htmx posts typed text 800 ms after the last keystroke; a save on a busy 2-core CI machine can take
# a few seconds more.
SAVE_TIMEOUT_MS = 15_000
expect.set_options(timeout=10_000)


@pytest.fixture(autouse=True)
def _browser_db(committed_db, live_server) -> None:
    """Every browser test: the live server, and a committed database holding the catalog."""


def _restores_itself(item: pytest.Item | None) -> bool:
    return item is None or "django_db_serialized_rollback" in getattr(item, "fixturenames", ())


_db_blocker = None


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(django_db_blocker) -> None:
    global _db_blocker
    _db_blocker = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    # Every fixture of `item` is finalised here, pytest-django's flush included: the database is
    # empty. A test that does not restore the snapshot itself gets it back now.
    if not _restores_itself(nextitem):
        with _db_blocker.unblock():
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    return result


@pytest.fixture(scope="session")
def _db_snapshot(django_db_setup) -> dict[str, str]:
    """The session's database snapshot (tests/conftest.py), read before Playwright starts."""
    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture(scope="session")
def playwright(_db_snapshot, playwright):
    """pytest-playwright's instance, made to live with Django.

    Once the sync API has started, its asyncio loop stays registered on this thread until the session
    ends. From then on Django (1) refuses ORM calls from this thread (SynchronousOnlyOperation), the
    test database's teardown included: these calls are plain synchronous code, so the check is off;
    and (2) keeps this thread's database connections in a separate, async-context storage: new
    connection objects, which lack the snapshot that `serialized_rollback` restores. It is copied over.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    for alias, contents in _db_snapshot.items():
        connections[alias]._test_serialized_contents = contents
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    problem = missing_chromium()
    if problem:
        pytest.fail(problem, pytrace=False)
    return {**browser_type_launch_args, **launch_args()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server) -> dict:
    return {**browser_context_args, **CONTEXT_ARGS, "base_url": live_server.url}


def log_in_context(context: BrowserContext, user: User, base_url: str) -> None:
    """Skip the login form: a session made by Django's test client, as a cookie in the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


@pytest.fixture
def signed_in_page(browser, browser_context_args, live_server):
    """`signed_in_page(user, viewport, url=None)`: a page in a browser context of its own at that
    viewport (pytest-playwright's `context` fixes one size), signed in as `user`; several users can
    work side by side, as a counselor and a physician do."""
    contexts = []

    def make(user: User, viewport: dict, url: str | None = None) -> Page:
        context = browser.new_context(**{**browser_context_args, "viewport": viewport})
        contexts.append(context)
        log_in_context(context, user, live_server.url)
        page = context.new_page()
        if url:
            page.goto(url)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in_form(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


@pytest.fixture
def counselor_page(live_server, context: BrowserContext, counselor) -> Iterator[Page]:
    log_in_context(context, counselor, live_server.url)
    yield context.new_page()


def physician_signs_off(new_context, base_url: str, physician: User, consultation) -> None:
    """The physician, in a browser of their own, signs off the consultation as it is now."""
    context = new_context()
    log_in_context(context, physician, base_url)
    page = context.new_page()
    page.goto(f"/consultations/{consultation.public_id}/")
    page.locator("#signoff form.signoff-form button[type=submit]").click()
    expect(page.locator("#signoff")).to_have_class(re.compile(r"\bsigned\b"))
    context.close()


def watch_for_errors(page: Page) -> list[str]:
    """Uncaught script errors and console errors (a CSP violation is one) seen on this page."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return errors


def pdftotext(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail(
            "pdftotext is missing: install the Debian package poppler-utils (`make install` does).",
            pytrace=False,
        )
    out = subprocess.run(
        [exe, "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60
    )
    return out.stdout.decode("utf-8")


def squash(text: str) -> str:
    """Text without whitespace, so words broken over lines in a PDF still match."""
    return re.sub(r"\s+", "", text)
