"""axe-core (npm package, loaded from node_modules) on the main screens: no serious or critical
violations. The app's Content-Security-Policy allows only its own scripts, so this test's browser
context bypasses CSP to inject axe; the other browser tests run with the policy on."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page

from tests.browser.conftest import log_in_context
from tests.browser.scenes import consultation_with_options

pytestmark = pytest.mark.browser

AXE = settings.BASE_DIR / "node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail(
            f"{AXE.relative_to(settings.BASE_DIR)} is missing: run `npm ci` in the project "
            "(Debian packages nodejs and npm).",
            pytrace=False,
        )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations'],
    })""")
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(
                f"    {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}"
            )
    return "\n".join(lines)


@pytest.mark.browser_context_args(bypass_csp=True)
def test_main_screens_have_no_serious_accessibility_violations(live_server, context, counselor, demo_clinic):
    consultation = consultation_with_options(counselor, demo_clinic, display_name="山田 花子")
    page = context.new_page()
    screens = [("ja", "/accounts/login/")]
    logged_in = [
        ("ja", "/consultations/"),
        ("ja", "/consultations/new/"),
        ("ja", f"/consultations/{consultation.public_id}/"),
        ("en", f"/consultations/{consultation.public_id}/"),
        ("ja", "/catalog/conditions/"),
        ("ja", "/catalog/conditions/rolling-scar/"),
        ("ja", "/catalog/treatments/"),
        ("ja", "/catalog/treatments/exosome/"),
        ("en", "/catalog/treatments/fibroblast-transplant/"),
    ]
    found = {}
    for batch, log_in in ((screens, False), (logged_in, True)):
        if log_in:
            log_in_context(context, counselor, live_server.url)
        for language, url in batch:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
            page.goto(url)
            assert "/accounts/login/" not in page.url or not log_in, f"{url}: not logged in"
            blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
            if blocking:
                found[f"{language} {url}"] = describe(blocking)
    assert not found, "\n\n".join(f"{screen}\n{text}" for screen, text in found.items())


@pytest.mark.browser_context_args(bypass_csp=True)
def test_the_check_finds_a_known_violation(live_server, page: Page):
    """axe really runs and reports: an image without alternative text is a critical violation."""
    page.goto("/accounts/login/")
    page.evaluate("""() => { const img = document.createElement('img'); img.src = 'data:,';
                             document.querySelector('main').append(img); }""")
    assert "image-alt" in {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
