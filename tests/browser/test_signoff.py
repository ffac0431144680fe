"""The physician decides (design.md §9), in a real browser on a laptop and on a tablet: a counselor's
attempt to compare an absolutely contraindicated option is refused, the physician overrides it with
a medical reason and signs off, the print button comes alive and the handout prints the override and
the signer; a later change by the counselor disables the button again at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from catalog.models import MedicalFlag, Treatment
from tests.browser.conftest import (
    SAVE_TIMEOUT_MS,
    VIEWPORTS,
    pdftotext,
    squash,
    watch_for_errors,
)
from tests.browser.scenes import consultation_with_options

pytestmark = pytest.mark.browser

REASON = "加熱した魚では症状なし。パッチテスト陰性を確認済み。"


def post(page: Page, path: str, status: int, action) -> None:
    with page.expect_response(
        lambda r: r.url.endswith(path) and r.request.method == "POST", timeout=SAVE_TIMEOUT_MS
    ) as response:
        action()
    assert response.value.status == status, f"{path}: HTTP {response.value.status}"
    expect(page.locator(".htmx-request")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_a_contraindicated_option_is_refused_overridden_signed_off_and_printed(
    live_server, signed_in_page, counselor, physician, demo_clinic, viewport, tmp_path
):
    # Rolling scars, a fish allergy (one of the scene's flags), two options compared.
    consultation = consultation_with_options(
        counselor,
        demo_clinic,
        chart_number="B-1001",
        display_name="山田 花子",
        options=("subcision", "dermapen-4"),
    )
    url = f"/consultations/{consultation.public_id}/"
    rejuran = Treatment.objects.get(slug="rejuran").name_ja
    flag = MedicalFlag.objects.get(slug="fish-allergy").label_ja
    shot = tmp_path / f"{viewport['width']}x{viewport['height']}"

    # The counselor: no handout before the sign-off, and the reason why.
    desk = signed_in_page(counselor, viewport, url)
    errors = watch_for_errors(desk)
    print_button = desk.locator("#handout-issue button.primary")
    expect(print_button).to_be_disabled()
    expect(desk.locator("#handout-gate")).to_contain_text("医政発0815第21号")
    expect(desk.locator("#signoff")).to_contain_text("まだ医師の確認を受けていません")

    # Rejuran (salmon-derived) for a fish allergy: refused, naming the treatment and the flag.
    desk.locator("#id_add_treatment").select_option("rejuran")
    post(
        desk,
        "/options/",
        422,
        lambda: desk.locator("form:has(#id_add_treatment) button[type=submit]").click(),
    )
    refusal = desk.locator("#option-error")
    expect(refusal).to_contain_text(rejuran)
    expect(refusal).to_contain_text(flag)
    expect(refusal).to_contain_text("医師")
    expect(desk.locator("table.compare thead")).not_to_contain_text(rejuran)
    refusal.scroll_into_view_if_needed()
    desk.screenshot(path=f"{shot}-1-refused.png")

    # The physician overrides it with the medical reason, then signs off this version.
    doctor = signed_in_page(physician, viewport, url)
    doctor.locator("#id_override_treatment").select_option("rejuran")
    doctor.locator("#id_override_reason").fill(REASON)
    post(doctor, "/options/", 200, lambda: doctor.locator("form.override-form button[type=submit]").click())
    box = doctor.locator("table.compare thead .absolute-contra")
    expect(box).to_contain_text("絶対禁忌")
    expect(box).to_contain_text(REASON)
    box.scroll_into_view_if_needed()
    doctor.screenshot(path=f"{shot}-2-override.png")
    doctor.reload()  # the full page, as the physician sees it before signing
    doctor.locator("#signoff form.signoff-form button[type=submit]").click()
    panel = doctor.locator("#signoff")
    expect(panel).to_have_class(re.compile(r"\bsigned\b"))
    expect(panel).to_contain_text("physician")
    expect(panel.locator(".override-label")).to_contain_text("医師が禁忌を解除")
    panel.scroll_into_view_if_needed()
    doctor.screenshot(path=f"{shot}-3-signed.png")
    panel.screenshot(path=f"{shot}-3-signoff-panel.png")

    # The counselor's print button comes alive; the handout shows the override and the signer.
    desk.reload()
    expect(print_button).to_be_enabled()
    post(desk, "/handouts/", 200, lambda: print_button.click())
    with desk.expect_download() as download:
        desk.locator("#handouts a[href$='.pdf']").first.click()
    pdf = tmp_path / f"handout-{viewport['width']}.pdf"
    download.value.save_as(pdf)
    text = squash(pdftotext(pdf))
    assert squash("確認した医師physician") in text
    assert squash(REASON) in text and squash(rejuran) in text
    section = text[text.index(squash(f"選択肢3{rejuran}")) :]
    assert section.index(squash("医師の判断")) < section.index(squash(REASON))

    # A later change (the budget) clears the sign-off and disables printing at once.
    budget = desk.locator("#id_budget_yen")
    budget.fill("400000")
    post(desk, "/save/", 200, lambda: budget.press("Tab"))
    expect(print_button).to_be_disabled()
    expect(desk.locator("#signoff")).to_have_class(re.compile(r"\bunsigned\b"))
    desk.locator("#signoff").scroll_into_view_if_needed()
    desk.screenshot(path=f"{shot}-4-cleared.png")
    consultation.refresh_from_db()
    assert not consultation.is_signed_off
    # Chromium logs the refused addition's HTTP 422 as a console error: it is the expected answer.
    errors = [e for e in errors if "status of 422" not in e]
    assert errors == [], errors
