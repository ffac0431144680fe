"""Issue a handout for a consultation, and download an issued one (design.md §7)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consult.audit import record
from consult.handout import MissingDisclosure, issue_handout
from consult.models import AuditEvent, Consultation, Handout
from consult.views import _get_consultation_for_user, _require

log = logging.getLogger(__name__)


def _handouts(consultation):
    return consultation.handouts.select_related("issued_by").defer("pdf", "snapshot")


def _consultation_for(request: HttpRequest, public_id, perm: str) -> Consultation:
    """The consultation (404 outside the user's clinics), if the role held at its clinic grants `perm`."""
    _require(request, perm)
    consultation = _get_consultation_for_user(request, public_id)
    _require(request, perm, consultation)
    return consultation


def _message(text: str, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _refused(request: HttpRequest, handout: Handout, reason: str, text: str, status: int) -> HttpResponse:
    """A download that is not served: audited with the reason, answered with a plain message."""
    record(
        request,
        AuditEvent.Action.DOWNLOAD_HANDOUT,
        consultation=handout.consultation,
        obj=handout,
        detail={"served": False, "reason": reason},
    )
    return _message(text, status=status)


@login_required
@require_POST
def issue(request: HttpRequest, public_id) -> HttpResponse:
    consultation = _consultation_for(request, public_id, "consult.change_consultation")
    try:
        handout = issue_handout(consultation, request.user)
    except MissingDisclosure as exc:
        # A handout without a required disclosure must not reach a patient: say what is missing.
        context = {
            "consultation": consultation,
            "handouts": _handouts(consultation),
            "can_edit": True,
            "issue_error": exc.problems,
        }
        if request.htmx:
            return render(request, "consult/_handouts.html", context, status=422)
        messages.error(
            request,
            _(
                "Not issued: required information is missing from the catalog (%(gaps)s). Ask the clinic admin."
            )
            % {"gaps": "; ".join(exc.problems)},
        )
        return redirect("consult:workspace", public_id=consultation.public_id)
    record(
        request,
        AuditEvent.Action.ISSUE_HANDOUT,
        consultation=consultation,
        obj=handout,
        detail={"language": handout.language, "sha256": handout.sha256},
    )
    if request.htmx:
        context = {
            "consultation": consultation,
            "handouts": _handouts(consultation),
            "can_edit": True,
            "issued": handout,
        }
        return render(request, "consult/_handouts.html", context)
    return redirect("consult:workspace", public_id=consultation.public_id)


@login_required
@require_GET
def download(request: HttpRequest, public_id, handout_id) -> HttpResponse:
    consultation = _consultation_for(request, public_id, "consult.view_consultation")
    try:
        handout = consultation.handouts.get(public_id=handout_id)
    except Handout.DoesNotExist:
        raise Http404 from None
    if handout.is_anonymised:
        return _refused(
            request,
            handout,
            "anonymised",
            _(
                "This handout is no longer available: its content was deleted when the consultation "
                "was anonymised at the end of the retention period. The audit log still shows when it "
                "was issued."
            ),
            status=410,
        )
    if not handout.pdf_matches_sha256():
        # The bytes are not the ones issued: never hand a patient an altered document.
        log.error("handout %s does not match its stored SHA-256; not served", handout.public_id)
        return _refused(
            request,
            handout,
            "sha256-mismatch",
            _(
                "This handout was not downloaded: the stored file does not match the fingerprint "
                "(SHA-256) recorded when it was issued. Ask the clinic admin to restore it from a backup."
            ),
            status=409,
        )
    record(request, AuditEvent.Action.DOWNLOAD_HANDOUT, consultation=consultation, obj=handout)
    issued = timezone.localtime(handout.issued_at)
    filename = f"handout-{issued:%Y-%m-%d}-{handout.public_id.hex[:8]}.pdf"
    response = HttpResponse(bytes(handout.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
