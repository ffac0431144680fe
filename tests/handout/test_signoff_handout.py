"""What the handout prints about the physician's decision (design.md §9): who signed off and when,
a physician's override in the option's own section, and a staff preview marked as not reviewed."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from django.core.management import call_command

from catalog.models import Condition, MedicalFlag, Treatment
from consult.documents import handout as handout_kind
from consult.documents import pipeline
from consult.documents.handout import render_handout
from consult.documents.handout_text import TEXT
from consult.models import ChosenOption, Concern, Consultation, Override

from .conftest import PROFILE, render_profile, squash

REASON = "魚アレルギーは加熱魚で軽い症状のみ。パッチテスト陰性を医師が確認。"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "h.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def signed_handout(counselor, physician, demo_clinic):
    """A fish-allergy patient's handout with Rejuran overridden by the physician, then signed off."""
    physician.first_name = "医師 太郎"
    physician.save()
    consultation = Consultation.objects.create(
        clinic=demo_clinic, counselor=counselor, chart_number="H-1", handout_language="ja"
    )
    Concern.objects.create(
        consultation=consultation, condition=Condition.objects.get(slug="skin-thinning"), severity=2
    )
    consultation.flags.set(MedicalFlag.objects.filter(slug="fish-allergy"))
    ChosenOption.objects.create(consultation=consultation, treatment=Treatment.objects.get(slug="profhilo"))
    consultation.change_options(
        consultation.version,
        "override",
        Treatment.objects.get(slug="rejuran"),
        Override(reason=REASON, by=physician, flags=("fish-allergy",)),
    )
    consultation.sign_off(physician, consultation.version)
    return pipeline.issue(handout_kind.KIND, consultation.reloaded(), counselor)


def test_an_issued_handout_prints_the_signing_physician_and_time(signed_handout, tmp_path):
    snapshot = signed_handout.snapshot
    assert snapshot["signed_off_by"] == "医師 太郎" and snapshot["preview"] is False
    text = squash(pdf_text(bytes(signed_handout.pdf), tmp_path))
    assert squash(f"{TEXT['ja']['signed_off']}医師 太郎") in text
    assert squash(f"{TEXT['ja']['signed_off_at']}{snapshot['signed_off_display']}") in text
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", snapshot["signed_off_display"])
    assert TEXT["ja"]["preview"][:10] not in text


def test_the_override_and_its_reason_are_printed_in_the_options_section(signed_handout, tmp_path):
    rejuran = next(o for o in signed_handout.snapshot["options"] if o["slug"] == "rejuran")
    text = squash(pdf_text(bytes(signed_handout.pdf), tmp_path))
    section = text[text.index(squash(f"{rejuran['label']}{rejuran['name']}")) :]
    override = section.index(squash(TEXT["ja"]["override_h"]))
    assert override < section.index(squash(REASON)) < section.index(squash(TEXT["ja"]["how"]))
    assert "医師太郎" in section[override : section.index(squash(REASON))]


def test_no_score_or_ranking_reaches_the_patient(signed_handout, tmp_path):
    text = pdf_text(bytes(signed_handout.pdf), tmp_path)
    for word in ("/ 100", "/100", "適合度", "おすすめ", "推奨", "ランキング", "順位"):
        assert word not in text, word
    for language, texts in TEXT.items():
        for key, value in texts.items():
            # Lists: the questions to ask, the glossary's [term, meaning] pairs.
            lines = (
                [p for line in value for p in (line if isinstance(line, list) else [line])]
                if isinstance(value, list)
                else [value]
            )
            for line in lines:
                assert not re.search(r"\bbest\b|\bscore|\brank(?!\s+them)|おすすめ|推奨", line, re.I), (
                    language,
                    key,
                )


def test_an_old_snapshot_without_the_sign_off_keys_still_renders(signed_handout):
    snapshot = dict(signed_handout.snapshot)
    for key in ("preview", "signed_off_by", "signed_off_at", "signed_off_display"):
        snapshot.pop(key)
    snapshot["options"] = [
        {k: v for k, v in o.items() if k not in ("override", "absolute_contraindications", "blocked_by")}
        for o in snapshot["options"]
    ]
    assert render_handout(snapshot).startswith(b"%PDF-")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_command_prints_a_staff_preview_marked_as_not_reviewed(tmp_path, db, language):
    rendered = render_profile(tmp_path, f"preview-{language}", language, ["subcision"])
    assert rendered.snapshot["preview"] is True
    assert rendered.snapshot["signed_off_by"] == "" and rendered.snapshot["signed_off_at"] == ""
    flat = rendered.flat
    assert squash(TEXT[language]["preview"]) in flat
    assert squash(TEXT[language]["not_signed"]) in flat
    # The banner comes before the title: it is the first thing a reader sees.
    assert flat.index(squash(TEXT[language]["preview"])) < flat.index(squash(TEXT[language]["title"]))
    if language == "en":
        assert "hasnotbeenreviewedbyaphysician" in flat


def test_the_command_refuses_an_absolutely_contraindicated_option(tmp_path, db, capsys):
    profile = tmp_path / "p.json"
    profile.write_text(
        json.dumps({**PROFILE, "flags": ["fish-allergy"]}, ensure_ascii=False), encoding="utf-8"
    )
    out = tmp_path / "x.pdf"
    with pytest.raises(SystemExit) as exit_:
        call_command("handout", profile=str(profile), out=str(out), options="subcision,rejuran")
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "rejuran" in error and "fish-allergy" in error
    assert not out.exists()


def test_the_command_keeps_an_option_without_the_flag(tmp_path, db, capsys):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "x.pdf"
    call_command("handout", profile=str(profile), out=str(out), options="rejuran")
    assert out.read_bytes().startswith(b"%PDF-")
