from __future__ import annotations

import json
import sys
from pathlib import Path

from consult.plan_input import as_json, outcome, parse_plan_text
from consult.profile import ProfileCommand, ProfileError


class Command(ProfileCommand):
    help = (
        "Price and schedule a treatment plan (PLAN.json) and say whether the Specified Commercial "
        "Transactions Act applies, with the cooling-off deadline and a cancellation's fee cap and refund "
        "(design.md §10). With --out-dir, also write the estimate and, where the law applies, the "
        "overview and contract documents as PDFs (staff previews, not issued to a consultation)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", required=True, help="path to PLAN.json ('-' for stdin)")
        parser.add_argument("--language", choices=["ja", "en"], help="language of the reasons (default ja)")
        parser.add_argument("--out-dir", help="directory to write the PDFs into")

    def handle(self, *args, plan: str, language: str | None, out_dir: str | None, **options) -> None:
        try:
            text = sys.stdin.read() if plan == "-" else Path(plan).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(f"cannot read plan {plan}: {getattr(exc, 'strerror', None) or exc}")
        try:
            parsed = parse_plan_text(text, language)
        except ProfileError as exc:
            self.fail(str(exc))
        result = outcome(parsed)
        data = as_json(result)
        if out_dir:
            from consult.documents.plan_documents import write_previews

            try:
                data["documents"] = write_previews(parsed, result, Path(out_dir))
            except OSError as exc:
                self.fail(f"cannot write to {out_dir}: {exc.strerror or exc}")
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
