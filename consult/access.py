"""Who may do what to which consultation: the one way every view loads one.

Like healthchecks' `_get_rw_check_for_user`: a consultation outside the user's clinics is a 404 (its
existence is not revealed); a role that does not grant the action at the consultation's clinic is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from consult.models import Consultation


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typed, as in django-htmx's example)."""

    htmx: HtmxDetails


def require(request: HttpRequest, perm: str, consultation: Consultation | None = None) -> None:
    """403 unless the user's role grants `perm` (at the consultation's clinic, when one is given)."""
    if not request.user.has_perm(perm, consultation):
        raise PermissionDenied


def consultation_for(request: HttpRequest, public_id, perm: str) -> Consultation:
    """The consultation with what the workspace and documents read, if the role the user holds at
    its clinic grants `perm`; 404 outside the user's clinics, 403 when the role does not grant it."""
    require(request, perm)
    try:
        consultation = (
            Consultation.objects.for_user(request.user).distinct().with_details().get(public_id=public_id)
        )
    except Consultation.DoesNotExist:
        raise Http404 from None
    require(request, perm, consultation)
    return consultation
