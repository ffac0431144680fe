from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from clinic.lib.backup import BackupError, is_sqlite, restore_postgresql, restore_sqlite


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database (the one DATABASE_URL names); "
        "a database that holds anything is refused (exit 2)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="the backup file")

    def handle(self, *args, source: str, **options) -> None:
        try:
            if is_sqlite(connection):
                database = connection.settings_dict["NAME"]
                connection.close()  # the restore writes the file itself
                counts = restore_sqlite(Path(source), database)
            else:
                counts = restore_postgresql(Path(source), connection)
        except BackupError as exc:
            self.stderr.write(f"restore: {exc}")
            sys.exit(2)
        summary = ", ".join(f"{table.removeprefix('consult_')}: {n:,}" for table, n in counts.items())
        self.stdout.write(f"Restored {source} ({summary}). Run `manage.py migrate` if this code is newer.")
