"""Issue a document of any kind for a consultation, and download an issued one (design.md §11)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consult.access import HtmxHttpRequest, consultation_for, refuse
from consult.audit import record
from consult.documents import KINDS, links, rendering
from consult.documents.pipeline import DocumentKind, Refused
from consult.documents.pipeline import issue as issue_document
from consult.models import AuditEvent, Consultation, Document

log = logging.getLogger(__name__)

# The kinds whose workspace card shows "preparing…" and polls while the PDF renders.
POLLED_KINDS = {"handout"}
MAX_POLLS = 120  # once a second: two minutes


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
    # The handout's card can show "preparing…" and poll; the other kinds' pages wait for their PDF.
    wait = settings.RENDER_WAIT_SECONDS if document_kind.name in POLLED_KINDS and request.htmx else None
    try:
        # Rendered outside this thread, then stored with its audit row in one transaction (the pipeline).
        document = issue_document(document_kind, consultation, request.user, request=request, wait=wait)
    except rendering.Pending as pending:
        return _card(request, document_kind, consultation, status=202, pending=pending.job.key)
    except Refused as exc:
        # A document without the physician's sign-off, or without what the law or safety requires,
        # must not reach a patient: say why.
        if request.htmx:
            return _card(request, document_kind, consultation, status=422, issue_error=exc.problems)
        messages.error(request, _("Not issued: %(problems)s") % {"problems": " ".join(exc.problems)})
        return redirect("consult:workspace", public_id=consultation.public_id)
    if document.existing:
        # Nothing changed since this document was issued: no second copy, the same one again.
        if request.htmx:
            return _card(request, document_kind, consultation, issued=document, existing=True)
        messages.info(request, _("This comparison was already issued unchanged: no second copy was made."))
        return redirect("consult:workspace", public_id=consultation.public_id)
    if request.htmx:
        return _card(request, document_kind, consultation, issued=document)
    return redirect("consult:workspace", public_id=consultation.public_id)


@login_required
@require_GET
def pending(request: HtmxHttpRequest, public_id, key: str, kind: str) -> HttpResponse:
    """The poll of a card showing "preparing…": the card with the document once it is stored."""
    document_kind = KINDS[kind]
    consultation = consultation_for(request, public_id, document_kind.issue_perm)
    document = consultation.documents.filter(kind=kind, issue_key=key).first()
    if document is not None:
        return _card(request, document_kind, consultation, issued=document)
    problem = rendering.failed(key)
    if problem is not None:
        problems = (
            problem.problems if isinstance(problem, Refused) else [_("The PDF could not be made. Try again.")]
        )
        return _card(request, document_kind, consultation, status=422, issue_error=problems)
    try:
        polls = int(request.GET.get("n", "0"))
    except ValueError:
        polls = 0
    if polls >= MAX_POLLS:
        message = _("The PDF is taking longer than expected. Reload the page to see whether it was issued.")
        return _card(request, document_kind, consultation, status=202, issue_error=[message])
    return _card(request, document_kind, consultation, status=202, pending=key, polls=polls + 1)


def _document(request: HtmxHttpRequest, public_id, document_id, kind: str) -> Document:
    consultation = consultation_for(request, public_id, "consult.view_consultation")
    try:
        return consultation.documents.select_related("consultation__clinic").get(
            public_id=document_id, kind=kind
        )
    except Document.DoesNotExist:
        refuse(request, 404, "no-such-document", consultation)


@login_required
@require_GET
def download(request: HtmxHttpRequest, public_id, document_id, kind: str) -> HttpResponse:
    """The PDF as a file to save (the "Download" link)."""
    return _serve(request, KINDS[kind], _document(request, public_id, document_id, kind), inline=False)


@login_required
@require_GET
def view(request: HtmxHttpRequest, public_id, document_id, kind: str) -> HttpResponse:
    """The PDF opened in the browser's viewer, to read or print."""
    return _serve(request, KINDS[kind], _document(request, public_id, document_id, kind), inline=True)


@login_required
@require_GET
def share(request: HtmxHttpRequest, public_id, document_id, kind: str) -> HttpResponse:
    """A QR code the patient scans to take this one document home: a signed link that expires."""
    document = _document(request, public_id, document_id, kind)
    if document.is_anonymised:
        raise Http404
    token = links.make(document)
    url = request.build_absolute_uri(reverse("consult:shared_document", args=[token]))
    record(
        request,
        AuditEvent.Action.VIEW,
        consultation=document.consultation,
        obj=document,
        detail={"kind": kind, "link": "created", "valid_days": links.valid_days()},
    )
    expires = timezone.localtime(timezone.now() + links.max_age())
    context = {"document": document, "url": url, "qr": links.qr_svg(url), "expires": expires}
    return render(request, "consult/document_share.html", context)


@login_not_required
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code opens, without an account: only the one document the link was signed for,
    until the link expires. Every use is audited, served or not.

    Whose log shows a refused use: a link whose signature holds but whose time is up was made by
    this site for that document, so its row carries the document's consultation and clinic, and that
    clinic's admin sees it. A link whose signature fails proves nothing about the document it names
    (anyone can write an id into a URL): attributing it to that clinic would let a stranger write
    rows into any clinic's log, so its row has no clinic and only a superuser's audit log shows it.
    """
    try:
        document = links.document(token)
    except links.Expired as exc:
        record(
            request,
            KINDS[exc.document.kind].download_action,
            consultation=exc.document.consultation,
            obj=exc.document,
            detail={"kind": exc.document.kind, "served": False, "reason": "link-expired", "via": "link"},
        )
        return _message(
            _("This link has expired. Ask the clinic for a new one, or for the printed copy."), status=410
        )
    except links.Invalid:
        record(
            request, AuditEvent.Action.DOWNLOAD_DOCUMENT, detail={"served": False, "reason": "link-invalid"}
        )
        return _message(_("This link is not valid. Ask the clinic for a new one."), status=404)
    return _serve(request, KINDS[document.kind], document, inline=True, via="link")


def _serve(
    request: HttpRequest, document_kind: DocumentKind, document: Document, *, inline: bool, via: str = ""
) -> HttpResponse:
    kind = document_kind.name
    consultation = document.consultation
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
    detail = {"kind": kind, **({"via": via} if via else {}), **({"inline": True} if inline else {})}
    record(request, document_kind.download_action, consultation=consultation, obj=document, detail=detail)
    issued = timezone.localtime(document.issued_at)
    filename = f"{kind}-{issued:%Y-%m-%d}-{document.public_id.hex[:8]}.pdf"
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
