"""Catalog lint: advertising phrases, missing translations, missing disclosures, bad ranges.

Plain functions over the database so both the management command and tests use them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from modeltranslation.translator import translator

from catalog.models import HomeCareTip, Indication, Nutrient, Offering, Treatment

LANGUAGES = ("ja", "en")

# Phrases Japan's medical advertising guideline treats as exaggerated or guaranteed claims.
BANNED_PHRASES = [
    "必ず",
    "絶対",
    "完治",
    "根治",
    "根本治療",
    "半永久",
    "永久",
    "100%",
    "１００％",
    "100％",
    "日本一",
    "No.1",
    "ナンバーワン",
    "最高",
    "最先端",
    "最新",
    "劇的",
    "確実",
    "奇跡",
    "唯一",
    "guarantee",
    "guaranteed",
    "permanent",
    "permanently",
    "miracle",
    "the best",
    "cure",
    "cures",
    "100 %",
    "number one",
]


def _pattern(phrase: str) -> str:
    # English words match whole words only ("cure" must not flag "secure").
    return rf"\b{re.escape(phrase)}\b" if phrase[0].isascii() and phrase[0].isalpha() else re.escape(phrase)


_BANNED = re.compile("|".join(_pattern(p) for p in BANNED_PHRASES), re.IGNORECASE)

# Claims that the MHLW (or "the state") approved, authorised, accepted or certified something.
# Approved products are approved under the PMD Act (薬機法) and say so with their approval
# number; a regenerative-medicine plan is *filed* (届出) and the MHLW approves nothing by
# receiving it, so wording like 「厚生労働省受理クリニック」 misleads patients.
_ENDORSED_JA = r"(?:承認|認可|受理|認定|公認|許可|認め)"
_ENDORSED_EN = r"(?:approved|authori[sz]ed|accepted|certified|licen[sc]ed|recogni[sz]ed|endorsed)"
_MINISTRY_EN = r"(?:MHLW|Ministry\s+of\s+Health(?:,?\s+Labou?r\s+and\s+Welfare)?|(?:Japanese\s+)?government)"
AUTHORITY_CLAIMS = [
    # 厚生労働省承認, 厚労省認可, 厚生労働省に受理された, 厚労省が認めた …
    rf"(?:厚生労働省|厚労省)(?:の|が|に|より|から|で)?(?:正式に)?{_ENDORSED_JA}",
    # 国が認めた, 国に認められた, 国の認可 (not 米国/外国/全国, and not 国内で承認, which the
    # statement on domestic alternatives needs)
    r"(?<![\u3400-\u9fff])国(?:が|に)(?:正式に)?(?:認め|認可|公認|承認|認定|受理)",
    r"(?<![\u3400-\u9fff])国の?(?:認可|公認|認定)",
    # approved by the MHLW, accepted by Japan's Ministry of Health, MHLW-approved …
    rf"\b{_ENDORSED_EN}\s+by\s+(?:the\s+|Japan'?s\s+|the\s+Japanese\s+)?{_MINISTRY_EN}\b",
    rf"\b(?:MHLW|government)[-\s]+{_ENDORSED_EN}\b",
]
_AUTHORITY_CLAIM = re.compile("|".join(AUTHORITY_CLAIMS), re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    obj: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.obj}: {self.field}: {self.message}"


def _label(obj: models.Model) -> str:
    key = getattr(obj, "slug", None) or obj.pk
    return f"{obj._meta.label_lower}[{key}]"


def _translated_problems(obj: models.Model, fields: tuple[str, ...]) -> Iterator[Problem]:
    for field in fields:
        values = {lang: getattr(obj, f"{field}_{lang}") or "" for lang in LANGUAGES}
        required = not obj._meta.get_field(field).blank
        filled = {lang for lang, value in values.items() if value.strip()}
        if filled and filled != set(LANGUAGES) or (required and not filled):
            for lang in sorted(set(LANGUAGES) - filled):
                yield Problem(_label(obj), f"{field}_{lang}", "missing translation")
        for lang, value in values.items():
            match = _BANNED.search(value)
            if match:
                yield Problem(
                    _label(obj), f"{field}_{lang}", f"exaggerated or guaranteed claim: {match.group(0)!r}"
                )
            match = _AUTHORITY_CLAIM.search(value)
            if match:
                yield Problem(
                    _label(obj),
                    f"{field}_{lang}",
                    f"claims approval by the MHLW or the state: {match.group(0)!r} "
                    "(regenerative-medicine plans are filed 届出, not approved)",
                )


def _range_problems(obj: models.Model) -> Iterator[Problem]:
    for field in obj._meta.concrete_fields:
        if field.name.endswith("_min"):
            stem = field.name[: -len("_min")]
            high = getattr(obj, f"{stem}_max", None)
            low = getattr(obj, field.name)
            if low is not None and high is not None and low > high:
                yield Problem(_label(obj), stem, f"min {low} > max {high}")


def _disclosure_problems(treatment: Treatment) -> Iterator[Problem]:
    status = treatment.regulatory_status
    if status == Treatment.Regulatory.UNAPPROVED:
        for field in Treatment.UNAPPROVED_FIELDS:
            for lang in LANGUAGES:
                if not (getattr(treatment, f"{field}_{lang}") or "").strip():
                    yield Problem(
                        _label(treatment),
                        f"{field}_{lang}",
                        "unapproved product without this required statement",
                    )
    if status == Treatment.Regulatory.REGENERATIVE and treatment.regenerative_class is None:
        yield Problem(_label(treatment), "regenerative_class", "regenerative medicine without its class")
    if status == Treatment.Regulatory.APPROVED and not (treatment.approval_note_ja or "").strip():
        yield Problem(_label(treatment), "approval_note_ja", "approved product without approval details")


def _lead_time_problems(treatment: Treatment) -> Iterator[Problem]:
    """A lead time before the first session (cell culture) is explained to the patient in both languages."""
    if treatment.lead_time_weeks and not any(
        (getattr(treatment, f"lead_time_description_{lang}") or "").strip() for lang in LANGUAGES
    ):
        # One language filled and the other not is reported as a missing translation already.
        yield Problem(_label(treatment), "lead_time_description", "lead time without an explanation")


def _scta_problems(treatment: Treatment) -> Iterator[Problem]:
    """A purpose under the Specified Commercial Transactions Act needs a method the law lists for it
    (the admin refuses it; a fixture or raw edit may not)."""
    if (treatment.scta_purpose or treatment.scta_method) and not treatment.in_scta_scope:
        yield Problem(_label(treatment), "scta_method", "purpose and method do not match the law's list")


def _offering_problems(offering: Offering) -> Iterator[Problem]:
    label = f"catalog.offering[{offering.clinic.slug}/{offering.treatment.slug}]"
    treatment = offering.treatment
    if (
        treatment.regulatory_status == Treatment.Regulatory.REGENERATIVE
        and not offering.regenerative_plan_number
    ):
        yield Problem(
            label,
            "regenerative_plan_number",
            "regenerative medicine offered without the clinic's plan number",
        )
    for course in offering.course_prices.all():
        if course.price_yen > course.sessions * offering.price_per_session_yen:
            yield Problem(label, f"course[{course.sessions}]", "course costs more than single sessions")


def _source_problems() -> Iterator[Problem]:
    """Every fact shown to patients cites the article it comes from (design.md §4)."""
    for treatment in Treatment.objects.filter(sources__isnull=True).order_by("slug"):
        yield Problem(_label(treatment), "sources", "cites no source")
    unsourced = Indication.objects.filter(source__isnull=True).select_related("treatment", "condition")
    for indication in unsourced.order_by("treatment__slug", "condition__slug"):
        label = f"catalog.indication[{indication.treatment.slug}/{indication.condition.slug}]"
        yield Problem(label, "source", "cites no source")
    for model in (HomeCareTip, Nutrient):
        for obj in model.objects.filter(source__isnull=True).order_by("slug"):
            yield Problem(_label(obj), "source", "cites no source")


def lint() -> list[Problem]:
    problems: list[Problem] = []
    for model in translator.get_registered_models():
        if model._meta.app_label != "catalog":
            continue
        fields = tuple(translator.get_options_for_model(model).fields)
        for obj in model._default_manager.all():
            problems.extend(_translated_problems(obj, fields))
            problems.extend(_range_problems(obj))
    for treatment in Treatment.objects.all():
        problems.extend(_disclosure_problems(treatment))
        problems.extend(_lead_time_problems(treatment))
        problems.extend(_scta_problems(treatment))
    for offering in Offering.objects.select_related("clinic", "treatment").prefetch_related("course_prices"):
        problems.extend(_offering_problems(offering))
    problems.extend(_source_problems())
    return problems
