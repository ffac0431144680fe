"""Presentation mode (issue 16 item 3): the screen turned to the patient, in her handout language.

It follows the handout's gate (docs/safety.md, DocumentKind.needs_sign_off): after the physician's
sign-off of the current version, the signed comparison and timeline; before it, only general
information on the treatments for her concerns, in name order (nothing selected, nothing ranked).
Never scores, medical flags, notes or staff names.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from catalog.models import Condition, Indication, Offering
from consult.access import HtmxHttpRequest, consultation_for
from consult.audit import record
from consult.documents.handout import KIND
from consult.models import AuditEvent, Consultation

VIEW = "consult.view_consultation"


def general_treatments(consultation: Consultation) -> list:
    """The clinic's offered treatments the catalog rates for any of her concerns (or a broader concern
    they belong to), by name: general information, not a selection."""
    by_id = {c.pk: c for c in Condition.objects.all()}
    wanted = set()
    for concern in consultation.concerns.all():
        node = by_id.get(concern.condition_id)
        while node is not None:
            wanted.add(node.pk)
            node = by_id.get(node.parent_id)
    treatment_ids = Indication.objects.filter(
        condition_id__in=wanted, strength__gt=Indication.Strength.NOT_FOR
    ).values("treatment_id")
    offerings = Offering.objects.filter(
        clinic=consultation.clinic, active=True, treatment_id__in=treatment_ids
    ).select_related("treatment")
    return sorted({o.treatment for o in offerings}, key=lambda t: t.name)


@login_required
@require_GET
def present(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, VIEW)
    signed = consultation.is_signed_off
    record(
        request,
        AuditEvent.Action.VIEW,
        consultation=consultation,
        obj=consultation,
        detail={"mode": "present", "signed": signed},
    )
    language = consultation.handout_language
    with translation.override(language):
        context = {"consultation": consultation, "language": language, "signed": signed}
        if signed:
            snapshot = KIND.build(
                consultation, request.user, timezone.now().replace(microsecond=0), uuid.uuid4()
            )
            context |= {"h": snapshot, "t": KIND.wording[language], **KIND.context(snapshot)}
        else:
            context["treatments"] = general_treatments(consultation)
            context["concerns"] = [c.condition.name for c in consultation.concerns.all()]
        response = render(request, "consult/present.html", context)
    response["Cache-Control"] = "no-store"
    return response
