"""The audit trail: who handled which record, when and from where (MHLW guideline on medical
information systems). Never log patient names, notes or chart numbers in `detail`."""

from __future__ import annotations

import ipaddress
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from clinic.lib.security import CONTROL_CHARACTERS
from consult.models import AuditEvent, Consultation


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's network address, for the audit trail and the per-address lockout.

    Behind the documented proxy (DJANGO_BEHIND_PROXY=1) REMOTE_ADDR is the proxy itself; the client
    is the right-most X-Forwarded-For entry, the one our proxy appended. Entries to its left come
    from the client and can be forged, so they are never used.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _address(forwarded.rsplit(",", 1)[-1]) if forwarded else None
        if address:
            return address
    return _address(request.META.get("REMOTE_ADDR"))


def record(
    request: HttpRequest | None,
    action: str,
    *,
    consultation: Consultation | None = None,
    obj=None,
    clinic=None,
    user=None,
    username: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    user = user or (request.user if request is not None and request.user.is_authenticated else None)
    username = CONTROL_CHARACTERS.sub("", username)[:150]
    return AuditEvent.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        action=action,
        clinic=clinic or (consultation.clinic if consultation else None),
        consultation=consultation,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")) if obj is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        detail=detail or {},
    )


def atomic_writes(view):
    """A view whose changes and their audit rows commit together, or not at all (a failed audit
    insert undoes the change). GET and HEAD only read and open no transaction: SQLite's IMMEDIATE
    mode would take the write lock for them. Views that render a PDF do not use this: they render
    first and open the transaction to store (consult/documents/pipeline.py)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return wrapped
