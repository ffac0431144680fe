"""What the printed handout says, read back from the PDF with poppler and pikepdf."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from catalog.models import Condition, HomeCareTip, Offering, Source, Treatment, disclosure_statements
from consult.checks import JAPANESE_FONT
from consult.documents.handout import render_handout
from consult.documents.handout_text import TEXT
from consult.documents.wording import UNAPPROVED_HEADINGS

from .conftest import squash

pytestmark = pytest.mark.django_db

SECTION_KEYS = [
    "title",
    "concerns",
    "comparison",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "q9",
    "q10",
    "q11",
    "how",
    "session",
    "course_h",
    "effect_h",
    "downtime_h",
    "pain_h",
    "risks_h",
    "price_h",
    "regulatory_h",
    "fit_h",
    "timeline",
    "weeks_axis",
    "home_care",
    "nutrients",
    "notes",
    "important",
    "free_care",
    "tax_included",
    "sample_prices",
    "differ",
    "physician",
    "sources",
    "intro",
]


@pytest.fixture(params=["ja", "en"])
def handout(request, handout_ja, handout_en):
    return {"ja": handout_ja, "en": handout_en}[request.param]


def test_every_section_is_printed_in_the_handout_language(handout):
    language = handout.snapshot["language"]
    flat = handout.flat
    for key in SECTION_KEYS:
        assert squash(TEXT[language][key]) in flat, key
    other = "en" if language == "ja" else "ja"
    assert squash(TEXT[other]["important"]) not in flat


def test_the_header_names_clinic_patient_counselor_and_date(handout):
    flat = handout.flat
    snapshot = handout.snapshot
    for value in (
        snapshot["clinic"]["name"],
        snapshot["clinic"]["address"],
        snapshot["clinic"]["phone"],
        "山田花子",
        "A-1001",
        "佐藤",
        squash(snapshot["date"]),
        snapshot["handout_id"],
    ):
        assert squash(value) in flat, value
    assert snapshot["date"] in ("2026年11月21日", "21 November 2026")


def test_concerns_are_listed_with_severity_and_areas(handout_ja):
    flat = handout_ja.flat
    assert Condition.objects.get(slug="rolling-scar").name_ja in flat
    assert "3中等度" in flat and "左頬、右頬" in flat and "鼻" in flat


def test_every_option_is_described_in_the_handout_language(handout):
    language = handout.snapshot["language"]
    flat = handout.flat
    for slug in ("dermapen-4", "fibroblast-transplant", "subcision"):
        treatment = Treatment.objects.get(slug=slug)
        for field in (
            "name",
            "summary",
            "how_it_works",
            "session_description",
            "downtime_description",
            "anesthesia",
            "duration_text",
        ):
            assert squash(getattr(treatment, f"{field}_{language}")) in flat, (slug, field)
        for side_effect in treatment.side_effects.all():
            assert squash(getattr(side_effect, f"name_{language}")) in flat
            assert squash(getattr(side_effect, f"usual_duration_{language}")) in flat


def test_prices_are_tax_inclusive_and_marked_as_sample(handout_ja):
    flat = handout_ja.flat
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment__slug="dermapen-4")
    assert offering.is_sample_price
    assert f"¥{offering.price_per_session_yen:,}" in flat
    option = next(o for o in handout_ja.snapshot["options"] if o["slug"] == "dermapen-4")
    assert squash(option["price"]["course_text"]) in flat
    assert "税込" in flat and "参考価格（サンプル）" in flat


def test_the_comparison_grid_has_eleven_rows_in_order(handout_en):
    # Questions 5 and 8 (how long it lasts, the risks) have long answers in each option's section;
    # the grid names them in one line below it rather than in two rows of "see the details", so
    # that the summary with four options stays on two pages (issue 16).
    text = handout_en.flat
    grid = [text.index(squash(f"{n}. {TEXT['en'][f'q{n}']}")) for n in (1, 2, 3, 4, 6, 7, 9, 10, 11)]
    assert grid == sorted(grid)
    note = text.index(squash(f"5. {TEXT['en']['q5']}"))
    assert grid[-1] < note < text.index(squash(f"8. {TEXT['en']['q8']}"))
    assert squash(TEXT["en"]["in_details"]) in text[note:]


def test_the_timeline_marks_the_event(handout_ja, handout_en):
    assert "ご予定日2027年1月20日" in handout_ja.flat
    assert "Yourevent20January2027" in handout_en.flat


def test_home_care_comes_from_the_catalog_for_the_concerns(handout_en):
    flat = handout_en.flat
    lineage = Condition.objects.get(slug="rolling-scar").lineage_slugs()
    tip = HomeCareTip.objects.filter(conditions__slug__in=lineage).first()
    assert tip is not None and squash(tip.text_en) in flat
    assert squash(Condition.objects.get(slug="enlarged-pores").home_care_en) in flat


def test_the_always_required_information_is_there(handout_ja):
    flat = handout_ja.flat
    for phrase in ("自由診療（保険適用外）", "税込", "個人差", "医師が診察したうえで判断"):
        assert phrase in flat
    reviewed = max(Treatment.objects.values_list("reviewed_on", flat=True))
    # In the language's own date format, like every date in patient text (issue 15).
    assert (
        squash(TEXT["ja"]["catalog"].format(d=f"{reviewed.year}年{reviewed.month}月{reviewed.day}日")) in flat
    )
    for source in Source.objects.filter(treatment__slug__in=["dermapen-4", "subcision"]).distinct():
        assert squash(source.title_ja) in flat


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_unapproved_product_carries_the_five_statements(language, handout_ja, handout_en):
    flat = {"ja": handout_ja, "en": handout_en}[language].flat
    dermapen = Treatment.objects.get(slug="dermapen-4")
    assert dermapen.regulatory_status == Treatment.Regulatory.UNAPPROVED
    # Issue 11: the statements are the demo clinic's own (its product, supply route, alternatives),
    # composed by catalog/regulatory.py; the last two are the treatment's general facts.
    offering = Offering.objects.get(clinic__slug="demo-clinic", treatment=dermapen)
    statements = disclosure_statements(dermapen, offering, language)
    assert [s.key for s in statements] == list(Treatment.UNAPPROVED_FIELDS)
    for statement in statements:
        assert squash(UNAPPROVED_HEADINGS[language][statement.key]) in flat
        assert statement.text and squash(statement.text) in flat, statement.key
    for field in ("foreign_safety_info", "relief_system_note"):
        assert squash(getattr(dermapen, f"{field}_{language}")) in flat, field


def test_regenerative_medicine_shows_class_and_filed_plan_number_never_approval(handout_ja, handout_en):
    plan = Offering.objects.get(clinic__slug="demo-clinic", treatment__slug="fibroblast-transplant")
    number = squash(plan.regenerative_plan_number)
    assert number
    ja = handout_ja.flat
    block = ja[ja.index("再生医療等について：") : ja.index(squash(TEXT["ja"]["catalog"].split("{")[0]))]
    assert "第二種再生医療等" in block and number in block and "届出" in block
    assert "承認" not in block
    for match in re.finditer(re.escape(number), ja):
        assert "承認" not in ja[max(0, match.start() - 80) : match.end() + 80]
    en = handout_en.flat
    block = en[en.index("Regenerativemedicine:") : en.index("Cataloginformationreviewed")]
    assert "Class2" in block and number in block and "filed" in block
    for match in re.finditer(re.escape(number), en):
        assert "approv" not in en[max(0, match.start() - 200) : match.end() + 200].lower()


def test_no_unapproved_or_regenerative_block_when_no_option_needs_one(handout_procedure_only):
    flat = handout_procedure_only.flat
    assert Treatment.objects.get(slug="subcision").regulatory_status == Treatment.Regulatory.NOT_REGULATED
    assert "未承認医薬品等について" not in flat and "国内の承認医薬品等の有無" not in flat
    assert "再生医療等について" not in flat and "提供計画" not in flat
    # The rest of the important information is always there.
    assert "自由診療（保険適用外）" in flat and "個人差" in flat


def test_the_wording_informs_and_never_recommends_or_promises():
    forbidden = re.compile(r"recommend|guarantee|you will get|おすすめ|オススメ|推奨|必ず|絶対|保証", re.I)
    for language, texts in TEXT.items():
        for key, value in texts.items():
            # Lists: the questions to ask, the glossary's [term, meaning] pairs.
            for line in value if isinstance(value, list) else [value]:
                for part in line if isinstance(line, list) else [line]:
                    assert not forbidden.search(part), (language, key, part)
    assert "ご相談した選択肢" in TEXT["ja"]["title"] and "options discussed" in TEXT["en"]["title"]


def test_pages_are_numbered_x_of_y_and_carry_id_and_contact(handout_ja):
    pages = handout_ja.pages
    assert pages >= 3
    layout = handout_ja.text("-layout")
    for page in (1, pages):
        assert re.search(rf"\b{page}\s*/\s*{pages}\b", layout), page
    footers = layout.split("\f")[:pages]
    assert all(handout_ja.snapshot["handout_id"] in page for page in footers)
    assert all("03-0000-0000" in page for page in footers)


def test_fonts_are_embedded_japanese_subsets_with_a_real_bold(handout):
    output = subprocess.run(
        ["pdffonts", str(handout.path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in output.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        emb, sub, uni = row[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    # Subset names are "ABCDEF+Family[-Bold]"; the bold is the font's own bold face, not a synthetic one.
    families = {row[0].partition("+")[2] for row in rows}
    family = JAPANESE_FONT.replace(" ", "-")
    assert {family, f"{family}-Bold"} <= families


def test_the_pdf_is_valid_tagged_and_carries_title_language_and_issue_date(handout):
    check = subprocess.run(["qpdf", "--check", str(handout.path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    language = handout.snapshot["language"]
    with pikepdf.open(handout.path) as pdf:
        assert str(pdf.Root.Lang) == language
        assert pdf.Root.MarkInfo.Marked
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert str(pdf.docinfo.Title).startswith(TEXT[language]["title"])
        assert str(pdf.docinfo.CreationDate) == "D:20261121103000+09'00"
        assert str(pdf.docinfo.ModDate) == "D:20261121103000+09'00"
        assert len(pdf.trailer.ID) == 2
        assert bytes(pdf.trailer.ID[0]) == handout.snapshot["handout_id"].replace("-", "").encode()


def test_rendering_the_same_snapshot_again_gives_identical_bytes(handout_ja):
    assert render_handout(handout_ja.snapshot) == handout_ja.pdf


def test_the_snapshot_is_plain_json(handout_ja):
    import json

    assert json.loads(json.dumps(handout_ja.snapshot)) == handout_ja.snapshot
