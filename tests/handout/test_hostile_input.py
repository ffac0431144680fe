"""Hostile text from counselors and clinic admins prints as text, fetches nothing and keeps the layout."""

from __future__ import annotations

import logging
import re
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from catalog.models import Condition, Treatment
from clinic.lib import pdf
from consult.documents.handout import build_snapshot, render_handout
from consult.models import ChosenOption, Concern, Consultation

from .conftest import squash

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
RIGHT_TO_LEFT_OVERRIDE = "right-to-left override"
HEBREW = "שלום"
EMOJI = "😀🎉"
HOSTILE_NOTES = "\n".join(
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://evil.invalid/x.css">',
        "<style>@import url(http://evil.invalid/y.css); body { background: url(file:///etc/passwd) }</style>",
        '<svg><image href="file:///etc/shadow"/></svg>',
        "</p></section><h1>FAKE HEADING</h1><script>alert(1)</script>",
        f"{LONG_WORD} end",
        f"\u202e{RIGHT_TO_LEFT_OVERRIDE}\u202c \u200f{HEBREW}\u200f {EMOJI}",
    ]
)


@pytest.fixture
def hostile(counselor, demo_clinic) -> Consultation:
    demo_clinic.name_ja = '<b>"Clinic"</b> url(file:///etc/passwd) ' + "X" * 60
    demo_clinic.save()
    consultation = Consultation.objects.create(
        clinic=demo_clinic,
        counselor=counselor,
        chart_number="<i>A-1</i>\u202e9999",
        # 80 characters: the longest display name the form accepts (PostgreSQL enforces the limit).
        display_name="<script>x</script>"
        + "Ｗ" * 22
        + "🌸"
        + "averyveryverylongnamewithoutanyspaces"
        + "👍🏽",
        handout_language="ja",
        notes=HOSTILE_NOTES,
    )
    Concern.objects.create(
        consultation=consultation,
        condition=Condition.objects.get(slug="dryness"),
        severity=2,
        areas=["forehead"],
    )
    ChosenOption.objects.create(consultation=consultation, treatment=Treatment.objects.get(slug="subcision"))
    return consultation


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks for, allowed or not (the stylesheet cache is emptied first)."""
    urls: list[str] = []
    original = pdf.StaticOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", recording_fetch)
    monkeypatch.setattr(pdf, "_STYLESHEETS", {})
    return urls


def test_hostile_text_prints_as_text_fetches_nothing_and_keeps_the_layout(
    hostile, counselor, fetched, tmp_path, caplog
):
    issued_at = datetime(2026, 11, 21, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = render_handout(build_snapshot(hostile, counselor, issued_at))
    path = tmp_path / "hostile.pdf"
    path.write_bytes(document)

    assert fetched == [pdf.static_prefix() + "handout/handout.css"]

    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = squash(text)
    for line in HOSTILE_NOTES.splitlines()[:5]:
        assert squash(line) in flat, line
    assert LONG_WORD in flat
    assert squash('<b>"Clinic"</b>url(file:///etc/passwd)') in flat
    assert "<script>x</script>" in flat and "<i>A-1</i>" in flat
    assert "root:x:0:0" not in text

    # Emoji and right-to-left text print as glyphs, not as missing-glyph boxes: WeasyPrint warns
    # ".notdef glyph rendered" for every character no font has.
    assert not [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]
    assert EMOJI in flat and "🌸" in flat and "👍🏽" in flat
    assert HEBREW in flat
    # The override really reverses the text (drawn right to left), as it would on screen.
    assert squash(RIGHT_TO_LEFT_OVERRIDE[::-1]) in flat
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Emoji" in fonts

    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">', bbox)
    assert 1 <= len(pages) <= 8
    width = float(pages[0][0])
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', bbox)
    assert words
    # Nothing runs into the 13 mm side margins: long words wrap (overflow-wrap: anywhere).
    margin = 13 * 72 / 25.4 - 1
    assert all(float(x0) >= margin - 0.5 and float(x1) <= width - margin + 0.5 for x0, x1 in words)
    # The long word was broken over several lines rather than cut off.
    pieces = [w for w in re.findall(r">([^<]+)</word>", bbox) if "Pneumono" in w or "coniosis" in w]
    assert len(pieces) >= 3


def test_the_fetcher_serves_static_files_only():
    css = pdf.static_prefix() + "handout/handout.css"
    assert pdf.static_path(css).name == "handout.css"
    refused = [
        "file:///etc/passwd",
        "http://weasyprint.invalid/static/handout/handout.css",
        "https://weasyprint.invalid.evil.example/static/handout/handout.css",
        "https://example.com/static/handout/handout.css",
        pdf.static_prefix() + "../clinic/settings.py",
        pdf.static_prefix() + "%2e%2e/clinic/settings.py",
        pdf.static_prefix() + "handout/../../manage.py",
        pdf.static_prefix() + "/etc/passwd",
        pdf.static_prefix() + "handout/handout.css?x=1",
        pdf.static_prefix() + "handout/missing.css",
        pdf.BASE_URL + "etc/passwd",
        "data:text/css,body{color:red}",
    ]
    fetcher = pdf.StaticOnlyFetcher()
    for url in refused:
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(url)
    assert fetcher.refused == refused and fetcher.fetched == []
    assert fetcher.fetch(css).read().startswith(b"/*")


def test_real_elements_asking_for_files_or_the_network_are_refused():
    html = (
        '<html lang="en"><head><title>t</title><link rel="stylesheet" href="file:///etc/passwd">'
        "<style>@import url(http://evil.invalid/a.css); p { background: url(file:///etc/passwd) }</style>"
        '</head><body><p>Hello</p><img src="file:///etc/passwd"><img src="https://evil.invalid/b.png">'
        '<svg width="10" height="10"><image href="file:///etc/shadow" width="10" height="10"/></svg></body></html>'
    )
    fetcher = pdf.StaticOnlyFetcher()
    document = pdf.html_to_pdf(html, identifier="test", fetcher=fetcher)
    assert document.startswith(b"%PDF-")
    assert fetcher.fetched == []
    assert {"file:///etc/passwd", "http://evil.invalid/a.css", "https://evil.invalid/b.png"} <= set(
        fetcher.refused
    )
