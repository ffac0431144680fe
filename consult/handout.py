"""The printable handout (design.md §7): a data snapshot, and the PDF rendered from it.

`build_snapshot` gathers every text and number the handout shows, in the handout language, into a
JSON-serialisable dict. `render_handout` turns a snapshot into PDF bytes without touching the database,
so an issued handout can be rendered again identically, and `issue_handout` stores snapshot, bytes and
their SHA-256. The command line (`manage.py handout`) goes through `build_snapshot_for_profile`, so a
profile and a consultation with the same data print the same handout.

The wording informs and never decides: options are "discussed" (ご相談した選択肢), never
"recommended"; the physician decides after an examination.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from catalog.models import (
    Clinic,
    Condition,
    HomeCareTip,
    Indication,
    Nutrient,
    Offering,
    SideEffect,
    Treatment,
)
from clinic.lib.pdf import html_to_pdf, static_path, static_prefix
from consult.engine import STRENGTH_WORD, Profile, Result, lineage, nearest_indication, suggest
from consult.facts import catalog_facts
from consult.models import FACE_AREA_SLUGS, Consultation, Handout
from consult.profile import ParsedProfile
from consult.workspace import load_consultation, profile_of

SNAPSHOT_VERSION = 1
STYLESHEET = "handout/handout.css"
DEFAULT_OPTION_COUNT = 3

# --- wording ---------------------------------------------------------------------------------
# Patient-facing text in the handout language, kept here (like the engine's MESSAGES) so the
# handout's language never depends on the counselor's UI language or on compiled catalogs.

AREA_NAMES = {
    "ja": {
        "forehead": "額",
        "temples": "こめかみ",
        "around-eyes": "目のまわり",
        "nose": "鼻",
        "cheek-left": "左頬",
        "cheek-right": "右頬",
        "around-mouth": "口のまわり",
        "chin": "あご",
        "jawline": "フェイスライン",
        "neck": "首",
    },
    "en": {
        "forehead": "Forehead",
        "temples": "Temples",
        "around-eyes": "Around the eyes",
        "nose": "Nose",
        "cheek-left": "Left cheek",
        "cheek-right": "Right cheek",
        "around-mouth": "Around the mouth",
        "chin": "Chin",
        "jawline": "Jawline",
        "neck": "Neck",
    },
}

SEVERITY_SCAR = {
    "ja": {
        1: "1 色の変化のみ（へこみはない）",
        2: "2 軽度（50cm離れると目立たず、メイクで隠れる）",
        3: "3 中等度（50cm離れても目立つが、皮膚を伸ばすと平らになる）",
        4: "4 重度（皮膚を伸ばしても平らにならない）",
    },
    "en": {
        1: "1 colour change only, no depression",
        2: "2 mild: not obvious at 50 cm, covered by make-up",
        3: "3 moderate: obvious at 50 cm, flattens when the skin is stretched",
        4: "4 severe: does not flatten when the skin is stretched",
    },
}
SEVERITY_OTHER = {
    "ja": {1: "1 軽度", 2: "2 中等度", 3: "3 やや強い", 4: "4 強い"},
    "en": {1: "1 mild", 2: "2 moderate", 3: "3 marked", 4: "4 severe"},
}
PAIN = {
    "ja": {0: "ほぼなし", 1: "軽い", 2: "中程度", 3: "強い"},
    "en": {0: "little or none", 1: "mild", 2: "moderate", 3: "strong"},
}
FREQUENCY = {
    "ja": {"common": "よくある", "occasional": "ときどき", "rare": "まれ"},
    "en": {"common": "common", "occasional": "occasional", "rare": "rare"},
}
CATEGORY = {
    "ja": {
        "energy-device": "機器による施術",
        "microneedling": "マイクロニードル",
        "injectable": "注入（肌育）",
        "regenerative": "再生医療等",
        "surgical": "外科的な施術",
        "home-care": "ホームケア",
    },
    "en": {
        "energy-device": "Energy device",
        "microneedling": "Microneedling",
        "injectable": "Injectable skin booster",
        "regenerative": "Regenerative medicine",
        "surgical": "Surgical procedure",
        "home-care": "Home care",
    },
}
TOPIC = {
    "ja": {
        "skin-care": "スキンケア",
        "uv": "紫外線対策",
        "hands-off": "触らない・つぶさない",
        "nutrition": "食事と栄養",
        "sleep": "睡眠と生活習慣",
        "make-up": "メイク",
    },
    "en": {
        "skin-care": "Skin care",
        "uv": "Sun protection",
        "hands-off": "Hands off",
        "nutrition": "Food and nutrition",
        "sleep": "Sleep and lifestyle",
        "make-up": "Make-up",
    },
}
REGULATORY = {
    "ja": {
        "approved": "国内で承認された医薬品・医療機器を用いる施術です。",
        "not-regulated": "医師の手技による施術で、特定の医薬品・医療機器の製品を用いるものではありません。",
        "unapproved": "国内では未承認の医薬品・医療機器を用いる施術です。「大切なお知らせ」の説明をご覧ください。",
        "regenerative": "再生医療等安全性確保法にもとづく再生医療等です。",
    },
    "en": {
        "approved": "Uses a drug or device approved in Japan.",
        "not-regulated": "A procedure by the physician that does not rely on a particular regulated drug or device.",
        "unapproved": "Uses a drug or device that is unapproved in Japan. See “Important information”.",
        "regenerative": "Regenerative medicine under the Act on the Safety of Regenerative Medicine.",
    },
}
REGULATORY_SHORT = {
    "ja": {
        "approved": "国内承認品を使用",
        "not-regulated": "手技による施術",
        "unapproved": "国内未承認の医薬品等を使用",
        "regenerative": "再生医療等",
    },
    "en": {
        "approved": "Approved in Japan",
        "not-regulated": "Procedure (no regulated product)",
        "unapproved": "Unapproved in Japan",
        "regenerative": "Regenerative medicine",
    },
}
REGENERATIVE_CLASS = {
    "ja": {2: "第二種再生医療等", 3: "第三種再生医療等"},
    "en": {2: "Class 2 regenerative medicine", 3: "Class 3 regenerative medicine"},
}
UNAPPROVED_HEADINGS = {
    "ja": {
        "unapproved_statement": "未承認医薬品等であること",
        "acquisition_route": "入手経路等",
        "domestic_alternatives": "国内の承認医薬品等の有無",
        "foreign_safety_info": "諸外国における安全性等に係る情報",
        "relief_system_note": "医薬品副作用被害救済制度について",
    },
    "en": {
        "unapproved_statement": "It is unapproved in Japan",
        "acquisition_route": "How the clinic obtains it",
        "domestic_alternatives": "Approved products in Japan for the same purpose",
        "foreign_safety_info": "Safety information from other countries",
        "relief_system_note": "The relief system for adverse drug reactions",
    },
}

# Section titles and fixed sentences of the handout, by language.
TEXT = {
    "ja": {
        "title": "カウンセリング資料：ご相談した選択肢",
        "date": "発行日",
        "patient": "お名前",
        "chart": "カルテ番号",
        "counselor": "担当カウンセラー",
        "honorific": "様",
        "tel": "TEL",
        "handout_id": "資料ID",
        "colon": "：",
        "stop": "。",
        "intro": "本日のカウンセリングでご相談した内容と、話題にした施術の選択肢をまとめた資料です。"
        "どの施術を受けるか（受けないか）は、医師が診察したうえで、あなたと相談して決めます。"
        "この資料は診断や治療方針を示すものではありません。",
        "concerns": "ご相談いただいたお悩み",
        "concern": "お悩み",
        "severity": "程度",
        "areas": "部位",
        "no_areas": "部位の指定なし",
        "face_caption": "印のある部位（正面から見た図。向かって右があなたの左側）",
        "comparison": "選択肢の比較",
        "options_chosen": "カウンセリングで比較のために選んだ選択肢です。",
        "options_suggested": "比較する選択肢が選ばれていなかったため、ご相談のお悩みに当てはまる施術のうち"
        "条件との重なりが大きい3つを、話し合いの材料として載せています。",
        "question": "ご質問",
        "q1": "どんな施術で、どのように働くか",
        "q2": "どのお悩みに、どの程度用いられるか",
        "q3": "回数と間隔",
        "q4": "変化が見え始める時期",
        "q5": "効果の持続",
        "q6": "ダウンタイム（期間と様子）",
        "q7": "痛みと麻酔",
        "q8": "主なリスク・副作用",
        "q9": "費用の目安（税込）",
        "q10": "法令上の位置づけ",
        "q11": "ご希望との兼ね合い",
        "not_matched": "記録したお悩みには対応づけられていません。",
        "no_conflict": "記録したご希望と重なる注意点はありません（リスク・副作用はご確認ください）。",
        "sessions": "{a}〜{b}回、{c}〜{d}週間ごと",
        "sessions_same": "{a}回、{c}〜{d}週間ごと",
        "effect": "開始から約{a}〜{b}週間",
        "days": "{a}〜{b}日",
        "days_same": "{a}日",
        "pain_scale": "{word}（0〜3の{p}）",
        "per_session": "1回",
        "course": "標準的なコース（{a}〜{b}回）",
        "course_same": "標準的なコース（{a}回）",
        "pack": "{n}回コース",
        "tax": "税込",
        "sample": "参考価格（サンプル）",
        "not_offered": "当院では現在提供していません。",
        "option": "選択肢{n}",
        "what": "どんな施術か",
        "how": "しくみ",
        "session": "施術当日の流れ",
        "course_h": "回数と間隔",
        "effect_h": "変化が見え始める時期",
        "duration_h": "効果の持続",
        "downtime_h": "ダウンタイム",
        "pain_h": "痛みと麻酔",
        "risks_h": "主なリスク・副作用",
        "risk": "内容",
        "frequency": "頻度",
        "usual_duration": "よくある持続期間",
        "price_h": "費用（税込）",
        "regulatory_h": "法令上の位置づけ",
        "fit_h": "ご希望との兼ね合い",
        "skin_type_h": "肌タイプについて",
        "variants_h": "製剤・機器",
        "plan_number": "再生医療等提供計画の番号：{n}",
        "plan_filed": "当院は再生医療等提供計画を厚生労働大臣に提出（届出）しています。届出は、国が効果を確かめたことを意味するものではありません。",
        "plan_missing": "提供計画番号は医師にご確認ください。",
        "timeline": "施術スケジュールの目安",
        "timeline_note": "0週目を初回の施術日とした一般的な経過の例です。回数・間隔・ダウンタイム・変化の時期には個人差があり、"
        "実際の予定は医師と相談して決めます。",
        "timeline_event": "ご予定日（{d}）は、この資料の発行日に初回の施術を受けた場合の位置に示しています。",
        "legend_session": "施術（標準回数）",
        "legend_extra": "必要に応じた追加の施術",
        "legend_downtime": "ダウンタイム（最大）",
        "legend_effect": "変化が見え始める目安",
        "legend_event": "ご予定日",
        "week": "週",
        "weeks_axis": "初回からの週数",
        "home_care": "ご自宅でのケア",
        "nutrients": "肌のための栄養と食品",
        "nutrient": "栄養素",
        "role": "肌での働き",
        "foods": "多く含む食品",
        "notes": "カウンセリングメモ",
        "important": "大切なお知らせ",
        "free_care": "掲載している施術はすべて自由診療（保険適用外）で、費用は全額自己負担です。",
        "tax_included": "価格はすべて税込（消費税を含む総額）です。",
        "sample_prices": "「参考価格（サンプル）」と表示した価格は見本の数字で、実際の価格ではありません。",
        "differ": "効果の現れ方、ダウンタイム、副作用には個人差があります。",
        "physician": "実際に行う施術は、医師が診察したうえで判断し、あなたと相談して決めます。"
        "妊娠・授乳中であること、服用中のお薬、アレルギーなどは医師にお伝えください。",
        "cooling": "ご不明な点は、施術を決める前にいつでも医師・スタッフにお尋ねください。",
        "unapproved_h": "未承認医薬品等について：{name}",
        "regenerative_h": "再生医療等について：{name}",
        "catalog": "掲載情報の確認日（カタログ版）：{d}",
        "sources": "情報の出典",
    },
    "en": {
        "title": "Your consultation: the options discussed",
        "date": "Date",
        "patient": "Patient",
        "chart": "Chart no.",
        "counselor": "Counselor",
        "honorific": "",
        "tel": "Tel.",
        "handout_id": "Handout ID",
        "colon": ": ",
        "stop": ". ",
        "intro": "This handout summarises today's consultation and the treatment options we talked about. "
        "Whether you have a treatment, and which one, is decided by the physician after an examination, "
        "together with you. This handout is not a diagnosis or a treatment plan.",
        "concerns": "Your concerns",
        "concern": "Concern",
        "severity": "How marked",
        "areas": "Areas",
        "no_areas": "no area marked",
        "face_caption": "Marked areas (front view: your left is on the right)",
        "comparison": "The options side by side",
        "options_chosen": "The options chosen for comparison during the consultation.",
        "options_suggested": "No options had been chosen for comparison, so this lists, for discussion only, the "
        "three treatments for your concerns that best match what was recorded.",
        "question": "Question",
        "q1": "What is it and how does it work?",
        "q2": "Which of your concerns does it address, and how well?",
        "q3": "How many sessions, how far apart?",
        "q4": "When might you see a change?",
        "q5": "How long does it last?",
        "q6": "Downtime: how long, what it looks like",
        "q7": "Pain and anesthesia",
        "q8": "Main risks and side effects",
        "q9": "Estimated cost (tax incl.)",
        "q10": "Regulatory status",
        "q11": "How it fits your wishes",
        "not_matched": "Not matched to the recorded concerns.",
        "no_conflict": "Nothing conflicts with the recorded wishes (do read the risks and side effects).",
        "sessions": "{a}–{b} sessions, every {c}–{d} weeks",
        "sessions_same": "{a} sessions, every {c}–{d} weeks",
        "effect": "about {a}–{b} weeks after the start",
        "days": "{a}–{b} days",
        "days_same": "{a} days",
        "pain_scale": "{word} ({p} of 3)",
        "per_session": "Per session",
        "course": "Typical course ({a}–{b} sessions)",
        "course_same": "Typical course ({a} sessions)",
        "pack": "Course of {n}",
        "tax": "tax incl.",
        "sample": "sample price",
        "not_offered": "This clinic does not currently offer it.",
        "option": "Option {n}",
        "what": "What it is",
        "how": "How it works",
        "session": "What a session is like",
        "course_h": "Sessions and interval",
        "effect_h": "When a change may show",
        "duration_h": "How long it lasts",
        "downtime_h": "Downtime",
        "pain_h": "Pain and anesthesia",
        "risks_h": "Risks and side effects",
        "risk": "Risk or side effect",
        "frequency": "How often",
        "usual_duration": "Usually lasts",
        "price_h": "Price (tax incl.)",
        "regulatory_h": "Regulatory information",
        "fit_h": "How it fits your wishes",
        "skin_type_h": "Skin type",
        "variants_h": "Products and devices",
        "plan_number": "Provision plan number: {n}",
        "plan_filed": "The clinic has filed its provision plan for this regenerative medicine with the Minister of "
        "Health, Labour and Welfare (届出). Filing is a notification: it does not mean the "
        "government has confirmed that the treatment works.",
        "plan_missing": "Ask the physician for the provision plan number.",
        "timeline": "A typical course over time",
        "timeline_note": "Week 0 is the first session. This is a general example: the number of sessions, their "
        "spacing, downtime and when a change shows differ between people, and the actual plan is "
        "agreed with the physician.",
        "timeline_event": "Your event ({d}) is placed as if the first session took place on the date of this handout.",
        "legend_session": "Session (typical number)",
        "legend_extra": "Further session if needed",
        "legend_downtime": "Downtime (longest)",
        "legend_effect": "When a change may show",
        "legend_event": "Your event",
        "week": "wk",
        "weeks_axis": "Weeks from the first session",
        "home_care": "Home care",
        "nutrients": "Nutrients for the skin, and foods that contain them",
        "nutrient": "Nutrient",
        "role": "What it does for the skin",
        "foods": "Foods rich in it",
        "notes": "Notes from the consultation",
        "important": "Important information",
        "free_care": "All options in this handout are self-paid treatments (自由診療) that public health insurance "
        "does not cover.",
        "tax_included": "All prices include consumption tax (税込).",
        "sample_prices": "Prices marked “sample price” are sample figures, not actual prices.",
        "differ": "Results, downtime and side effects differ from person to person.",
        "physician": "The treatment is decided by the physician after an examination, together with you. Always tell "
        "the physician about pregnancy or breastfeeding, medicines you take and allergies.",
        "cooling": "If anything is unclear, ask the physician or staff at any time before deciding.",
        "unapproved_h": "Unapproved drug or device: {name}",
        "regenerative_h": "Regenerative medicine: {name}",
        "catalog": "Catalog information reviewed on {d} (catalog version)",
        "sources": "Sources",
    },
}


# Names of the regenerative-medicine disclosures, for the message when one is missing.
REGENERATIVE_H = {
    "ja": {"class": "再生医療等の区分", "plan": "提供計画番号（届出）"},
    "en": {"class": "regenerative medicine class", "plan": "plan number (filed)"},
}


def _yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"


def _yen_range(low: int, high: int, language: str) -> str:
    return _yen(low) if low == high else f"{_yen(low)}{'〜' if language == 'ja' else '–'}{_yen(high)}"


def _range_text(text: dict, key: str, low: int, high: int, **extra) -> str:
    """'3–5 sessions' or, when both ends are equal, '3 sessions' (key + '_same')."""
    if low == high and f"{key}_same" in text:
        return text[f"{key}_same"].format(a=low, b=high, **extra)
    return text[key].format(a=low, b=high, **extra)


def _format_date(day: date, language: str) -> str:
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


# --- snapshot --------------------------------------------------------------------------------


def build_snapshot(consultation: Consultation, issued_by, issued_at: datetime) -> dict:
    """Everything the handout for this consultation shows, in its handout language."""
    language = consultation.handout_language
    today = timezone.localtime(issued_at).date()
    counselor = consultation.counselor
    return _build(
        clinic=consultation.clinic,
        profile=profile_of(consultation, today),
        language=language,
        chosen=[o.treatment.slug for o in consultation.options.all()],
        header={
            "patient": consultation.display_name,
            "chart_number": consultation.chart_number,
            "counselor": counselor.get_full_name() or counselor.get_username(),
            "issued_by": issued_by.get_full_name() or issued_by.get_username(),
        },
        notes=consultation.notes,
        issued_at=issued_at,
    )


def build_snapshot_for_profile(parsed: ParsedProfile, option_slugs: list[str], issued_at: datetime) -> dict:
    """The same handout for a PROFILE.json (design.md §5), without a saved consultation."""
    return _build(
        clinic=parsed.clinic,
        profile=parsed.profile,
        language=parsed.language,
        chosen=list(option_slugs),
        header={
            "patient": parsed.patient_name,
            "chart_number": parsed.chart_number,
            "counselor": parsed.counselor,
            "issued_by": parsed.counselor,
        },
        notes=parsed.notes,
        issued_at=issued_at,
    )


def _build(
    *,
    clinic: Clinic,
    profile: Profile,
    language: str,
    chosen: list[str],
    header: dict,
    notes: str,
    issued_at: datetime,
) -> dict:
    issued_local = timezone.localtime(issued_at).replace(microsecond=0)
    today = profile.today or issued_local.date()
    with translation.override(language):
        facts = catalog_facts(clinic, language)
        result = suggest(profile, facts, language) if profile.concerns else Result((), ())
        source = "chosen"
        slugs = [s for s in chosen if any(t.slug == s for t in facts.treatments)]
        if not slugs:
            source = "suggested"
            slugs = [s.treatment for s in result.suggestions[:DEFAULT_OPTION_COUNT]]
        concerns = _concerns(profile, facts.condition_parent, language)
        options = _options(clinic, profile, facts, result, slugs, language)
        home_care, home_sources = _home_care(concerns, facts.condition_parent, language)
        catalog_date = Treatment.objects.aggregate(d=Max("reviewed_on"))["d"]
        sources = _sources(options, concerns, home_sources)
        clinic_data = {
            "name": clinic.name,
            "address": clinic.address,
            "phone": clinic.phone,
            "website": clinic.website,
            "is_demo": clinic.is_demo,
        }
    text = TEXT[language]
    event = None
    if profile.event_date is not None and profile.event_date >= today:
        display = _format_date(profile.event_date, language)
        event = {
            "date": profile.event_date.isoformat(),
            "display": display,
            "days_from_issue": (profile.event_date - today).days,
            "note": text["timeline_event"].format(d=display),
        }
    return {
        "version": SNAPSHOT_VERSION,
        "handout_id": str(uuid.uuid4()),
        "language": language,
        "issued_at": issued_local.isoformat(),
        "date": _format_date(issued_local.date(), language),
        "clinic": clinic_data,
        "patient": header["patient"],
        "chart_number": header["chart_number"],
        "counselor": header["counselor"],
        "issued_by": header["issued_by"],
        "concerns": concerns,
        "areas": sorted({a for c in concerns for a in c["areas"]}, key=FACE_AREA_SLUGS.index),
        "options_source": source,
        "options": options,
        "event": event,
        "home_care": home_care,
        "notes": notes,
        "catalog_reviewed_on": catalog_date.isoformat() if catalog_date else "",
        "catalog_text": text["catalog"].format(d=catalog_date.isoformat() if catalog_date else "—"),
        "sources": sources,
    }


def _concerns(profile: Profile, parent: dict, language: str) -> list[dict]:
    conditions = {
        c.slug: c
        for c in Condition.objects.filter(slug__in=[c.condition for c in profile.concerns]).prefetch_related(
            "sources"
        )
    }
    concerns = []
    for concern in profile.concerns:
        condition = conditions[concern.condition]
        scale = SEVERITY_SCAR if "acne-scar" in lineage(concern.condition, parent) else SEVERITY_OTHER
        concerns.append(
            {
                "slug": condition.slug,
                "name": condition.name,
                "severity": concern.severity,
                "severity_text": scale[language].get(concern.severity, str(concern.severity)),
                "areas": [a for a in FACE_AREA_SLUGS if a in concern.areas],
                "area_names": [AREA_NAMES[language][a] for a in FACE_AREA_SLUGS if a in concern.areas],
                "home_care": condition.home_care,
                "sources": [s.title for s in condition.sources.all()],
            }
        )
    return concerns


def _options(
    clinic: Clinic, profile: Profile, facts, result: Result, slugs: list[str], language: str
) -> list[dict]:
    text = TEXT[language]
    treatments = {
        t.slug: t
        for t in Treatment.objects.filter(slug__in=slugs).prefetch_related(
            Prefetch("side_effects", queryset=SideEffect.objects.order_by("sort_order", "id")),
            Prefetch("indications", queryset=Indication.objects.select_related("condition")),
            "sources",
        )
    }
    offerings = {
        o.treatment.slug: o
        for o in Offering.objects.filter(
            clinic=clinic, active=True, treatment__slug__in=slugs
        ).select_related("treatment")
    }
    fact_by_slug = {t.slug: t for t in facts.treatments}
    suggestions = {s.treatment: s for s in result.suggestions}
    exclusions = {e.treatment: e for e in result.excluded}
    strength_word = STRENGTH_WORD[language]
    options = []
    for n, slug in enumerate(slugs, start=1):
        t, fact = treatments[slug], fact_by_slug[slug]
        offering = offerings.get(slug)
        by_condition = {i.condition.slug: i for i in t.indications.all()}
        addresses = []
        for concern in profile.concerns:
            # The nearest indication rates the concern, as in the engine and the workspace grid.
            best = nearest_indication(by_condition, concern.condition, facts.condition_parent)
            if best is not None:
                addresses.append(
                    {
                        "concern": facts.condition_name.get(concern.condition, concern.condition),
                        "strength": best.strength,
                        "strength_text": strength_word.get(best.strength, ""),
                        "rationale": best.rationale,
                    }
                )
        price = None
        if fact.price is not None:
            course = (fact.price.course_cost(t.sessions_min), fact.price.course_cost(t.sessions_max))
            course_label = (
                text["course_same"].format(a=t.sessions_min)
                if t.sessions_min == t.sessions_max
                else text["course"].format(a=t.sessions_min, b=t.sessions_max)
            )
            price = {
                "per_session_yen": fact.price.per_session_yen,
                "course_min_yen": course[0],
                "course_max_yen": course[1],
                "per_session_text": _yen(fact.price.per_session_yen),
                "course_label": course_label,
                "course_text": _yen_range(*course, language),
                "packs": [
                    {"sessions": s, "price_yen": p, "label": text["pack"].format(n=s), "text": _yen(p)}
                    for s, p in fact.price.courses
                    if s > 1  # a one-session "course" is the per-session price again
                ],
                "is_sample": bool(offering and offering.is_sample_price),
                "note": offering.note if offering else "",
            }
        suggestion, exclusion = suggestions.get(slug), exclusions.get(slug)
        regulatory = {
            "status": t.regulatory_status,
            "text": REGULATORY[language].get(t.regulatory_status, ""),
            "short": REGULATORY_SHORT[language].get(t.regulatory_status, ""),
            "note": t.approval_note,
            "unapproved": [],
            "regenerative_class": None,
            "class_text": "",
            "plan_number": "",
            "plan_text": "",
        }
        if t.regulatory_status == Treatment.Regulatory.UNAPPROVED:
            regulatory["unapproved"] = [
                {"heading": UNAPPROVED_HEADINGS[language][name], "text": getattr(t, name)}
                for name in Treatment.UNAPPROVED_FIELDS
            ]
        if t.regulatory_status == Treatment.Regulatory.REGENERATIVE:
            regulatory["regenerative_class"] = t.regenerative_class
            regulatory["class_text"] = REGENERATIVE_CLASS[language].get(t.regenerative_class, "")
            regulatory["plan_number"] = offering.regenerative_plan_number if offering else ""
            regulatory["plan_text"] = (
                text["plan_number"].format(n=regulatory["plan_number"])
                if regulatory["plan_number"]
                else text["plan_missing"]
            )
        options.append(
            {
                "n": n,
                "slug": slug,
                "name": t.name,
                "label": text["option"].format(n=n),
                "unapproved_heading": text["unapproved_h"].format(name=t.name),
                "regenerative_heading": text["regenerative_h"].format(name=t.name),
                "category": CATEGORY[language].get(t.category, ""),
                "summary": t.summary,
                "how_it_works": t.how_it_works,
                "session_description": t.session_description,
                "sessions_min": t.sessions_min,
                "sessions_max": t.sessions_max,
                "interval_weeks_min": t.interval_weeks_min,
                "interval_weeks_max": t.interval_weeks_max,
                "effect_weeks_min": t.effect_weeks_min,
                "effect_weeks_max": t.effect_weeks_max,
                "sessions_text": _range_text(
                    text,
                    "sessions",
                    t.sessions_min,
                    t.sessions_max,
                    c=t.interval_weeks_min,
                    d=t.interval_weeks_max,
                ),
                "effect_text": text["effect"].format(a=t.effect_weeks_min, b=t.effect_weeks_max),
                "downtime_text": _range_text(text, "days", t.downtime_days_min, t.downtime_days_max),
                "duration_text": t.duration_text,
                "downtime_days_min": t.downtime_days_min,
                "downtime_days_max": t.downtime_days_max,
                "downtime_description": t.downtime_description,
                "pain": t.pain,
                "pain_text": text["pain_scale"].format(word=PAIN[language].get(t.pain, ""), p=t.pain),
                "anesthesia": t.anesthesia,
                "uses_needles": t.uses_needles,
                "skin_type_note": t.skin_type_note,
                "variants": t.variants,
                "side_effects": [
                    {
                        "name": se.name,
                        "frequency": FREQUENCY[language].get(se.frequency, ""),
                        "usual_duration": se.usual_duration,
                    }
                    for se in t.side_effects.all()
                ],
                "addresses": addresses,
                "matched": suggestion is not None or exclusion is not None,
                "cautions": [c.text for c in suggestion.cautions] if suggestion else [],
                "exclusions": [r.text for r in exclusion.reasons] if exclusion else [],
                "price": price,
                "regulatory": regulatory,
                "sources": [s.title for s in t.sources.all()],
            }
        )
    return options


def _home_care(concerns: list[dict], parent: dict, language: str) -> tuple[dict, list[str]]:
    slugs = {s for c in concerns for s in lineage(c["slug"], parent)}
    tips = (
        HomeCareTip.objects.filter(conditions__slug__in=slugs)
        .distinct()
        .select_related("source")
        .order_by("topic", "sort_order", "slug")
    )
    topics: dict[str, list[str]] = {}
    sources = []
    for tip in tips:
        topics.setdefault(tip.topic, []).append(tip.text)
        if tip.source:
            sources.append(tip.source.title)
    order = list(HomeCareTip.Topic.values)
    nutrients = list(
        Nutrient.objects.filter(conditions__slug__in=slugs)
        .distinct()
        .select_related("source")
        .order_by("sort_order", "slug")
    )
    sources += [n.source.title for n in nutrients if n.source]
    return {
        "conditions": [{"name": c["name"], "text": c["home_care"]} for c in concerns if c["home_care"]],
        "topics": [
            {"topic": topic, "title": TOPIC[language].get(topic, topic), "tips": topics[topic]}
            for topic in sorted(topics, key=lambda t: order.index(t) if t in order else len(order))
        ],
        "nutrients": [{"name": n.name, "role": n.role, "foods": n.foods} for n in nutrients],
    }, sources


def _sources(options: list[dict], concerns: list[dict], extra: list[str]) -> list[str]:
    titles = [t for o in options for t in o["sources"]] + [t for c in concerns for t in c["sources"]] + extra
    return list(dict.fromkeys(titles))


# --- timeline --------------------------------------------------------------------------------

TIMELINE = {"width": 720, "label_width": 176, "right": 14, "top": 26, "row": 46, "bottom": 34, "font": 11}


def _char_em(char: str) -> float:
    # Bold Latin letters in BIZ UDPGothic, the handout's font, average ~0.59 em (Noto Sans CJK JP ~0.5).
    return 0.6 if ord(char) < 0x2E80 else 1.0


def _wrap_label(text: str, width_em: float, lines: int = 2) -> list[str]:
    """Break a label into at most `lines` lines of about `width_em` em (CJK 1 em, Latin ~0.6 em).

    Latin text breaks between words, Japanese between any two characters; an overlong label ends in "…".
    """
    tokens = []
    for token in re.findall(r"[\u2e80-\uffff]|[^\u2e80-\uffff\s]+\s*|\s+", text):
        # A word wider than the line is broken anywhere, like overflow-wrap: anywhere.
        tokens.extend(token if sum(map(_char_em, token.rstrip())) > width_em else [token])
    result: list[str] = []
    line = ""
    for token in tokens:
        if line and sum(map(_char_em, (line + token).rstrip())) > width_em:
            result.append(line.rstrip())
            line = ""
        line += token
    result.append(line.rstrip())
    result = [part for part in result if part]
    if len(result) > lines:
        result = result[:lines]
        result[-1] = result[-1][: max(1, len(result[-1]) - 1)] + "…"
    return result


def timeline_geometry(snapshot: dict) -> dict:
    """Coordinates for the timeline SVG, computed from the snapshot's numbers (pure, no database).

    Week 0 is the first session; sessions follow every `interval_weeks_min` weeks, the typical number
    (`sessions_min`) drawn solid and the further ones up to `sessions_max` hollow. After each session a
    bar shows the longest downtime; a hatched band shows when a change may show; the event is a dashed
    line (an arrow at the right edge when it lies beyond the chart).
    """
    g = TIMELINE
    event = snapshot.get("event")
    event_week = event["days_from_issue"] / 7 if event else None
    ends = []
    for o in snapshot["options"]:
        last = (o["sessions_max"] - 1) * o["interval_weeks_min"]
        ends.append(max(last + o["downtime_days_max"] / 7, o["effect_weeks_max"], last + 1))
    span = min(max([4.0, *ends, (event_week or 0) + 1]), 104.0)
    step = next(s for s in (1, 2, 4, 8, 13, 26) if span / s <= 13)
    weeks = math.ceil(span / step) * step
    x0, x1 = g["label_width"], g["width"] - g["right"]
    scale = (x1 - x0) / weeks

    def x(week: float) -> float:
        return round(x0 + min(week, weeks) * scale, 1)

    rows = []
    for i, o in enumerate(snapshot["options"]):
        top = g["top"] + i * g["row"]
        line_y = top + 26
        sessions = [
            {"x": x(k * o["interval_weeks_min"]), "extra": k >= o["sessions_min"]}
            for k in range(o["sessions_max"])
            if k * o["interval_weeks_min"] <= weeks
        ]
        downtime = []
        if o["downtime_days_max"] > 0:
            width = max(o["downtime_days_max"] / 7 * scale, 2.5)
            downtime = [
                {"x": s["x"], "w": round(min(width, x1 - s["x"]), 1)} for s in sessions if s["x"] < x1
            ]
        effect_from, effect_to = x(o["effect_weeks_min"]), x(o["effect_weeks_max"])
        label = _wrap_label(f"{o['n']}. {o['name']}", (g["label_width"] - 12) / g["font"])
        rows.append(
            {
                "label": [
                    {"text": text, "y": line_y - 3 + (k - (len(label) - 1) / 2) * 13}
                    for k, text in enumerate(label)
                ],
                "line_y": line_y,
                "sessions": sessions,
                "downtime": downtime,
                "downtime_y": line_y + 7,
                "effect": {
                    "x": effect_from,
                    "w": round(max(effect_to - effect_from, 3), 1),
                    "y": top + 8,
                    "h": 13,
                },
            }
        )
    axis_y = g["top"] + len(rows) * g["row"] + 4
    event_geo = None
    if event_week is not None:
        ex = x(event_week)
        event_geo = {
            "x": ex,
            "beyond": event_week > weeks,
            "label": event["display"],
            "y1": g["top"] - 10,
            "y2": axis_y,
            "label_y": g["top"] - 14,
            "anchor": "end" if ex > x1 - 90 else ("start" if ex < x0 + 90 else "middle"),
        }
    return {
        "width": g["width"],
        "height": axis_y + g["bottom"],
        "x0": x0,
        "x1": x1,
        "top": g["top"],
        "axis_y": axis_y,
        "tick_label_y": axis_y + 13,
        "axis_label_y": axis_y + 28,
        "rows": rows,
        "ticks": [{"x": x(w), "label": w} for w in range(0, weeks + 1, step)],
        "event": event_geo,
        "weeks": weeks,
    }


# --- rendering and issuing -------------------------------------------------------------------


def handout_html(snapshot: dict, *, inline_css: bool = False) -> str:
    """The handout's HTML. The stylesheet is passed to WeasyPrint separately (parsed once per process);
    `inline_css` embeds it instead, for other renderers (the Chromium benchmark)."""
    language = snapshot["language"]
    context = {
        "h": snapshot,
        "t": TEXT[language],
        "timeline": timeline_geometry(snapshot) if snapshot["options"] else None,
        "any_sample": any(o["price"] and o["price"]["is_sample"] for o in snapshot["options"]),
        "unapproved": [o for o in snapshot["options"] if o["regulatory"]["unapproved"]],
        "regenerative": [o for o in snapshot["options"] if o["regulatory"]["status"] == "regenerative"],
        "face_areas": [(slug, AREA_NAMES[language][slug]) for slug in FACE_AREA_SLUGS],
        "inline_css": static_path(static_prefix() + STYLESHEET).read_text(encoding="utf-8")
        if inline_css
        else "",
    }
    with translation.override(language):
        return render_to_string("handout/handout.html", context)


def render_handout(snapshot: dict) -> bytes:
    """PDF bytes for a snapshot; the same snapshot always gives the same bytes."""
    html = handout_html(snapshot)
    return html_to_pdf(html, identifier=snapshot["handout_id"].replace("-", ""), stylesheets=(STYLESHEET,))


class MissingDisclosure(Exception):
    """An option lacks a disclosure the handout must carry (design.md §7): nothing is printed."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def missing_disclosures(snapshot: dict) -> list[str]:
    """What keeps the snapshot from being a lawful handout, one line per option and gap (empty: none).

    Every unapproved product needs its five statements and every regenerative treatment its class and
    the clinic's filed plan number; `lint_catalog` reports the same gaps to the clinic admin.
    """
    problems = []
    for option in snapshot["options"]:
        regulatory = option["regulatory"]
        if regulatory["status"] == Treatment.Regulatory.UNAPPROVED:
            missing = [s["heading"] for s in regulatory["unapproved"] if not s["text"].strip()]
            if missing:
                problems.append(f"{option['name']}: {', '.join(missing)}")
        if regulatory["status"] == Treatment.Regulatory.REGENERATIVE:
            if not regulatory["class_text"]:
                problems.append(f"{option['name']}: {REGENERATIVE_H[snapshot['language']]['class']}")
            if not regulatory["plan_number"]:
                problems.append(f"{option['name']}: {REGENERATIVE_H[snapshot['language']]['plan']}")
    return problems


def issue_handout(consultation: Consultation, user) -> Handout:
    """Snapshot the consultation, render it and store snapshot, PDF and SHA-256.

    Raises MissingDisclosure, issuing nothing, when an option lacks a required disclosure.
    """
    consultation = load_consultation(Consultation.objects.all(), pk=consultation.pk)
    issued_at = timezone.now().replace(microsecond=0)
    snapshot = build_snapshot(consultation, user, issued_at)
    problems = missing_disclosures(snapshot)
    if problems:
        raise MissingDisclosure(problems)
    pdf = render_handout(snapshot)
    with transaction.atomic():
        handout = Handout.objects.create(
            public_id=uuid.UUID(snapshot["handout_id"]),
            consultation=consultation,
            issued_by=user,
            language=snapshot["language"],
            snapshot=snapshot,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        # `issued_at` is auto_now_add; align it with the time printed on the handout.
        Handout.objects.filter(pk=handout.pk).update(issued_at=issued_at)
    handout.issued_at = issued_at
    return handout
