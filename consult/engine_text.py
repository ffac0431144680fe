"""The engine's words: strengths, reasons and cautions in Japanese and English, and the one date
format of every patient text. Kept apart from the rules (consult/engine.py) so each reads on its own.
"""

from __future__ import annotations

from datetime import date

from consult.engine_data import ADJUNCT, FIRST_LINE, GOOD, NOT_FOR, Language

# Neutral, and equal in both languages (issue 14, IPDASi balance): how the catalog rates a use, not a
# recommendation ("a good option" said more than よく用いられる, "commonly used").
STRENGTH_WORD = {
    "ja": {
        FIRST_LINE: "第一選択の一つ",
        GOOD: "よく用いられる",
        ADJUNCT: "補助的に用いられる",
        NOT_FOR: "適応外",
    },
    "en": {
        FIRST_LINE: "a first-line option",
        GOOD: "commonly used",
        ADJUNCT: "used as an add-on",
        NOT_FOR: "not suitable",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "indication": {
        "ja": "{condition}（重症度{severity}）に対して{strength}：{rationale}",
        "en": "For {condition} (severity {severity}), {strength}: {rationale}",
    },
    "contraindication": {
        "ja": "「{flag}」に該当するため、この施術は避ける必要があります（絶対禁忌）：{note}",
        "en": "Not suitable because of “{flag}” (absolute contraindication): {note}",
    },
    "relative-contraindication": {
        "ja": "「{flag}」に該当するため、医師による慎重な判断が必要です（相対禁忌）：{note}",
        "en": "“{flag}” calls for the physician's careful judgement (relative contraindication): {note}",
    },
    "needles": {
        "ja": "針や注射を使う施術ですが、針を使わない施術をご希望です。",
        "en": "Uses needles or injections, and the patient prefers no needles.",
    },
    "insurance": {
        "ja": "保険診療で受けられる標準治療です。自費の料金はありません。皮膚科（保険診療）で相談してください。",
        "en": "A standard treatment covered by health insurance, with no self-pay price: see a dermatologist "
        "(insurance-covered care).",
    },
    "not-offered": {
        "ja": "当院では現在この施術を提供していません。",
        "en": "This clinic does not currently offer it.",
    },
    "downtime": {
        "ja": "ダウンタイムが{low}〜{high}日あり、ご希望の{wish}日を超えます。",
        "en": "Downtime of {low}–{high} days exceeds the wished maximum of {wish} days.",
    },
    "downtime-maybe": {
        "ja": "ダウンタイムは{low}〜{high}日で、長い場合はご希望の{wish}日を超える可能性があります。",
        "en": "Downtime is {low}–{high} days; at the longer end it may exceed the wished {wish} days.",
    },
    "budget": {
        "ja": "標準的なコースの目安費用（{low}円〜、税込）がご予算の{wish}円を超えます。",
        "en": "The typical course (from ¥{low}, tax incl.) exceeds the budget of ¥{wish}.",
    },
    "budget-maybe": {
        "ja": "回数が多い場合の目安費用（最大{high}円、税込）はご予算の{wish}円を超える可能性があります。",
        "en": "A longer course (up to ¥{high}, tax incl.) may exceed the budget of ¥{wish}.",
    },
    "pain": {
        "ja": "痛みの目安は{pain}（0〜3）で、ご希望の上限{wish}を超えます。",
        "en": "Pain is rated {pain} of 3, above the wished maximum of {wish}.",
    },
    # The event rule's sentences: a caution is one or more of them, in this order.
    "event-lead": {
        "ja": "初回の施術の前に約{lead}週間の準備（細胞の培養など）が必要なため、初回は早くても{first}になります。",
        "en": "The first session needs about {lead} weeks of preparation (such as cell culture), so it can "
        "be on {first} at the earliest.",
    },
    "event-too-close": {
        "ja": "{event}のご予定（あと{left}日）までの日数では、施術のダウンタイム（最大{high}日）がご予定の前に明けません。",
        "en": "The event on {event} is {left} days away: too soon for a session's downtime (up to {high} "
        "days) to be over before it.",
    },
    "event-no-fit": {
        "ja": "ダウンタイム（最大{high}日）を{event}のご予定（あと{left}日）の前に終えるには、最後の施術を"
        "{deadline}までに受ける必要がありますが、初回がそれより後になるため、ご予定までに間に合いません。",
        "en": "For the downtime (up to {high} days) to be over before the event on {event} ({left} days "
        "away), the last session would have to be by {deadline}; the first comes later, so the course "
        "cannot fit before the event.",
    },
    "event-downtime": {
        "ja": "{n}回の施術を{weeks}週間ごとに受けると、最後の施術は早くても{last}になります。コースとその"
        "ダウンタイム（最大{high}日）を{event}のご予定（あと{left}日）の前に終えるには、最後の施術を"
        "{deadline}までに受ける必要があります。",
        "en": "With {n} sessions every {weeks} weeks, the last is on {last} at the earliest. For the course "
        "and its downtime (up to {high} days) to be over before the event on {event} ({left} days away), "
        "the last session would have to be by {deadline}.",
    },
    "event-effect": {
        "ja": "変化が見え始めるのは初回の施術から通常{weeks}週間以降で、早くても{change}ごろのため、"
        "{event}のご予定（あと{left}日）までに間に合わない可能性があります。",
        "en": "A change usually takes at least {weeks} weeks after the first session to show, so not before "
        "{change}: after the event on {event} ({left} days away).",
    },
    "event-effect-also": {  # after a sentence that has named the event already
        "ja": "また、変化が見え始めるのは初回の施術から通常{weeks}週間以降（早くても{change}ごろ）です。",
        "en": "A change also usually takes at least {weeks} weeks after the first session to show (not before "
        "{change}).",
    },
    "event-downtime-maybe": {
        "ja": "回数が増えて{n}回になった場合、最後の施術は早くても{last}になります。そのダウンタイム（最大{high}日）"
        "まで{event}のご予定（あと{left}日）の前に終えるには、最後の施術を{deadline}までに受ける必要があります。",
        "en": "If more sessions are needed (up to {n}), the last would be on {last} at the earliest; for them "
        "and their downtime (up to {high} days) to be over before the event on {event} ({left} days away), "
        "the last session would have to be by {deadline}.",
    },
    "skin-type": {
        "ja": "スキンタイプ{skin}では、施術後の色素沈着（炎症後色素沈着）のリスクが高くなります。",
        "en": "With skin type {skin}, the risk of post-inflammatory hyperpigmentation is higher.",
    },
}

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}  # Fitzpatrick skin types

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date, language: Language | str) -> str:
    """A date as patients read it: 2026年12月20日 / 20 December 2026 (never ISO in patient text).

    The one date format of every patient text: the engine's cautions and the printed documents
    (`consult/documents/wording.py` re-exports it). Month names are spelled out here rather than
    taken from the C library's locale, which a server may not have set.
    """
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
