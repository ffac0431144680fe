"""Forms validate; they do not save. The workspace form covers the whole consultation profile."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Condition, MedicalFlag
from consult.models import FACE_AREA_SLUGS, PROFILE_FIELDS, SKIN_TYPES, Consultation

# Control characters (C0 and C1) other than tab, newline and carriage return, bidirectional overrides and isolates (which can
# make printed text read in a misleading order) and unpaired surrogates never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

SEVERITY_SCAR = {
    1: _("1 macular: colour change only, no depression"),
    2: _("2 mild: not obvious at 50 cm, covered by make-up"),
    3: _("3 moderate: obvious at 50 cm, flattens when the skin is stretched"),
    4: _("4 severe: does not flatten when the skin is stretched"),
}
SEVERITY_OTHER = {1: _("1 mild"), 2: _("2 moderate"), 3: _("3 marked"), 4: _("4 severe")}


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value or "").strip()


class CleanCharField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        # U+FFFD is what bytes that are not UTF-8 decode to: refuse them rather than store garbage.
        if "\ufffd" in value:
            raise forms.ValidationError(
                _("This text contains characters that could not be read. Please type it again."),
                code="encoding",
            )
        return clean_text(value)


class NewConsultationForm(forms.Form):
    chart_number = CleanCharField(label=_("Chart number"), max_length=40)
    display_name = CleanCharField(label=_("Display name (optional)"), max_length=80, required=False)
    handout_language = forms.ChoiceField(
        label=_("Handout language"), choices=Consultation.Language.choices, initial="ja"
    )

    def __init__(self, *args, clinics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clinics = list(clinics)
        if len(self.clinics) > 1:
            self.fields["clinic"] = forms.ChoiceField(
                label=_("Clinic"), choices=[(c.slug, c.name) for c in self.clinics]
            )

    def clean_chart_number(self) -> str:
        value = self.cleaned_data["chart_number"]
        if not value:
            raise forms.ValidationError(_("Enter the chart number."))
        return value

    def clinic(self):
        if len(self.clinics) == 1:
            return self.clinics[0]
        slug = self.cleaned_data.get("clinic")
        return next(c for c in self.clinics if c.slug == slug)


class WorkspaceForm(forms.Form):
    """Everything the counselor records, posted as a whole on every change.

    Concern fields are dynamic: ``concern`` (checked condition slugs), ``severity-<slug>`` and
    ``areas-<slug>``. Flags are yes/no radios named ``flag-<slug>``.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    chart_number = CleanCharField(label=_("Chart number"), max_length=40)
    display_name = CleanCharField(label=_("Display name (optional)"), max_length=80, required=False)
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=[("", "—"), *Consultation.AgeBand.choices], required=False
    )
    skin_type = forms.TypedChoiceField(
        label=_("Skin type (Fitzpatrick)"),
        choices=[("", "—"), *SKIN_TYPES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    handout_language = forms.ChoiceField(label=_("Handout language"), choices=Consultation.Language.choices)
    max_downtime_days = forms.IntegerField(
        label=_("Acceptable downtime (days)"), min_value=0, max_value=365, required=False
    )
    budget_yen = forms.IntegerField(
        label=_("Budget (yen, tax incl.)"), min_value=0, max_value=100_000_000, required=False
    )
    needles_ok = forms.TypedChoiceField(
        label=_("Are needles or injections acceptable?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        initial="yes",
    )
    max_pain = forms.TypedChoiceField(
        label=_("Acceptable pain"),
        choices=[("", "—"), (0, _("0 none")), (1, _("1 mild")), (2, _("2 moderate")), (3, _("3 strong"))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    event_date = forms.DateField(label=_("Event date"), required=False)
    notes = CleanCharField(
        label=_("Counselor notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, conditions: list[Condition], flags: list[MedicalFlag], **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions = {c.slug: c for c in conditions}
        self.flag_slugs = [f.slug for f in flags]

    def clean_event_date(self) -> date | None:
        value = self.cleaned_data.get("event_date")
        today = timezone.localdate()
        if value is not None and not (
            today - timedelta(days=365) <= value <= today + timedelta(days=5 * 365)
        ):
            raise forms.ValidationError(_("Enter an event date within the next five years."))
        return value

    def clean(self):
        cleaned = super().clean()
        data = self.data
        concerns = []
        for slug in dict.fromkeys(data.getlist("concern")):
            if slug not in self.conditions:
                self.add_error(None, _("Unknown concern: %(slug)s") % {"slug": slug[:40]})
                continue
            raw = data.get(f"severity-{slug}", "2")
            try:
                severity = int(raw)
            except (TypeError, ValueError):
                severity = 0
            if not 1 <= severity <= 4:
                self.add_error(None, _("Severity must be 1 to 4."))
                continue
            areas = list(dict.fromkeys(data.getlist(f"areas-{slug}")))
            if any(a not in FACE_AREA_SLUGS for a in areas):
                self.add_error(None, _("Unknown face area."))
                continue
            concerns.append((self.conditions[slug], severity, areas))
        cleaned["concerns"] = concerns
        flags = []
        for slug in self.flag_slugs:
            answer = data.get(f"flag-{slug}", "no")
            if answer not in ("yes", "no"):
                self.add_error(None, _("Answer each medical question with yes or no."))
            elif answer == "yes":
                flags.append(slug)
        cleaned["flags"] = flags
        return cleaned

    def savable_data(self, consultation: Consultation) -> dict | None:
        """What can be saved although the form is invalid: every valid field as posted, and the stored
        value for each field in error (so typing a bad budget does not lose a changed age band).
        None when nothing can be saved: the version or the concerns and flags are not readable."""
        cleaned = getattr(self, "cleaned_data", {})
        if "version" in self.errors or "version" not in cleaned or self.non_field_errors():
            return None
        data = {
            name: getattr(consultation, name) if name in self.errors else cleaned[name]
            for name in PROFILE_FIELDS
        }
        return {
            **data,
            "version": cleaned["version"],
            "concerns": cleaned["concerns"],
            "flags": cleaned["flags"],
        }


class OptionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=[(a, a) for a in ("add", "remove", "up", "down", "override")])
    treatment = forms.SlugField(max_length=50)
    # "override" (physicians only): the medical reason for comparing an absolutely contraindicated option
    reason = CleanCharField(max_length=1000, required=False)
