from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from catalog.lint import lint


class Command(BaseCommand):
    help = (
        "Report exaggerated claims, missing translations, missing disclosures and bad ranges in the "
        "catalog. Exit status 1 when anything is reported."
    )

    def handle(self, *args, **options) -> None:
        try:
            problems = lint()
        except DatabaseError as exc:
            raise CommandError(
                f"cannot read the catalog ({exc}); run `manage.py migrate` and load it first"
            ) from None
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            self.stderr.write(f"{len(problems)} problem(s) found.")
            sys.exit(1)
        self.stdout.write("Catalog lint: no problems.")
