from __future__ import annotations

from django.core.management.base import BaseCommand

from clinic.lib.env import env_int
from consult.privacy import anonymise_older_than


class Command(BaseCommand):
    help = "Anonymise consultations older than the retention period (default 5 years); the audit trail stays."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default: RETENTION_DAYS or 5 years = 1826)",
        )

    def handle(self, *args, days: int | None, **options) -> None:
        days = days if days is not None else env_int("RETENTION_DAYS", 1826, minimum=1)
        count = anonymise_older_than(days)
        self.stdout.write(f"Anonymised {count} consultation(s) older than {days} days.")
