"""The handout as a decision aid (issue 14, IPDASi v4.0): not treating as an option, numbers people
can read, how sure the information is, what matters to the patient, balance, and who made it —
read back from the rendered PDF (see docs/ipdas.md for the item-by-item scoring)."""

from __future__ import annotations

import re
import subprocess

import pytest

from catalog.models import Condition, Indication, SideEffect, Source, figure_of
from consult.documents.handout import render_handout
from consult.documents.handout_text import TEXT
from consult.documents.wording import EVIDENCE, EVIDENCE_SHORT
from consult.engine import GOOD
from consult.engine_text import STRENGTH_WORD

from .conftest import render_profile, squash

pytestmark = pytest.mark.django_db

FOUR_OPTIONS = ["dermapen-4", "fibroblast-transplant", "subcision", "co2-fractional"]


@pytest.fixture(params=["ja", "en"])
def handout(request, handout_ja, handout_en):
    return {"ja": handout_ja, "en": handout_en}[request.param]


@pytest.fixture(scope="module")
def co2_en(django_db_setup, django_db_blocker, pdf_dir):
    """CO2 fractional first: the option with a sourced benefit figure and a skin-type caution (IV)."""
    with django_db_blocker.unblock():
        return render_profile(pdf_dir, "co2-en", "en", ["co2-fractional", "subcision"])


def _section(flat: str, start: str, end: str) -> str:
    """The text from `start` to the next `end` after it."""
    i = flat.index(squash(start))
    return flat[i : flat.index(squash(end), i)]


def test_not_treating_is_an_option_with_what_is_known_without_treatment(handout):
    language = handout.snapshot["language"]
    t, flat = TEXT[language], handout.flat
    scars = Condition.objects.get(slug="acne-scar")  # rolling scars: the nearest text is acne scars'
    course = getattr(scars, f"natural_course_{language}")
    assert course
    grid = _section(flat, t["comparison"], t["timeline"])
    assert squash(t["none_col"]) in grid
    # The grid has the first sentence; the section after the options has all of it, with its source.
    assert squash(re.split(r"(?<=[。.])", course)[0]) in grid
    assert squash(t["none_unknown_short"]) in grid  # enlarged pores: no checked source, said plainly
    details = _section(flat, t["none_details"], t["values_h"])
    assert squash(course) in details and squash(t["none_unknown"]) in details
    assert squash(getattr(scars.natural_course_source, f"title_{language}")) in flat


def test_each_option_says_how_sure_the_information_is(handout):
    language = handout.snapshot["language"]
    t, flat = TEXT[language], handout.flat
    # Dermapen's acne-scar use now rests on a study (its figure's); its use for pores still does not.
    dermapen = Indication.objects.get(treatment__slug="dermapen-4", condition__slug="enlarged-pores")
    assert dermapen.evidence_level == "practice"
    grid = _section(flat, t["comparison"], t["timeline"])
    assert squash(EVIDENCE_SHORT[language]["practice"]) in grid
    first = handout.snapshot["options"][0]
    option = _section(flat, f"{first['label']}{first['name']}", t["none_details"])
    assert squash(t["evidence_h"]) in option and squash(EVIDENCE[language]["practice"]) in option
    assert squash(t["how_chosen"]) in flat


def test_the_about_box_says_who_made_it_when_it_was_checked_and_the_conflict_of_interest(handout):
    language = handout.snapshot["language"]
    t, flat = TEXT[language], handout.flat
    about = _section(flat, t["about_h"], t["sources"])
    assert squash(t["about_coi"]) in about and squash(t["about_update"]) in about
    assert squash(t["about_not_signed"]) in about  # the staff preview: no physician yet
    assert squash(handout.snapshot["about"]["reviewed"]) in about
    # Who paid for making it (IPDASi certification: funding), the clinic's own statement.
    assert handout.snapshot["about"]["funding"] and squash(handout.snapshot["about"]["funding"]) in about
    # The preparer's role (IPDASi quality: credentials).
    assert squash(handout.snapshot["about"]["prepared"]) in about
    assert ("カウンセラー" if language == "ja" else "counselor") in handout.snapshot["about"]["prepared"]
    assert ("2026年11月21日" if language == "ja" else "21November2026") in about


def test_sources_carry_organisation_year_and_identifier(handout):
    language = handout.snapshot["language"]
    fife = Source.objects.get(slug="fife-2011-atrophic-acne-scars")
    title, publisher = getattr(fife, f"title_{language}"), getattr(fife, f"publisher_{language}")
    assert squash(f"{title}. {publisher}, 2011. PMID:21909457") in handout.flat


def test_values_worksheet_leaning_questions_and_no_decision_today(handout):
    language = handout.snapshot["language"]
    t, flat = TEXT[language], handout.flat
    values = _section(flat, t["values_h"], t["no_rush"])
    for key in (
        "values_downtime",
        "values_cost",
        "values_visits",
        "values_needles",
        "values_approval",
        "values_event",
    ):
        assert squash(t[key]) in values, key
    assert values.count("□") >= 6 * 3
    assert squash(t["leaning_h"]) in values
    assert all(squash(q) in values for q in t["ask"])
    assert squash(t["no_rush_h"]) in flat


def test_strength_words_are_neutral_and_alike_in_both_languages(handout_en):
    # "a good option" said more than よく用いられる ("commonly used"): the same rating, the same weight.
    assert STRENGTH_WORD["en"][GOOD] == "commonly used" and STRENGTH_WORD["ja"][GOOD] == "よく用いられる"
    for words in STRENGTH_WORD.values():
        for word in words.values():
            assert not re.search(r"good|best|most|おすすめ|最も|最適", word), word
    assert "goodoption" not in handout_en.flat


def test_a_serious_harm_is_in_the_options_risk_table(handout_en):
    flat, t = handout_en.flat, TEXT["en"]
    granuloma = SideEffect.objects.get(pk=5000)
    assert granuloma.treatment.slug == "dermapen-4"
    dermapen = _section(flat, "Option 1Dermapen 4", t["price_h"])
    risks = dermapen[dermapen.index(squash(t["risks_h"])) :]
    assert squash(granuloma.name_en) in risks
    assert squash(t["no_figure"]) in risks  # a word like "rare" is never alone


def test_her_skin_type_is_applied_to_the_pigmentation_risk(co2_en, pdf_dir):
    t = TEXT["en"]
    co2 = _section(co2_en.flat, "Option 1CO2", t["price_h"])
    assert squash(f"{t['your_skin']}: With skin type IV") in co2
    lighter = render_profile(pdf_dir, "co2-en-type-ii", "en", ["co2-fractional"], skin_type="II")
    assert squash(t["your_skin"]) not in lighter.flat


def test_a_sourced_figure_prints_as_a_natural_frequency_with_an_icon_array(co2_en):
    option = co2_en.snapshot["options"][0]
    figure = next(a["figure"] for a in option["addresses"] if a["figure"])
    assert (figure["count"], figure["per"]) == (85, 100)
    icons = figure["icons"]["icons"]
    assert len(icons) == 100 and sum(i["on"] for i in icons) == 85
    assert squash(figure["text"]) in co2_en.flat
    assert "About85in100people(13peoplewithskintypeIV" in co2_en.flat
    assert "About15in100didnot" in co2_en.flat  # both frames
    assert "Inastudyof13people.Thetruenumbercouldbebetweenabout58and96in100." in co2_en.flat


# The demo options' sourced figures (fixtures/catalog.json; sources pk 600-602): benefit as
# (count in 100, people studied), and the harms a study counted, by side-effect pk.
DEMO_BENEFITS = {"dermapen-4": (90, 30), "fibroblast-transplant": (43, 99), "subcision": (96, 45)}
DEMO_HARMS = {
    "dermapen-4": {11: (0, 30)},
    "fibroblast-transplant": {27: (11, 99), 28: (10, 99)},
    "subcision": {},
}
UNCERTAINTY_READ_BACK = {
    "en": [
        "About90in100people(30peoplewithskintypeIII–IV",
        "Inastudyof30people.Thetruenumbercouldbebetweenabout74and97in100.",
        "About43in100people(99peopleinonestudy)",
        "Inastudyof99people.Thetruenumbercouldbebetweenabout34and53in100.",
        "About96in100people(45peoplewithskintypeIII–VinIndia",
        "Inastudyof45people.Thetruenumbercouldbebetweenabout86and99in100.",
        "Nooneinthestudy(30peoplewithskintypeIII–IV",
        "Inastudyof30people.Thetruenumbercouldbebetweenabout0and11in100.",
    ],
    "ja": [
        "100人あたり約90人が",
        "30人の研究です。本当の数は100人中およそ74〜97人の間かもしれません。",
        "100人あたり約43人が",
        "99人の研究です。本当の数は100人中およそ34〜53人の間かもしれません。",
        "100人あたり約96人が",
        "45人の研究です。本当の数は100人中およそ86〜99人の間かもしれません。",
        "起きた人はいませんでした。",
        "30人の研究です。本当の数は100人中およそ0〜11人の間かもしれません。",
    ],
}


def test_each_demo_option_shows_its_figures_per_100_with_time_frame_and_uncertainty_beside_them(handout):
    """IPDASi: natural frequencies, one denominator across options, each with its own group and time
    frame, and the uncertainty around it (study size and range) printed right after its words."""
    language, flat = handout.snapshot["language"], handout.flat
    for option in handout.snapshot["options"]:
        benefits = [a["figure"] for a in option["addresses"] if a["figure"]]
        harms = {se["name"]: se["figure"] for se in option["side_effects"] if se["figure"]}
        assert [(f["count"], f["studied"]) for f in benefits] == [DEMO_BENEFITS[option["slug"]]]
        expected_harms = {
            getattr(se, f"name_{language}"): counted
            for pk, counted in DEMO_HARMS[option["slug"]].items()
            for se in [SideEffect.objects.get(pk=pk)]
        }
        assert {name: (f["count"], f["studied"]) for name, f in harms.items()} == expected_harms
        for figure in [*benefits, *harms.values()]:
            assert figure["per"] == 100  # the same denominator in every option
            assert squash(figure["time_frame"]) in squash(figure["text"])  # its own time frame
            # The uncertainty sentence directly follows the figure's words in the PDF.
            assert squash(figure["text"]) + squash(figure["uncertainty"]) in flat, figure["text"]
            assert sum(i["on"] for i in figure["icons"]["icons"]) == figure["count"]
    for words in UNCERTAINTY_READ_BACK[language]:
        assert words in flat, words


def test_a_figure_without_its_study_size_is_left_out_of_the_handout(pdf_dir):
    indication = Indication.objects.get(treatment__slug="subcision", condition__slug="rolling-scar")
    indication.figure_studied = None
    indication.save()
    rendered = render_profile(pdf_dir, "subcision-no-n", "en", ["subcision"])
    assert [a["figure"] for a in rendered.snapshot["options"][0]["addresses"]] == [None]
    assert "About96in100" not in rendered.flat and "Inastudyof45people" not in rendered.flat


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("options", [["dermapen-4", "fibroblast-transplant", "subcision"], FOUR_OPTIONS])
def test_the_summary_is_pages_one_and_two_with_three_or_four_options(pdf_dir, language, options):
    rendered = render_profile(pdf_dir, f"summary-{language}-{len(options)}", language, options)
    t = TEXT[language]
    pages = [squash(p) for p in rendered.text("-layout").split("\f")]
    timeline = next(n for n, page in enumerate(pages, 1) if squash(t["timeline"]) in page)
    first_option = next(
        n for n, page in enumerate(pages, 1) if squash(rendered.snapshot["options"][0]["label"]) in page
    )
    assert timeline <= 2 and squash(t["timeline_note"][:12]) in pages[timeline - 1]
    assert first_option == 3


def test_an_older_snapshot_without_the_ipdas_keys_still_renders(handout_ja, tmp_path):
    old = {k: v for k, v in handout_ja.snapshot.items() if k not in ("no_treatment", "about", "references")}
    path = tmp_path / "old.pdf"
    path.write_bytes(render_handout(old))
    text = squash(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    )
    assert squash(TEXT["ja"]["comparison"]) in text
    assert squash(TEXT["ja"]["none_col"]) not in text and squash(TEXT["ja"]["values_h"]) not in text


def test_every_figure_in_the_catalog_is_complete_and_sourced():
    rows = [*SideEffect.objects.exclude(figure_count=None), *Indication.objects.exclude(figure_count=None)]
    assert rows
    for row in rows:
        # A count without its denominator, group, time frame or source would print nothing: a gap.
        assert figure_of(row) is not None, row
        assert row.figure_count <= row.figure_per, row
    for condition in Condition.objects.filter(natural_course_ja__gt=""):
        assert condition.natural_course_en and condition.natural_course_source_id, condition.slug


def test_legal_statements_have_a_plain_explanation_beside_them_and_a_glossary(handout):
    language = handout.snapshot["language"]
    t, flat = TEXT[language], handout.flat
    dermapen = next(o for o in handout.snapshot["options"] if o["slug"] == "dermapen-4")
    box = flat[flat.index(squash(dermapen["unapproved_heading"])) :]
    assert box.index(squash(t["unapproved_plain"])) < box.index(
        squash(dermapen["regulatory"]["unapproved"][0]["heading"])
    )
    for term, meaning in t["glossary"]:
        assert squash(term) in flat and squash(meaning) in flat, term
    assert ("医薬品副作用被害救済制度" if language == "ja" else "(医薬品副作用被害救済制度)") in flat


@pytest.mark.parametrize(
    "handout_id", ["434ead3b-da49-4af0-9655-287b9569c3b8", "wwwwwwww-mmmm-4mmm-9mmm-mmmmmmmmmmmm"]
)
def test_the_handout_id_never_pushes_the_timeline_off_page_two(tmp_path, handout_id):
    """The ID in the header is two lines whatever its characters: this one, broken at its hyphens,
    once took three lines and moved the 4-option English timeline to page 3 (a random UUID made the
    summary test flaky)."""
    rendered = render_profile(tmp_path, "four-en", "en", FOUR_OPTIONS)
    snapshot = {**rendered.snapshot, "handout_id": handout_id}
    path = tmp_path / "four-en-id.pdf"
    path.write_bytes(render_handout(snapshot))
    pages = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    timeline = next(n for n, page in enumerate(pages, 1) if squash(TEXT["en"]["timeline"]) in squash(page))
    assert timeline <= 2
    assert handout_id in pages[1]  # the footer keeps the whole ID on one line
