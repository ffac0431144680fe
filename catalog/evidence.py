"""Where each catalog fact comes from (issue 11): the kind, year and stable identifier of a source;
how strong the evidence behind each indication is; and, for each of a treatment's numeric ranges,
the source it comes from or the label "this clinic's typical practice".

The fields are added to the models of `catalog/models.py` with `add_to_class` when that module
loads (it imports this one at its end), so the migrations and the admin see them as ordinary fields.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Indication, Source, Treatment


class SourceKind(models.TextChoices):
    GUIDELINE = "guideline", _("Clinical guideline")
    SYSTEMATIC_REVIEW = "systematic-review", _("Systematic review")
    TRIAL = "trial", _("Trial")
    OBSERVATIONAL = "observational", _("Observational study or case series")
    REVIEW = "review", _("Narrative review")
    PRODUCT_LABELLING = "product-labelling", _("Product labelling")
    CLINIC_ARTICLE = "clinic-article", _("Clinic article")


class EvidenceLevel(models.TextChoices):
    """How strong the published support for one indication is, from a guideline's recommendation
    down to a clinic's own description of its practice."""

    GUIDELINE = "guideline", _("Recommended by a clinical guideline")
    SYSTEMATIC_REVIEW = "systematic-review", _("Supported by a systematic review")
    TRIAL = "trial", _("Supported by controlled trials")
    OBSERVATIONAL = "observational", _("Observational studies or case series only")
    PRACTICE = "practice", _("Clinic practice or expert opinion only")


class FigureOrigin(models.TextChoices):
    SOURCE = "source", _("From the cited source")
    CLINIC_PRACTICE = "clinic-practice", _("This clinic's typical practice")


# The numeric ranges of a treatment that a patient sees, each with its origin.
RANGE_STEMS = ("sessions", "interval_weeks", "downtime_days", "effect_weeks")

Source.add_to_class(
    "kind",
    models.CharField(_("kind"), max_length=20, choices=SourceKind.choices, default=SourceKind.CLINIC_ARTICLE),
)
Source.add_to_class("year", models.PositiveSmallIntegerField(_("year"), null=True, blank=True))
Source.add_to_class(
    "identifier",
    models.CharField(
        _("stable identifier"),
        max_length=200,
        blank=True,
        help_text=_("DOI, PMID, or the guideline's title and year; the URL for a clinic article."),
    ),
)

Indication.add_to_class(
    "evidence_level",
    models.CharField(_("evidence level"), max_length=20, choices=EvidenceLevel.choices, blank=True),
)
Indication.add_to_class(
    "evidence_sources",
    models.ManyToManyField(
        Source,
        blank=True,
        related_name="supported_indications",
        verbose_name=_("further sources"),
        help_text=_("Sources besides the main one that support this indication."),
    ),
)

for _stem in RANGE_STEMS:
    Treatment.add_to_class(
        f"{_stem}_origin",
        models.CharField(
            _("origin of the figures"),
            max_length=20,
            choices=FigureOrigin.choices,
            blank=True,
            help_text=_(
                "Where this range comes from: a source (named next to it), or this clinic's typical "
                "practice, which the clinic reviews and edits."
            ),
        ),
    )
    Treatment.add_to_class(
        f"{_stem}_source",
        models.ForeignKey(
            Source,
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
            verbose_name=_("source of the figures"),
        ),
    )
del _stem


Treatment.add_to_class(
    "insurance_covered",
    models.BooleanField(
        _("covered by health insurance (保険診療)"),
        default=False,
        help_text=_(
            "Standard care under health insurance: it has no self-pay price, and the patient is pointed "
            "to a dermatologist instead of being offered it as a self-pay treatment."
        ),
    ),
)


def range_origin(treatment: Treatment, stem: str) -> tuple[str, Source | None]:
    """The origin of one of a treatment's ranges and its source, if any."""
    return getattr(treatment, f"{stem}_origin"), getattr(treatment, f"{stem}_source")
