"""The audit trail's table (MHLW guideline on medical information systems): append-only, written
through `consult.audit.record`. Kept beside consult/models.py, which imports it, like the plan's models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Clinic
from consult.models import Consultation


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
        # The physician's sign-off of one version, and its end (withdrawn, or voided by a change:
        # the detail lists the fields with old and new values).
        REVIEW = "review", _("signed off (physician)")
        REVIEW_CLEARED = "review-cleared", _("sign-off cleared")
        OVERRIDE = "override", _("overrode an absolute contraindication")
        # Two-factor sign-in (consult/two_factor.py). A failed second factor counts towards the lock.
        MFA_ENROLLED = "2fa-enrolled", _("set up two-factor sign-in")
        MFA_VERIFIED = "2fa-verified", _("passed the second factor")
        MFA_FAILED = "2fa-failed", _("failed the second factor")
        MFA_RESET = "2fa-reset", _("reset a staff member's two-factor sign-in")
        # A 403 or 404 on a consultation, document or the audit log (consult/access.py); the detail
        # has the status, the path without its query string and the reason, never patient data.
        REFUSED = "refused", _("refused (403/404)")
        # The treatment plan (consult/plan_models.py): changed (the detail says what, and whether a
        # physician's signature was cleared), signed, and the contract's facts.
        PLAN_CHANGE = "plan-change", _("changed the treatment plan")
        PLAN_SIGN = "plan-sign", _("signed the treatment plan (physician)")
        CONTRACT_RECEIVED = "contract-received", _("recorded receipt of the contract document")
        EDELIVERY_CONSENT = "edelivery-consent", _("recorded consent to electronic delivery")
        CANCELLATION = "cancellation", _("recorded a cancellation")
        CONSENT_EXPLAINED = "consent-explained", _("recorded the explanation for a consent")
        CONSENT_SIGNED = "consent-signed", _("recorded a patient's signed consent")
        CONSENT_WITHDRAWN = "consent-withdrawn", _("recorded the withdrawal of a consent")

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
