"""One consultation walked end to end through the UI on a tablet (820×1180), as issue 10 asks: the
counselor's intake and comparison, the physician's sign-off, the plan and its signature, the estimate
and (where 特定商取引法 applies) the overview and the contract document, the day of receipt, the
physician's explanation, the patient's signature drawn on the canvas, and the issued consent whose
PDF names the treatment and the physician who explained it."""

from __future__ import annotations

import os
import re
import subprocess
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from catalog.models import Treatment
from consult.models import Consultation, Document
from tests.browser.conftest import SAVE_TIMEOUT_MS, pdftotext, squash, watch_for_errors

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
SHOTS = os.environ.get("WALK_SCREENSHOTS")  # a directory to keep the screenshots in
TREATMENT = "dermapen-4"


@pytest.fixture
def tablet_page(signed_in_page):
    """A page on a tablet-sized browser of its own, signed in as `user`."""
    return lambda user: signed_in_page(user, TABLET)


@contextmanager
def posted(page: Page, path: str):
    """Wait for the POST the enclosed action triggers, and for htmx to have swapped its answer in."""
    with page.expect_response(
        lambda r: path in r.url and r.request.method == "POST", timeout=SAVE_TIMEOUT_MS
    ) as response:
        yield
    assert response.value.status == 200, f"{path}: HTTP {response.value.status}"
    expect(page.locator(".htmx-request")).to_have_count(0)


def issue(page: Page, label: str) -> None:
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/plan/" not in r.url, timeout=SAVE_TIMEOUT_MS
    ) as response:
        page.get_by_role("button", name=label).click()
    assert response.value.status == 200, f"{label}: HTTP {response.value.status}"
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_a_consultation_walks_from_intake_to_an_issued_consent_on_a_tablet(
    live_server, tablet_page, counselor, physician, tmp_path
):
    shots = Path(SHOTS) if SHOTS else tmp_path
    name = Treatment.objects.get(slug=TREATMENT).name_ja

    # The counselor creates the consultation and takes the intake: a concern with its severity, a wish.
    desk = tablet_page(counselor)
    errors = watch_for_errors(desk)
    desk.goto("/consultations/")
    desk.locator("main a[href='/consultations/new/']").click()
    desk.locator("#id_chart_number").fill("W-4001")
    desk.locator("#id_display_name").fill("通し 花子")
    desk.locator("main form button[type=submit]").click()
    expect(desk).to_have_url(re.compile(r"/consultations/[0-9a-f-]{36}/$"))
    consultation = Consultation.objects.get(chart_number="W-4001")
    workspace = f"/consultations/{consultation.public_id}/"
    concern = desk.locator("#concern-rolling-scar")
    with posted(desk, "/save/"):
        concern.locator(".concern-toggle").check()
    with posted(desk, "/save/"):
        concern.locator("input[name='severity-rolling-scar'][value='3']").check()
    with posted(desk, "/save/"):
        desk.locator("#id_max_downtime_days").fill("7")
        desk.locator("#id_max_downtime_days").press("Tab")

    # One option for the comparison.
    desk.locator("#id_add_treatment").select_option(TREATMENT)
    with posted(desk, "/options/"):
        desk.locator("form:has(#id_add_treatment) button[type=submit]").click()
    expect(desk.locator("table.compare thead")).to_contain_text(name)
    expect(desk.locator("#signoff")).to_contain_text("まだ医師の確認を受けていません")

    # The physician signs off in the workspace.
    doctor = tablet_page(physician)
    doctor.goto(workspace)
    doctor.locator("#signoff form.signoff-form button[type=submit]").click()
    expect(doctor.locator("#signoff")).to_have_class(re.compile(r"\bsigned\b"))

    # The counselor prepares the plan for that option.
    desk.reload()
    desk.locator("#plan-card a").click()
    expect(desk).to_have_url(f"{live_server.url}{workspace}plan/")
    desk.locator("#id_treatment").select_option(TREATMENT)
    desk.locator("#id_sessions").fill("5")
    desk.locator("#id_first_session").fill((timezone.localdate() + timedelta(days=9)).isoformat())
    desk.get_by_role("button", name="計画に追加").click()
    expect(desk.locator("table.plan-items")).to_contain_text(name)
    expect(desk.locator("#plan-signature")).to_contain_text("医師の署名待ち")

    # The physician signs the plan.
    doctor.goto(f"{workspace}plan/")
    doctor.get_by_role("button", name="この計画に署名する").click()
    expect(doctor.locator("#plan-signature")).to_contain_text("署名しました")

    # The papers, in the law's order, and the day the patient received them.
    desk.reload()
    law_applies = "特定商取引法が適用されます" in desk.locator("#plan-law").inner_text()
    # Five sessions over four months for more than ¥50,000: 特定継続的役務, so the walk covers its papers.
    assert law_applies
    issue(desk, "見積書を発行")
    if law_applies:
        issue(desk, "概要書面を発行")
        issue(desk, "契約書面を発行")
    expect(desk.locator("#plan-documents tbody tr")).to_have_count(3 if law_applies else 1)
    today = timezone.localdate()
    desk.reload()
    desk.locator("#id_received").fill(today.isoformat())
    desk.get_by_role("button", name="受領日を記録").click()
    if law_applies:
        expect(desk.locator("#plan-law")).to_contain_text(
            f"クーリング・オフは{(today + timedelta(days=7)).isoformat()}まで"
        )

    # The physician explains the treatment and records it, from the plan's consent link.
    doctor.reload()
    doctor.locator("#plan-consents a").filter(has_text=name).click()
    doctor.get_by_role("button", name="この施術について患者さまに説明しました").click()
    expect(doctor.locator("#signature-pad")).to_be_visible()

    # The patient signs on the counselor's tablet with pointer strokes, and the consent is issued.
    desk.locator("#plan-consents a").filter(has_text=name).click()
    submit = desk.get_by_role("button", name="署名して同意書を発行")
    expect(submit).to_be_disabled()
    pad = desk.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    for stroke in range(2):
        y = box["y"] + box["height"] * (0.4 + 0.25 * stroke)
        desk.mouse.move(box["x"] + 40, y)
        desk.mouse.down()
        for step in range(1, 12):
            desk.mouse.move(box["x"] + 40 + step * 40, y - box["height"] * 0.05 * (step % 4))
        desk.mouse.up()
    expect(submit).to_be_enabled()
    submit.click()
    expect(desk.get_by_role("link", name="PDFをダウンロード")).to_be_visible()
    desk.screenshot(path=str(shots / "walk-820x1180-consent-issued.png"), full_page=True)

    # The consent document: a PDF naming the treatment, the patient, the explaining physician.
    document = Document.objects.get(consultation=consultation, kind="consent")
    pdf = tmp_path / "consent.pdf"
    pdf.write_bytes(bytes(document.pdf))
    text = squash(pdftotext(pdf))
    assert squash(name) in text
    assert "通し花子" in text
    assert squash("説明した医師physician") in text
    assert "患者さまの署名" in text
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(shots / "walk-consent-pdf")], check=True)
    assert errors == [], errors
