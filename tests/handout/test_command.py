"""`manage.py handout --profile PROFILE.json --out FILE.pdf [--options a,b,c]` (design.md §5)."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.core.management import call_command

from consult.engine import suggest
from consult.facts import catalog_facts
from consult.profile import parse_profile

from .conftest import PROFILE

pytestmark = pytest.mark.django_db


def write_profile(tmp_path, data) -> str:
    path = tmp_path / "profile.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_it_renders_the_top_three_suggestions_by_default(tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    call_command("handout", profile=write_profile(tmp_path, {**PROFILE, "language": "en"}), out=str(out))
    assert out.read_bytes().startswith(b"%PDF-")
    parsed = parse_profile({**PROFILE, "language": "en"})
    top = suggest(parsed.profile, catalog_facts(parsed.clinic, "en"), "en").suggestions[:3]
    assert f"options: {', '.join(s.treatment for s in top)}" in capsys.readouterr().out
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Your consultation: the options discussed" in text
    for suggestion in top:
        assert suggestion.name.split()[0] in text


@pytest.mark.parametrize(
    ("data", "options", "message"),
    [
        ("{not json", None, "profile is not valid JSON"),
        (
            {**PROFILE, "concerns": [{"condition": "no-such-thing"}]},
            None,
            "unknown condition 'no-such-thing'",
        ),
        ({**PROFILE, "severity": 3}, None, "unknown key in profile: severity"),
        (PROFILE, "dermapen-4,nope", "--options: unknown treatment 'nope'"),
        (PROFILE, "a,b,c,d,e", "--options: unknown treatment 'a'"),
    ],
)
def test_bad_input_exits_2_with_a_one_line_message(tmp_path, capsys, data, options, message):
    out = tmp_path / "handout.pdf"
    with pytest.raises(SystemExit) as exit_info:
        call_command("handout", profile=write_profile(tmp_path, data), out=str(out), options=options)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists()


def test_a_missing_profile_file_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("handout", profile=str(tmp_path / "missing.json"), out=str(tmp_path / "x.pdf"))
    assert exit_info.value.code == 2
    assert "cannot read profile" in capsys.readouterr().err
