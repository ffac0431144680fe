"""The whole consultation as a counselor does it, in a real browser, in both UI languages and with
the handout in the other language too: the handout's language is the consultation's, never the UI's."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from catalog.models import Treatment
from consult.models import Consultation, Document
from tests.browser.conftest import (
    SAVE_TIMEOUT_MS,
    log_in_form,
    pdftotext,
    physician_signs_off,
    squash,
    watch_for_errors,
)

pytestmark = pytest.mark.browser

MARKER = "window.__e2eNoReload"

UI = {
    "ja": {
        "options": "医師と相談する選択肢",
        "saved": "保存しました",
        "compare": "選んだ選択肢の比較",
        "excluded": "適さない・提供していない施術とその理由",
        "empty": "お悩みを1つ以上チェックすると",
    },
    "en": {
        "options": "Options to discuss with the physician",
        "saved": "Saved",
        "compare": "Comparison of the chosen options",
        "excluded": "Not suitable or not available, and why",
        "empty": "Tick at least one concern",
    },
}
# What every handout says (design.md §7: self-pay, prices include tax, the physician decides), in the
# handout's language. An English handout also names the Japanese legal terms in brackets ("(自由診療)").
HANDOUT = {"ja": ["自由診療", "税込", "医師"], "en": ["insurance", "tax", "physician"]}
AREAS = {"ja": ["左頬", "右頬"], "en": ["Left cheek", "Right cheek"]}
OTHER = {"ja": "en", "en": "ja"}


@contextmanager
def saved(page: Page, path: str = "/save/"):
    """Wait for the htmx request the enclosed action triggers (typed text waits 800 ms first), and
    for htmx to have swapped its answer in: the next click must hit the new page, as a person's would."""
    with page.expect_response(
        lambda r: path in r.url and r.request.method == "POST", timeout=SAVE_TIMEOUT_MS
    ) as response:
        yield
    assert response.value.status == 200, f"{path}: HTTP {response.value.status}"
    expect(page.locator(".htmx-request")).to_have_count(0)


def option_names(slugs: list[str], language: str) -> list[str]:
    return [getattr(Treatment.objects.get(slug=slug), f"name_{language}") for slug in slugs]


def run_consultation(page: Page, *, ui: str, handout: str, tmp_path, sign_off) -> tuple[Consultation, str]:
    """The counselor's consultation; `sign_off(consultation)` is the physician's, before the handout."""
    text = UI[ui]
    errors = watch_for_errors(page)
    log_in_form(page, "counselor")
    expect(page).to_have_url(re.compile(r"/consultations/$"))
    if ui == "en":
        page.locator(".lang-switch button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    # New consultation
    page.locator("main a[href='/consultations/new/']").click()
    page.locator("#id_chart_number").fill(f"E2E-{ui}-{handout}")
    page.locator("#id_display_name").fill("テスト 花子" if handout == "ja" else "Hanako Test")
    page.locator("#id_handout_language").select_option(handout)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/consultations/[0-9a-f-]{36}/$"))
    consultation = Consultation.objects.get(chart_number=f"E2E-{ui}-{handout}")
    page.evaluate(f"{MARKER} = true")
    results = page.locator("#results")
    save_state = page.locator("#save-state")
    expect(results).to_contain_text(text["empty"])

    # Intake: each change is saved as it is made.
    with saved(page):
        page.locator("#id_age_band").select_option("30s")
    expect(save_state).to_have_class(re.compile(r"\bsaved\b"))
    expect(save_state).to_contain_text(text["saved"])
    with saved(page):
        page.locator("#id_skin_type").select_option("4")

    # A concern, then its areas on the face map and its severity.
    concern = page.locator("#concern-rolling-scar")
    with saved(page):
        concern.locator(".concern-toggle").check()
    expect(results.locator("article.suggestion")).not_to_have_count(0)
    expect(results).to_contain_text(text["options"])
    for area in ("cheek-left", "cheek-right"):
        group = concern.locator(f".area-group[data-area='{area}']")
        with saved(page):
            group.click()
        expect(group).to_have_attribute("aria-pressed", "true")
    with saved(page):
        concern.locator("input[name='severity-rolling-scar'][value='3']").check()

    # Wishes and medical questions change the suggestions in place.
    with saved(page):
        page.locator("#id_max_downtime_days").fill("7")
        page.locator("#id_max_downtime_days").press("Tab")
    rejuran = results.locator("article.suggestion:has(a[href='/catalog/treatments/rejuran/'])")
    expect(rejuran).to_have_count(1)
    with saved(page):
        page.locator("input[name='flag-fish-allergy'][value='yes']").check()
    expect(rejuran).to_have_count(0)
    expect(results.locator("ul.excluded")).to_contain_text(
        getattr(Treatment.objects.get(slug="rejuran"), f"name_{ui}")
    )
    expect(results).to_contain_text(text["excluded"])
    with saved(page):  # typed text is saved 800 ms after the last keystroke
        page.locator("#id_notes").press_sequentially("E2E", delay=20)
    assert page.evaluate(MARKER) is True, "the page was reloaded"

    # Three options for the comparison, then one moved right.
    chosen = ["subcision", "dermapen-4", "pico-fractional"]
    for slug in chosen:
        with saved(page, "/options/"):
            results.locator(f"article.suggestion:has(a[href='/catalog/treatments/{slug}/']) button").click()
    heads = results.locator("table.compare thead .option-head > a")
    expect(heads).to_have_text(option_names(chosen, ui))
    with saved(page, "/options/"):
        results.locator(
            ".option-head:has(a[href='/catalog/treatments/subcision/']) "
            "form:has(input[name=action][value=down]) button"
        ).click()
    expect(heads).to_have_text(option_names(["dermapen-4", "subcision", "pico-fractional"], ui))
    expect(results).to_contain_text(text["compare"])
    assert page.evaluate(MARKER) is True, "the page was reloaded"

    consultation.refresh_from_db()
    assert [o.treatment.slug for o in consultation.options.order_by("position")] == [
        "dermapen-4",
        "subcision",
        "pico-fractional",
    ]
    concern_row = consultation.concerns.get()
    assert (concern_row.condition.slug, concern_row.severity, sorted(concern_row.areas)) == (
        "rolling-scar",
        3,
        ["cheek-left", "cheek-right"],
    )
    assert (consultation.age_band, consultation.skin_type, consultation.max_downtime_days) == ("30s", 4, 7)
    assert [f.slug for f in consultation.flags.all()] == ["fish-allergy"]
    assert consultation.notes == "E2E"

    # The handout waits for the physician's sign-off (design.md §9), then: issue, download, read.
    handouts = page.locator("#handouts")
    expect(handouts.locator("button.primary")).to_be_disabled()
    sign_off(consultation)
    page.reload()
    expect(handouts.locator("button.primary")).to_be_enabled()
    with page.expect_response(
        lambda r: r.url.endswith("/handouts/") and r.request.method == "POST", timeout=60_000
    ):
        handouts.locator("form button[type=submit]").click()
    link = page.locator("#handouts a[href$='.pdf']").first
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    pdf = tmp_path / "handout.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert errors == [], errors
    return consultation, pdftotext(pdf)


@pytest.mark.parametrize(
    ("ui", "handout"),
    [("ja", "ja"), ("en", "ja"), ("ja", "en")],
    ids=["japanese-ui-japanese-handout", "english-ui-japanese-handout", "japanese-ui-english-handout"],
)
def test_a_counselor_runs_a_whole_consultation(
    live_server, page: Page, new_context, counselor, physician, ui, handout, tmp_path
):
    def sign_off(consultation):
        physician_signs_off(new_context, live_server.url, physician, consultation)

    consultation, text = run_consultation(page, ui=ui, handout=handout, tmp_path=tmp_path, sign_off=sign_off)
    # The UI stayed in its language throughout.
    expect(page.locator("html")).to_have_attribute("lang", ui)

    flat = squash(text)
    names = option_names(["dermapen-4", "subcision", "pico-fractional"], handout)
    for name in names:
        assert squash(name) in flat, f"{name!r} not in the handout"
    # The comparison keeps the counselor's order.
    positions = [flat.index(squash(name)) for name in names]
    assert positions == sorted(positions), f"options out of order in the handout: {names}"
    assert squash("テスト 花子" if handout == "ja" else "Hanako Test") in flat
    for phrase in [*HANDOUT[handout], *AREAS[handout]]:
        assert squash(phrase) in flat, f"{phrase!r} missing from the {handout} handout"
    # Nothing patient-facing in the other language, whatever the UI's language.
    for phrase in [
        *option_names(["dermapen-4", "subcision", "pico-fractional"], OTHER[handout]),
        *AREAS[OTHER[handout]],
    ]:
        assert squash(phrase) not in flat, f"{phrase!r} in the {handout} handout"
    handout_row = Document.objects.get(consultation=consultation)
    assert handout_row.language == handout
