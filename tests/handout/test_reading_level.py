"""Plain language (issue 14 item 7): the demo handouts' reading level, measured on what a patient
gets — the PDF's text as pdftotext extracts it — the way the issue measured it.

English: Flesch–Kincaid grade (textstat 0.7.3) at most 8 over the whole handout. Japanese:
jReadability (jreadability 1.1.5 with unidic-lite; higher is easier) at least 4.0 on the summary
pages 1–2 and at least 3.8 over the whole handout. jReadability ends a sentence only at 。？！, so
the comparison grid counts as plain sentences only where its cells are written as sentences.
"""

from __future__ import annotations

import subprocess

import pytest
import textstat
from jreadability import compute_readability

EN_GRADE_MAX = 8.0
JA_SUMMARY_MIN = 4.0
JA_OVERALL_MIN = 3.8


def _text(path, first: int | None = None, last: int | None = None) -> str:
    pages = ["-f", str(first), "-l", str(last)] if first else []
    return subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.django_db
def test_the_english_handout_reads_at_grade_8_or_below(handout_en):
    grade = textstat.flesch_kincaid_grade(_text(handout_en.path))
    assert grade <= EN_GRADE_MAX, grade


@pytest.mark.django_db
def test_the_japanese_handout_reads_at_intermediate_level(handout_ja):
    overall = compute_readability(_text(handout_ja.path))
    summary = compute_readability(_text(handout_ja.path, 1, 2))
    assert summary >= JA_SUMMARY_MIN, summary
    assert overall >= JA_OVERALL_MIN, overall
