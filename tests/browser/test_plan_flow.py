"""From a signed-off consultation to a signed plan and the law's papers, in a real browser on a
tablet (820×1180) and a laptop: the counselor prepares the plan, the physician signs it, the counselor
issues the estimate, the overview and the contract document, and records the day the patient
received it; the cooling-off deadline shows."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    SAVE_TIMEOUT_MS,
    VIEWPORTS,
    pdftotext,
    squash,
    watch_for_errors,
)
from tests.browser.scenes import consultation_with_options
from tests.conftest import sign_off

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PLAN_SCREENSHOTS")  # a directory to keep the screenshots in


def issue(page: Page, label: str) -> None:
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/plan/" not in r.url, timeout=SAVE_TIMEOUT_MS
    ) as response:
        page.get_by_role("button", name=label).click()
    assert response.value.status == 200, f"{label}: HTTP {response.value.status}"
    expect(page.locator(".htmx-request")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_plan_signed_and_contract_papers_issued(
    live_server, signed_in_page, counselor, physician, demo_clinic, viewport, tmp_path
):
    consultation = consultation_with_options(
        counselor, demo_clinic, chart_number="C-3001", display_name="契約 花子", options=("dermapen-4",)
    )
    sign_off(consultation, physician)
    shots = Path(SHOTS) if SHOTS else tmp_path
    shot = shots / f"plan-{viewport['width']}x{viewport['height']}"
    url = f"/consultations/{consultation.public_id}/plan/"

    # The counselor opens the plan from the workspace's card and adds a five-session course.
    desk = signed_in_page(counselor, viewport, f"/consultations/{consultation.public_id}/")
    errors = watch_for_errors(desk)
    desk.locator("#plan-card a").click()
    expect(desk).to_have_url(f"{live_server.url}{url}")
    desk.locator("#id_treatment").select_option("dermapen-4")
    desk.locator("#id_sessions").fill("5")
    first = timezone.localdate() + timedelta(days=9)
    desk.locator("#id_first_session").fill(first.isoformat())
    desk.get_by_role("button", name="計画に追加").click()
    expect(desk.locator("table.plan-items")).to_contain_text("ダーマペン4")
    expect(desk.locator("table.plan-items")).to_contain_text((first + timedelta(weeks=16)).isoformat())
    expect(desk.locator("#plan-signature")).to_contain_text("医師の署名待ち")
    expect(desk.locator("#plan-law")).to_contain_text("特定商取引法が適用されます")
    desk.screenshot(path=f"{shot}-1-prepared.png", full_page=True)

    # The physician signs it.
    doctor = signed_in_page(physician, viewport, url)
    doctor.get_by_role("button", name="この計画に署名する").click()
    expect(doctor.locator("#plan-signature")).to_contain_text("署名しました")

    # The counselor issues the papers, in the law's order.
    desk.reload()
    issue(desk, "見積書を発行")
    issue(desk, "概要書面を発行")
    issue(desk, "契約書面を発行")
    papers = desk.locator("#plan-documents table")
    expect(papers.locator("tbody tr")).to_have_count(3)
    expect(desk.locator("#plan-law")).to_contain_text("紙でお渡しください")
    with desk.expect_download() as download:
        desk.locator("#plan-documents tbody tr").first.get_by_role("link").click()
    pdf = tmp_path / "contract.pdf"
    download.value.save_as(pdf)
    text = squash(pdftotext(pdf))
    assert "契約書面" in text and "クーリング・オフ" in text and "契約花子" in text

    # The day the patient received the contract document: cooling-off runs 8 days from it.
    today = timezone.localdate()
    desk.reload()
    desk.locator("#id_received").fill(today.isoformat())
    desk.get_by_role("button", name="受領日を記録").click()
    expect(desk.locator("#plan-law")).to_contain_text(
        f"クーリング・オフは{(today + timedelta(days=7)).isoformat()}まで"
    )
    desk.screenshot(path=f"{shot}-2-contracted.png", full_page=True)
    assert not errors


def test_the_patient_signs_the_consent_on_the_tablet(
    live_server, signed_in_page, counselor, physician, demo_clinic, tmp_path
):
    from catalog.models import Treatment
    from consult.models import PlannedTreatment, TreatmentPlan

    consultation = consultation_with_options(
        counselor, demo_clinic, chart_number="C-3002", display_name="同意 花子", options=("dermapen-4",)
    )
    sign_off(consultation, physician)
    plan = TreatmentPlan.start(consultation, counselor)
    PlannedTreatment.objects.create(
        plan=plan,
        treatment=Treatment.objects.get(slug="dermapen-4"),
        sessions=5,
        interval_weeks=4,
        first_session=timezone.localdate() + timedelta(days=9),
    )
    plan.sign(physician, plan.version)
    tablet = VIEWPORTS["tablet"]
    shots = Path(SHOTS) if SHOTS else tmp_path
    url = f"/consultations/{consultation.public_id}/plan/consents/dermapen-4/"

    doctor = signed_in_page(physician, tablet, url)
    doctor.get_by_role("button", name="この施術について患者さまに説明しました").click()
    expect(doctor.locator("#signature-pad")).to_be_visible()

    desk = signed_in_page(counselor, tablet, url)
    errors = watch_for_errors(desk)
    submit = desk.get_by_role("button", name="署名して同意書を発行")
    expect(submit).to_be_disabled()  # nothing drawn yet
    pad = desk.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    desk.mouse.move(box["x"] + 40, box["y"] + box["height"] * 0.7)
    desk.mouse.down()
    for step in range(1, 12):
        desk.mouse.move(box["x"] + 40 + step * 40, box["y"] + box["height"] * (0.7 - 0.05 * (step % 5)))
    desk.mouse.up()
    expect(submit).to_be_enabled()
    desk.screenshot(path=str(shots / "consent-820x1180-1-signed-pad.png"))
    submit.click()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="PDFをダウンロード").click()
    pdf = tmp_path / "consent.pdf"
    download.value.save_as(pdf)
    text = squash(pdftotext(pdf))
    assert "施術についての説明と同意書" in text and "同意花子" in text and "患者さまの署名" in text
    import subprocess

    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(shots / "consent-pdf")], check=True)
    assert not errors
