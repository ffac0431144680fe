"""Presentation mode (issue 16 item 3): the screen turned to the patient, in her handout language.

It follows the handout's gate (docs/safety.md, DocumentKind.needs_sign_off): after the physician's
sign-off of the current version, the signed comparison and timeline; before it, only general
information on the treatments for her concerns, in name order (nothing selected, nothing ranked),
without those her medical answers rule out.
Never scores, medical flags, notes or staff names.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from catalog.models import Treatment
from consult.access import HtmxHttpRequest, consultation_for
from consult.audit import record
from consult.documents.handout import KIND
from consult.engine import addresses
from consult.facts import catalog_facts
from consult.models import AuditEvent, Consultation
from consult.safety import contraindicated

VIEW = "consult.view_consultation"


def general_treatments(consultation: Consultation, language: str) -> tuple[list[Treatment], bool]:
    """The clinic's offered treatments that address any of her concerns (the engine's rule: the
    nearest rating along the condition's lineage), by name: general information, not a selection.

    A treatment with an absolute contraindication she is flagged for is left out (the engine's one
    rule, consult/safety.py): before the physician has examined her, the screen turned to her names
    no treatment as unsuitable, which would be a medical judgement and would show her flags to
    whoever is looking. The second value says whether any was left out, for a neutral note.
    """
    facts = catalog_facts(consultation.clinic, language)
    profile = consultation.profile(timezone.localdate())
    for_her = {
        t.slug
        for t in facts.treatments
        if t.price is not None and addresses(t, profile.concerns, facts, language)
    }
    unsafe = for_her & contraindicated(profile, facts).keys()
    treatments = Treatment.objects.filter(slug__in=for_her - unsafe)
    return sorted(treatments, key=lambda t: t.name), bool(unsafe)


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
            context["treatments"], context["left_out"] = general_treatments(consultation, language)
            context["concerns"] = [c.condition.name for c in consultation.concerns.all()]
        response = render(request, "consult/present.html", context)
    response["Cache-Control"] = "no-store"
    return response
