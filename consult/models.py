"""A consultation: one patient's concerns, wishes and flags at one clinic, and the options compared."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Clinic, Condition, MedicalFlag, Membership, Treatment
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


# What a physician's sign-off covers besides concerns, flags and the chosen options: a change to any
# of these after the sign-off clears it. Notes, names, chart number, age band and handout language
# do not change what the physician decided, so they leave it in place.
REVIEWED_FIELDS = ["skin_type", "max_downtime_days", "budget_yen", "needles_ok", "max_pain", "event_date"]


class Conflict(Exception):
    """The consultation changed since the page was loaded (another tab or another user)."""


class TooManyOptions(Exception):
    """The comparison already holds MAX_OPTIONS options."""


@dataclass(frozen=True)
class Override:
    """A physician's decision to compare an option despite absolute contraindications (`flags`)."""

    reason: str
    by: object  # the physician (a User)
    flags: tuple[str, ...]


def review_changes(before: dict, after: dict) -> list[dict]:
    """What differs between two `Consultation.review_facts()`: field name, old and new value each."""
    return [
        {"field": key, "old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after), key=_review_order)
        if before.get(key) != after.get(key)
    ]


def _review_order(key: str) -> tuple[int, str]:
    head = key.split(":", 1)[0]
    order = ["concern", *REVIEWED_FIELDS, "flags", "options", "override"]
    return (order.index(head) if head in order else len(order), key)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user) -> ConsultationQuerySet:
        return self.filter(clinic__memberships__user=user)

    def with_details(self) -> ConsultationQuerySet:
        """With what the workspace and the documents read: clinic, people, concerns, flags, options."""
        return self.select_related("clinic", "counselor", "reviewed_by").prefetch_related(
            Prefetch("concerns", queryset=Concern.objects.select_related("condition")),
            "flags",
            Prefetch("options", queryset=ChosenOption.objects.select_related("treatment", "override_by")),
        )

    def with_role_of(self, user) -> ConsultationQuerySet:
        """With `viewer_role`: the role `user` holds at each consultation's clinic (None: none)."""
        roles = Membership.objects.filter(user_id=user.pk, clinic_id=OuterRef("clinic_id")).order_by("id")
        return self.annotate(viewer_role=Subquery(roles.values("role")[:1]))

    def signed_off(self) -> ConsultationQuerySet:
        return self.filter(reviewed_version__isnull=False)

    def not_signed_off(self) -> ConsultationQuerySet:
        return self.filter(reviewed_version__isnull=True)


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
    # The version the physician signed off. The sign-off holds while concerns, flags, the wishes,
    # skin type and the chosen options stay as they were then (`REVIEWED_FIELDS`); the saves below
    # clear it on any change to them. A "reviewed" mark made before sign-offs were bound to a version
    # (migration 0006) has none: nothing shows whether the data changed after it, so it is kept as a
    # record but does not count as a sign-off.
    reviewed_version = models.PositiveIntegerField(_("signed-off version"), null=True, blank=True)

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
    def is_signed_off(self) -> bool:
        """A physician signed off the consultation, and nothing the sign-off covers changed since."""
        return self.reviewed_version is not None

    @property
    def handout_language_name(self) -> str:
        """The handout's language named in the language of the screen ("英語" in the Japanese UI)."""
        return {"ja": _("Japanese"), "en": _("English")}[self.handout_language]

    @property
    def reviewer_name(self) -> str:
        user = self.reviewed_by
        return (user.get_full_name() or user.get_username()) if user else ""

    def review_facts(self) -> dict:
        """What a sign-off covers, as plain data (read `with_details()`): each concern with its
        severity and areas, skin type and wishes, flags, the chosen options in order and overrides.
        Never notes or names: `review_changes` of two of these is written to the audit trail."""
        facts = {
            f"concern:{c.condition.slug}": _concern_facts(c.severity, c.areas) for c in self.concerns.all()
        }
        facts.update({name: _plain(getattr(self, name)) for name in REVIEWED_FIELDS})
        facts["flags"] = sorted(f.slug for f in self.flags.all())
        facts.update(_option_facts(self.options.all()))
        return facts

    @transaction.atomic
    def sign_off(self, physician, version: int) -> None:
        """The physician signs off the consultation as it was at `version` (the page they saw).

        Raises Conflict when it has changed since: the physician signs what they saw, or nothing.
        The version does not move (the data did not change), so a counselor's open tab stays valid.
        """
        now = timezone.now()
        updated = Consultation.objects.filter(pk=self.pk, version=version).update(
            reviewed_by=physician, reviewed_at=now, reviewed_version=version
        )
        if not updated:
            raise Conflict
        self.reviewed_by, self.reviewed_at, self.reviewed_version = physician, now, version

    def clear_sign_off(self) -> bool:
        """Withdraw or void the sign-off; True when there was one."""
        cleared = Consultation.objects.filter(pk=self.pk, reviewed_at__isnull=False).update(
            reviewed_by=None, reviewed_at=None, reviewed_version=None
        )
        self.reviewed_by, self.reviewed_at, self.reviewed_version = None, None, None
        return bool(cleared)

    @property
    def option_slugs(self) -> tuple[str, ...]:
        """The treatments chosen for comparison, in their order."""
        return tuple(o.treatment.slug for o in self.options.all())

    def claim_version(self, version: int, *, void_sign_off: bool = False, fields: dict | None = None) -> bool:
        """Atomically move the consultation from `version` to the next; raise Conflict if it moved on.

        Must run inside a transaction: the UPDATE ... WHERE version = N is the compare-and-swap that
        makes two simultaneous saves end with one winner and one conflict, on SQLite and PostgreSQL.

        `fields`: column values written by the same UPDATE (a save is one statement).

        `void_sign_off`: the save changes what a physician's sign-off covers, so the same UPDATE
        clears a sign-off. The row is matched on whether it has one, trying first what this request
        read: one statement in the usual case, and a sign-off made since the read (it keeps the
        version) is still found by the second. Returns True when a sign-off was cleared.
        """
        claim = Consultation.objects.filter(pk=self.pk, version=version)
        fields = fields or {}
        if not void_sign_off:
            if not claim.update(version=F("version") + 1, **fields):
                raise Conflict
            self.version = version + 1
            return False
        read_signed = self.reviewed_version is not None
        for signed in (read_signed, not read_signed):
            changes = {"reviewed_by": None, "reviewed_at": None, "reviewed_version": None} if signed else {}
            claimed = claim.filter(reviewed_version__isnull=not signed)
            if claimed.update(version=F("version") + 1, **changes, **fields):
                break
        else:
            raise Conflict
        self.version = version + 1
        if signed:
            self.reviewed_by, self.reviewed_at, self.reviewed_version = None, None, None
        return signed

    @transaction.atomic(savepoint=False)  # inside the view's transaction: no savepoint of its own
    def save_profile(self, data: dict) -> list[dict]:
        """Save the intake form's cleaned data (fields, concerns, flags) at `data["version"]`.

        Returns what changed when that cleared the physician's sign-off (empty when none was cleared).
        One UPDATE claims the version and writes the fields; concerns and flags are written only
        where they changed (the consultation was read `with_details()`).
        """
        before = self.review_facts()
        after = {
            f"concern:{c.slug}": _concern_facts(severity, areas) for c, severity, areas in data["concerns"]
        }
        after.update({name: _plain(data[name]) for name in REVIEWED_FIELDS})
        after["flags"] = sorted(data["flags"])
        after.update({k: v for k, v in before.items() if k == "options" or k.startswith("override:")})
        changes = review_changes(before, after)
        fields = {name: data[name] for name in PROFILE_FIELDS}
        fields["updated_at"] = timezone.now()
        cleared = self.claim_version(data["version"], void_sign_off=bool(changes), fields=fields)
        for name, value in fields.items():
            setattr(self, name, value)
        conditions = {condition.pk: condition for condition, _severity, _areas in data["concerns"]}
        wanted = {condition.pk: (severity, areas) for condition, severity, areas in data["concerns"]}
        existing = {c.condition_id: c for c in self.concerns.all()}
        if set(existing) - set(wanted):
            Concern.objects.filter(consultation=self).exclude(condition_id__in=wanted).delete()
        concerns = []
        for condition_id, (severity, areas) in wanted.items():
            concern = existing.get(condition_id)
            if concern is None:
                concern = Concern.objects.create(
                    consultation=self, condition=conditions[condition_id], severity=severity, areas=areas
                )
            elif (concern.severity, concern.areas) != (severity, areas):
                concern.severity, concern.areas = severity, areas
                concern.save(update_fields=["severity", "areas"])
            concerns.append(concern)
        flags = list(self.flags.all())
        if set(data["flags"]) != {f.slug for f in flags}:
            flags = list(MedicalFlag.objects.filter(slug__in=data["flags"]))
            self.flags.set(flags)
        # What the rows now hold, exactly as written above: the page drawn next reads them from here.
        _hold(self, "concerns", sorted(concerns, key=lambda c: c.pk))
        _hold(self, "flags", sorted(flags, key=lambda f: (f.sort_order, f.slug)))
        return changes if cleared else []

    @transaction.atomic(savepoint=False)  # inside the view's transaction: no savepoint of its own
    def change_options(
        self, version: int, action: str, treatment: Treatment, override: Override | None = None
    ) -> list[dict]:
        """Add, remove or move a compared option, or record a physician's override on one (`override`
        with "add" or "override": added if missing). Moving counts as a change: the handout lists
        the options in this order, so the physician signs off the order too.

        Returns what changed when that cleared the physician's sign-off (empty when none was
        cleared); raises TooManyOptions or Conflict.
        """
        # As read with the consultation: the version claimed below proves nobody changed them since.
        options = list(self.options.all())
        before = _option_facts(options)
        ids = [o.treatment_id for o in options]
        adding = action in ("add", "override") and treatment.pk not in ids
        if adding and len(options) >= MAX_OPTIONS:
            raise TooManyOptions
        # The new list first (nothing written), so the claim knows whether it voids a sign-off.
        changed: list[ChosenOption] = []
        if adding:
            options.append(ChosenOption(consultation=self, treatment=treatment, position=len(options)))
            changed.append(options[-1])
        if override is not None and action in ("add", "override"):
            option = options[[o.treatment_id for o in options].index(treatment.pk)]
            option.override_reason, option.override_by = override.reason, override.by
            option.override_flags, option.override_at = list(override.flags), timezone.now()
            if all(option is not other for other in changed):  # an added option is saved once
                changed.append(option)
        removed = None
        if treatment.pk in ids and action in ("remove", "up", "down"):
            index = ids.index(treatment.pk)
            if action == "remove":
                removed = options.pop(index)
            else:
                target = index - 1 if action == "up" else index + 1
                if 0 <= target < len(options):
                    options[index], options[target] = options[target], options[index]
        changes = review_changes(before, _option_facts(options))
        cleared = self.claim_version(version, void_sign_off=bool(changes))
        if removed is not None:
            removed.delete()
        moved = []
        for position, option in enumerate(options):
            if option.position != position:
                option.position = position
                if all(option is not other for other in changed):
                    moved.append(option)
        for option in changed:
            option.save()
        ChosenOption.objects.bulk_update(moved, ["position"])
        _hold(self, "options", options)  # what the rows now hold, as written above
        return changes if cleared else []


def _hold(obj: models.Model, name: str, rows: list) -> None:
    """Set what `obj.<name>.all()` returns without a query, as `prefetch_related` would have."""
    cache = getattr(obj, "_prefetched_objects_cache", {})
    cache.pop(name, None)
    queryset = getattr(obj, name).all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    cache[name] = queryset
    obj._prefetched_objects_cache = cache


def _concern_facts(severity: int, areas) -> dict:
    return {"severity": severity, "areas": sorted(areas)}


def _option_facts(options) -> dict:
    """The chosen options in order, and which of them a physician overrode (for which flags)."""
    facts: dict = {"options": [o.treatment.slug for o in options]}
    for o in options:
        if o.override_at is not None:
            facts[f"override:{o.treatment.slug}"] = sorted(o.override_flags)
    return facts


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
    # A physician's override of the absolute contraindications (`override_flags`) that would keep
    # this option out of the comparison and off the patient's paper (design.md §9).
    override_reason = models.TextField(_("medical reason for the override"), blank=True, max_length=1000)
    override_flags = models.JSONField(default=list, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)

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
        return super().update(pdf=b"", snapshot={"anonymised": True, "at": at.isoformat()}, issue_key=None)

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
    # What the document was made from (kind, consultation version, options, language), hashed: issuing
    # the same again returns this document, and the constraint holds under simultaneous posts.
    # Empty for documents issued before the key existed and for anonymised ones.
    issue_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # Not a column: set by consult.documents.pipeline.issue when it returns a document issued earlier.
    existing = False

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "issue_key"], name="document_issued_once"),
        ]
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


from consult.audit_models import AuditEvent, AuditQuerySet  # noqa: E402,F401  (the audit trail)
from consult.plan_models import Consent, PlannedTreatment, TreatmentPlan  # noqa: E402,F401  (the plan's models)
