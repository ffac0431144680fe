"""A consultation: one patient's concerns, wishes and flags at one clinic, and the options compared."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Clinic, Condition, MedicalFlag, Treatment
from consult.engine import ConcernIn, Profile

FACE_AREAS = [
    ("forehead", _("Forehead")),
    ("temples", _("Temples")),
    ("around-eyes", _("Around the eyes")),
    ("nose", _("Nose")),
    ("cheek-left", _("Left cheek")),
    ("cheek-right", _("Right cheek")),
    ("around-mouth", _("Around the mouth")),
    ("chin", _("Chin")),
    ("jawline", _("Jawline")),
    ("neck", _("Neck")),
]
FACE_AREA_SLUGS = [slug for slug, _label in FACE_AREAS]

SKIN_TYPES = [
    (1, _("I — always burns, never tans")),
    (2, _("II — burns easily, tans minimally")),
    (3, _("III — sometimes burns, tans gradually")),
    (4, _("IV — burns minimally, tans easily")),
    (5, _("V — rarely burns, tans darkly")),
    (6, _("VI — never burns, deeply pigmented")),
]

MAX_OPTIONS = 4

# What the counselor edits in the intake form, saved by `Consultation.save_profile`.
PROFILE_FIELDS = [
    "chart_number",
    "display_name",
    "age_band",
    "skin_type",
    "handout_language",
    "max_downtime_days",
    "budget_yen",
    "needles_ok",
    "max_pain",
    "event_date",
    "notes",
]


class Conflict(Exception):
    """The consultation changed since the page was loaded (another tab or another user)."""


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user) -> ConsultationQuerySet:
        return self.filter(clinic__memberships__user=user)

    def with_details(self) -> ConsultationQuerySet:
        """With what the workspace and the documents read: clinic, people, concerns, flags, options."""
        return self.select_related("clinic", "counselor", "reviewed_by").prefetch_related(
            Prefetch("concerns", queryset=Concern.objects.select_related("condition")),
            "flags",
            Prefetch("options", queryset=ChosenOption.objects.select_related("treatment")),
        )


class Consultation(models.Model):
    class AgeBand(models.TextChoices):
        UNDER_20 = "under-20", _("under 20")
        TWENTIES = "20s", _("20s")
        THIRTIES = "30s", _("30s")
        FORTIES = "40s", _("40s")
        FIFTIES = "50s", _("50s")
        SIXTY_PLUS = "60-plus", _("60 or over")

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="consultations")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every accepted save increments it; a save based on an older
    # version is refused instead of silently overwriting another tab's change.
    version = models.PositiveIntegerField(default=1)

    chart_number = models.CharField(_("chart number"), max_length=40)
    display_name = models.CharField(_("display name (optional)"), max_length=80, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    skin_type = models.PositiveSmallIntegerField(
        _("skin type (Fitzpatrick)"), choices=SKIN_TYPES, null=True, blank=True
    )
    handout_language = models.CharField(
        _("handout language"), max_length=2, choices=Language.choices, default=Language.JA
    )

    max_downtime_days = models.PositiveSmallIntegerField(
        _("acceptable downtime (days)"), null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    budget_yen = models.PositiveIntegerField(
        _("budget (yen, tax incl.)"), null=True, blank=True, validators=[MaxValueValidator(100_000_000)]
    )
    needles_ok = models.BooleanField(_("needles or injections are acceptable"), default=True)
    max_pain = models.PositiveSmallIntegerField(
        _("acceptable pain (0-3)"), null=True, blank=True, validators=[MaxValueValidator(3)]
    )
    event_date = models.DateField(_("event date"), null=True, blank=True)

    flags = models.ManyToManyField(MedicalFlag, blank=True, verbose_name=_("medical flags"))
    notes = models.TextField(_("counselor notes"), blank=True, max_length=5000)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by physician"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        permissions = [("review_consultation", "Can mark a consultation as reviewed by a physician")]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_pain__isnull=True) | Q(max_pain__lte=3), name="consultation_max_pain_0_3"
            ),
            models.CheckConstraint(
                condition=Q(skin_type__isnull=True) | Q(skin_type__gte=1, skin_type__lte=6),
                name="consultation_skin_type_1_6",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.chart_number

    @property
    def patient_label(self) -> str:
        return self.display_name or self.chart_number

    def reloaded(self) -> Consultation:
        """The same consultation read again `with_details()`, after a save changed it."""
        return Consultation.objects.with_details().get(pk=self.pk)

    def profile(self, today) -> Profile:
        """The engine's input: what was recorded about the patient (read with `with_details()`)."""
        return Profile(
            concerns=tuple(
                ConcernIn(c.condition.slug, c.severity, tuple(c.areas)) for c in self.concerns.all()
            ),
            flags=frozenset(f.slug for f in self.flags.all()),
            skin_type=self.skin_type,
            max_downtime_days=self.max_downtime_days,
            budget_yen=self.budget_yen,
            needles_ok=self.needles_ok,
            max_pain=self.max_pain,
            event_date=self.event_date,
            today=today,
        )

    @property
    def option_slugs(self) -> tuple[str, ...]:
        """The treatments chosen for comparison, in their order."""
        return tuple(o.treatment.slug for o in self.options.all())

    def claim_version(self, version: int) -> int:
        """Atomically move the consultation from `version` to the next; raise Conflict if it moved on.

        Must run inside a transaction: the UPDATE ... WHERE version = N is the compare-and-swap that
        makes two simultaneous saves end with one winner and one conflict, on SQLite and PostgreSQL.
        """
        updated = Consultation.objects.filter(pk=self.pk, version=version).update(version=F("version") + 1)
        if not updated:
            raise Conflict
        self.version = version + 1
        return self.version

    @transaction.atomic
    def save_profile(self, data: dict) -> None:
        """Save the intake form's cleaned data (fields, concerns, flags) at `data["version"]`."""
        self.claim_version(data["version"])
        for name in PROFILE_FIELDS:
            setattr(self, name, data[name])
        self.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
        wanted = {condition.pk: (severity, areas) for condition, severity, areas in data["concerns"]}
        existing = {c.condition_id: c for c in self.concerns.all()}
        Concern.objects.filter(consultation=self).exclude(condition_id__in=wanted).delete()
        for condition_id, (severity, areas) in wanted.items():
            concern = existing.get(condition_id)
            if concern is None:
                Concern.objects.create(
                    consultation=self, condition_id=condition_id, severity=severity, areas=areas
                )
            elif (concern.severity, concern.areas) != (severity, areas):
                concern.severity, concern.areas = severity, areas
                concern.save(update_fields=["severity", "areas"])
        self.flags.set(MedicalFlag.objects.filter(slug__in=data["flags"]))

    @transaction.atomic
    def change_options(self, version: int, action: str, treatment: Treatment) -> str | None:
        """Add, remove or move a compared option. Returns an error code, or None when done."""
        options = list(self.options.order_by("position", "id"))
        ids = [o.treatment_id for o in options]
        if action == "add" and treatment.pk not in ids and len(options) >= MAX_OPTIONS:
            return "too-many"
        self.claim_version(version)
        if action == "add":
            if treatment.pk not in ids:
                ChosenOption.objects.create(consultation=self, treatment=treatment, position=len(options))
            return None
        if treatment.pk not in ids:
            return None
        index = ids.index(treatment.pk)
        if action == "remove":
            options.pop(index).delete()
        elif action in ("up", "down"):
            target = index - 1 if action == "up" else index + 1
            if 0 <= target < len(options):
                options[index], options[target] = options[target], options[index]
        for position, option in enumerate(options):
            if option.position != position:
                option.position = position
                option.save(update_fields=["position"])
        return None


class Concern(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="concerns")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="+")
    severity = models.PositiveSmallIntegerField(
        _("severity"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    areas = models.JSONField(_("areas"), default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "condition"], name="concern_unique"),
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=4), name="concern_severity_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition} ({self.severity})"


class ChosenOption(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "treatment"], name="chosen_option_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.treatment}"


class DocumentQuerySet(models.QuerySet):
    """Issued documents do not change: no queryset path rewrites what was handed to the patient.

    Only `issued_at` may be set after the row is written (aligned with the time printed on the
    document when it is issued), and `anonymise()` is the one way to remove the content, used by the
    retention duty in consult/privacy.py.
    """

    def update(self, **kwargs):
        if set(kwargs) - {"issued_at"}:
            raise PermissionError("issued documents are immutable")
        return super().update(**kwargs)

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("issued documents are immutable")

    def bulk_create(self, objs, *args, update_conflicts: bool = False, **kwargs):
        if update_conflicts:  # an upsert rewrites existing rows
            raise PermissionError("issued documents are immutable")
        return super().bulk_create(objs, *args, **kwargs)

    def anonymise(self, at) -> int:
        """Remove the PDF and the snapshot (they hold the patient's data); the SHA-256 stays as evidence."""
        return super().update(pdf=b"", snapshot={"anonymised": True, "at": at.isoformat()})

    def listed(self) -> DocumentQuerySet:
        """For lists: who issued each, without the snapshot and PDF bytes."""
        return self.select_related("issued_by").defer("pdf", "snapshot")


class Document(models.Model):
    """An issued patient document (handout, and the kinds in consult/documents/): immutable snapshot,
    PDF bytes and their SHA-256 (design.md §7, §11)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="documents")
    # A key of consult.documents.KINDS ("handout", ...); no choices, so a new kind needs no migration.
    kind = models.CharField(max_length=30, default="handout", db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    language = models.CharField(max_length=2, choices=Consultation.Language.choices)
    snapshot = models.JSONField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id} ({self.issued_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # Like AuditEvent: the override is the immutability rule itself, not hidden logic.
        if self.pk is not None:
            raise PermissionError("issued documents are immutable")
        super().save(*args, **kwargs)

    @property
    def is_anonymised(self) -> bool:
        return isinstance(self.snapshot, dict) and self.snapshot.get("anonymised") is True

    def pdf_matches_sha256(self) -> bool:
        return hashlib.sha256(bytes(self.pdf)).hexdigest() == self.sha256


class AuditQuerySet(models.QuerySet):
    """Append-only: rows are created, never updated or deleted, through any queryset path."""

    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")

    def bulk_create(self, objs, *args, update_conflicts: bool = False, **kwargs):
        if update_conflicts:  # an upsert rewrites existing rows
            raise PermissionError("audit events are append-only")
        return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        ISSUE_HANDOUT = "issue-handout", _("issued a handout")
        DOWNLOAD_HANDOUT = "download-handout", _("downloaded a handout")
        # Every other kind of document (consult/documents/); the kind is in the detail.
        ISSUE_DOCUMENT = "issue-document", _("issued a document")
        DOWNLOAD_DOCUMENT = "download-document", _("downloaded a document")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login-failed", _("failed to log in")
        # Refused while the account or address is locked: recorded, but not counted as a failure,
        # so a lock ends when the window after the last real failure has passed.
        LOGIN_REFUSED = "login-refused", _("log-in refused (locked)")
        LIST = "list", _("listed consultations")
        LOGOUT = "logout", _("logged out")
        CATALOG_CHANGE = "catalog-change", _("changed the catalog")
        STAFF_CHANGE = "staff-change", _("changed a staff account")
        EXPORT = "export", _("exported")
        # Two-factor sign-in (consult/two_factor.py). A failed second factor counts towards the lock.
        MFA_ENROLLED = "2fa-enrolled", _("set up two-factor sign-in")
        MFA_VERIFIED = "2fa-verified", _("passed the second factor")
        MFA_FAILED = "2fa-failed", _("failed the second factor")
        MFA_RESET = "2fa-reset", _("reset a staff member's two-factor sign-in")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: deleting a user must not rewrite the rows about them (SET_NULL would UPDATE them).
    # Staff who leave are deactivated, not deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        # Like Document's: the override is the append-only rule itself, not hidden logic.
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")
