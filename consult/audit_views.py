"""The clinic admin's view of the audit trail, with filters and a CSV export."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog.models import Clinic, Membership
from catalog.roles import admin_clinics
from consult.access import refuse
from consult.audit import record
from consult.models import AuditEvent

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula (a
# staff account named "=HYPERLINK(...)" or "+1+1"). A leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _admin_clinics(request: HttpRequest) -> list[Clinic]:
    """Clinics where the user holds the clinic-admin role (a role elsewhere gives nothing here);
    every clinic for a superuser (catalog.roles.admin_clinics)."""
    return list(admin_clinics(request.user))


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _events(request: HttpRequest, clinics: list[Clinic]):
    members = Membership.objects.filter(clinic__in=clinics)
    # Events about an account rather than a clinic (log-in, log-out) belong to every clinic the
    # account is a member of; failed and refused log-ins name the account tried by user name only.
    # A change to the shared catalog (no clinic) reaches every clinic's pages and documents, so
    # every clinic admin sees it, whoever made it.
    scope = (
        Q(clinic__in=clinics)
        | Q(clinic__isnull=True, action=AuditEvent.Action.CATALOG_CHANGE)
        | Q(clinic__isnull=True, user_id__in=members.values("user_id"))
        # What the clinic's own staff were refused, wherever (probing another clinic's records).
        | Q(action=AuditEvent.Action.REFUSED, user_id__in=members.values("user_id"))
        | Q(
            clinic__isnull=True,
            user__isnull=True,
            action__in=[AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOGIN_REFUSED],
            username__in=members.values("user__username"),
        )
    )
    if request.user.is_superuser:
        # The whole trail, with what no clinic can be told of: above all the use of a share link whose
        # signature fails (consult/documents/views.py `shared`: its claimed document is not trusted).
        scope = Q()
    events = AuditEvent.objects.filter(scope).select_related("consultation")
    filters = {
        "user": request.GET.get("user", "").strip()[:150],
        "consultation": request.GET.get("consultation", "").strip()[:40],
        "action": request.GET.get("action", ""),
        "from": _parse_date(request.GET.get("from", "")),
        "to": _parse_date(request.GET.get("to", "")),
    }
    if filters["user"]:
        events = events.filter(username__iexact=filters["user"])
    if filters["consultation"]:
        events = events.filter(consultation__public_id__startswith=filters["consultation"].lower())
    if filters["action"] in AuditEvent.Action.values:
        events = events.filter(action=filters["action"])
    else:
        filters["action"] = ""
    if filters["from"]:
        events = events.filter(at__date__gte=filters["from"])
    if filters["to"]:
        events = events.filter(at__date__lte=filters["to"])
    return events, filters


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    clinics = _admin_clinics(request)
    if not clinics:
        refuse(request, 403, "not-a-clinic-admin")
    events, filters = _events(request, clinics)
    if request.GET.get("format") == "csv":
        for clinic in clinics:
            record(
                request,
                AuditEvent.Action.EXPORT,
                clinic=clinic,
                detail={"what": "audit-log", **{k: str(v) for k, v in filters.items() if v}},
            )
        return _csv(events)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "actions": AuditEvent.Action.choices,
            "query": request.GET.urlencode(),
        },
    )


def _csv(events) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    header = ["at", "user", "action", "clinic_id", "consultation", "object_type", "object_id", "ip_address"]

    def rows():
        yield writer.writerow(header)
        for e in events.iterator():
            yield writer.writerow(
                spreadsheet_safe(cell)
                for cell in [
                    timezone.localtime(e.at).isoformat(),
                    e.username,
                    e.action,
                    e.clinic_id or "",
                    e.consultation.public_id if e.consultation else "",
                    e.object_type,
                    e.object_id,
                    e.ip_address or "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate().isoformat()}.csv"'
    return response
