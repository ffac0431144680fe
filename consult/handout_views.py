"""Issue a handout for a consultation, and download an issued one (design.md §7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consult.audit import record
from consult.handout import issue_handout
from consult.models import Handout
from consult.views import _get_consultation_for_user, _require


def _handouts(consultation):
    return consultation.handouts.select_related("issued_by").defer("pdf", "snapshot")


@login_required
@require_POST
def issue(request: HttpRequest, public_id) -> HttpResponse:
    _require(request, "consult.change_consultation")
    consultation = _get_consultation_for_user(request, public_id)
    handout = issue_handout(consultation, request.user)
    record(
        request,
        "issue-handout",
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
    _require(request, "consult.view_consultation")
    consultation = _get_consultation_for_user(request, public_id)
    try:
        handout = consultation.handouts.get(public_id=handout_id)
    except Handout.DoesNotExist:
        raise Http404 from None
    record(request, "download-handout", consultation=consultation, obj=handout)
    issued = timezone.localtime(handout.issued_at)
    filename = f"handout-{issued:%Y-%m-%d}-{handout.public_id.hex[:8]}.pdf"
    response = HttpResponse(bytes(handout.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
