"""Parse and validate a PROFILE.json (design.md §5) into the engine's `Profile`.

Every problem raises `ProfileError` with a one-line message naming the offending key.
`ProfileCommand` is the base of the `suggest` and `handout` commands: any bad input, including a
bad command-line argument, ends with exit status 2 and one line on stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from catalog.models import Clinic, Condition, MedicalFlag, Treatment
from consult.engine import ConcernIn, Profile
from consult.models import FACE_AREA_SLUGS

SKIN_TYPES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
KNOWN_KEYS = {
    "clinic",
    "concerns",
    "flags",
    "skin_type",
    "max_downtime_days",
    "budget_yen",
    "needles_ok",
    "max_pain",
    "event_date",
    "today",
    "language",
    "patient_name",
    "notes",
    "chart_number",
    "counselor",
}


class ProfileError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedProfile:
    clinic: Clinic
    profile: Profile
    language: str
    patient_name: str
    notes: str
    chart_number: str
    counselor: str


def _int(data: dict, key: str, low: int, high: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileError(f"{key} must be a whole number, got {json.dumps(value, ensure_ascii=False)}")
    if not low <= value <= high:
        raise ProfileError(f"{key} must be between {low} and {high}, got {value}")
    return value


def _date(data: dict, key: str) -> date | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProfileError(f"{key} must be a date like 2027-01-20")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ProfileError(f"{key} must be a date like 2027-01-20, got {value!r}") from None


def _text(data: dict, key: str, limit: int) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProfileError(f"{key} must be text")
    if len(value) > limit:
        raise ProfileError(f"{key} is longer than {limit} characters")
    return value


def load_json(text: str, what: str, error: type[ProfileError] = ProfileError) -> Any:
    """The JSON document of a command's input file, or one line naming where it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def clinic_and_language(
    data: Any, known_keys: set[str], what: str, language: str | None, error: type[ProfileError] = ProfileError
) -> tuple[Clinic, str]:
    """The checks every command input shares: a JSON object of known keys, a known clinic, ja or en."""
    if not isinstance(data, dict):
        raise error(f"{what} must be a JSON object")
    unknown = sorted(set(data) - known_keys)
    if unknown:
        raise error(f"unknown key in {what}: {unknown[0]}")
    clinic_slug = data.get("clinic", "demo-clinic")
    clinic = Clinic.objects.filter(slug=clinic_slug).first() if isinstance(clinic_slug, str) else None
    if clinic is None:
        raise error(f"unknown clinic: {clinic_slug}")
    language = language or data.get("language") or "ja"
    if language not in ("ja", "en"):
        raise error(f"language must be ja or en, got {language!r}")
    return clinic, language


def parse_profile_text(text: str, language: str | None = None) -> ParsedProfile:
    return parse_profile(load_json(text, "profile"), language)


def parse_profile(data: Any, language: str | None = None) -> ParsedProfile:
    clinic, language = clinic_and_language(data, KNOWN_KEYS, "profile", language)

    concerns_raw = data.get("concerns")
    if not isinstance(concerns_raw, list) or not concerns_raw:
        raise ProfileError("concerns must be a non-empty list")
    known_conditions = set(Condition.objects.values_list("slug", flat=True))
    concerns: list[ConcernIn] = []
    for n, item in enumerate(concerns_raw):
        if not isinstance(item, dict):
            raise ProfileError(f"concerns[{n}] must be an object")
        slug = item.get("condition")
        if not isinstance(slug, str) or slug not in known_conditions:
            raise ProfileError(f"concerns[{n}].condition: unknown condition {slug!r}")
        if any(c.condition == slug for c in concerns):
            raise ProfileError(f"concerns[{n}].condition: {slug} is listed twice")
        severity = _int(item, "severity", 1, 4)
        areas = item.get("areas", [])
        if not isinstance(areas, list) or any(
            not isinstance(a, str) or a not in FACE_AREA_SLUGS for a in areas
        ):
            bad = (
                next((a for a in areas if a not in FACE_AREA_SLUGS), areas)
                if isinstance(areas, list)
                else areas
            )
            raise ProfileError(f"concerns[{n}].areas: unknown area {bad!r}")
        extra = set(item) - {"condition", "severity", "areas"}
        if extra:
            raise ProfileError(f"concerns[{n}]: unknown key {sorted(extra)[0]}")
        concerns.append(ConcernIn(slug, severity or 2, tuple(areas)))

    flags = data.get("flags", [])
    if not isinstance(flags, list):
        raise ProfileError("flags must be a list of flag slugs")
    known_flags = set(MedicalFlag.objects.values_list("slug", flat=True))
    for flag in flags:
        if not isinstance(flag, str) or flag not in known_flags:
            raise ProfileError(f"flags: unknown flag {flag!r}")

    skin_raw = data.get("skin_type")
    if skin_raw is not None and (not isinstance(skin_raw, str) or skin_raw not in SKIN_TYPES):
        raise ProfileError(f"skin_type must be one of I, II, III, IV, V, VI, got {skin_raw!r}")

    needles_ok = data.get("needles_ok", True)
    if not isinstance(needles_ok, bool):
        raise ProfileError("needles_ok must be true or false")

    today = _date(data, "today") or timezone.localdate()
    profile = Profile(
        concerns=tuple(concerns),
        flags=frozenset(flags),
        skin_type=SKIN_TYPES.get(skin_raw) if skin_raw else None,
        max_downtime_days=_int(data, "max_downtime_days", 0, 365),
        budget_yen=_int(data, "budget_yen", 0, 100_000_000),
        needles_ok=needles_ok,
        max_pain=_int(data, "max_pain", 0, 3),
        event_date=_date(data, "event_date"),
        today=today,
    )
    return ParsedProfile(
        clinic=clinic,
        profile=profile,
        language=language,
        patient_name=_text(data, "patient_name", 80),
        notes=_text(data, "notes", 5000),
        chart_number=_text(data, "chart_number", 40),
        counselor=_text(data, "counselor", 80),
    )


def parse_options(raw: str | None) -> list[str]:
    if not raw:
        return []
    slugs = [s.strip() for s in raw.split(",") if s.strip()]
    known = set(Treatment.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    for slug in slugs:
        if slug not in known:
            raise ProfileError(f"--options: unknown treatment {slug!r}")
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            raise ProfileError(f"--options: {slug} is listed twice")
        seen.add(slug)
    if not 1 <= len(slugs) <= 4:
        raise ProfileError("--options takes 1 to 4 treatment slugs")
    return slugs


class ProfileCommand(BaseCommand):
    """A command that reads a PROFILE.json: bad input of any kind exits 2 with one line on stderr."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.called_from_command_line:
            # argparse would print the whole multi-line usage first; the contract is one line.
            # (Called from code, Django raises CommandError with the same message instead.)
            parser.error = self.fail
        return parser

    def read_profile(self, path: str) -> str:
        try:
            return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            self.fail(f"cannot read profile {path}: {exc.strerror or exc}")
        except UnicodeDecodeError as exc:
            self.fail(f"cannot read profile {path}: {exc}")

    def fail(self, message: str) -> NoReturn:
        self.stderr.write("error: " + " ".join(message.splitlines()))
        sys.exit(2)
