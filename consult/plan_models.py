"""A consultation's treatment plan (design.md §9 step 3, §10): prepared by the counselor, signed by
a physician only, and the contract facts the law asks the clinic to keep.

The figures (schedule, prices, whether the law applies, cooling-off, the caps) are never stored: they
come from `consult/plan.py` through `TreatmentPlan.outcome()`, so the screen, the JSON and the papers
agree. Stored are the choices (items), the physician's signature bound to a version of the plan, and
what happened (contract document received, electronic delivery consented to, a cancellation).
Imported by `consult/models.py`, so Django sees the models.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Treatment

DEFAULT_VALID_DAYS = 30
PLAN_KINDS = ("estimate", "scta-overview", "scta-contract", "consent")  # the plan's kinds of document


class TreatmentPlan(models.Model):
    class CancelKind(models.TextChoices):
        COOLING_OFF = "cooling-off", _("cooling-off")
        MID_TERM = "mid-term", _("mid-term cancellation")
        NOT_COVERED = "not-covered", _("cancellation (the law does not apply)")

    consultation = models.OneToOneField("consult.Consultation", on_delete=models.PROTECT, related_name="plan")
    # Every change to the items, the contract day or the validity moves it; the physician signs one.
    version = models.PositiveIntegerField(default=1)
    contract_day = models.DateField(_("contract day"))
    valid_until = models.DateField(_("estimate valid until"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_version = models.PositiveIntegerField(null=True, blank=True)
    # Same-day treatment (即日施術): a first session on the contract day needs the physician's medical
    # reason (MHLW review, November 2024), recorded with the signature and cleared with it.
    same_day_reason = models.TextField(_("medical reason for treatment on the contract day"), blank=True)
    # The law's facts (特定商取引法): the day the patient received the contract document, and prior
    # consent to receiving the documents electronically (without it: paper).
    contract_received_on = models.DateField(_("contract document received on"), null=True, blank=True)
    electronic_delivery_consent_at = models.DateTimeField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    cancel_kind = models.CharField(max_length=20, choices=CancelKind.choices, blank=True)
    cancel_detail = models.JSONField(default=dict, blank=True)  # sessions used, provided, cap, refund

    class Meta:
        verbose_name = _("treatment plan")
        verbose_name_plural = _("treatment plans")
        permissions = [("sign_treatmentplan", "Can sign a treatment plan (physician)")]

    def __str__(self) -> str:
        return f"plan for {self.consultation}"

    @classmethod
    def start(cls, consultation, user) -> TreatmentPlan:
        today = timezone.localdate()
        plan, _created = cls.objects.get_or_create(
            consultation=consultation,
            defaults={
                "contract_day": today,
                "valid_until": today + timedelta(days=DEFAULT_VALID_DAYS),
                "prepared_by": user,
            },
        )
        return plan

    @property
    def is_signed(self) -> bool:
        return self.signed_version is not None and self.signed_version == self.version

    @property
    def signer_name(self) -> str:
        user = self.signed_by
        return (user.get_full_name() or user.get_username()) if user else ""

    @property
    def documents(self):
        """The plan's issued documents (estimate, 概要書面, 契約書面), newest first."""
        return self.consultation.documents.filter(kind__in=PLAN_KINDS).listed()

    def issued(self, kind: str) -> bool:
        """Whether a document of `kind` was issued for the plan as it is now (this version)."""
        return self.consultation.documents.filter(kind=kind, snapshot__plan_version=self.version).exists()

    @property
    def cooling_off_until(self) -> date | None:
        from consult.plan import cooling_off_until

        return cooling_off_until(self.contract_received_on) if self.contract_received_on else None

    @transaction.atomic
    def changed(self) -> bool:
        """Record a change to the plan: a new version, and the signature cleared. True when a
        signature was cleared (the caller audits it)."""
        was_signed = self.signed_version is not None
        TreatmentPlan.objects.filter(pk=self.pk).update(
            version=F("version") + 1, signed_by=None, signed_at=None, signed_version=None, same_day_reason=""
        )
        self.refresh_from_db(
            fields=["version", "signed_by", "signed_at", "signed_version", "same_day_reason"]
        )
        return was_signed

    @property
    def same_day_items(self) -> list:
        """The items whose first session falls on the contract day (即日施術)."""
        return [i for i in self.items.all() if i.first_session <= self.contract_day]

    def sign(self, physician, version: int, same_day_reason: str = "") -> bool:
        """The physician signs the plan as it was at `version`, with the medical reason for a same-day
        first session when there is one; False when the plan changed since."""
        now = timezone.now()
        updated = TreatmentPlan.objects.filter(pk=self.pk, version=version).update(
            signed_by=physician, signed_at=now, signed_version=version, same_day_reason=same_day_reason
        )
        if updated:
            self.signed_by, self.signed_at, self.signed_version = physician, now, version
            self.same_day_reason = same_day_reason
        return bool(updated)

    def specs(self):
        from consult.plan_input import ItemSpec

        return [
            ItemSpec(i.treatment.slug, i.sessions, i.interval_weeks, i.first_session)
            for i in self.items.all()
        ]

    def outcome(self, language: str, cancel_day: date | None = None, sessions_used: dict | None = None):
        """The plan's figures (consult/plan.py), priced at the consultation's clinic today."""
        from consult.plan_input import ParsedPlan, outcome, plan_items

        consultation = self.consultation
        items = plan_items(consultation.clinic, self.specs(), self.contract_day, language)
        parsed = ParsedPlan(
            consultation.clinic,
            self.contract_day,
            language,
            items,
            self.contract_received_on,
            cancel_day,
            sessions_used or {},
        )
        return outcome(parsed)


class PlannedTreatment(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="items")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="+")
    sessions = models.PositiveSmallIntegerField(
        _("sessions"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    interval_weeks = models.PositiveSmallIntegerField(
        _("interval (weeks)"), validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    first_session = models.DateField(_("first session"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "treatment"], name="plan_treatment_unique"),
            models.CheckConstraint(condition=models.Q(sessions__gte=1), name="plan_sessions_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.treatment} × {self.sessions}"


class Consent(models.Model):
    """A patient's informed consent (同意書) to one treatment of the plan: the physician records that
    they explained it, the patient signs on the tablet (vector strokes, no external service), and the
    signed consent is issued as an immutable document. A withdrawal is recorded, never a deletion."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="consents")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="+")
    text = models.ForeignKey("catalog.ConsentText", on_delete=models.PROTECT, related_name="+")
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    explained_at = models.DateTimeField()
    # [[ [x, y], ... ], ...]: strokes in a 1000 × 300 box, as drawn with finger or pen
    signature = models.JSONField(default=list, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        "consult.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-explained_at", "-id"]

    def __str__(self) -> str:
        return f"consent to {self.treatment}"


SIGNATURE_BOX = (1000, 300)
MAX_STROKES, MAX_POINTS = 200, 5000


def parse_signature(raw: str) -> list[list[list[int]]] | None:
    """The strokes posted by the signature pad, checked and rounded; None when unusable (not JSON, out
    of the box, too large, or nothing drawn)."""
    import json

    try:
        strokes = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(strokes, list) or not 0 < len(strokes) <= MAX_STROKES:
        return None
    width, height = SIGNATURE_BOX
    clean, points = [], 0
    for stroke in strokes:
        if not isinstance(stroke, list) or not stroke:
            return None
        line = []
        for point in stroke:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
                or not (0 <= point[0] <= width and 0 <= point[1] <= height)
            ):
                return None
            line.append([round(point[0]), round(point[1])])
        points += len(line)
        clean.append(line)
    if points > MAX_POINTS:
        return None
    return clean


def signature_path(strokes: list) -> str:
    """An SVG path for the strokes (a single point becomes a dot)."""
    parts = []
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:] or [[stroke[0][0] + 1, stroke[0][1]]]
        parts.append(f"M{x} {y}" + "".join(f"L{px} {py}" for px, py in rest))
    return " ".join(parts)
