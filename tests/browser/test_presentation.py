"""Presentation mode (issue 16 item 3), at 1280×800 and 820×1180: one tap from the workspace turns the
screen to the patient and one tap brings it back. It follows the handout's gate: before the
physician's sign-off only general information on the treatments for her concerns, after it the
signed comparison and timeline in her handout language; never scores, flags, notes or staff names;
axe finds no serious violation."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from catalog.models import MedicalFlag, Treatment
from consult.models import Consultation
from tests.browser.conftest import log_in_context, watch_for_errors
from tests.browser.scenes import consultation_with_options
from tests.browser.test_accessibility import BLOCKING, axe_violations, describe
from tests.conftest import sign_off

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}
NOTE = "来月に結婚式。費用は家族に相談したい"


@pytest.fixture(params=VIEWPORTS.values(), ids=VIEWPORTS.keys())
def viewport(request) -> dict:
    return request.param


def _scene(counselor: User, clinic, language: str) -> Consultation:
    User.objects.filter(pk=counselor.pk).update(first_name="花子", last_name="佐藤")
    User.objects.filter(username="physician").update(first_name="健", last_name="田中")
    consultation = consultation_with_options(counselor, clinic, handout_language=language)
    Consultation.objects.filter(pk=consultation.pk).update(notes=NOTE)
    return consultation


def _open(browser, browser_context_args, live_server, user, viewport, consultation, bypass_csp=False) -> Page:
    context = browser.new_context(**{**browser_context_args, "viewport": viewport, "bypass_csp": bypass_csp})
    log_in_context(context, user, live_server.url)
    page = context.new_page()
    page.goto(f"/consultations/{consultation.public_id}/")
    return page


def _nothing_for_staff_only(page: Page, physician: User) -> None:
    body = page.locator("body")
    expect(body).not_to_contain_text(NOTE)
    expect(body).not_to_contain_text("佐藤")
    expect(body).not_to_contain_text("counselor")
    expect(body).not_to_contain_text("田中")
    expect(body).not_to_contain_text(MedicalFlag.objects.get(slug="fish-allergy").label)
    expect(body).not_to_contain_text(re.compile("/ 100|score|スコア|適合度"))
    expect(page.locator("meter, .score")).to_have_count(0)


def test_before_sign_off_only_general_information(
    browser, browser_context_args, live_server, counselor, physician, demo_clinic, viewport, tmp_path
):
    consultation = _scene(counselor, demo_clinic, "ja")
    page = _open(
        browser, browser_context_args, live_server, counselor, viewport, consultation, bypass_csp=True
    )
    errors = watch_for_errors(page)
    page.get_by_role("link", name="患者さんに見せる").click()
    expect(page.locator("h1")).to_have_text("お悩みに関する施術の一般的な情報")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    names = page.locator(".present-option h2").all_inner_texts()
    assert Treatment.objects.get(slug="subcision").name_ja in names
    assert names == sorted(names)  # by name: nothing put first
    expect(page.locator(".present-timeline")).to_have_count(0)
    _nothing_for_staff_only(page, physician)
    assert (page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")) >= 20
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    page.screenshot(path=str(tmp_path / f"present-general-{viewport['width']}.png"), full_page=True)
    page.get_by_role("link", name=re.compile("スタッフ画面に戻る")).click()
    expect(page.locator("#profile-form")).to_be_visible()
    assert errors == []


def test_after_sign_off_the_signed_comparison_in_the_handout_language(
    browser, browser_context_args, live_server, counselor, physician, demo_clinic, viewport, tmp_path
):
    consultation = _scene(counselor, demo_clinic, "en")
    sign_off(consultation, physician)
    page = _open(
        browser, browser_context_args, live_server, counselor, viewport, consultation, bypass_csp=True
    )
    page.get_by_role("link", name="患者さんに見せる").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your consultation: the options discussed")
    expect(page.locator(".present-option h3")).to_have_count(3)
    expect(page.locator(".present-option h3").first).to_contain_text(
        Treatment.objects.get(slug="subcision").name_en
    )
    expect(page.locator(".present-timeline svg.timeline-chart")).to_be_visible()
    _nothing_for_staff_only(page, physician)
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    page.screenshot(path=str(tmp_path / f"present-signed-{viewport['width']}.png"), full_page=True)
    page.get_by_role("link", name=re.compile("Back to the staff screen")).click()
    expect(page.locator("#profile-form")).to_be_visible()


def test_general_information_leaves_out_what_her_flags_rule_out(
    browser, browser_context_args, live_server, counselor, physician, demo_clinic, viewport
):
    """Rolling scars make Rejuran (salmon-derived PN) a treatment for her concerns, but she is allergic
    to fish: an absolute contraindication (the engine's rule), so presentation mode does not show it,
    nor does it name the flag; a neutral note says the physician will explain."""
    consultation = _scene(counselor, demo_clinic, "ja")
    page = _open(
        browser, browser_context_args, live_server, counselor, viewport, consultation, bypass_csp=True
    )
    page.get_by_role("link", name="患者さんに見せる").click()
    names = page.locator(".present-option h2").all_inner_texts()
    assert Treatment.objects.get(slug="subcision").name_ja in names
    assert Treatment.objects.get(slug="rejuran").name_ja not in names
    expect(page.locator(".present-note").last).to_contain_text("問診へのお答え")
    _nothing_for_staff_only(page, physician)
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    # Pregnant too: everything with pregnancy as an absolute contraindication goes as well.
    consultation.flags.add(MedicalFlag.objects.get(slug="pregnancy"))
    page.reload()
    names = page.locator(".present-option h2").all_inner_texts()
    for slug in ("rejuran", "exosome", "profhilo", "potenza"):
        assert Treatment.objects.get(slug=slug).name_ja not in names, slug
    assert Treatment.objects.get(slug="subcision").name_ja in names
    expect(page.locator("body")).not_to_contain_text(MedicalFlag.objects.get(slug="pregnancy").label)
    # Without a flag nothing is left out and no note appears.
    consultation.flags.clear()
    page.reload()
    assert (
        Treatment.objects.get(slug="rejuran").name_ja in page.locator(".present-option h2").all_inner_texts()
    )
    expect(page.get_by_text("問診へのお答え")).to_have_count(0)
