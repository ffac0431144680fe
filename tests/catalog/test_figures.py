"""Natural frequencies with their uncertainty (issue 14, IPDASi "levels of uncertainty around
probabilities"): the 95 % Wilson interval, the figure's study size as a required field, the lint rule
and the sentence printed beside every figure."""

from __future__ import annotations

import math

import pytest

from catalog.figures import Figure, possible_counts, wilson_interval
from catalog.lint import lint, lint_object
from catalog.models import Indication, SideEffect, figure_of
from consult.documents.wording import figure_text, figure_uncertainty_text

Z = 1.959964


def _score_bound(count: int, per: int, studied: int, *, upper: bool) -> int:
    """The Wilson bound found another way: by bisection, the p0 at which the score test of the
    observed proportion just reaches z (|p − p0| = z·√(p0(1 − p0)/n)), scaled and rounded."""
    p = count / per
    lo, hi = (p, 1.0) if upper else (0.0, p)

    def outside(p0: float) -> bool:
        return (p - p0) ** 2 * studied > Z**2 * p0 * (1 - p0)

    if not outside(hi if upper else lo):  # the interval reaches 0 or 1 itself
        return per if upper else 0
    for _ in range(200):
        mid = (lo + hi) / 2
        if outside(mid) == upper:
            hi = mid
        else:
            lo = mid
    return math.floor((lo + hi) / 2 * per + 0.5)


@pytest.mark.parametrize(
    "count, per, studied, expected",
    [
        (85, 100, 13, (58, 96)),  # CO2 fractional, Manuskiatti 2010: the worked example
        (0, 100, 30, (0, 11)),  # none of 30: the upper bound is z²/(n + z²) = 11 %
        (100, 100, 10, (72, 100)),  # all of 10: the lower bound is n/(n + z²) = 72 %
        (43, 100, 99, (34, 53)),
    ],
)
def test_the_wilson_interval_gives_known_values(count, per, studied, expected):
    assert wilson_interval(count, per, studied) == expected


@pytest.mark.parametrize(
    "count, per, studied",
    [
        (90, 100, 30),
        (96, 100, 45),
        (11, 100, 99),
        (50, 100, 4),
        (5, 1000, 1000),
        (120, 1000, 250),
        (1, 100, 2),
    ],
)
def test_the_wilson_interval_is_where_the_score_test_reaches_95_percent(count, per, studied):
    assert wilson_interval(count, per, studied) == (
        _score_bound(count, per, studied, upper=False),
        _score_bound(count, per, studied, upper=True),
    )


def test_a_larger_study_gives_a_narrower_range_around_the_same_figure():
    widths = [high - low for low, high in (wilson_interval(40, 100, n) for n in (10, 100, 1000))]
    assert widths == sorted(widths, reverse=True) and widths[0] > 3 * widths[2]


def test_the_interval_needs_people_to_have_been_studied():
    with pytest.raises(ValueError):
        wilson_interval(10, 100, 0)


def test_possible_counts_are_the_figures_a_study_of_that_size_can_give():
    assert possible_counts(100, 4) == {0, 25, 50, 75, 100}
    assert 85 in possible_counts(100, 13) and 50 not in possible_counts(100, 13)  # 11/13, 6.5/13


FIGURE = Figure(85, 100, "had scars rated at least 25–50% better", "13 people", "6 months", "Manuskiatti", 13)


def test_the_uncertainty_sentence_says_the_study_size_and_the_range_in_both_languages():
    assert figure_uncertainty_text(FIGURE, "en") == (
        "In a study of 13 people. The true number could be between about 58 and 96 in 100."
    )
    assert (
        figure_uncertainty_text(FIGURE, "ja")
        == "13人の研究です。本当の数は100人中およそ58〜96人の間かもしれません。"
    )
    per_thousand = Figure(5, 1000, "", "1,000 people", "1 year", "A", 1000)
    assert figure_uncertainty_text(per_thousand, "en").endswith("between about 2 and 12 in 1,000.")


def test_a_harm_nobody_had_is_said_in_words_not_as_about_0_in_100():
    none = Figure(0, 100, "Post-inflammatory pigmentation", "30 people", "8 weeks", "Lotfi", 30)
    assert figure_text(none, "en") == "No one in the study (30 people) had it, within 8 weeks."
    assert figure_text(none, "ja") == "30 peopleで、8 weeksまでに、起きた人はいませんでした。"
    assert "0" not in figure_text(none, "en").replace("30", "")
    assert figure_uncertainty_text(none, "en").endswith("between about 0 and 11 in 100.")


@pytest.mark.django_db
class TestCatalogFigures:
    def test_every_figure_in_the_catalog_carries_its_study_size_and_fits_it(self):
        rows = [
            *SideEffect.objects.exclude(figure_count=None),
            *Indication.objects.exclude(figure_count=None),
        ]
        assert len(rows) >= 7
        for row in rows:
            assert row.figure_studied, row
            assert row.figure_count in possible_counts(row.figure_per, row.figure_studied), row
            assert figure_of(row).studied == row.figure_studied

    def test_a_figure_without_its_study_size_is_not_shown_and_is_a_lint_error(self):
        row = Indication.objects.get(treatment__slug="co2-fractional", condition__slug="acne-scar")
        assert figure_of(row) is not None and not lint_object(row.treatment)
        row.figure_studied = None
        row.save()
        assert figure_of(row) is None
        problems = [str(p) for p in lint() if p.field == "figure_studied"]
        assert problems == [
            "catalog.indication[co2-fractional/acne-scar]: figure_studied: "
            "figure without the number of people it was counted among"
        ]
        assert any(p.field == "figure_studied" for p in lint_object(row.treatment))

    def test_a_count_no_whole_number_of_the_people_studied_gives_is_a_lint_error(self):
        side_effect = SideEffect.objects.get(pk=27)  # fibroblast transplant: redness, 11 in 100 of 99
        assert not [p for p in lint_object(side_effect.treatment) if p.field.startswith("figure")]
        side_effect.figure_studied = 3  # 11 in 100 cannot come from 3 people (0, 33, 67 or 100)
        side_effect.save()
        messages = [p.message for p in lint() if p.field == "figure_count"]
        assert messages == ["11 in 100 cannot come from 3 people: no whole number of them rounds to it"]

    def test_a_study_size_without_a_figure_is_a_lint_error(self):
        side_effect = SideEffect.objects.get(pk=20)  # subcision: bruising, no figure
        side_effect.figure_studied = 40
        side_effect.save()
        assert [p.message for p in lint() if p.field == "figure_studied"] == [
            "number of people studied without a figure"
        ]

    def test_the_admin_edits_the_study_size_beside_the_other_figure_fields(self, client, catalog_editor):
        client.force_login(catalog_editor)
        pk = Indication.objects.get(pk=10).treatment_id
        body = client.get(f"/admin/catalog/treatment/{pk}/change/").content.decode()
        for prefix in ("indications", "side_effects"):
            assert f'name="{prefix}-0-figure_count"' in body
            assert f'name="{prefix}-0-figure_studied"' in body
