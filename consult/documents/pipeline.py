"""The one pipeline every patient document goes through (design.md §11).

snapshot builder (plain, JSON-serialisable data) → template → WeasyPrint (`clinic/lib/pdf.py`) →
an immutable stored `Document` (snapshot, PDF bytes, SHA-256) → audited issue and download.

A kind of document is a `DocumentKind`: its snapshot builder, its wording and its template. The
rendering, storing, refusing and auditing are here and in `consult/documents/views.py`, once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic.lib.pdf import html_to_pdf, static_path, static_prefix
from consult.audit import client_ip, record
from consult.documents import rendering
from consult.models import AuditEvent, Consultation, Document

log = logging.getLogger(__name__)

# build(consultation, issued_by, issued_at, document_id) -> snapshot
SnapshotBuilder = Callable[[Consultation, object, datetime, uuid.UUID], dict]


def _nothing_missing(snapshot: dict) -> list[str]:
    return []


def _no_extra_context(snapshot: dict) -> dict:
    return {}


@dataclass(frozen=True)
class DocumentKind:
    name: str  # the key stored in Document.kind and used in URLs' names ("handout")
    path: str  # the URL segment under a consultation ("handouts")
    template: str
    stylesheet: str  # a static file, parsed once per process by clinic.lib.pdf
    wording: dict[str, dict[str, str]]  # the template's sentences, by language
    build: SnapshotBuilder
    card_template: str  # the workspace card listing issued ones; also the htmx answer to "issue"
    # What keeps a snapshot from being a lawful document, one line per gap (empty: it may be issued).
    problems: Callable[[dict], list[str]] = _nothing_missing
    # Anything the template needs beyond the snapshot and its wording, computed from the snapshot alone.
    context: Callable[[dict], dict] = _no_extra_context
    # Puts a personalised selection of treatments before the patient: issued only at a version of the
    # consultation the physician signed off (MHLW notice 医政発0815第21号, design.md §9).
    needs_sign_off: bool = False
    issue_perm: str = "consult.change_consultation"
    issue_action: str = AuditEvent.Action.ISSUE_DOCUMENT
    download_action: str = AuditEvent.Action.DOWNLOAD_DOCUMENT


class Refused(Exception):
    """The document must not reach a patient as it is; nothing was issued. `problems` says why;
    `sign_off` is True when what is missing is the physician's sign-off of the current version."""

    def __init__(self, problems: list[str], sign_off: bool = False):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.sign_off = sign_off


def sign_off_missing() -> str:
    return _(
        "The physician has not signed off this consultation as it is now. Under MHLW notice "
        "医政発0815第21号 (2025-08-15) the physician, not the counselor, selects the treatment: a "
        "personalised comparison reaches the patient only after the physician's sign-off. Until then, "
        "give the patient only general information (the catalog pages on the treatments for her "
        "concerns, the clinic's price list)."
    )


def document_html(kind: DocumentKind, snapshot: dict, *, inline_css: bool = False) -> str:
    """The document's HTML. The stylesheet is passed to WeasyPrint separately (parsed once per
    process); `inline_css` embeds it instead, for other renderers (the Chromium benchmark)."""
    language = snapshot["language"]
    context = {
        "h": snapshot,
        "t": kind.wording[language],
        **kind.context(snapshot),
        "inline_css": static_path(static_prefix() + kind.stylesheet).read_text(encoding="utf-8")
        if inline_css
        else "",
    }
    with translation.override(language):
        return render_to_string(kind.template, context)


def render(kind: DocumentKind, snapshot: dict, document_id: str) -> bytes:
    """PDF bytes for a snapshot; the same snapshot and id always give the same bytes (no database)."""
    html = document_html(kind, snapshot)
    return html_to_pdf(html, identifier=document_id.replace("-", ""), stylesheets=(kind.stylesheet,))


def issue_key(kind: DocumentKind, consultation: Consultation) -> str:
    """What makes two issues the same document: kind, consultation version, options and language.
    (The version moves with every saved change; the options and language are named for clarity.)"""
    options = [o.treatment.slug for o in consultation.options.all()]
    facts = [kind.name, consultation.version, options, consultation.handout_language]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def issue(
    kind: DocumentKind,
    consultation: Consultation,
    user,
    request=None,
    wait: float | None = None,
    now: datetime | None = None,
) -> Document:
    """Snapshot the consultation (read `with_details()`), render it, and store snapshot, PDF and SHA-256
    together with its audit row (one transaction: no document without its row, and no row without
    its document). The PDF is rendered outside this thread and before the transaction opens
    (consult/documents/rendering.py), so neither the GIL nor a lock is held meanwhile.

    When the PDF was rendered ahead (`prepare`) for this issue key and this user, on the same local
    date as `now` (the click; default: now), and the snapshot built now with the prepared id and time
    is identical to the one rendered (so a catalog, price or offering change since is caught), those
    bytes are stored and nothing is rendered. The document's `issued_at` is then the time printed on
    it, the prepare's; the audit row of the issue keeps the click's time.

    Issuing again what was already issued (same `issue_key`) stores nothing and returns that document,
    with `existing` set True; also when two posts arrive at once (the unique constraint decides).

    Raises Refused, storing nothing, when the kind needs the physician's sign-off and the consultation
    has none for its current version, or when the kind finds a gap the patient's paper must not have.
    Raises rendering.Pending when the render takes longer than `wait` seconds (None: no limit); it is
    then stored when it ends.
    """
    if kind.needs_sign_off and not consultation.is_signed_off:
        raise Refused([sign_off_missing()], sign_off=True)
    key = issue_key(kind, consultation)
    earlier = _issued(consultation, key)
    if earlier is not None:
        return earlier
    now = now or timezone.now()
    document = _issue_prepared(kind, consultation, user, key, now, request, wait)
    if document is not None:
        return document
    issued_at = now.replace(microsecond=0)
    document_id = uuid.uuid4()
    snapshot = kind.build(consultation, user, issued_at, document_id)
    problems = kind.problems(snapshot)
    if problems:
        raise Refused(problems)
    job = _job(kind, consultation, user, key, document_id, issued_at, snapshot, request)
    return rendering.issue(job, wait, request)


def _job(kind, consultation, user, key, document_id, issued_at, snapshot, request) -> rendering.IssueJob:
    return rendering.IssueJob(
        kind=kind.name,
        consultation_id=consultation.pk,
        user_id=user.pk,
        key=key,
        document_id=str(document_id),
        issued_at=issued_at.isoformat(),
        snapshot=snapshot,
        reviewed_at=consultation.reviewed_at.isoformat() if consultation.reviewed_at else None,
        ip_address=client_ip(request) if request is not None else None,
    )


def _issue_prepared(kind, consultation, user, key, now, request, wait) -> Document | None:
    """The document stored from the render made ahead, if that render is still exactly this issue;
    one still in flight for this user is waited for (up to `wait`), not rendered a second time."""
    if not settings.RENDER_AHEAD:
        return None
    timeout = rendering.IN_FLIGHT_SECONDS if wait is None else wait
    prepared = rendering.await_prepared(kind.name, consultation.pk, key, user.pk, timeout)
    if prepared is None or prepared.user_id != user.pk:  # issued_by is printed on it
        return None
    issued_at = datetime.fromisoformat(prepared.issued_at)
    if timezone.localdate(issued_at) != timezone.localdate(now):  # its date is printed too
        return None
    document_id = uuid.UUID(prepared.document_id)
    snapshot = kind.build(consultation, user, issued_at, document_id)
    if rendering.snapshot_digest(snapshot) != prepared.digest or kind.problems(snapshot):
        return None
    job = _job(kind, consultation, user, key, document_id, issued_at, snapshot, request)
    document = store(job, prepared.pdf, request)
    rendering.mark_issued(kind.name, consultation.pk, key)
    return document


def prepare(
    kind: DocumentKind, consultation: Consultation, user, now: datetime | None = None
) -> Future | None:
    """Start rendering `kind` for `consultation` (read `with_details()`) ahead of the click, for `user`
    (who is printed on it as the issuer), when the consultation is signed off for its current version
    and nothing is prepared or issued for its issue key yet; `issue` then stores those bytes.

    Never before the sign-off (a personalised comparison must not exist before it, not even as
    bytes in a cache), at most one in flight per consultation, and never an error: a failed prepare is
    logged and the click renders as it would have. Returns the pool's Future (done when the bytes are
    kept) or None (nothing started, or queued).
    """
    if not (kind.needs_sign_off and consultation.is_signed_off and rendering.ahead_possible()):
        return None
    try:
        key = issue_key(kind, consultation)
        if rendering.known(kind.name, consultation.pk, key):
            return None
        if _issued(consultation, key) is not None:
            rendering.mark_issued(kind.name, consultation.pk, key)
            return None
        if not rendering.claim(consultation.pk, key, user.pk):
            return None
        try:
            issued_at = (now or timezone.now()).replace(microsecond=0)
            document_id = uuid.uuid4()
            snapshot = kind.build(consultation, user, issued_at, document_id)
            if kind.problems(snapshot):  # it would be refused at the click: nothing to prepare
                rendering.release(consultation.pk)
                return None
            return rendering.prepare(
                _job(kind, consultation, user, key, document_id, issued_at, snapshot, None)
            )
        except BaseException:
            rendering.release(consultation.pk)
            raise
    except Exception:
        log.exception("preparing %s of consultation %s failed", kind.name, consultation.pk)
        return None


def store(job: rendering.IssueJob, pdf: bytes, request=None) -> Document:
    """Store the rendered PDF of `job` with its audit row, in one transaction; the document issued
    earlier with the same issue key instead, if there is one (`existing` set True)."""
    from consult.documents import KINDS

    kind = KINDS[job.kind]
    consultation = Consultation.objects.select_related("clinic").get(pk=job.consultation_id)
    user = get_user_model().objects.get(pk=job.user_id)
    issued_at = datetime.fromisoformat(job.issued_at)
    with transaction.atomic():
        # The sign-off this snapshot printed must still hold: a change saved while it rendered voids it.
        if (
            kind.needs_sign_off
            and not Consultation.objects.filter(
                pk=consultation.pk,
                reviewed_at=datetime.fromisoformat(job.reviewed_at) if job.reviewed_at else None,
                reviewed_version__isnull=False,
            ).exists()
        ):
            raise Refused([sign_off_missing()], sign_off=True)
        try:
            with transaction.atomic():  # a savepoint: the constraint's refusal leaves the rest usable
                document = Document.objects.create(
                    public_id=uuid.UUID(job.document_id),
                    consultation=consultation,
                    kind=kind.name,
                    issued_by=user,
                    language=job.snapshot["language"],
                    snapshot=job.snapshot,
                    pdf=pdf,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    issue_key=job.key,
                )
        except IntegrityError:
            earlier = _issued(consultation, job.key)
            if earlier is None:
                raise
            return earlier
        # `issued_at` is auto_now_add; align it with the time printed on the document.
        Document.objects.filter(pk=document.pk).update(issued_at=issued_at)
        document.issued_at = issued_at
        record(
            request or _origin(job),
            kind.issue_action,
            consultation=consultation,
            obj=document,
            user=user,
            detail={"kind": kind.name, "language": document.language, "sha256": document.sha256},
        )
    return document


def _origin(job: rendering.IssueJob) -> HttpRequest | None:
    """Stored after its request ended (a late render, a queue worker): the address the issue came
    from, for the audit row, as the request would have given it."""
    if job.ip_address is None:
        return None
    origin = HttpRequest()
    origin.META["REMOTE_ADDR"] = job.ip_address
    return origin


def _issued(consultation: Consultation, key: str) -> Document | None:
    document = Document.objects.filter(consultation=consultation, issue_key=key).first()
    if document is not None:
        document.existing = True
    return document
