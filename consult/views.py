from __future__ import annotations

import logging
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Clinic, Condition, Indication, MedicalFlag, Treatment
from catalog.roles import has_clinic_perm
from consult.access import HtmxHttpRequest, consultation_for, require
from consult.audit import record
from consult.forms import SEVERITY_OTHER, SEVERITY_SCAR, NewConsultationForm, OptionForm, WorkspaceForm
from consult.models import FACE_AREAS, MAX_OPTIONS, PROFILE_FIELDS, AuditEvent, Conflict, Consultation
from consult.workspace import analyse, condition_groups

log = logging.getLogger(__name__)

SCAR_ROOT = "acne-scar"

VIEW, CHANGE = "consult.view_consultation", "consult.change_consultation"


@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    return redirect("consult:list")


@login_required
@require_GET
def consultation_list(request: HtmxHttpRequest) -> HttpResponse:
    require(request, VIEW)
    consultations = (
        Consultation.objects.for_user(request.user).select_related("counselor", "clinic").distinct()
    )
    query = request.GET.get("q", "").strip()[:40]
    if query:
        consultations = consultations.filter(chart_number__icontains=query)
    day_raw = request.GET.get("date", "")
    day = None
    if day_raw:
        try:
            day = date.fromisoformat(day_raw)
        except ValueError:
            messages.error(request, _("Enter the date as YYYY-MM-DD."))
    if day is not None:
        consultations = consultations.filter(created_at__date=day)
    page = Paginator(consultations, 25).get_page(request.GET.get("page"))
    # Who looked at the list, never what was searched for (a search can be a chart number).
    record(request, AuditEvent.Action.LIST, detail={"page": page.number, "filtered": bool(query or day)})
    return render(
        request,
        "consult/list.html",
        {
            "page": page,
            "query": query,
            "day": day_raw if day else "",
            "can_create": request.user.has_perm("consult.add_consultation"),
        },
    )


@login_required
def consultation_new(request: HtmxHttpRequest) -> HttpResponse:
    require(request, "consult.add_consultation")
    clinics = [
        clinic
        for clinic in Clinic.objects.filter(memberships__user=request.user).distinct()
        if has_clinic_perm(request.user, "consult.add_consultation", clinic)
    ]
    if not clinics:
        raise PermissionDenied
    form = NewConsultationForm(request.POST or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        consultation = Consultation.objects.create(
            clinic=form.clinic(),
            counselor=request.user,
            chart_number=form.cleaned_data["chart_number"],
            display_name=form.cleaned_data["display_name"],
            handout_language=form.cleaned_data["handout_language"],
        )
        record(request, AuditEvent.Action.CREATE, consultation=consultation, obj=consultation)
        return redirect("consult:workspace", public_id=consultation.public_id)
    return render(request, "consult/new.html", {"form": form}, status=400 if form.errors else 200)


def _workspace_context(
    request: HtmxHttpRequest, consultation: Consultation, form: WorkspaceForm | None = None, **extra
) -> dict:
    """What `workspace.html#update` (the htmx answer) needs: the results and the save state."""
    show_all = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    analysis = analyse(consultation, get_language(), timezone.localdate(), show_all=show_all)
    chosen = {c.treatment.slug for c in analysis.columns}
    return {
        "consultation": consultation,
        "form": form,
        "concerns": {c.condition.slug: c for c in consultation.concerns.all()},
        "analysis": analysis,
        "chosen": chosen,
        "can_add_option": len(chosen) < MAX_OPTIONS,
        "max_options": MAX_OPTIONS,
        "can_edit": request.user.has_perm(CHANGE, consultation),
        "strength_labels": dict(Indication.Strength.choices),
        "show_all": show_all,
        **extra,
    }


def _page_context(
    request: HtmxHttpRequest, consultation: Consultation, form: WorkspaceForm | None = None, **extra
) -> dict:
    """The whole workspace page: the results plus the intake form, face maps and issued handouts."""
    conditions = list(Condition.objects.all())
    flags = list(MedicalFlag.objects.all())
    return {
        **_workspace_context(request, consultation, **extra),
        "form": form or _initial_form(consultation, conditions, flags),
        "groups": condition_groups(conditions),
        "flags": flags,
        "flag_answers": {f.slug for f in consultation.flags.all()},
        "face_areas": FACE_AREAS,
        "severity_scar": SEVERITY_SCAR,
        "severity_other": SEVERITY_OTHER,
        "scar_slugs": _scar_slugs(conditions),
        "can_review": request.user.has_perm("consult.review_consultation", consultation),
        "documents": consultation.documents.filter(kind="handout").listed(),
    }


def _scar_slugs(conditions: list[Condition]) -> set[str]:
    """Acne scars and every condition under them take the Goodman & Baron scar scale (design.md §5)."""
    by_id = {c.pk: c for c in conditions}
    slugs = set()
    for condition in conditions:
        node = condition
        while node is not None and node.slug != SCAR_ROOT:
            node = by_id.get(node.parent_id)
        if node is not None:
            slugs.add(condition.slug)
    return slugs


def _initial_form(consultation: Consultation, conditions, flags) -> WorkspaceForm:
    initial = {name: getattr(consultation, name) for name in (*PROFILE_FIELDS, "version")}
    initial["needles_ok"] = "yes" if consultation.needles_ok else "no"  # the form's radio values
    return WorkspaceForm(initial=initial, conditions=conditions, flags=flags)


@login_required
@require_GET
def workspace(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, VIEW)
    record(request, AuditEvent.Action.VIEW, consultation=consultation, obj=consultation)
    return render(request, "consult/workspace.html", _page_context(request, consultation))


def _respond(
    request: HtmxHttpRequest, consultation: Consultation, status: int = 200, **extra
) -> HttpResponse:
    """htmx: the re-rendered results and save state; otherwise the whole page (or a redirect)."""
    if request.htmx:
        context = _workspace_context(request, consultation, **extra)
        return render(request, "consult/workspace.html#update", context, status=status)
    if status == 200:
        url = reverse("consult:workspace", args=[consultation.public_id])
        return redirect(url + "?all=1" if request.POST.get("all") == "1" else url)
    return render(
        request, "consult/workspace.html", _page_context(request, consultation, **extra), status=status
    )


@login_required
@require_POST
def workspace_save(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, CHANGE)
    form = WorkspaceForm(
        request.POST, conditions=list(Condition.objects.all()), flags=list(MedicalFlag.objects.all())
    )
    if not form.is_valid():
        return _respond(
            request, consultation, status=422, form=form, save_error=_("Not saved: check the marked fields.")
        )
    try:
        consultation.save_profile(form.cleaned_data)
    except Conflict:
        return _conflict(request, public_id)
    except DatabaseError:
        return _database_error(request, consultation)
    record(
        request,
        AuditEvent.Action.CHANGE,
        consultation=consultation,
        obj=consultation,
        detail={"section": "profile", "version": consultation.version},
    )
    return _respond(request, consultation.reloaded(), saved=True)


@login_required
@require_POST
def workspace_option(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, CHANGE)
    form = OptionForm(request.POST)
    treatment = None
    if form.is_valid():
        # Only an addition needs the clinic to offer the treatment: an option already in the
        # comparison can still be moved or removed after the clinic stops offering it.
        slug = form.cleaned_data["treatment"]
        if form.cleaned_data["action"] == "add":
            treatment = Treatment.objects.offered_by(consultation.clinic).filter(slug=slug).first()
        else:
            treatment = next(
                (o.treatment for o in consultation.options.all() if o.treatment.slug == slug), None
            )
    if treatment is None:
        if form.is_valid() and form.cleaned_data["action"] != "add":
            message = _("Not saved: that option is no longer in the comparison. Reload the page.")
        else:
            message = _("Not saved: choose a treatment this clinic offers.")
        return _respond(request, consultation, status=422, save_error=message)
    try:
        error = consultation.change_options(
            form.cleaned_data["version"], form.cleaned_data["action"], treatment
        )
    except Conflict:
        return _conflict(request, public_id)
    except DatabaseError:
        return _database_error(request, consultation)
    if error == "too-many":
        message = _("Compare at most %(n)d options: remove one first.") % {"n": MAX_OPTIONS}
        return _respond(request, consultation, status=422, save_error=message)
    record(
        request,
        AuditEvent.Action.CHANGE,
        consultation=consultation,
        obj=consultation,
        detail={"section": "options", "action": form.cleaned_data["action"], "treatment": treatment.slug},
    )
    return _respond(request, consultation.reloaded(), saved=True)


def _database_error(request: HtmxHttpRequest, consultation: Consultation) -> HttpResponse:
    log.exception("saving consultation %s failed", consultation.pk)
    return _respond(
        request,
        consultation,
        status=503,
        save_error=_("Not saved: the database did not respond. Try again."),
    )


def _conflict(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, CHANGE)
    message = _(
        "Not saved: this consultation was changed in another tab or by another user since you opened it. "
        "Reload to see the current version, then make your change again."
    )
    response = _respond(request, consultation, status=409, conflict=message)
    # Keep the counselor's view as it is; only the conflict notice and save state change.
    response["HX-Reswap"] = "none"
    return response


@login_required
@require_POST
def workspace_review(request: HtmxHttpRequest, public_id) -> HttpResponse:
    """A physician marks the consultation as reviewed (or withdraws the mark)."""
    consultation = consultation_for(request, public_id, "consult.review_consultation")
    reviewed = request.POST.get("reviewed") != "0"
    Consultation.objects.filter(pk=consultation.pk).update(
        reviewed_by=request.user if reviewed else None,
        reviewed_at=timezone.now() if reviewed else None,
    )
    record(
        request,
        AuditEvent.Action.CHANGE,
        consultation=consultation,
        obj=consultation,
        detail={"section": "review", "reviewed": reviewed},
    )
    return redirect("consult:workspace", public_id=consultation.public_id)
