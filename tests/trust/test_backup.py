"""`manage.py backup` while counselors keep saving, and `manage.py restore` into a fresh database:
every consultation, document (SHA-256 of its PDF) and audit row of the snapshot comes back, and a
database that holds anything is never restored over."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from consult.audit import record
from consult.models import Consultation, Document

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite online backup")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore")

TABLES = ("consult_consultation", "consult_document", "consult_auditevent")


def manage(*args: str, database: Path | str) -> subprocess.CompletedProcess:
    """manage.py in a new process on `database` (an SQLite file, or a database URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    env.update(DJANGO_DEBUG="1", DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows(path: str | Path, table: str) -> dict[int, tuple]:
    with sqlite3.connect(path) as db:
        return {row[0]: row for row in db.execute(f'SELECT * FROM "{table}" ORDER BY id')}


def issue(consultation: Consultation, user, n: int) -> Document:
    pdf = f"%PDF-1.7 document {n} ".encode() + os.urandom(64)
    return Document.objects.create(
        consultation=consultation,
        issued_by=user,
        language="ja",
        snapshot={"n": n},
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def save_one(clinic, user, n: int) -> None:
    """One counselor's save: the consultation, its document and its audit row in one transaction."""
    with transaction.atomic():
        consultation = Consultation.objects.create(clinic=clinic, counselor=user, chart_number=f"W-{n}")
        issue(consultation, user, n)
        record(None, "create", consultation=consultation, user=user)


@sqlite_only
def test_a_backup_taken_during_writes_restores_every_row(committed_db, counselor, demo_clinic, tmp_path):
    for n in range(10):
        save_one(demo_clinic, counselor, n)
    written = [10]
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_writing() -> None:
        try:
            while not stop.is_set():
                save_one(demo_clinic, counselor, written[0])
                written[0] += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while written[0] < 30:
            time.sleep(0.01)
        call_command("backup", out=str(tmp_path / "clinic.backup"))
        after_backup = written[0]
        while written[0] < after_backup + 10:  # the writer goes on after the snapshot
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors, errors
    assert (tmp_path / "clinic.backup").stat().st_mode & 0o077 == 0  # readable by its owner only

    restored = tmp_path / "restored.sqlite3"
    result = manage("restore", "--from", str(tmp_path / "clinic.backup"), database=restored)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    live = connection.settings_dict["NAME"]
    snapshot = {table: rows(restored, table) for table in TABLES}
    now = {table: rows(live, table) for table in TABLES}
    consultations = snapshot["consult_consultation"]
    # A snapshot taken during writes: more than the rows before the writer started, fewer than now.
    assert 30 <= len(consultations) < len(now["consult_consultation"])
    # Every row in the backup is the row as it is in the live database, byte for byte.
    for table in TABLES:
        assert snapshot[table], table
        for pk, row in snapshot[table].items():
            assert now[table][pk] == row, (table, pk)
    # Nothing half-written: the saves in the snapshot are W-0 … W-k, each with its document and
    # its audit row; every live row up to the last one in the snapshot is in the snapshot too.
    charts = sorted(
        int(row[_column(restored, "consult_consultation", "chart_number")][2:])
        for row in consultations.values()
    )
    assert charts == list(range(len(charts)))
    for table in TABLES:
        last = max(snapshot[table])
        assert [pk for pk in now[table] if pk <= last] == list(snapshot[table]), table
    document_consultation = _column(restored, "consult_document", "consultation_id")
    audit_consultation = _column(restored, "consult_auditevent", "consultation_id")
    assert {row[document_consultation] for row in snapshot["consult_document"].values()} == set(consultations)
    assert {
        row[audit_consultation] for row in snapshot["consult_auditevent"].values() if row[audit_consultation]
    } == set(consultations)
    # Every document's PDF still matches its SHA-256.
    with sqlite3.connect(restored) as db:
        for pdf, sha256 in db.execute("SELECT pdf, sha256 FROM consult_document"):
            assert hashlib.sha256(pdf).hexdigest() == sha256


def _column(path: Path, table: str, name: str) -> int:
    with sqlite3.connect(path) as db:
        return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')].index(name)


@sqlite_only
def test_restore_refuses_a_database_that_is_not_empty(committed_db, counselor, demo_clinic, tmp_path):
    save_one(demo_clinic, counselor, 1)
    call_command("backup", out=str(tmp_path / "clinic.backup"))
    target = tmp_path / "in-use.sqlite3"
    assert manage("restore", "--from", str(tmp_path / "clinic.backup"), database=target).returncode == 0
    before = target.read_bytes()
    again = manage("restore", "--from", str(tmp_path / "clinic.backup"), database=target)
    assert again.returncode == 2
    assert "not empty" in again.stderr and "restore only into an empty database" in again.stderr
    assert target.read_bytes() == before


@sqlite_only
def test_backup_never_overwrites_a_file_and_restore_refuses_what_is_no_backup(committed_db, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_bytes(b"yesterday's backup")
    result = manage("backup", "--out", str(existing), database=Path(connection.settings_dict["NAME"]))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert existing.read_bytes() == b"yesterday's backup"
    refused = manage("restore", "--from", str(existing), database=tmp_path / "new.sqlite3")
    assert refused.returncode == 2 and "not an SQLite backup" in refused.stderr
    missing = manage("restore", "--from", str(tmp_path / "nothing.backup"), database=tmp_path / "new.sqlite3")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def _postgresql_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _postgresql_rows(cursor, table: str) -> list[tuple]:
    cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]


@postgresql_only
def test_on_postgresql_a_pg_dump_is_restored_into_an_empty_database_only(
    committed_db, counselor, demo_clinic, tmp_path
):
    import psycopg

    for n in range(5):
        save_one(demo_clinic, counselor, n)
    call_command("backup", out=str(tmp_path / "clinic.dump"))
    assert (tmp_path / "clinic.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    name = f"restore_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        result = manage("restore", "--from", str(tmp_path / "clinic.dump"), database=_postgresql_url(name))
        assert result.returncode == 0, result.stderr
        # Both databases read through plain psycopg connections, so values come back alike.
        with (
            psycopg.connect(_postgresql_url(name).replace("postgres://", "postgresql://")) as restored,
            psycopg.connect(
                _postgresql_url(connection.settings_dict["NAME"]).replace("postgres://", "postgresql://")
            ) as live,
        ):
            with restored.cursor() as theirs, live.cursor() as ours:
                for table in TABLES:
                    assert _postgresql_rows(theirs, table) == _postgresql_rows(ours, table), table
                theirs.execute("SELECT pdf, sha256 FROM consult_document")
                documents = theirs.fetchall()
                assert len(documents) == 5
                assert all(hashlib.sha256(pdf).hexdigest() == sha for pdf, sha in documents)
        again = manage("restore", "--from", str(tmp_path / "clinic.dump"), database=_postgresql_url(name))
        assert again.returncode == 2 and "not empty" in again.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
