"""The audit trail: who handled which record, when and from where (MHLW guideline on medical
information systems). Never log patient names, notes or chart numbers in `detail`."""

from __future__ import annotations

from django.http import HttpRequest

from clinic.lib.security import CONTROL_CHARACTERS
from consult.models import AuditEvent, Consultation


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


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
