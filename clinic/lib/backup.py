"""Backing up and restoring the whole database (`manage.py backup` / `manage.py restore`).

SQLite: SQLite's online backup API copies the database in one step under a read transaction, so
the copy is a consistent snapshot even while counselors keep saving (WAL lets them). PostgreSQL:
`pg_dump --format=custom`, restored with `pg_restore`; both must be installed (postgresql-client of
the server's major version).

A backup holds special-care personal information and the second-factor secrets: the file is made
readable by its owner only, and belongs on encrypted storage.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# What a restore reports, so whoever tests a restore sees at once that the data came back.
COUNTED_TABLES = ("consult_consultation", "consult_document", "consult_auditevent")


def is_sqlite(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "sqlite"


def _private_new_file(path: Path) -> None:
    """Create `path` empty, readable by its owner only; refuse to overwrite anything."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise BackupError(f"{path} already exists; choose a new file name (e.g. with the date).") from None
    except OSError as exc:
        raise BackupError(f"cannot create {path}: {exc.strerror}") from None


def backup_sqlite(database: str, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name (e.g. with the date).")
    _private_new_file(partial)
    try:
        source = sqlite3.connect(database)
        target = sqlite3.connect(partial)
        try:
            # pages=-1 (the default): the whole database in one step, one consistent snapshot.
            source.backup(target)
            status = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if status != "ok":
            raise BackupError(f"the copy failed its integrity check ({status}); nothing was written.")
        os.replace(partial, out)  # a half-written backup never carries the final name
    finally:
        partial.unlink(missing_ok=True)


def sqlite_tables(path: str) -> list[str]:
    if not Path(path).exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def restore_sqlite(source: Path, database: str) -> dict[str, int]:
    if sqlite_tables(database):
        raise BackupError(
            f"the database {database} is not empty; restore only into an empty database "
            "(move the file aside, or point DATABASE_URL at a new one)."
        )
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            status = backup.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not an SQLite backup ({exc}).") from None
        if status != "ok" or "django_migrations" not in tables:
            raise BackupError(f"{source} is not a backup of this app (integrity: {status}).")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(database)
        try:
            backup.backup(target)
            return {
                table: target.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in COUNTED_TABLES
                if table in tables
            }
        finally:
            target.close()
    finally:
        backup.close()


def _pg_tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise BackupError(f"{name} is missing: install postgresql-client of the server's major version.")
    return exe


def _pg_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes through the environment."""
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{option}={settings_dict[key]}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def backup_postgresql(settings_dict: dict, out: Path) -> None:
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name (e.g. with the date).")
    args, env = _pg_env(settings_dict)
    partial = out.with_name(out.name + ".partial")
    _private_new_file(partial)
    try:
        # pg_dump works in one repeatable-read transaction: a consistent snapshot during writes.
        command = [_pg_tool("pg_dump"), "--format=custom", f"--file={partial}", *args, settings_dict["NAME"]]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def postgresql_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return [row[0] for row in cursor.fetchall()]


def restore_postgresql(source: Path, connection: BaseDatabaseWrapper) -> dict[str, int]:
    if postgresql_tables(connection):
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} is not empty; restore only into an empty "
            "database (createdb a new one and point DATABASE_URL at it)."
        )
    args, env = _pg_env(connection.settings_dict)
    command = [
        _pg_tool("pg_restore"),
        "--no-owner",
        "--exit-on-error",
        f"--dbname={connection.settings_dict['NAME']}",
        *args,
        str(source),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    with connection.cursor() as cursor:
        counts = {}
        for table in COUNTED_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts
