"""Issue 15 on paper: home care respects the medical flags and the concerns, and the timeline draws
the schedule the engine's event caution assumes (lead time for cell culture included)."""

from __future__ import annotations

import re

import pytest

from catalog.models import HomeCareTip, Nutrient
from consult.documents.handout import build_snapshot_for_profile
from consult.documents.timeline import timeline_geometry
from consult.profile import parse_profile

from .conftest import ISSUED_AT, PROFILE, render_profile, squash

pytestmark = pytest.mark.django_db

# A pregnant patient with rolling scars and a wedding in ten weeks (issue 15), comparing subcision
# and fibroblast transplant.
PREGNANT = {
    "concerns": [{"condition": "rolling-scar", "severity": 3, "areas": ["cheek-left"]}],
    "flags": ["pregnancy"],
    "today": "2026-11-21",
    "event_date": "2027-01-30",
    "max_downtime_days": None,
    "budget_yen": None,
    "max_pain": None,
    "notes": "",
}
OPTIONS = ["subcision", "fibroblast-transplant"]
RETINOID_OR_HYDROQUINONE = re.compile(r"レチノ|ハイドロキノン|retino|hydroquinone", re.IGNORECASE)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="session")
def pregnant_ja(django_db_setup, django_db_blocker, pdf_dir):
    with django_db_blocker.unblock():
        return render_profile(pdf_dir, "pregnant-ja", "ja", OPTIONS, **PREGNANT)


@pytest.fixture(scope="session")
def pregnant_en(django_db_setup, django_db_blocker, pdf_dir):
    with django_db_blocker.unblock():
        return render_profile(pdf_dir, "pregnant-en", "en", OPTIONS, **PREGNANT)


def snapshot(language: str = "ja", options: list[str] = OPTIONS, **changes) -> dict:
    return build_snapshot_for_profile(
        parse_profile({**PROFILE, **PREGNANT, **changes}, language), options, ISSUED_AT
    )


def home_care_text(snap: dict) -> str:
    home = snap["home_care"]
    parts = [c["text"] for c in home["conditions"]] + [t for topic in home["topics"] for t in topic["tips"]]
    return "\n".join(parts + [f"{n['name']} {n['role']} {n['foods']}" for n in home["nutrients"]])


# --- home care respects the flags --------------------------------------------------------------


def test_the_fixtures_flag_retinoid_and_vitamin_a_advice_for_pregnancy():
    for model in (HomeCareTip, Nutrient):
        for obj in model.objects.all():
            text = " ".join(str(getattr(obj, f, "")) for f in ("text_ja", "text_en", "name_ja", "name_en"))
            if RETINOID_OR_HYDROQUINONE.search(text) or "ビタミンA" in text or "サプリ" in text:
                assert "pregnancy" in obj.avoid_with.values_list("slug", flat=True), obj.slug


def test_without_the_flag_the_retinol_advice_is_printed():
    # The control for the tests below: the rolling-scar handout does carry the retinol tip.
    assert RETINOID_OR_HYDROQUINONE.search(home_care_text(snapshot(flags=[])))
    assert "ビタミンA" in [n["name"] for n in snapshot(flags=[])["home_care"]["nutrients"]]


@pytest.mark.parametrize("flag", ["pregnancy"])
def test_the_snapshot_leaves_out_advice_to_avoid_with_a_flag(flag):
    snap = snapshot(flags=[flag])
    assert not RETINOID_OR_HYDROQUINONE.search(home_care_text(snap))
    assert "ビタミンA" not in [n["name"] for n in snap["home_care"]["nutrients"]]
    assert snap["home_care"]["topics"], "the rest of the advice is still there"


def test_a_pregnant_patients_handout_recommends_no_retinoid_or_hydroquinone(pregnant_ja, pregnant_en):
    for rendered in (pregnant_ja, pregnant_en):
        text = rendered.text()
        assert not RETINOID_OR_HYDROQUINONE.search(text), RETINOID_OR_HYDROQUINONE.search(text)
    assert "ビタミンA" not in pregnant_ja.text()
    assert "VitaminA" not in pregnant_en.flat


def test_a_firmness_patient_gets_the_retinoid_tip_only_without_the_flag():
    firmness = [{"condition": "fine-wrinkles", "severity": 2}]
    assert RETINOID_OR_HYDROQUINONE.search(
        home_care_text(snapshot(concerns=firmness, flags=[], options=["profhilo"]))
    )
    pregnant = snapshot(concerns=firmness, options=["profhilo"])
    assert not RETINOID_OR_HYDROQUINONE.search(home_care_text(pregnant))


def test_home_care_is_only_for_the_concerns_and_their_parents():
    snap = snapshot(flags=[])
    tips = {t for topic in snap["home_care"]["topics"] for t in topic["tips"]}
    # Tips for acne scars in general reach a patient with rolling scars ...
    assert HomeCareTip.objects.get(slug="cover-make-up-steps").text_ja in tips
    assert HomeCareTip.objects.get(slug="uv-after-treatment").text_ja in tips
    # ... tips for other conditions do not, nor tips about active spots, which she does not have
    # (issue 16: squeezing, peels on inflamed spots, seeing a dermatologist for acne early).
    for slug in (
        "do-not-squeeze-or-touch",
        "no-peels-on-inflamed-skin",
        "see-dermatologist-early",
        "check-oils-in-products",
        "foods-to-limit-with-acne",
        "keep-moisturising-oily-skin",
        "avoid-smoking",
    ):
        assert HomeCareTip.objects.get(slug=slug).text_ja not in tips, slug
    nutrients = {n["name"] for n in snap["home_care"]["nutrients"]}
    assert nutrients == set(
        Nutrient.objects.filter(conditions__slug="acne-scar").values_list("name_ja", flat=True)
    )


# --- the timeline agrees with the event caution ------------------------------------------------


def test_the_timeline_starts_fibroblast_transplant_after_its_lead_time():
    snap = snapshot()
    fibroblast = next(o for o in snap["options"] if o["slug"] == "fibroblast-transplant")
    subcision = next(o for o in snap["options"] if o["slug"] == "subcision")
    assert (fibroblast["lead_weeks"], subcision["lead_weeks"]) == (4, 0)
    g = timeline_geometry(snap)
    sub_row, fib_row = (g["rows"][o["n"] - 1] for o in (subcision, fibroblast))
    week = (g["x1"] - g["x0"]) / g["weeks"]
    assert sub_row["lead"] is None and sub_row["sessions"][0]["x"] == g["x0"]
    assert fib_row["lead"]["x"] == g["x0"] and fib_row["lead"]["w"] == pytest.approx(4 * week, abs=0.2)
    assert fib_row["lead"]["label"] == "準備期間"
    assert fib_row["sessions"][0]["x"] == pytest.approx(g["x0"] + 4 * week, abs=0.2)
    assert fib_row["effect"]["x"] == pytest.approx(
        g["x0"] + (4 + fibroblast["effect_weeks_min"]) * week, abs=0.2
    )
    assert g["any_lead"]


def test_the_timeline_shows_subcisions_third_downtime_reaching_the_wedding_as_cautioned():
    snap = snapshot()
    subcision = next(o for o in snap["options"] if o["slug"] == "subcision")
    g = timeline_geometry(snap)
    row = g["rows"][subcision["n"] - 1]
    third = row["downtime"][2]
    assert third["x"] + third["w"] == pytest.approx(g["event"]["x"], abs=0.2)  # ends on the wedding day
    (caution,) = [c for c in subcision["cautions"] if "2027年1月30日" in c]
    assert "2027年1月15日までに" in caution


def test_an_old_snapshot_without_lead_times_still_draws():
    snap = snapshot()
    for option in snap["options"]:
        del option["lead_weeks"]
    g = timeline_geometry(snap)
    assert all(row["lead"] is None for row in g["rows"]) and not g["any_lead"]
    assert all(row["sessions"][0]["x"] == g["x0"] for row in g["rows"])


def test_the_printed_cautions_and_timeline_use_the_languages_dates(pregnant_ja, pregnant_en):
    ja, en = pregnant_ja.flat, pregnant_en.flat
    assert "2027年1月15日までに" in ja and squash("by 15 January 2027") in en
    assert squash("約4週間の準備") in ja and squash("4 weeks of preparation") in en
    assert "準備期間" in ja and "preparation" in en
    for rendered in (pregnant_ja, pregnant_en):
        assert not ISO_DATE.search(rendered.text())


# --- "not suitable" on paper -------------------------------------------------------------------


def test_a_chosen_option_not_for_the_concern_says_so_with_the_reason():
    snap = snapshot("en", ["subcision"], concerns=[{"condition": "ice-pick-scar", "severity": 3}], flags=[])
    (option,) = snap["options"]
    assert option["addresses"] == [] and not option["matched"]
    (rating,) = option["unsuitable"]
    assert (rating["concern"], rating["strength_text"]) == ("Ice-pick scars", "not suitable")
    assert "not tethered" in rating["rationale"]
