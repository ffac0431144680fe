"""CI runs the suite on SQLite and on PostgreSQL; without PostgreSQL it fails, it does not skip."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CI = settings.BASE_DIR / ".ci" / "run"


def _stub(directory: Path, name: str, script: str) -> None:
    path = directory / name
    path.write_text(f"#!{shutil.which('bash')}\n{script}\n")
    path.chmod(0o755)


def run_ci(
    tmp_path: Path, pg_ctlcluster: str | None, pg_lsclusters: str | None
) -> tuple[int, str, list[str]]:
    """Run .ci/run with the PostgreSQL tools replaced by stubs; return the make calls.

    `make ci` runs the Makefile's real `ci` recipe (with scripts/ci-postgres.sh); every other make
    call, the recipe's `$(MAKE) test` and `$(MAKE) test-postgres` included, is only recorded.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "make-calls"
    stub_make = bin_dir / "make"
    real_make = shutil.which("make")
    _stub(
        bin_dir,
        "make",
        f'echo "$*" >> {calls}\n[ "$*" = ci ] && exec {real_make} --no-print-directory MAKE={stub_make} ci\nexit 0',
    )
    if pg_ctlcluster is not None:
        _stub(bin_dir, "pg_ctlcluster", pg_ctlcluster)
    if pg_lsclusters is not None:
        _stub(bin_dir, "pg_lsclusters", pg_lsclusters)
    for tool in ("dirname", "grep"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    outer_make = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")  # when the suite itself runs under make
    result = subprocess.run(
        [shutil.which("bash"), str(CI)],
        env={**{k: v for k, v in os.environ.items() if k not in outer_make}, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    made = calls.read_text().split("\n")[:-1] if calls.exists() else []
    return result.returncode, result.stdout + result.stderr, made


ONLINE = 'echo "15  main    5432 online postgres /var/lib/postgresql/15/main log"'
DOWN = 'echo "15  main    5432 down   postgres /var/lib/postgresql/15/main log"'


def test_ci_runs_the_readme_test_command_first_then_postgresql(tmp_path):
    code, output, made = run_ci(tmp_path, pg_ctlcluster="exit 0", pg_lsclusters=ONLINE)
    assert code == 0, output
    assert made == ["ci", "test", "test-postgres"]


@pytest.mark.parametrize(
    "pg_ctlcluster,pg_lsclusters,reason",
    [(None, None, "pg_ctlcluster missing"), ("exit 1", DOWN, "could not be started")],
    ids=["postgresql-not-installed", "cluster-does-not-start"],
)
def test_ci_fails_clearly_when_postgresql_is_unavailable(tmp_path, pg_ctlcluster, pg_lsclusters, reason):
    code, output, made = run_ci(tmp_path, pg_ctlcluster, pg_lsclusters)
    assert code != 0
    assert "CI FAILED" in output and "PostgreSQL" in output and reason in output
    assert made == ["ci", "test"]  # SQLite ran; nothing pretended to run on PostgreSQL
