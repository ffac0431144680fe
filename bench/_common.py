"""Shared helpers for the benchmarks in bench/ (not part of the app; nothing here is imported by it).

The benchmarks run against a scratch database only: a SQLite file in a fresh temporary directory,
or a PostgreSQL database whose name contains "bench" (it is dropped and re-created, so a real
database can never be emptied by mistake).
"""

from __future__ import annotations

import io
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


# --- numbers -----------------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on now (for the benchmark's own server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- machine -----------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def system_cpu_seconds() -> float | None:
    """CPU seconds all processes have used since boot (Linux /proc/stat: all but idle and iowait)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    try:
        return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except OSError:
        return "?"


def machine_info() -> dict[str, str]:
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": str(os.cpu_count()),
        "cpu": cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def print_machine(info: dict[str, str]) -> None:
    print(f"date {info['date']}; {info['cpus']} CPUs ({info['cpu']}); {info['os']}; Python {info['python']}")
    print(f"command: {info['command']}")


# --- scratch databases ---------------------------------------------------------------------------


class ScratchDatabase:
    """A database URL for one benchmark run, cleaned up by `close()`.

    Without a URL: SQLite in a new temporary directory (removed at the end unless `keep`).
    With a postgres:// URL: the named database is dropped and re-created (its name must contain
    "bench"), and left in place at the end for inspection.
    """

    def __init__(self, database_url: str | None = None, keep: bool = False) -> None:
        self.keep = keep
        self.tmpdir = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
        if database_url:
            self.url = database_url
            self.vendor = _vendor(database_url)
            if self.vendor == "postgresql":
                reset_postgres_database(database_url)
            elif self.vendor != "sqlite":
                raise SystemExit(f"unsupported --database-url scheme: {urlsplit(database_url).scheme}")
        else:
            self.url = f"sqlite:///{self.tmpdir / 'bench.sqlite3'}"
            self.vendor = "sqlite"

    def close(self) -> None:
        if not self.keep:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def describe(self) -> str:
        parts = urlsplit(self.url)
        if self.vendor == "sqlite":
            return f"SQLite {self.url.removeprefix('sqlite:///')}"
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')}"


def _vendor(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres"):
        return "postgresql"
    if scheme.startswith("sqlite"):
        return "sqlite"
    return scheme


def reset_postgres_database(url: str) -> None:
    """Drop and re-create the benchmark database (as its owner, through the `postgres` database)."""
    import psycopg

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if "bench" not in name or not name.replace("_", "").isalnum():
        raise SystemExit(
            f"refusing to reset database {name!r}: benchmarks empty their database, so its name must "
            "contain 'bench' (e.g. clinic_bench)"
        )
    try:
        conn = psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"cannot connect to PostgreSQL at {parts.hostname}:{parts.port or 5432}: {exc}\n"
            "Start the local cluster and create the role (see docs/benchmarks.md):\n"
            "  pg_ctlcluster 15 main start\n"
            '  su postgres -c "psql -qc \\"CREATE ROLE clinic LOGIN CREATEDB PASSWORD \'clinic\'\\""'
        ) from None
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_env(database_url: str, allowed_hosts: str, log_level: str = "WARNING") -> dict[str, str]:
    """The environment the app is configured from (see README): debug on, scratch database."""
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS=allowed_hosts,
        DJANGO_LOG_LEVEL=log_level,
        DJANGO_SETTINGS_MODULE="clinic.settings",
    )
    env.pop("DJANGO_SECRET_KEY", None)  # debug mode uses the development key
    return env


def prepare_database_subprocess(env: dict[str, str], root: Path = ROOT) -> None:
    """migrate + load_demo in a child process (for the load benchmark, which does not import Django);
    `root`: the checkout whose code runs (bench/load.py --app-dir)."""
    # createcachetable: the renders made ahead wait there with RENDER_AHEAD_CACHE_URL=db (else a no-op)
    for args in (["migrate", "--noinput", "-v0"], ["createcachetable"], ["load_demo"]):
        subprocess.run(
            [str(VENV_PYTHON), "manage.py", *args],
            cwd=root,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )


def setup_django_in_process(
    database_url: str, allowed_hosts: str = "testserver,127.0.0.1", root: Path = ROOT
) -> None:
    """Configure the environment, then django.setup() in this process (order matters). `root`: the
    checkout whose app code is imported (e.g. a "before" worktree); it goes first on sys.path."""
    os.environ.update(django_env(database_url, allowed_hosts))
    os.environ.pop("DJANGO_SECRET_KEY", None)
    sys.path.insert(0, str(root))
    os.chdir(root)
    import django

    django.setup()


def prepare_database_in_process(no_users: bool = False) -> None:
    """migrate + load_demo in this process, after `setup_django_in_process()`."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", no_users=no_users, stdout=io.StringIO())
