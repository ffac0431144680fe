"""Privacy duties: disclose everything stored about one patient; anonymise old consultations."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Clinic
from consult.models import AuditEvent, ChosenOption, Consent, Consultation, Document, TreatmentPlan

ANONYMISED = "anonymised"


def patient_export(clinic: Clinic, chart_number: str, include_pdfs: bool = False) -> dict:
    consultations = (
        Consultation.objects.filter(clinic=clinic, chart_number=chart_number)
        .select_related("counselor", "reviewed_by")
        .prefetch_related(
            "concerns__condition",
            "flags",
            "options__treatment",
            "options__override_by",
            "documents__issued_by",
            "plan__items__treatment",
        )
        .order_by("created_at")
    )
    return {
        "clinic": clinic.slug,
        "chart_number": chart_number,
        "exported_at": timezone.now().isoformat(),
        "consultations": [_consultation(c, include_pdfs) for c in consultations],
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _consultation(c: Consultation, include_pdfs: bool) -> dict:
    return {
        "id": str(c.public_id),
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "anonymised_at": _iso(c.anonymised_at),
        "review": {
            "reviewed_by": c.reviewed_by.get_username() if c.reviewed_by else None,
            "reviewed_at": _iso(c.reviewed_at),
            "reviewed_version": c.reviewed_version,
        },
        "counselor": c.counselor.get_username(),
        "chart_number": c.chart_number,
        "display_name": c.display_name,
        "age_band": c.age_band,
        "skin_type": c.skin_type,
        "handout_language": c.handout_language,
        "wishes": {
            "max_downtime_days": c.max_downtime_days,
            "budget_yen": c.budget_yen,
            "needles_ok": c.needles_ok,
            "max_pain": c.max_pain,
            "event_date": c.event_date.isoformat() if c.event_date else None,
        },
        "concerns": [
            {"condition": x.condition.slug, "severity": x.severity, "areas": x.areas}
            for x in c.concerns.all()
        ],
        "flags": sorted(f.slug for f in c.flags.all()),
        "notes": c.notes,
        "options_compared": [o.treatment.slug for o in c.options.all()],
        # A physician's override of absolute contraindications, with the recorded medical reason.
        "overrides": [
            {
                "treatment": o.treatment.slug,
                "flags": o.override_flags,
                "reason": o.override_reason,
                "by": o.override_by.get_username() if o.override_by else None,
                "at": _iso(o.override_at),
            }
            for o in c.options.all()
            if o.override_at is not None
        ],
        "documents": [_document(d, include_pdfs) for d in c.documents.all()],
        "plan": _plan(c),
        # Who handled this record, when and from where (the audit events about it).
        "access_log": [
            {
                "at": e.at.isoformat(),
                "user": e.username,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "ip_address": e.ip_address,
                "detail": e.detail,
            }
            for e in AuditEvent.objects.filter(consultation=c).order_by("at", "id")
        ],
    }


def _plan(c: Consultation) -> dict | None:
    """The treatment plan and the contract's facts (the papers themselves are under "documents")."""
    plan = getattr(c, "plan", None)
    if plan is None:
        return None
    return {
        "version": plan.version,
        "contract_day": plan.contract_day.isoformat(),
        "valid_until": plan.valid_until.isoformat(),
        "prepared_by": plan.prepared_by.get_username(),
        "signed_by": plan.signed_by.get_username() if plan.signed_by else None,
        "signed_at": _iso(plan.signed_at),
        "signed_version": plan.signed_version,
        "same_day_reason": plan.same_day_reason,
        "items": [
            {
                "treatment": i.treatment.slug,
                "sessions": i.sessions,
                "interval_weeks": i.interval_weeks,
                "first_session": i.first_session.isoformat(),
            }
            for i in plan.items.all()
        ],
        "contract_document_received": plan.contract_received_on.isoformat()
        if plan.contract_received_on
        else None,
        "electronic_delivery_consent_at": _iso(plan.electronic_delivery_consent_at),
        "cancelled_on": plan.cancelled_on.isoformat() if plan.cancelled_on else None,
        "cancellation": plan.cancel_detail or None,
        "consents": [
            {
                "treatment": x.treatment.slug,
                "text_version": x.text.version,
                "explained_by": x.explained_by.get_username(),
                "explained_at": _iso(x.explained_at),
                "signed_at": _iso(x.signed_at),
                "signature": x.signature,
                "document": str(x.document.public_id) if x.document else None,
                "withdrawn_at": _iso(x.withdrawn_at),
            }
            for x in plan.consents.select_related("treatment", "text", "explained_by", "document").order_by(
                "id"
            )
        ],
    }


def _document(h: Document, include_pdfs: bool) -> dict:
    data = {
        "id": str(h.public_id),
        "kind": h.kind,
        "issued_at": h.issued_at.isoformat(),
        "issued_by": h.issued_by.get_username(),
        "language": h.language,
        "sha256": h.sha256,
        # What the document said, as issued (or the marker left by anonymisation).
        "snapshot": h.snapshot,
    }
    if include_pdfs:
        data["pdf_base64"] = base64.b64encode(bytes(h.pdf)).decode("ascii")
    return data


@transaction.atomic
def anonymise_older_than(days: int, now=None) -> int:
    """Strip identifying and free-text data from consultations created more than `days` ago.

    Concerns, wishes, options and the treatment plan stay (for the clinic's statistics); the chart
    number, display name, notes, the physician's free-text reason for a same-day first session, the
    patient's signature strokes and the issued PDFs (the estimate and the contract documents included) go. Audit events are kept untouched: they reference the consultation's
    id, never its content.
    """
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = Consultation.objects.filter(created_at__lt=cutoff, anonymised_at__isnull=True)
    ids = list(old.values_list("pk", flat=True))
    stamp = timezone.now()
    for pk in ids:
        Consultation.objects.filter(pk=pk).update(
            chart_number=f"{ANONYMISED}-{pk}",
            display_name="",
            notes="",
            anonymised_at=stamp,
            version=F("version") + 1,
        )
    # The override's medical reason is free text, like the notes; who overrode what, and when, stays.
    ChosenOption.objects.filter(consultation_id__in=ids).exclude(override_reason="").update(
        override_reason=""
    )
    # The physician's reason for a same-day first session is free text too.
    TreatmentPlan.objects.filter(consultation_id__in=ids).exclude(same_day_reason="").update(
        same_day_reason=""
    )
    # A handwritten signature identifies the patient: the strokes go, the dates stay.
    Consent.objects.filter(plan__consultation_id__in=ids).update(signature=[])
    # The one sanctioned change to an issued document (DocumentQuerySet.anonymise).
    Document.objects.filter(consultation_id__in=ids).anonymise(stamp)
    return len(ids)
