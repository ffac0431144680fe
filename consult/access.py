"""Who may do what to which consultation: the one way every view loads one.

Like healthchecks' `_get_rw_check_for_user`: a consultation outside the user's clinics is a 404 (its
existence is not revealed); a role that does not grant the action at the consultation's clinic is a 403.

Every refusal here (and the document and audit views' own, through `refuse`) is recorded in the audit
trail as `refused`, so probing is seen by the clinic admin; see `record_refusal` for the bound.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from consult.audit import client_ip, record
from consult.auth import remember_role
from consult.models import AuditEvent, Consultation


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typed, as in django-htmx's example)."""

    htmx: HtmxDetails


def record_refusal(
    request: HttpRequest, status: int, reason: str, consultation: Consultation | None = None, **detail
) -> None:
    """Audit a 403 or 404: status, path (never the query string, which can hold a chart number) and
    reason; the consultation asked for, when it exists, so its clinic's admin sees the attempt.

    At most REFUSALS_AUDITED_PER_WINDOW rows per user and address in REFUSALS_WINDOW_MINUTES, counted
    in the audit table itself: every worker process and every restart sees the same count (a
    per-process cache would not), and the check is the same indexed query as the log-in lock. The
    last row recorded in a window says that further refusals were not.
    """
    user = request.user if request.user.is_authenticated else None
    address = client_ip(request)
    since = timezone.now() - timedelta(minutes=settings.REFUSALS_WINDOW_MINUTES)
    recorded = AuditEvent.objects.filter(
        action=AuditEvent.Action.REFUSED, user=user, ip_address=address, at__gte=since
    ).count()
    limit = settings.REFUSALS_AUDITED_PER_WINDOW
    if recorded >= limit:
        return
    detail = {"status": status, "path": request.path[:200], "reason": reason, **detail}
    if recorded == limit - 1:
        detail["further_refusals"] = "not recorded in this window"
    record(request, AuditEvent.Action.REFUSED, consultation=consultation, detail=detail)


def refuse(
    request: HttpRequest, status: int, reason: str, consultation: Consultation | None = None, **detail
) -> NoReturn:
    """Record the refusal, then answer 403 or 404 (raised: Django renders the page, and the log
    configuration keeps the line without a traceback, clinic/lib/security.py ExpectedRefusals)."""
    record_refusal(request, status, reason, consultation, **detail)
    raise PermissionDenied if status == 403 else Http404


def require(request: HttpRequest, perm: str, consultation: Consultation | None = None) -> None:
    """403 unless the user's role grants `perm` (at the consultation's clinic, when one is given)."""
    if not request.user.has_perm(perm, consultation):
        refuse(request, 403, "role", consultation, permission=perm)


def _asked(public_id) -> Consultation | None:
    """The consultation a refused request named, if it exists (for the audit row only)."""
    return Consultation.objects.filter(public_id=public_id).only("pk", "clinic_id").first()


def consultation_for(request: HttpRequest, public_id, perm: str) -> Consultation:
    """The consultation with what the workspace and documents read, if the role the user holds at
    its clinic grants `perm`; 404 outside the user's clinics, 403 when the role does not grant it.

    The role is read with the consultation (one query) and remembered for the request's other
    checks (consult.auth.ClinicRoleBackend). A user whose roles grant `perm` nowhere is answered 403,
    as before; that check runs only when the consultation is not among the user's clinics' (when it
    is, the role at its clinic decides, and a role that grants `perm` there grants it somewhere).
    """
    try:
        consultation = (
            Consultation.objects.for_user(request.user)
            .distinct()
            .with_details()
            .with_role_of(request.user)
            .get(public_id=public_id)
        )
    except Consultation.DoesNotExist:
        asked = _asked(public_id)
        if not request.user.has_perm(perm):  # no role anywhere grants it
            refuse(request, 403, "role", asked, permission=perm)
        # Recorded against the consultation asked for, if there is one: its clinic's admin sees
        # who looked for it from elsewhere. The answer is the same 404 either way.
        refuse(request, 404, "outside-your-clinics" if asked else "no-such-consultation", asked)
    remember_role(request.user, consultation.clinic_id, consultation.viewer_role)
    require(request, perm, consultation)
    return consultation
