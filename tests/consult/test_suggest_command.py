"""`manage.py suggest --profile PROFILE.json [--language ja|en]` (design.md §5), on the real fixtures.

In-process runs go through `call_command` against the test database; a few runs are real
subprocesses, to check the exit status and stderr a shell user sees.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import Condition, Contraindication, Indication, Offering, Treatment

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")

# The example profile of design.md §5.
EXAMPLE = {
    "clinic": "demo-clinic",
    "concerns": [{"condition": "rolling-scar", "severity": 3, "areas": ["cheek-left"]}],
    "flags": ["fish-allergy"],
    "skin_type": "IV",
    "max_downtime_days": 3,
    "budget_yen": 300000,
    "needles_ok": True,
    "max_pain": 2,
    "event_date": "2027-01-20",
    "today": "2026-11-21",
    "language": "ja",
    "patient_name": "",
    "notes": "",
}


def example(**changes) -> dict:
    return {**EXAMPLE, **changes}


def write_profile(tmp_path: Path, data: dict | str, name: str = "PROFILE.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_suggest(tmp_path: Path, data: dict | str, **options) -> dict:
    out = io.StringIO()
    call_command("suggest", profile=str(write_profile(tmp_path, data)), stdout=out, **options)
    return json.loads(out.getvalue())


def run_bad(tmp_path: Path, data: dict | str, **options) -> str:
    """Run a profile that must be refused; return the one line it printed on stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("suggest", profile=str(write_profile(tmp_path, data)), stdout=out, stderr=err, **options)
    assert exit_.value.code == 2
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, err.getvalue()
    return lines[0]


def listed(output: dict) -> list[str]:
    return [s["treatment"] for s in output["suggestions"]] + [e["treatment"] for e in output["excluded"]]


def excluded(output: dict, slug: str) -> dict:
    found = [e for e in output["excluded"] if e["treatment"] == slug]
    assert len(found) == 1, f"{slug} is not excluded: {listed(output)}"
    return found[0]


def codes(reasons: list[dict]) -> list[str]:
    return [r["code"] for r in reasons]


def texts(output: dict) -> list[str]:
    found = [r["text"] for s in output["suggestions"] for r in s["reasons"] + s["cautions"]]
    return found + [r["text"] for e in output["excluded"] for r in e["reasons"]]


def a_condition_treated_by(slug: str) -> str:
    return Indication.objects.filter(treatment__slug=slug).order_by("condition__slug")[0].condition.slug


# --- good profiles -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_prints_both_lists_for_the_design_example(tmp_path):
    output = run_suggest(tmp_path, EXAMPLE)

    assert set(output) == {"suggestions", "excluded"}
    assert output["suggestions"]
    assert output["excluded"]
    for s in output["suggestions"]:
        assert set(s) == {"treatment", "score", "reasons", "cautions", "estimated_cost_yen"}
        assert 0 <= s["score"] <= 100
        assert set(s["estimated_cost_yen"]) == {"min", "max"}
        assert codes(s["reasons"]) and set(codes(s["reasons"])) == {"indication"}
    for e in output["excluded"]:
        assert set(e) == {"treatment", "reasons"}
        assert e["reasons"]
    scores = [s["score"] for s in output["suggestions"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
def test_it_names_only_real_treatments_each_once(tmp_path):
    output = run_suggest(tmp_path, EXAMPLE)
    names = listed(output)
    assert len(names) == len(set(names))
    assert set(names) <= set(Treatment.objects.values_list("slug", flat=True))


@pytest.mark.django_db
def test_it_lists_every_treatment_for_the_concern_or_its_parent(tmp_path):
    output = run_suggest(tmp_path, EXAMPLE)
    lineage = Condition.objects.get(slug="rolling-scar").lineage_slugs()
    assert "acne-scar" in lineage
    treating = Indication.objects.filter(condition__slug__in=lineage)
    assert set(listed(output)) == set(treating.values_list("treatment__slug", flat=True))


@pytest.mark.django_db
def test_it_excludes_rejuran_for_a_fish_allergy(tmp_path):
    fixture = Contraindication.objects.get(treatment__slug="rejuran", flag__slug="fish-allergy")
    assert fixture.kind == Contraindication.Kind.ABSOLUTE

    output = run_suggest(
        tmp_path, example(concerns=[{"condition": a_condition_treated_by("rejuran"), "severity": 3}])
    )
    assert "contraindication" in codes(excluded(output, "rejuran")["reasons"])
    assert "rejuran" not in [s["treatment"] for s in output["suggestions"]]


@pytest.mark.django_db
def test_it_excludes_rejuran_in_the_design_example(tmp_path):
    output = run_suggest(tmp_path, EXAMPLE)
    assert codes(excluded(output, "rejuran")["reasons"]) == ["contraindication"]


@pytest.mark.django_db
def test_it_suggests_rejuran_without_the_fish_allergy(tmp_path):
    output = run_suggest(tmp_path, example(flags=[]))
    assert "rejuran" in [s["treatment"] for s in output["suggestions"]]


@pytest.mark.django_db
def test_it_excludes_a_treatment_the_clinic_does_not_offer(tmp_path):
    assert not Offering.objects.filter(
        clinic__slug="demo-clinic", treatment__slug="cultured-epidermal-autograft", active=True
    ).exists()
    concern = a_condition_treated_by("cultured-epidermal-autograft")

    output = run_suggest(tmp_path, example(concerns=[{"condition": concern, "severity": 4}], flags=[]))
    assert codes(excluded(output, "cultured-epidermal-autograft")["reasons"]) == ["not-offered"]


@pytest.mark.django_db
def test_it_writes_english_texts_with_language_en(tmp_path):
    output = run_suggest(tmp_path, EXAMPLE, language="en")
    assert texts(output)
    for text in texts(output):
        assert not JAPANESE.search(text), text


@pytest.mark.django_db
def test_it_takes_the_language_from_the_profile(tmp_path):
    from_option = run_suggest(tmp_path, EXAMPLE, language="en")
    from_profile = run_suggest(tmp_path, example(language="en"))
    assert from_profile == from_option


@pytest.mark.django_db
def test_it_gives_the_same_suggestions_in_both_languages_with_different_texts(tmp_path):
    ja = run_suggest(tmp_path, EXAMPLE, language="ja")
    en = run_suggest(tmp_path, EXAMPLE, language="en")

    def shape(output):
        return [
            (s["treatment"], s["score"], codes(s["reasons"]), codes(s["cautions"]), s["estimated_cost_yen"])
            for s in output["suggestions"]
        ] + [(e["treatment"], codes(e["reasons"])) for e in output["excluded"]]

    assert shape(ja) == shape(en)
    assert any(JAPANESE.search(text) for text in texts(ja))
    for ja_text, en_text in zip(texts(ja), texts(en), strict=True):
        assert ja_text != en_text


@pytest.mark.django_db
def test_it_excludes_needle_treatments_when_needles_are_refused(tmp_path):
    needles = set(Treatment.objects.filter(uses_needles=True).values_list("slug", flat=True))
    output = run_suggest(tmp_path, example(needles_ok=False, flags=[]))

    assert not needles & {s["treatment"] for s in output["suggestions"]}
    needle_exclusions = [e for e in output["excluded"] if e["treatment"] in needles]
    assert needle_exclusions
    for e in needle_exclusions:
        assert "needles" in codes(e["reasons"])
    for e in output["excluded"]:
        if e["treatment"] not in needles:
            assert "needles" not in codes(e["reasons"])


@pytest.mark.django_db
def test_it_prints_the_same_output_twice(tmp_path):
    assert run_suggest(tmp_path, EXAMPLE) == run_suggest(tmp_path, EXAMPLE)


@pytest.mark.django_db
def test_it_accepts_a_profile_with_only_concerns(tmp_path):
    output = run_suggest(tmp_path, {"concerns": [{"condition": "rolling-scar", "severity": 2}]})
    assert output["suggestions"]
    for s in output["suggestions"]:
        assert s["cautions"] == []


@pytest.mark.django_db
def test_it_suggests_for_the_other_clinic(tmp_path):
    output = run_suggest(tmp_path, example(clinic="other-clinic"))
    assert set(output) == {"suggestions", "excluded"}
    assert listed(output)


@pytest.mark.django_db
@pytest.mark.parametrize("language, word", [("en", "commonly used"), ("ja", "よく用いられる")])
def test_a_child_concern_gets_the_treatments_own_rating_for_it(tmp_path, language, word):
    # CO2 fractional is first-line for acne scars in general but rated "good" for ice-pick scars.
    own = Indication.objects.get(treatment__slug="co2-fractional", condition__slug="ice-pick-scar")
    parent = Indication.objects.get(treatment__slug="co2-fractional", condition__slug="acne-scar")
    assert (own.strength, parent.strength) == (Indication.Strength.GOOD, Indication.Strength.FIRST_LINE)

    output = run_suggest(
        tmp_path,
        {"concerns": [{"condition": "ice-pick-scar", "severity": 3}], "language": language},
    )
    co2 = next(s for s in output["suggestions"] if s["treatment"] == "co2-fractional")
    (reason,) = co2["reasons"]
    assert word in reason["text"]
    assert getattr(own, f"rationale_{language}") in reason["text"]
    assert getattr(parent, f"rationale_{language}") not in reason["text"]


# --- event timing over the whole course (issue 15) ---------------------------------------------

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def suggestion(output: dict, slug: str) -> dict:
    found = [s for s in output["suggestions"] if s["treatment"] == slug]
    assert len(found) == 1, f"{slug} is not suggested: {listed(output)}"
    return found[0]


def event_cautions(output: dict, slug: str) -> list[str]:
    return [c["text"] for c in suggestion(output, slug)["cautions"] if c["code"] == "event-timing"]


def event_profile(today: str, event: str, language: str = "ja", **changes) -> dict:
    """Rolling scars and nothing but an event: the event rule alone decides the cautions."""
    return {
        "clinic": "demo-clinic",
        "concerns": [{"condition": "rolling-scar", "severity": 3}],
        "today": today,
        "event_date": event,
        "language": language,
        **changes,
    }


@pytest.mark.django_db
def test_the_catalog_gives_cell_culture_a_lead_time():
    for slug in ("fibroblast-transplant", "cultured-epidermal-autograft"):
        t = Treatment.objects.get(slug=slug)
        assert t.lead_time_weeks >= 3, slug
        assert "培養" in t.lead_time_description_ja and "cultur" in t.lead_time_description_en.lower()
    assert Treatment.objects.get(slug="subcision").lead_time_weeks == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, phrases",
    [
        ("ja", ["約4週間の準備", "2026年12月19日", "2026年12月5日", "間に合いません"]),
        ("en", ["4 weeks of preparation", "19 December 2026", "5 December 2026", "cannot fit"]),
    ],
)
def test_fibroblast_transplant_two_weeks_before_an_event_gets_the_caution(tmp_path, language, phrases):
    output = run_suggest(tmp_path, event_profile("2026-11-21", "2026-12-05", language))
    (text,) = event_cautions(output, "fibroblast-transplant")
    for phrase in phrases:
        assert phrase in text
    assert not ISO_DATE.search(text)
    no_event = run_suggest(tmp_path, event_profile("2026-11-21", None, language))
    assert (
        suggestion(output, "fibroblast-transplant")["score"]
        < suggestion(no_event, "fibroblast-transplant")["score"]
    )


@pytest.mark.django_db
def test_fibroblast_transplant_half_a_year_ahead_gets_no_event_caution(tmp_path):
    output = run_suggest(tmp_path, event_profile("2026-11-21", "2027-06-01"))
    assert event_cautions(output, "fibroblast-transplant") == []


@pytest.mark.django_db
def test_subcision_before_a_wedding_in_ten_weeks_names_the_last_possible_session(tmp_path):
    # The example: up to three sessions four weeks apart; the third one's 14 days of downtime
    # would end on the wedding day, 30 January.
    subcision = Treatment.objects.get(slug="subcision")
    assert (subcision.sessions_max, subcision.interval_weeks_min, subcision.downtime_days_max) == (3, 4, 14)
    output = run_suggest(tmp_path, event_profile("2026-11-21", "2027-01-30", "en"))
    (text,) = event_cautions(output, "subcision")
    assert "16 January 2027" in text and "by 15 January 2027" in text
    clear = run_suggest(tmp_path, event_profile("2026-11-21", "2027-01-31", "en"))
    assert event_cautions(clear, "subcision") == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_text_prints_an_iso_date(tmp_path, language):
    output = run_suggest(tmp_path, example(language=language, event_date="2026-12-20"))
    for text in texts(output):
        assert not ISO_DATE.search(text), text


# --- "not for": subcision and ice-pick scars ---------------------------------------------------


@pytest.mark.django_db
def test_subcision_is_rated_not_for_ice_pick_scars():
    rating = Indication.objects.get(treatment__slug="subcision", condition__slug="ice-pick-scar")
    assert rating.strength == Indication.Strength.NOT_FOR
    assert rating.rationale_ja and rating.rationale_en and rating.source is not None


@pytest.mark.django_db
@pytest.mark.parametrize("needles_ok", [True, False])
def test_an_ice_pick_scar_gets_no_subcision_neither_suggested_nor_excluded(tmp_path, needles_ok):
    output = run_suggest(
        tmp_path, {"concerns": [{"condition": "ice-pick-scar", "severity": 3}], "needles_ok": needles_ok}
    )
    assert "subcision" not in listed(output)
    assert "co2-fractional" in listed(output)  # other crater treatments still are


@pytest.mark.django_db
def test_a_rolling_scar_still_gets_subcision(tmp_path):
    output = run_suggest(tmp_path, {"concerns": [{"condition": "rolling-scar", "severity": 3}]})
    assert "subcision" in [s["treatment"] for s in output["suggestions"]]


@pytest.mark.django_db
def test_ice_pick_and_rolling_scars_get_subcision_for_the_rolling_ones_only(tmp_path):
    output = run_suggest(
        tmp_path,
        {
            "concerns": [
                {"condition": "ice-pick-scar", "severity": 3},
                {"condition": "rolling-scar", "severity": 3},
            ],
            "language": "en",
        },
    )
    (reason,) = suggestion(output, "subcision")["reasons"]
    assert "Rolling scars" in reason["text"]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "profile, names",
    [
        pytest.param('{"concerns": [', "not valid JSON", id="malformed-json"),
        pytest.param(
            example(concerns=[{"condition": "no-such-scar", "severity": 3}]),
            "no-such-scar",
            id="unknown-condition",
        ),
        pytest.param(example(flags=["fish-allergy", "no-such-flag"]), "no-such-flag", id="unknown-flag"),
        pytest.param(example(clinic="no-such-clinic"), "no-such-clinic", id="unknown-clinic"),
        pytest.param(
            example(concerns=[{"condition": "rolling-scar", "severity": "high"}]),
            "severity",
            id="severity-high",
        ),
        pytest.param(
            example(concerns=[{"condition": "rolling-scar", "severity": 5}]),
            "severity",
            id="severity-out-of-range",
        ),
        pytest.param(
            {k: v for k, v in EXAMPLE.items() if k != "concerns"}, "concerns", id="missing-concerns"
        ),
        pytest.param(example(concerns=[]), "concerns", id="empty-concerns"),
        pytest.param(example(allergies=["fish"]), "allergies", id="unknown-key"),
        pytest.param(
            example(concerns=[{"condition": "rolling-scar", "severity": 3, "depth": 2}]),
            "depth",
            id="unknown-concern-key",
        ),
        pytest.param(
            example(concerns=[{"condition": "rolling-scar", "areas": ["elbow"]}]), "elbow", id="unknown-area"
        ),
        pytest.param(example(skin_type="IX"), "skin_type", id="unknown-skin-type"),
        pytest.param(example(skin_type=4), "skin_type", id="skin-type-number"),
        pytest.param(example(needles_ok="yes"), "needles_ok", id="needles-ok-text"),
        pytest.param(example(max_pain=True), "max_pain", id="max-pain-boolean"),
        pytest.param(example(budget_yen="300000"), "budget_yen", id="budget-text"),
        pytest.param(example(event_date="20-01-2027"), "event_date", id="event-date-format"),
        pytest.param(example(language="fr"), "language", id="unknown-language"),
        pytest.param(example(flags="fish-allergy"), "flags", id="flags-not-a-list"),
        pytest.param([EXAMPLE], "JSON object", id="not-an-object"),
    ],
)
def test_it_refuses_bad_input_with_one_line_naming_the_problem(tmp_path, profile, names):
    assert names in run_bad(tmp_path, profile)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(example(concerns=[{"condition": ["rolling-scar"], "severity": 3}]), id="condition-list"),
        pytest.param(example(flags=[["fish-allergy"]]), id="flag-list"),
        pytest.param(example(skin_type=["IV"]), id="skin-type-list"),
    ],
)
def test_it_refuses_a_list_where_a_slug_belongs(tmp_path, profile):
    run_bad(tmp_path, profile)


def test_it_refuses_a_missing_profile_file(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("suggest", profile=str(tmp_path / "missing.json"), stdout=out, stderr=err)
    assert exit_.value.code == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    assert "missing.json" in lines[0]


# --- as a real command -------------------------------------------------------------------------


def manage(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "1", **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def scratch_db(tmp_path) -> dict[str, str]:
    """An environment pointing the subprocess at its own empty SQLite file, never the dev database."""
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}


@pytest.mark.parametrize(
    "text, names",
    [
        pytest.param("{'concerns': []}", "not valid JSON", id="malformed-json"),
        pytest.param(json.dumps(example(allergies=["fish"])), "allergies", id="unknown-key"),
    ],
)
def test_it_exits_2_with_one_line_on_stderr(tmp_path, scratch_db, text, names):
    done = manage("suggest", "--profile", str(write_profile(tmp_path, text)), env=scratch_db)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert names in done.stderr


@pytest.mark.parametrize(
    "arguments, names",
    [
        pytest.param(["--language", "xx"], "--language", id="unknown-language"),
        pytest.param(["--language"], "--language", id="language-without-value"),
        pytest.param(["--lang", "en", "--colour"], "unrecognized arguments", id="unknown-option"),
        pytest.param(["--verbosity", "9"], "--verbosity", id="bad-verbosity"),
    ],
)
def test_it_exits_2_with_one_line_for_a_bad_argument(tmp_path, scratch_db, arguments, names):
    profile = str(write_profile(tmp_path, EXAMPLE))
    done = manage("suggest", "--profile", profile, *arguments, env=scratch_db)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: ")
    assert names in done.stderr
    assert "usage:" not in done.stderr


def test_it_exits_2_with_one_line_without_a_profile(scratch_db):
    done = manage("suggest", "--language", "en", env=scratch_db)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == ["error: the following arguments are required: --profile"]


def test_it_still_prints_the_full_help_on_request(scratch_db):
    done = manage("suggest", "--help", env=scratch_db)
    assert done.returncode == 0
    assert "--profile" in done.stdout and "--language" in done.stdout


def test_it_exits_2_for_a_missing_file(tmp_path, scratch_db):
    done = manage("suggest", "--profile", str(tmp_path / "nowhere.json"), env=scratch_db)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "nowhere.json" in done.stderr


def test_it_reads_the_profile_from_stdin(scratch_db):
    done = manage("suggest", "--profile", "-", env=scratch_db, stdin='{"concerns": ')
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "not valid JSON" in done.stderr


def test_it_prints_json_for_a_good_profile_on_a_fresh_database(tmp_path, scratch_db):
    for step in (["migrate", "--noinput", "-v0"], ["load_demo", "--no-users"]):
        done = manage(*step, env=scratch_db)
        assert done.returncode == 0, done.stderr

    done = manage(
        "suggest", "--profile", str(write_profile(tmp_path, EXAMPLE)), "--language", "en", env=scratch_db
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    output = json.loads(done.stdout)
    assert output["suggestions"]
    assert codes(excluded(output, "rejuran")["reasons"]) == ["contraindication"]
    for text in texts(output):
        assert not JAPANESE.search(text), text
