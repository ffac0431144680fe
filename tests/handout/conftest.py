"""Handouts rendered once per test session and read back with real PDF tools (poppler, pikepdf).

A render takes about a second, so the PDFs that several tests read are session fixtures built from a
profile (no consultation, nothing written to the database).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consult.documents.handout import build_snapshot_for_profile, render_handout
from consult.documents.handout_text import TEXT
from consult.profile import parse_profile

ISSUED_AT = datetime(2026, 11, 21, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
PROFILE = {
    "clinic": "demo-clinic",
    "concerns": [
        {"condition": "rolling-scar", "severity": 3, "areas": ["cheek-left", "cheek-right"]},
        {"condition": "enlarged-pores", "severity": 2, "areas": ["nose"]},
    ],
    "skin_type": "IV",
    "max_downtime_days": 3,
    "budget_yen": 300000,
    "needles_ok": True,
    "max_pain": 2,
    "event_date": "2027-01-20",
    "today": "2026-11-21",
    "patient_name": "山田 花子",
    "chart_number": "A-1001",
    "counselor": "佐藤",
    "notes": "来月に友人の結婚式があります。",
}
# One unapproved product, one regenerative medicine, one procedure that is not a regulated product.
THREE_OPTIONS = ["dermapen-4", "fibroblast-transplant", "subcision"]


@dataclass
class Rendered:
    snapshot: dict
    pdf: bytes
    path: Path

    def text(self, *args: str) -> str:
        """pdftotext output; `-layout` keeps the page's columns, `-raw` the drawing order."""
        return subprocess.run(
            ["pdftotext", *args, str(self.path), "-"], capture_output=True, text=True, check=True
        ).stdout

    @property
    def flat(self) -> str:
        """The text in drawing order with all whitespace removed, for robust `in` checks.

        Each page's footer (drawn last on the page) is taken out, so that a paragraph running over a
        page break reads as one piece.
        """
        snapshot = self.snapshot
        clinic = snapshot["clinic"]
        contact = f"{clinic['name']}{TEXT[snapshot['language']]['tel']}{clinic['phone']}"
        footer = re.compile(
            re.escape(squash(contact)) + "ID" + re.escape(snapshot["handout_id"]) + r"\d+/\d+$"
        )
        return "".join(footer.sub("", squash(page)) for page in self.text("-raw").split("\f"))

    @property
    def pages(self) -> int:
        info = subprocess.run(["pdfinfo", str(self.path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def render_profile(directory: Path, name: str, language: str, options: list[str], **changes) -> Rendered:
    parsed = parse_profile({**PROFILE, **changes}, language)
    snapshot = build_snapshot_for_profile(parsed, options, ISSUED_AT)
    pdf = render_handout(snapshot)
    path = directory / f"{name}.pdf"
    path.write_bytes(pdf)
    return Rendered(snapshot, pdf, path)


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("handouts")


@pytest.fixture(scope="session")
def handout_ja(django_db_setup, django_db_blocker, pdf_dir) -> Rendered:
    with django_db_blocker.unblock():
        return render_profile(pdf_dir, "ja", "ja", THREE_OPTIONS)


@pytest.fixture(scope="session")
def handout_en(django_db_setup, django_db_blocker, pdf_dir) -> Rendered:
    with django_db_blocker.unblock():
        return render_profile(pdf_dir, "en", "en", THREE_OPTIONS)


@pytest.fixture(scope="session")
def handout_procedure_only(django_db_setup, django_db_blocker, pdf_dir) -> Rendered:
    """Only an option that is neither unapproved nor regenerative medicine."""
    with django_db_blocker.unblock():
        return render_profile(pdf_dir, "procedure-only", "ja", ["subcision"], event_date=None, notes="")
