"""`manage.py handout` refuses bad arguments like `suggest` does (design.md §5): exit status 2 and
one line on stderr naming the problem, before anything is rendered."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from consult.profile import ProfileError, parse_options

PROFILE = {"clinic": "demo-clinic", "concerns": [{"condition": "rolling-scar", "severity": 3}]}


def write_profile(tmp_path) -> str:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE), encoding="utf-8")
    return str(path)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def scratch_db(tmp_path) -> dict[str, str]:
    """The subprocess gets its own empty SQLite file, never the dev database."""
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}


@pytest.mark.parametrize(
    "arguments, names",
    [
        pytest.param(["--language", "fr"], "--language", id="unknown-language"),
        pytest.param(["--pages", "2"], "unrecognized arguments", id="unknown-option"),
    ],
)
def test_a_bad_argument_exits_2_with_one_line(tmp_path, scratch_db, arguments, names):
    out = tmp_path / "handout.pdf"
    done = manage(
        "handout", "--profile", write_profile(tmp_path), "--out", str(out), *arguments, env=scratch_db
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: ") and names in done.stderr
    assert "usage:" not in done.stderr
    assert not out.exists()


def test_a_missing_out_exits_2_with_one_line(tmp_path, scratch_db):
    done = manage("handout", "--profile", write_profile(tmp_path), env=scratch_db)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: the following arguments are required: --out"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options, message",
    [
        ("dermapen-4,dermapen-4", "--options: dermapen-4 is listed twice"),
        ("subcision, potenza ,subcision", "--options: subcision is listed twice"),
    ],
)
def test_a_treatment_listed_twice_in_options_exits_2_with_one_line(tmp_path, capsys, options, message):
    out = tmp_path / "handout.pdf"
    with pytest.raises(SystemExit) as exit_info:
        call_command("handout", profile=write_profile(tmp_path), out=str(out), options=options)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"error: {message}"]
    assert not out.exists()


@pytest.mark.django_db
def test_parse_options_refuses_a_duplicate_and_keeps_distinct_slugs_in_order():
    with pytest.raises(ProfileError, match="potenza is listed twice"):
        parse_options("potenza,subcision,potenza")
    assert parse_options("potenza, subcision") == ["potenza", "subcision"]
