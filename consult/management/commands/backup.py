from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from clinic.lib.backup import BackupError, backup_postgresql, backup_sqlite, is_sqlite


class Command(BaseCommand):
    help = (
        "Back up the whole database to a new file: SQLite through its online backup API (a consistent "
        "copy while the app runs), PostgreSQL through pg_dump --format=custom. See README, 'Backups'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, help="the backup file to create (never overwritten)")

    def handle(self, *args, out: str, **options) -> None:
        path = Path(out)
        try:
            if is_sqlite(connection):
                backup_sqlite(connection.settings_dict["NAME"], path)
                how = "SQLite online backup"
            else:
                backup_postgresql(connection.settings_dict, path)
                how = "pg_dump --format=custom (restore with manage.py restore, or pg_restore)"
        except BackupError as exc:
            self.stderr.write(f"backup: {exc}")
            sys.exit(2)
        self.stdout.write(f"Backed up to {path} ({how}, {path.stat().st_size:,} bytes).")
