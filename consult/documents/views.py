"""Issue a document of any kind for a consultation, and download an issued one (design.md §11)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consult.access import HtmxHttpRequest, consultation_for, refuse
from consult.audit import record
from consult.documents import KINDS
from consult.documents.pipeline import DocumentKind, Refused
from consult.documents.pipeline import issue as issue_document
from consult.models import Consultation, Document

log = logging.getLogger(__name__)


def _card(
    request: HtmxHttpRequest, kind: DocumentKind, consultation: Consultation, status: int = 200, **extra
):
    context = {
        "consultation": consultation,
        "documents": consultation.documents.filter(kind=kind.name).listed(),
        "can_edit": True,
        **extra,
    }
    return render(request, kind.card_template, context, status=status)


def _message(text: str, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _refused(
    request: HtmxHttpRequest, kind: DocumentKind, document: Document, reason: str, text: str, status: int
) -> HttpResponse:
    """A download that is not served: audited with the reason, answered with a plain message."""
    record(
        request,
        kind.download_action,
        consultation=document.consultation,
        obj=document,
        detail={"kind": kind.name, "served": False, "reason": reason},
    )
    return _message(text, status=status)


@login_required
@require_POST
def issue(request: HtmxHttpRequest, public_id, kind: str) -> HttpResponse:
    document_kind = KINDS[kind]
    consultation = consultation_for(request, public_id, document_kind.issue_perm)
    try:
        # Rendered first, then stored with its audit row in one transaction (the pipeline).
        document = issue_document(document_kind, consultation, request.user, request=request)
    except Refused as exc:
        # A document without the physician's sign-off, or without what the law or safety requires,
        # must not reach a patient: say why.
        if request.htmx:
            return _card(request, document_kind, consultation, status=422, issue_error=exc.problems)
        messages.error(request, _("Not issued: %(problems)s") % {"problems": " ".join(exc.problems)})
        return redirect("consult:workspace", public_id=consultation.public_id)
    if request.htmx:
        return _card(request, document_kind, consultation, issued=document)
    return redirect("consult:workspace", public_id=consultation.public_id)


@login_required
@require_GET
def download(request: HtmxHttpRequest, public_id, document_id, kind: str) -> HttpResponse:
    document_kind = KINDS[kind]
    consultation = consultation_for(request, public_id, "consult.view_consultation")
    try:
        document = consultation.documents.get(public_id=document_id, kind=kind)
    except Document.DoesNotExist:
        refuse(request, 404, "no-such-document", consultation)
    if document.is_anonymised:
        return _refused(
            request,
            document_kind,
            document,
            "anonymised",
            _(
                "This document is no longer available: its content was deleted when the consultation "
                "was anonymised at the end of the retention period. The audit log still shows when it "
                "was issued."
            ),
            status=410,
        )
    if not document.pdf_matches_sha256():
        # The bytes are not the ones issued: never hand a patient an altered document.
        log.error("document %s does not match its stored SHA-256; not served", document.public_id)
        return _refused(
            request,
            document_kind,
            document,
            "sha256-mismatch",
            _(
                "This document was not downloaded: the stored file does not match the fingerprint "
                "(SHA-256) recorded when it was issued. Ask the clinic admin to restore it from a backup."
            ),
            status=409,
        )
    record(
        request, document_kind.download_action, consultation=consultation, obj=document, detail={"kind": kind}
    )
    issued = timezone.localtime(document.issued_at)
    filename = f"{kind}-{issued:%Y-%m-%d}-{document.public_id.hex[:8]}.pdf"
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
