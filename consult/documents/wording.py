"""Patient-facing words shared by every printed document, in the document's language (ja/en).

Kept in code (like the engine's MESSAGES) so a document's language never depends on the counselor's
UI language or on compiled message catalogs. Each kind of document keeps its own sentences beside
its snapshot builder (e.g. `handout_text.py`); what several kinds say about a treatment is here.
"""

from __future__ import annotations

# The one date format of patient texts lives with the engine, whose cautions print dates too.
from consult.engine import format_date as format_date

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
# How sure the catalog is about a use, one plain sentence per evidence level (issue 14, IPDASi:
# uncertainty). Strongest first; "" is an indication whose evidence is not rated yet.
EVIDENCE_ORDER = ("", "practice", "observational", "trial", "systematic-review", "guideline")
EVIDENCE = {
    "ja": {
        "guideline": "診療ガイドラインで勧められている使い方です。",
        "systematic-review": "いくつもの研究をまとめた報告で支持されています。効果には個人差があります。",
        "trial": "比べる相手を置いた研究がありますが、数は少なく、人数も多くありません。",
        "observational": "比べる相手のない研究や、少人数の報告しかありません。どのくらい効くかは、はっきりしていません。",
        "practice": "クリニックの経験と専門家の意見だけにもとづく使い方です。効果を確かめた研究はありません。",
        "": "この使い方を支える研究の強さは、まだ評価していません。",
    },
    "en": {
        "guideline": "A clinical guideline supports this use.",
        "systematic-review": "A review of many studies supports this use. Results differ from person to person.",
        "trial": "A few studies that compared groups support this use, but they were small.",
        "observational": "Only small studies without a comparison group describe this use. How well it works is not clear.",
        "practice": "This use rests only on clinic experience and expert opinion. No study has tested how well it works.",
        "": "The strength of the studies behind this use has not been rated yet.",
    },
}

# The same, in a few words for the comparison grid (the sentence is in each option's section).
EVIDENCE_SHORT = {
    "ja": {
        "guideline": "診療ガイドラインで勧められています。",
        "systematic-review": "いくつもの研究のまとめがあります。",
        "trial": "比べた研究が少しあります（少人数）。",
        "observational": "比べる相手のない研究だけです。",
        "practice": "研究はありません。経験と意見だけです。",
        "": "まだ評価していません。",
    },
    "en": {
        "guideline": "A guideline supports it",
        "systematic-review": "A review of many studies",
        "trial": "A few small studies that compared groups",
        "observational": "Only studies with no comparison",
        "practice": "No studies: experience and opinion only",
        "": "Not rated yet",
    },
}

# The engine's cautions in a few words, by code, for the comparison grid; the full sentence is in
# each option's section. Several sentences of one kind (e.g. downtime) read as one line.
CAUTION_SHORT = {
    "ja": {
        "downtime": "ダウンタイムが希望より長くなることがあります。",
        "budget": "費用が予算をこえることがあります。",
        "pain": "痛みが希望より強めです。",
        "event-timing": "予定の日までに終わらないことがあります。",
        "relative-contraindication": "体の状態の答えから、医師がよく考えて決めます。",
        "skin-type": "あなたの肌のタイプでは、茶色いしみが残りやすくなります。",
    },
    "en": {
        "downtime": "Downtime may be longer than you wish",
        "budget": "May cost more than your budget",
        "pain": "More pain than you wish",
        "event-timing": "May not be over before your event",
        "relative-contraindication": "Your health answers call for the physician's careful judgement",
        "skin-type": "Brown marks are more likely for your skin type",
    },
}

FIGURE = {
    "ja": {
        "harm": "{group}で、{time}までに、100人あたり約{n}人に起き、約{rest}人には起きませんでした。",
        "benefit": "{group}で、{time}に、100人あたり約{n}人が{outcome}。残りの約{rest}人はそうではありませんでした。",
        "harm_1000": "{group}で、{time}までに、1,000人あたり約{n}人に起き、約{rest}人には起きませんでした。",
        "benefit_1000": "{group}で、{time}に、1,000人あたり約{n}人が{outcome}。残りの約{rest}人はそうではありませんでした。",
        "harm_none": "{group}で、{time}までに、起きた人はいませんでした。",
    },
    "en": {
        "harm": "About {n} in 100 people ({group}) had it, within {time}. About {rest} in 100 did not.",
        "benefit": "About {n} in 100 people ({group}) {outcome}, {time}. About {rest} in 100 did not.",
        "harm_1000": "About {n} in 1,000 people ({group}) had it, within {time}. About {rest} in 1,000 did not.",
        "benefit_1000": "About {n} in 1,000 people ({group}) {outcome}, {time}. About {rest} in 1,000 did not.",
        "harm_none": "No one in the study ({group}) had it, within {time}.",
    },
}
# Beside every figure (IPDASi: the uncertainty around a probability): how many people it was counted
# among and the 95 % range the true number could lie in, from catalog/figures.py `wilson_interval`.
FIGURE_UNCERTAINTY = {
    "ja": {
        100: "{n}人の研究です。本当の数は100人中およそ{low}〜{high}人の間かもしれません。",
        1000: "{n}人の研究です。本当の数は1,000人中およそ{low}〜{high}人の間かもしれません。",
    },
    "en": {
        100: "In a study of {n} people. The true number could be between about {low} and {high} in 100.",
        1000: "In a study of {n} people. The true number could be between about {low} and {high} in 1,000.",
    },
}


def figure_text(figure, language: str, *, benefit: bool = False) -> str:
    """A natural frequency in words, with its group and time frame: "About 85 in 100 people (13
    people with skin type IV, in one study in Thailand) had scars rated …, 6 months after …"."""
    key = ("benefit" if benefit else "harm") + ("" if figure.per == 100 else "_1000")
    if not benefit and figure.count == 0:
        key = "harm_none"  # "about 0 in 100" reads as a misprint; the range beside it says how sure
    # Both frames (IPDASi: balanced framing): those it happened to and those it did not.
    return FIGURE[language][key].format(
        n=figure.count,
        rest=figure.per - figure.count,
        group=figure.group,
        time=figure.time_frame,
        outcome=figure.outcome,
    )


def figure_uncertainty_text(figure, language: str) -> str:
    """How sure a figure is, in one plain sentence: "In a study of 13 people. The true number could
    be between about 58 and 96 in 100." (the 95 % Wilson interval, scaled to the figure's `per`)."""
    low, high = figure.interval
    return FIGURE_UNCERTAINTY[language][figure.per].format(n=figure.studied, low=low, high=high)


CATEGORY = {
    "ja": {
        "energy-device": "機器による施術",
        "microneedling": "マイクロニードル",
        "injectable": "注入（肌育）",
        "regenerative": "再生医療等",
        "surgical": "外科的な施術",
        "chemical-peel": "ケミカルピーリング",
        "home-care": "ホームケア",
    },
    "en": {
        "energy-device": "Energy device",
        "microneedling": "Microneedling",
        "injectable": "Injectable skin booster",
        "regenerative": "Regenerative medicine",
        "surgical": "Surgical procedure",
        "chemical-peel": "Chemical peel",
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
        "approved": "国内で承認された医薬品・医療機器を使う施術です。",
        "not-regulated": "医師の手による施術です。決まった薬や機器の製品は使いません。",
        "unapproved": "国内では未承認の医薬品・医療機器を使う施術です。「大切なお知らせ」の説明を見てください。",
        "regenerative": "再生医療等安全性確保法にもとづく再生医療等です。",
        "off-label": "国内で承認された医薬品・医療機器を、承認とは別の目的で使う施術です（適応外使用）。「大切なお知らせ」の説明を見てください。",
    },
    "en": {
        "approved": "Uses a drug or device approved in Japan.",
        "not-regulated": "A procedure by the physician that does not rely on a particular regulated drug or device.",
        "unapproved": "Uses a drug or device that is unapproved in Japan. See “Important information”.",
        "regenerative": "Regenerative medicine under the Act on the Safety of Regenerative Medicine.",
        "off-label": "Uses a drug or device approved in Japan outside its approved use (off-label). See “Important information”.",
    },
}
REGULATORY_SHORT = {
    "ja": {
        "approved": "国が認めた薬や機器を使います。",
        "not-regulated": "医師の手による施術です。",
        "unapproved": "国が認めていない薬や機器を使います。",
        "regenerative": "再生医療等です。",
        "off-label": "国が認めた薬や機器を、認められた目的とは別に使います。",
    },
    "en": {
        "approved": "Approved in Japan",
        "not-regulated": "Procedure (no regulated product)",
        "unapproved": "Unapproved in Japan",
        "regenerative": "Regenerative medicine",
        "off-label": "Approved in Japan, used off-label",
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
        "unapproved_statement": "That it is an unapproved product or use",
        "acquisition_route": "How the clinic obtains it",
        "domestic_alternatives": "Approved products in Japan for the same purpose",
        "foreign_safety_info": "Safety information from other countries",
        "relief_system_note": "The relief system for adverse drug reactions",
    },
}

# Names of the regenerative-medicine disclosures, for the message when one is missing.
REGENERATIVE_H = {
    "ja": {"class": "再生医療等の区分", "plan": "提供計画番号（届出）"},
    "en": {"class": "regenerative medicine class", "plan": "plan number (filed)"},
}


def yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"


def yen_range(low: int, high: int, language: str) -> str:
    return yen(low) if low == high else f"{yen(low)}{'〜' if language == 'ja' else '–'}{yen(high)}"


def range_text(text: dict, key: str, low: int, high: int, **extra) -> str:
    """'3–5 sessions' or, when both ends are equal, '3 sessions' (key + '_same')."""
    if low == high and f"{key}_same" in text:
        return text[f"{key}_same"].format(a=low, b=high, **extra)
    return text[key].format(a=low, b=high, **extra)
