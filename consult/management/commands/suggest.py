from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from consult.engine import suggest
from consult.facts import catalog_facts
from consult.profile import ProfileError, parse_profile_text


class Command(BaseCommand):
    help = "Print the suggestions for a patient profile (JSON) as JSON (design.md §5)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--profile", required=True, help="path to PROFILE.json ('-' for stdin)")
        parser.add_argument("--language", choices=["ja", "en"], help="language of reasons and cautions")

    def handle(self, *args, profile: str, language: str | None, **options) -> None:
        try:
            text = sys.stdin.read() if profile == "-" else Path(profile).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(f"cannot read profile {profile}: {exc.strerror if isinstance(exc, OSError) else exc}")
        try:
            parsed = parse_profile_text(text, language)
        except ProfileError as exc:
            self._fail(str(exc))
        result = suggest(parsed.profile, catalog_facts(parsed.clinic, parsed.language), parsed.language)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))

    def _fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(2)
