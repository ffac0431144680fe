from __future__ import annotations

import json

from consult.engine import suggest
from consult.facts import catalog_facts
from consult.profile import ProfileCommand, ProfileError, parse_profile_text


class Command(ProfileCommand):
    help = "Print the suggestions for a patient profile (JSON) as JSON (design.md §5)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--profile", required=True, help="path to PROFILE.json ('-' for stdin)")
        parser.add_argument("--language", choices=["ja", "en"], help="language of reasons and cautions")

    def handle(self, *args, profile: str, language: str | None, **options) -> None:
        text = self.read_profile(profile)
        try:
            parsed = parse_profile_text(text, language)
        except ProfileError as exc:
            self.fail(str(exc))
        result = suggest(parsed.profile, catalog_facts(parsed.clinic, parsed.language), parsed.language)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
