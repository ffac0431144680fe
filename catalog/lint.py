"""Catalog lint: advertising phrases, missing translations, missing disclosures, bad ranges.

Plain functions over the database so both the management command and tests use them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from modeltranslation.translator import NotRegistered, translator

from catalog.figures import possible_counts
from catalog.models import (
    RANGE_STEMS,
    Clinic,
    FigureOrigin,
    HomeCareTip,
    Indication,
    Nutrient,
    Offering,
    SideEffect,
    Source,
    SourceKind,
    Treatment,
    range_origin,
)
from catalog.regulatory import missing_facts

LANGUAGES = ("ja", "en")

# Phrases Japan's medical advertising guideline (医療広告ガイドライン) forbids or allows only with
# conditions. Each rule names the guideline's category and why the phrase misleads. Texts are
# compared after NFKC normalisation (Ｎｏ．１ → No.1, １００％ → 100%); Japanese patterns see the text
# with its spaces removed (「痛み が ない」), English ones with runs of spaces collapsed.
# A rule matches what the text claims, not a topic: 「痛みの感じ方には個人差があります」 and
# 「ダウンタイムは1〜3日です」 pass.


@dataclass(frozen=True)
class Rule:
    slug: str
    kind: str
    category: str
    reason: str
    ja: str = ""
    en: str = ""


# 「…がない」 and its inflections, but not 「…がないわけではありません」 (which says there is), nor a
# range that starts at zero (「ダウンタイムは0〜3日」).
_NONE_JA = (
    r"(?:は|が|も)?(?:ほぼ|ほとんど|まったく|全く|一切|殆ど)?(?:な[いくしかでけ]|無[いくし]|ありません|ゼロ|0(?![0-9.〜~\-]))"
    r"(?!わけ|訳|とは限)"
)
_CLAIM = "exaggerated or guaranteed claim"

RULES = [
    Rule(
        "guarantee",
        _CLAIM,
        "誇大広告",
        "promises a result; no treatment works for everyone",
        ja=r"必ず|絶対|確実|100%|保証|間違いな|誰でも|どなたでも",
        en=r"\bguarantee[sd]?\b|\b100\s?%|\b(?:will|always)\s+(?:definitely\s+)?(?:work|improve|remove|disappear)|"
        r"\bcertain(?:ly)?\s+(?:results?|to\s+work|improve)|\bfor\s+everyone\b",
    ),
    Rule(
        "permanence",
        _CLAIM,
        "虚偽広告",
        "claims a permanent result; effects fade and skin keeps ageing",
        ja=r"半永久|永久|永続|一生(?:もの|続)|ずっと続|長く保たれ|長期間(?:持続|保た)",
        en=r"\b(?:semi-?\s?)?permanent(?:ly)?\b|\bforever\b|\blifelong\b|\blast(?:s|ing)?\s+a\s+lifetime\b|"
        r"\blast(?:s|ing)?\s+(?:for\s+)?a\s+long\s+time\b",
    ),
    Rule(
        "cure",
        _CLAIM,
        "誇大広告",
        "claims a cure or a fundamental fix; scars and ageing improve, they are not cured",
        ja=r"完治|根治|根本(?:的|から|治療|解決)|消し去|跡形も(?:なく|残ら)|元通り",
        en=r"\bcure[sd]?\b|\bfundamental(?:ly)?\s+(?:fix|cure|solution|treatment)|\broot[-\s]cause\s+(?:treatment|fix)|"
        r"\beradicat\w*|\berases?\b|\bget\s+rid\s+of\b",
    ),
    Rule(
        "superlative",
        _CLAIM,
        "比較優良広告",
        "a superlative or ranking compares the clinic or treatment with others",
        ja=r"最も|最高|最新|最先端|最強|最良|最上|最大級|日本一|世界一|業界一|No\.?1|ナンバー(?:ワン|1)|唯一|"
        r"一番|トップクラス|他院(?:より|と比べ)|圧倒的",
        # "most" as a superlative ("most effective", "noticed most readily"), not "most people" or "at most".
        en=r"(?<!at )\bmost\s+(?:\w+(?:ly|est|ive|ful|able|ible|ous|ant|ent)|advanced|natural|popular|safe|modern|trusted)\b|"
        r"\bbest\b|\bnumber\s+one\b|\bno\.?\s?1\b|#1\b|\bthe\s+only\b|\bleading\b|"
        r"\bstate[-\s]of[-\s]the[-\s]art\b|\bcutting[-\s]edge\b|\blatest\b|\bunrivall?ed\b|\bsuperior\b|"
        r"\bbetter\s+than\s+other\s+clinics\b",
    ),
    Rule(
        "dramatic",
        _CLAIM,
        "誇大広告",
        "overstates the effect",
        ja=r"劇的|奇跡|驚き|驚く(?:ほど|べき)|画期的|魔法|見違え|別人",
        en=r"\bmiracle\w*|\bmiraculous\w*|\bdramatic(?:ally)?\b|\bamazing\b|\brevolutionary\b|\bbreakthrough\b|"
        r"\bmagic(?:al)?\b|\btransform(?:s|ed|ing|ative)?\b",
    ),
    Rule(
        "no-pain",
        _CLAIM,
        "誇大広告",
        "claims there is no pain; how much it hurts differs from person to person",
        ja=rf"痛み{_NONE_JA}|痛くな|痛みを感じな|無痛|ペインレス",
        en=r"\bpainless(?:ly)?\b|\bpain[-\s]free\b|\b(?:no|without(?:\s+any)?|zero|(?:virtually|almost)\s+no)\s+pain\b|"
        r"\b(?:does\s+not|doesn'?t|won'?t|will\s+not)\s+hurt\b",
    ),
    Rule(
        "no-downtime",
        _CLAIM,
        "誇大広告",
        "plays down the downtime; state its length and what it looks like instead",
        ja=rf"ダウンタイム(?:{_NONE_JA}|(?:は|が|も)?(?:ほぼ|ほとんど)?(?:短[いくめか]|少な|わずか|最小))|ダウンタイムレス",
        en=r"\b(?:no|zero|little|minimal|short|brief|negligible|without(?:\s+any)?|hardly\s+any|(?:virtually|almost)\s+no)"
        r"(?:\s+(?:or|to)\s+no)?\s+downtime\b|\bdowntime\s+(?:is|are|will\s+be)\s+(?:short|minimal|negligible|brief|"
        r"almost\s+none|none)\b",
    ),
    Rule(
        "no-risk",
        _CLAIM,
        "誇大広告",
        "claims safety or no side effects; every treatment has risks the patient must hear",
        ja=rf"副作用(?:の心配)?{_NONE_JA}|副作用の心配が?(?:な|あり)|リスク{_NONE_JA}|"
        r"安全(?:・安心|で安心)?(?:な(?:施術|治療|方法|成分)|です|性が高|に受けられ)|安心・安全|安全・安心|"
        r"肌に優し|負担が(?:ほとんど)?(?:な|少な)",
        en=r"(?<!not )(?<!whether it )(?<!if it )\b(?:is|are)\s+(?:completely\s+|very\s+|perfectly\s+|totally\s+)?safe\b|"
        r"\bsafe\s+(?:and\s+(?:effective|secure|gentle)|treatment|procedure|option|method|for\s+(?:all|everyone|any))\b|"
        r"\b(?:completely|perfectly|totally|absolutely|100%|very)\s+safe\b|\brisk[-\s]free\b|\b(?:no|zero|without(?:\s+any)?)\s+(?:risks?|side[-\s]effects?)\b|\bharmless\b|"
        r"\bgentle\s+on\s+(?:the\s+)?skin\b",
    ),
    Rule(
        "natural",
        _CLAIM,
        "誇大広告",
        "「自然な仕上がり」 is a subjective promise about the result",
        ja=r"自然な(?:仕上が|見た目|印象|若|ハリ)|仕上がり(?:が|は|も)?(?:より)?自然|ナチュラル|バレ(?:ない|にく)|"
        r"気づかれ(?:ない|にく)|周囲に(?:気づ|知られ)",
        en=r"\bnatural(?:-looking)?\s+(?:results?|looks?|finish|appearance|outcome)\b|\blooks?\s+(?:more\s+)?natural\b|"
        r"\bnatural(?:ly)?[-\s]looking\b|\bno\s*one\s+will\s+(?:notice|know)\b",
    ),
    Rule(
        "rejuvenation",
        _CLAIM,
        "誇大広告",
        "promises a younger look or a lift the treatment cannot be shown to give",
        ja=r"若返|若がえ|若々し|マイナス\d+歳|-\d+歳|リフトアップ|アンチエイジング",
        en=r"\brejuvenat\w*|\b(?:look|appear)\w*\s+(?:(?:\d+|\w+)\s+years?\s+)?younger\b|\byounger[-\s]looking\b|"
        r"\bturn\s+back\s+the\s+clock\b|\breverse\w*\s+(?:the\s+)?(?:signs\s+of\s+)?(?:ageing|aging)\b|"
        r"\banti[-\s]?(?:ageing|aging)\b|\blift(?:s|ed|ing)?[-\s]up\b|\blifting\s+effect\b",
    ),
    Rule(
        "recommendation",
        _CLAIM,
        "比較優良広告",
        "a recommendation or popularity claim ranks options; the physician decides with the patient",
        ja=r"おすすめ|お勧め|お薦め|オススメ|イチオシ|一押し|人気|ランキング|話題の",
        # A treatment put forward to the patient, not clinical advice ("postponing treatment is recommended").
        en=r"\b(?:highly|strongly|most|often)\s+recommended\b|\brecommended\s+(?:treatments?|options?|for\s+(?:you|everyone|anyone))\b|"
        r"\b(?:our|my|clinic'?s?|doctor'?s?)\s+(?:top\s+)?(?:recommendation|recommended|pick)s?\b|"
        r"\b(?:we|I|our\s+(?:clinic|doctors?|physicians?))\s+recommend\b|\bpopular\b|\btop[-\s]rated\b|\bfavou?rite\b",
    ),
    Rule(
        "testimonial",
        "testimonial",
        "体験談",
        "patients' own accounts of a treatment's effect may not be used to advertise it",
        ja=r"体験談|(?:患者|お客)(?:様|さま|さん)の(?:声|感想|口コミ)|口コミ|満足度|喜びの声|「[^」]*(?:よかった|良かった|嬉しい|うれしい)[^」]*」",
        en=r"\btestimonials?\b|\b(?:patient|customer|client)s?'?\s+(?:reviews?|voices?|stories|feedback)\b|"
        r"\bsatisfaction\s+rate\b|\b\d+\s?%\s+of\s+(?:our\s+)?(?:patients|customers|clients)\s+(?:were\s+)?"
        r"(?:satisfied|happy)\b|\bfive[-\s]star\b|\b5[-\s]star\b",
    ),
    Rule(
        "price-pressure",
        _CLAIM,
        "費用を強調した広告",
        "a time-limited offer or discount pressures the patient's decision",
        ja=r"今だけ|期間限定|先着|キャンペーン|大幅(?:割引|値引)|激安|格安|モニター(?:価格|募集)",
        en=r"\blimited[-\s]time\b|\btoday\s+only\b|\bspecial\s+offer\b|\bcampaign\s+price\b|\bhuge\s+discount\b|"
        r"\bcheap(?:est)?\b",
    ),
]

# Before/after photographs are allowed only with the treatment, its cost, the usual course, and its
# risks and side effects stated alongside (医療広告ガイドライン, 限定解除要件).
_BEFORE_AFTER = re.compile(
    r"ビフォ[ーア]?アフター|術前術後|症例写真|施術前後の(?:写真|画像)|before\s?(?:and|&|/|-)\s?after",
    re.IGNORECASE,
)
_BEFORE_AFTER_COST = re.compile(r"費用|料金|円|cost|price|yen|¥", re.IGNORECASE)
_BEFORE_AFTER_RISK = re.compile(r"リスク|副作用|risk|side\s?effect", re.IGNORECASE)


# Remarks from whoever wrote the catalog about the articles it was written from ("the source article
# does not describe this use") belong in docs/catalog.md and the source's own summary, never in a text
# a patient reads. Sources themselves describe articles and are exempt.
_EDITORIAL = re.compile(
    r"紹介記事|元の記事|記事では|記事に(?:は)?(?:書|記載|触れ)|シード記事|"
    r"\b(?:the\s+)?(?:source|seed)\s+articles?\b|\bthe\s+article\s+(?:does|did|says|describes|mentions)\b",
    re.IGNORECASE,
)


def _compile(rule: Rule, lang: str) -> re.Pattern[str] | None:
    pattern = getattr(rule, lang)
    return re.compile(pattern, re.IGNORECASE) if pattern else None


_COMPILED = [(rule, _compile(rule, "ja"), _compile(rule, "en")) for rule in RULES]


def _normalised(text: str) -> tuple[str, str]:
    """The text as the Japanese patterns see it (no spaces) and as the English ones do (single spaces)."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return re.sub(r"\s+", "", text), re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: str
    category: str
    reason: str
    match: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.match!r}: {self.reason} (医療広告ガイドライン: {self.category})"


def advertising_findings(text: str) -> list[Finding]:
    """What in one patient-facing text the medical advertising guideline forbids, one finding per rule."""
    if not text or not text.strip():
        return []
    spaceless, spaced = _normalised(text)
    findings = []
    for rule, ja, en in _COMPILED:
        match = (ja and ja.search(spaceless)) or (en and en.search(spaced))
        if match:
            findings.append(Finding(rule.slug, rule.kind, rule.category, rule.reason, match.group(0)))
    match = _BEFORE_AFTER.search(spaced) or _BEFORE_AFTER.search(spaceless)
    if match and not (_BEFORE_AFTER_COST.search(spaced) and _BEFORE_AFTER_RISK.search(spaced)):
        findings.append(
            Finding(
                "before-after",
                "before/after without the required details",
                "誇大広告",
                "before/after photos need the treatment, its cost, course, risks and side effects alongside",
                match.group(0),
            )
        )
    return findings


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
            for finding in advertising_findings(value):
                yield Problem(_label(obj), f"{field}_{lang}", str(finding))
            match = None if isinstance(obj, Source) else _EDITORIAL.search(value)
            if match:
                yield Problem(
                    _label(obj),
                    f"{field}_{lang}",
                    f"editorial remark in a patient text: {match.group(0)!r} "
                    "(say what is known; notes on the sources go in docs/catalog.md)",
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
    if treatment.insurance_covered and status != Treatment.Regulatory.APPROVED:
        yield Problem(
            _label(treatment), "insurance_covered", "insurance-covered care must be approved in Japan"
        )
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
    # Untranslated free text of the offering's facts (the translated ones are linted with the rest).
    for field in ("manufacturer", "approval_number"):
        for finding in advertising_findings(getattr(offering, field)):
            yield Problem(label, field, str(finding))
    for field in missing_facts(treatment, offering):
        yield Problem(
            label,
            field,
            "unapproved or off-label product without this fact: one of the five required statements "
            "cannot be written",
        )
    if treatment.insurance_covered:
        yield Problem(
            label,
            "treatment",
            "insurance-covered standard care (保険診療) offered at a self-pay price; point the patient to "
            "a dermatologist instead",
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


def _translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()


def _evidence_problems(obj: models.Model) -> Iterator[Problem]:
    """Every indication says how strong its evidence is; every range where its figures come from;
    every source what kind it is and how to find it again (issue 11)."""
    if isinstance(obj, Indication):
        if not obj.evidence_level:
            label = f"catalog.indication[{obj.treatment.slug}/{obj.condition.slug}]"
            yield Problem(label, "evidence_level", "indication without an evidence level")
    elif isinstance(obj, Treatment):
        for stem in RANGE_STEMS:
            origin, source = range_origin(obj, stem)
            if not origin:
                yield Problem(_label(obj), f"{stem}_origin", "range without its origin")
            elif origin == FigureOrigin.SOURCE and source is None:
                yield Problem(
                    _label(obj), f"{stem}_source", "range said to come from a source that is not named"
                )
            elif origin == FigureOrigin.CLINIC_PRACTICE and source is not None:
                yield Problem(_label(obj), f"{stem}_source", "clinic-practice range that also names a source")
    elif isinstance(obj, Source):
        if not obj.identifier.strip():
            yield Problem(_label(obj), "identifier", "source without a stable identifier")
        if obj.kind != SourceKind.CLINIC_ARTICLE and obj.year is None:
            yield Problem(_label(obj), "year", "published source without its year")


def _figure_problems(obj: models.Model) -> Iterator[Problem]:
    """A natural frequency's count comes with how many people it was counted among, and the two fit:
    some whole number of those people rounds to the count (issue 14: the handout prints the range the
    true number could lie in, computed from both)."""
    if not isinstance(obj, (Indication, SideEffect)):
        return
    count, per, studied = obj.figure_count, obj.figure_per, obj.figure_studied
    label = _figure_label(obj)
    if count is None:
        if studied is not None:
            yield Problem(label, "figure_studied", "number of people studied without a figure")
        return
    if not per:
        yield Problem(label, "figure_per", "figure without its denominator")
    elif count > per:
        yield Problem(label, "figure_count", f"figure of {count} in {per}: more than everyone")
    if not studied:
        yield Problem(label, "figure_studied", "figure without the number of people it was counted among")
    elif per and count <= per and count not in possible_counts(per, studied):
        yield Problem(
            label,
            "figure_count",
            f"{count} in {per} cannot come from {studied} people: no whole number of them rounds to it",
        )


def _figure_label(obj: Indication | SideEffect) -> str:
    if isinstance(obj, Indication):
        return f"catalog.indication[{obj.treatment.slug}/{obj.condition.slug}]"
    return f"catalog.sideeffect[{obj.treatment.slug}/{obj.pk}]"


def _funding_problems(clinic: Clinic) -> Iterator[Problem]:
    """A clinic without a funding statement in any language: its handouts are refused (a statement
    in one language only is a missing translation, reported with the other translated fields)."""
    if not any((getattr(clinic, f"funding_statement_{lang}") or "").strip() for lang in LANGUAGES):
        yield Problem(
            _label(clinic),
            "funding_statement",
            "no funding statement (who paid for making the handouts): handouts are refused without it",
        )


def lint_object(obj: models.Model) -> list[Problem]:
    """What the lint reports about one catalog row and the rows edited with it in the admin (a
    treatment's indications, contraindications and side effects; an offering's course prices), so the
    admin can show it right after a save."""
    rows: list[models.Model] = [obj]
    if isinstance(obj, Treatment):
        rows += [*obj.indications.all(), *obj.contraindications.all(), *obj.side_effects.all()]
    problems: list[Problem] = []
    for row in rows:
        problems.extend(_translated_problems(row, _translated_fields(type(row))))
        problems.extend(_range_problems(row))
        problems.extend(_evidence_problems(row))
        problems.extend(_figure_problems(row))
    if isinstance(obj, Treatment):
        problems.extend(_disclosure_problems(obj))
        problems.extend(_lead_time_problems(obj))
    if isinstance(obj, Offering):
        problems.extend(_offering_problems(obj))
    if isinstance(obj, Clinic):
        problems.extend(_funding_problems(obj))
    return problems


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
    for clinic in Clinic.objects.all():
        problems.extend(_funding_problems(clinic))
    problems.extend(_source_problems())
    for model in (Source, Treatment):
        for obj in model.objects.order_by("slug"):
            problems.extend(_evidence_problems(obj))
    indications = Indication.objects.select_related("treatment", "condition")
    for indication in indications.order_by("treatment__slug", "condition__slug"):
        problems.extend(_evidence_problems(indication))
        problems.extend(_figure_problems(indication))
    for side_effect in SideEffect.objects.select_related("treatment").order_by("treatment__slug", "pk"):
        problems.extend(_figure_problems(side_effect))
    return problems
