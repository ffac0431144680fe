"""Render ahead (issue 13, target 2) in a real browser, at 1280×800 and 820×1180: the physician signs
off, the handout is rendered in the background, and the counselor's "Print handout" answers with the
PDF at once: no "preparing…" card, even though the request would not wait for a render."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from consult.documents import KINDS, rendering
from consult.documents.pipeline import issue_key
from consult.models import Consultation
from tests.browser.conftest import SAVE_TIMEOUT_MS, VIEWPORTS, pdftotext, squash, watch_for_errors
from tests.browser.scenes import consultation_with_options

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/speedbench")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_after_the_sign_off_print_answers_with_the_pdf_made_ahead(
    signed_in_page, counselor, physician, demo_clinic, viewport, settings, tmp_path
):
    settings.RENDER_BACKEND = "pool"
    settings.RENDER_AHEAD = True
    settings.RENDER_WAIT_SECONDS = 0  # a render at the click would always show "preparing…"
    rendering.pool()
    caches["prepared"].clear()  # the database is reset between tests, this process's cache is not
    consultation = consultation_with_options(counselor, demo_clinic)
    url = f"/consultations/{consultation.public_id}/"

    doctor = signed_in_page(physician, viewport, url)
    doctor.locator("#signoff form.signoff-form button[type=submit]").click()
    expect(doctor.locator("#signoff")).to_have_class(re.compile(r"\bsigned\b"), timeout=SAVE_TIMEOUT_MS)
    fresh = Consultation.objects.with_details().get(pk=consultation.pk)
    key = issue_key(KINDS["handout"], fresh)
    deadline = time.monotonic() + 60
    while rendering.prepared("handout", consultation.pk, key) is None:  # the render made ahead, in the pool
        assert time.monotonic() < deadline, "nothing was prepared after the sign-off"
        time.sleep(0.1)
    prepared = rendering.prepared("handout", consultation.pk, key)

    desk = signed_in_page(counselor, viewport, url)
    errors = watch_for_errors(desk)
    with desk.expect_response(
        lambda r: r.url.endswith("/handouts/") and r.request.method == "POST"
    ) as answer:
        desk.locator("#handout-issue button[type=submit]").click()
    assert answer.value.status == 200  # not 202 "preparing…"
    notice = desk.locator("#handouts .notice")
    expect(notice).to_contain_text("資料を発行しました")
    expect(desk.locator("#handout-pending")).to_have_count(0)
    link = notice.get_by_role("link", name="PDFを開く")
    expect(link).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    notice.scroll_into_view_if_needed()
    desk.screenshot(path=str(SHOTS / f"ahead-issued-{viewport['width']}.png"))
    document = consultation.documents.get()
    assert str(document.public_id) == prepared.document_id  # the bytes made ahead, stored
    with desk.expect_download() as download:
        desk.locator("#handouts a[href$='.pdf']").first.click()
    pdf = tmp_path / "handout.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes() == prepared.pdf
    assert squash(document.snapshot["handout_id"]) in squash(pdftotext(pdf))
    assert errors == []
