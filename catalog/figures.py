"""Numbers people can read (issue 14, IPDASi): a harm's or a benefit's sourced natural frequency —
"about N in 100 people (group), within (time frame)" — and what is known about a condition without
treatment, for the handout's "no treatment / wait / cover make-up" option.

Filled only where a checked source gives the figure; an empty figure means "no reliable figure", and
the handout says so instead of a word that sounds like a number. The fields are added to the models of
`catalog/models.py` with `add_to_class` when that module loads (it imports this one at its end), like
`catalog/evidence.py`; the translated ones (group, time frame, natural course) are registered in
`catalog/translation.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Condition, Indication, SideEffect, Source


class Denominator(models.IntegerChoices):
    HUNDRED = 100, _("in 100 people")
    THOUSAND = 1000, _("in 1,000 people")


def _add_figure(model: type[models.Model], what: str) -> None:
    """The six fields of one natural frequency on `model`."""
    model.add_to_class(
        "figure_count",
        models.PositiveSmallIntegerField(
            _("how many people"),
            null=True,
            blank=True,
            help_text=_("Leave empty when no checked source gives a figure: the handout then says so."),
        ),
    )
    model.add_to_class(
        "figure_per",
        models.PositiveSmallIntegerField(_("out of"), choices=Denominator.choices, null=True, blank=True),
    )
    model.add_to_class(
        "figure_studied",
        models.PositiveIntegerField(
            _("people studied"),
            null=True,
            blank=True,
            help_text=_(
                "How many people the figure was counted among (the study's n). Required with a figure: "
                "the handout states the range the true number could lie in."
            ),
        ),
    )
    model.add_to_class(
        "figure_group",
        models.CharField(
            _("group of people"),
            max_length=200,
            blank=True,
            help_text=_("Who was counted, e.g. “13 people with skin type IV, in one study”."),
        ),
    )
    model.add_to_class(
        "figure_time_frame",
        models.CharField(_("time frame"), max_length=200, blank=True, help_text=what),
    )
    model.add_to_class(
        "figure_source",
        models.ForeignKey(
            Source,
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
            verbose_name=_("source of the figure"),
        ),
    )


_add_figure(SideEffect, _("When it was counted, e.g. “within 3 months after the last session”."))
_add_figure(Indication, _("When the change was measured, e.g. “6 months after the last of 3 sessions”."))
Indication.add_to_class(
    "figure_outcome",
    models.CharField(
        _("what was counted"),
        max_length=200,
        blank=True,
        help_text=_("The change the figure counts, e.g. “scars rated at least 25–50 % better”."),
    ),
)

Condition.add_to_class(
    "natural_course",
    models.TextField(
        _("without treatment"),
        blank=True,
        help_text=_(
            "What is known about this condition without treatment, from the source named next to it. "
            "Leave empty when no checked source says: the handout then says so."
        ),
    ),
)
Condition.add_to_class(
    "natural_course_source",
    models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source of the course without treatment"),
    ),
)


@dataclass(frozen=True)
class Figure:
    """A natural frequency as plain data (a handout snapshot stores it as a dict)."""

    count: int
    per: int
    outcome: str
    group: str
    time_frame: str
    source: str
    studied: int

    @property
    def interval(self) -> tuple[int, int]:
        return wilson_interval(self.count, self.per, self.studied)

    def as_dict(self) -> dict:
        low, high = self.interval
        return {
            "count": self.count,
            "per": self.per,
            "outcome": self.outcome,
            "group": self.group,
            "time_frame": self.time_frame,
            "source": self.source,
            "studied": self.studied,
            "low": low,
            "high": high,
        }


Z_95 = 1.959964  # the standard normal quantile for a two-sided 95 % interval


def wilson_interval(count: int, per: int, studied: int) -> tuple[int, int]:
    """The 95 % Wilson score interval around `count` in `per`, seen among `studied` people, scaled
    to `per` and rounded to whole people (IPDASi: the uncertainty around a probability).

    Wilson's interval, unlike the textbook p ± 1.96·SE, stays within 0…per and is not empty at 0 or
    100 %, which matters in the small studies these figures come from (0 of 30 → about 0 to 11 in
    100). The proportion is the published one (`count` / `per`), not re-derived from a count of the
    `studied` people, which the catalog does not always have."""
    if studied < 1:
        raise ValueError("a figure needs the number of people it was counted among")
    p, n, z2 = count / per, studied, Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return math.floor(low * per + 0.5), math.floor(high * per + 0.5)


def possible_counts(per: int, studied: int) -> set[int]:
    """Every figure `count` in `per` that a whole number of the `studied` people rounds to: a
    figure outside it cannot have come from a study of that size (a typo in the count or the n)."""
    return {math.floor(k * per / studied + 0.5) for k in range(studied + 1)}


def figure_of(row: SideEffect | Indication) -> Figure | None:
    """The row's natural frequency in the active language, or None when it has no complete, sourced
    figure (a count without its denominator, the number of people studied, group, time frame or
    source is not shown: a number without its uncertainty reads as more certain than it is)."""
    if row.figure_count is None or not row.figure_per or row.figure_source is None:
        return None
    if not row.figure_studied:
        return None
    if not row.figure_group or not row.figure_time_frame:
        return None
    outcome = row.figure_outcome if isinstance(row, Indication) else row.name  # a harm counts itself
    if not outcome:
        return None
    return Figure(
        row.figure_count,
        row.figure_per,
        outcome,
        row.figure_group,
        row.figure_time_frame,
        str(row.figure_source),
        row.figure_studied,
    )
