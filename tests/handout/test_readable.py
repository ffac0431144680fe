"""A handout people can read (issue 16 item 5): no text below 9 pt outside the page footer, and the
body text at 10 pt or more; read from the PDF's own text operators (pikepdf). (The timeline chart is
drawn as a form XObject and is not counted here.)"""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import pikepdf
import pytest

from consult.documents.handout import render_handout
from consult.documents.handout_text import TEXT
from tests.handout.conftest import squash


def _text_sizes(path) -> Counter:
    """Font size (pt) of every text-showing operator: the size set by Tf, scaled by the text matrix
    and the current transformation (WeasyPrint draws in CSS px under a 0.75 scale, SVG under its own)."""
    sizes: Counter = Counter()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            ctm, stack = 1.0, []
            size, tm = None, 1.0
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "q":
                    stack.append(ctm)
                elif op == "Q":
                    ctm = stack.pop()
                elif op == "cm":
                    ctm *= abs(float(operands[0])) or abs(float(operands[1]))
                elif op == "Tf":
                    size = float(operands[1])
                elif op == "Tm":
                    tm = abs(float(operands[3])) or abs(float(operands[1]))
                elif op in ("Tj", "TJ") and size is not None:
                    sizes[round(size * tm * ctm, 1)] += 1
    return sizes


@pytest.mark.parametrize("name", ["handout_ja", "handout_en"])
def test_text_is_large_enough(db, request, name):
    rendered = request.getfixturevalue(name)
    sizes = _text_sizes(rendered.path)
    # Below 9 pt only the running footer (contact line and ID 8 pt, page number 8.5 pt) and the
    # 1 pt element that carries the contact line into the footer (string-set, not shown).
    assert {size for size in sizes if size < 9} <= {1.0, 8.0, 8.5}, sorted(sizes.items())
    body = sizes.most_common(1)[0][0]
    assert body >= 10, sizes.most_common(5)


@pytest.mark.parametrize("name", ["handout_ja", "handout_en"])
def test_summary_first_then_details_then_what_was_left_out(db, request, name):
    rendered = request.getfixturevalue(name)
    t = TEXT[rendered.snapshot["language"]]
    text = squash(rendered.text("-raw"))
    order = [t["concerns"], t["comparison"], t["timeline"], t["how"]]  # t["how"]: first in the details
    positions = [text.index(squash(heading)) for heading in order]
    assert positions == sorted(positions), order
    excluded = rendered.snapshot["excluded"]
    assert excluded, "the profile leaves some treatments out"
    assert text.index(squash(t["excluded_h"])) > text.index(squash(t["timeline"]))
    for e in excluded[:3]:
        assert squash(e["name"]) in text
        assert squash(e["reasons"][0])[:20] in text


def test_an_older_snapshot_without_the_excluded_list_still_renders(db, handout_ja, tmp_path):
    old = {k: v for k, v in handout_ja.snapshot.items() if k not in ("excluded", "excluded_medical")}
    pdf = render_handout(old)
    path = tmp_path / "old.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert squash(TEXT["ja"]["comparison"]) in squash(text)
    assert squash(TEXT["ja"]["excluded_h"]) not in squash(text)


def _page_of(rendered, heading: str) -> int:
    """The 1-based page whose text holds `heading` first (pdftotext, one page at a time)."""
    for number in range(1, rendered.pages + 1):
        if squash(heading) in squash(rendered.text("-f", str(number), "-l", str(number))):
            return number
    raise AssertionError(f"{heading!r} is on no page")


@pytest.mark.parametrize("name", ["handout_ja", "handout_en"])
def test_the_summary_is_the_first_two_pages(db, request, name):
    """Three options: concerns, the comparison grid and the timeline on pages 1–2; the details per
    option start on page 2 at the earliest (issue 16 item 5)."""
    rendered = request.getfixturevalue(name)
    t = TEXT[rendered.snapshot["language"]]
    assert len(rendered.snapshot["options"]) == 3
    assert _page_of(rendered, t["timeline"]) <= 2
    first = rendered.snapshot["options"][0]
    assert _page_of(rendered, t["how"]) >= 2 and _page_of(rendered, first["label"]) >= 2


@pytest.mark.parametrize("name", ["handout_ja", "handout_en"])
def test_the_timeline_chart_text_is_at_least_9_pt(db, request, name):
    """The chart is an SVG scaled to the width handout.css gives it: each font size in its own units
    times (printed width / viewBox width) is the size on paper."""
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import render_to_string

    from consult.documents.timeline import timeline_geometry

    rendered = request.getfixturevalue(name)
    g = timeline_geometry(rendered.snapshot)
    svg = render_to_string(
        "handout/_timeline_svg.html", {"g": g, "t": TEXT[rendered.snapshot["language"]]}
    ).split("</svg>")[0]
    css = (Path(settings.BASE_DIR) / "static/handout/handout.css").read_text()
    width_mm = float(re.search(r"\.timeline-chart \{ width: ([\d.]+)mm", css).group(1))
    points_per_unit = width_mm / 25.4 * 72 / g["width"]
    sizes = {float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)}
    assert sizes and min(sizes) * points_per_unit >= 9, (sorted(sizes), points_per_unit)
    assert "<text" in svg
