from __future__ import annotations

import sys
from pathlib import Path

from django.utils import timezone

from consult.documents.handout import build_snapshot_for_profile, missing_disclosures, render_handout
from consult.facts import catalog_facts
from consult.profile import ProfileCommand, ProfileError, parse_options, parse_profile_text
from consult.safety import absolute_contraindications


class Command(ProfileCommand):
    help = (
        "Render the options handout (PDF) for a patient profile (JSON) without saving a consultation "
        "(design.md §5): a staff preview, marked as not reviewed by a physician. Default options: the "
        "top three suggestions. An option with an absolute contraindication for the profile is refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--profile", required=True, help="path to PROFILE.json ('-' for stdin)")
        parser.add_argument("--out", required=True, help="where to write the PDF ('-' for stdout)")
        parser.add_argument("--options", help="comma-separated treatment slugs to compare (1 to 4)")
        parser.add_argument(
            "--language", choices=["ja", "en"], help="handout language (default: the profile's)"
        )

    def handle(
        self, *args, profile: str, out: str, options: str | None, language: str | None, **kwargs
    ) -> None:
        text = self.read_profile(profile)
        try:
            parsed = parse_profile_text(text, language)
            slugs = parse_options(options)
        except ProfileError as exc:
            self.fail(str(exc))
        facts = catalog_facts(parsed.clinic, parsed.language)
        for slug in slugs:
            flagged = absolute_contraindications(slug, parsed.profile, facts)
            if flagged:
                flags = ", ".join(f.flag for f in flagged)
                self.fail(
                    f"--options: {slug} is absolutely contraindicated for this profile (flag {flags}); "
                    "only a physician can override that, in the workspace"
                )
        snapshot = build_snapshot_for_profile(parsed, slugs, timezone.now())
        problems = missing_disclosures(snapshot)
        if problems:
            self.fail("required disclosure missing from the catalog: " + "; ".join(problems))
        pdf = render_handout(snapshot)
        if out == "-":
            sys.stdout.buffer.write(pdf)
            return
        try:
            Path(out).write_bytes(pdf)
        except OSError as exc:
            self.fail(f"cannot write {out}: {exc.strerror}")
        names = ", ".join(o["slug"] for o in snapshot["options"])
        self.stdout.write(f"wrote {out} ({len(pdf) // 1024} KB, {snapshot['language']}; options: {names})")
