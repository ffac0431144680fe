from __future__ import annotations

import logging
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Clinic, Condition, Indication, Treatment
from catalog.roles import has_clinic_perm
from consult.access import HtmxHttpRequest, consultation_for, refuse, require
from consult.audit import record
from consult.documents import KINDS
from consult.documents.pipeline import prepare
from consult.facts import catalog_facts, catalog_revision, catalog_rows
from consult.forms import SEVERITY_OTHER, SEVERITY_SCAR, NewConsultationForm, OptionForm, WorkspaceForm
from consult.models import (
    FACE_AREAS,
    MAX_OPTIONS,
    PROFILE_FIELDS,
    AuditEvent,
    Conflict,
    Consultation,
    Override,
    TooManyOptions,
)
from consult.safety import absolute_contraindications, uncovered
from consult.workspace import analyse, condition_groups

log = logging.getLogger(__name__)

SCAR_ROOT = "acne-scar"

VIEW, CHANGE = "consult.view_consultation", "consult.change_consultation"
REVIEW = "consult.review_consultation"  # the physician's: sign off, withdraw, override
REVIEW_FILTERS = ("signed", "unsigned")


@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    # A catalog editor (no role at a clinic) works in the admin, not on consultations.
    if request.user.is_staff and not request.user.has_perm(VIEW):
        return redirect("admin:index")
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
    review = request.GET.get("review", "")
    if review == "signed":
        consultations = consultations.signed_off()
    elif review == "unsigned":
        consultations = consultations.not_signed_off()
    else:
        review = ""
    page = Paginator(consultations.select_related("reviewed_by"), 25).get_page(request.GET.get("page"))
    # Who looked at the list, never what was searched for (a search can be a chart number).
    record(
        request,
        AuditEvent.Action.LIST,
        detail={"page": page.number, "filtered": bool(query or day or review)},
    )
    return render(
        request,
        "consult/list.html",
        {
            "page": page,
            "query": query,
            "day": day_raw if day else "",
            "review": review,
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
        refuse(request, 403, "role", permission="consult.add_consultation")
    form = NewConsultationForm(request.POST or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the consultation and its audit row, or neither
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
    analysis = analyse(
        consultation, get_language(), timezone.localdate(), show_all=show_all, revision=_revision(request)
    )
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
        "can_review": request.user.has_perm(REVIEW, consultation),
        "strength_labels": dict(Indication.Strength.choices),
        "show_all": show_all,
        # Every intake field's message ("" for none), shown next to the field; a save clears the old ones.
        "field_errors": {
            name: " ".join(form.errors.get(name, [])) if form else "" for name in PROFILE_FIELDS
        },
        **extra,
    }


def _page_context(
    request: HtmxHttpRequest, consultation: Consultation, form: WorkspaceForm | None = None, **extra
) -> dict:
    """The whole workspace page: the results plus the intake form, face maps and issued handouts."""
    rows = catalog_rows(consultation.clinic, _revision(request))
    conditions, flags = rows.conditions, rows.flags
    return {
        **_workspace_context(request, consultation, form=form, **extra),
        "form": form or _initial_form(consultation, conditions, flags),
        "groups": condition_groups(conditions),
        "flags": flags,
        "flag_answers": {f.slug for f in consultation.flags.all()},
        "face_areas": FACE_AREAS,
        "severity_scar": SEVERITY_SCAR,
        "severity_other": SEVERITY_OTHER,
        "scar_slugs": _scar_slugs(conditions),
        "documents": consultation.documents.filter(kind="handout").listed(),
    }


def _revision(request: HtmxHttpRequest) -> tuple:
    """The catalog's revision, read once per request: the engine's facts and the catalog rows the
    page shows are cached per process under it (consult/facts.py)."""
    if not hasattr(request, "_catalog_revision"):
        request._catalog_revision = catalog_revision()
    return request._catalog_revision


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
    _render_ahead(request, consultation, request.user)
    return render(request, "consult/workspace.html", _page_context(request, consultation))


def _render_ahead(request: HtmxHttpRequest, consultation: Consultation, issuer) -> None:
    """A signed-off comparison is stable: start rendering its handout for `issuer`, so that "Print
    handout" stores bytes already made (issue 13; a no-op before the sign-off, when something is
    prepared or issued already, or when the user cannot issue)."""
    handout = KINDS["handout"]
    if consultation.is_signed_off and request.user.has_perm(handout.issue_perm, consultation):
        prepare(handout, consultation, issuer)


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
    rows = catalog_rows(consultation.clinic, _revision(request))
    form = WorkspaceForm(request.POST, conditions=rows.conditions, flags=rows.flags)
    valid = form.is_valid()
    # The workspace posts its whole form (keep_valid=1): then the fields in error are marked and not
    # saved, and every other change is (nothing typed is dropped). Any other post is all or nothing,
    # since a field it left out would be saved as empty.
    keep_valid = request.POST.get("keep_valid") == "1"
    data = form.cleaned_data if valid else form.savable_data(consultation) if keep_valid else None
    if data is None:
        return _respond(
            request, consultation, status=422, form=form, save_error=_("Not saved: check the marked fields.")
        )
    language = consultation.handout_language
    try:
        # The change and its audit rows commit together: a failed audit insert saves nothing.
        with transaction.atomic():
            cleared = consultation.save_profile(data)
            record(
                request,
                AuditEvent.Action.CHANGE,
                consultation=consultation,
                obj=consultation,
                detail={"section": "profile", "version": consultation.version},
            )
            _record_cleared(request, consultation, cleared)
    except Conflict:
        return _conflict(request, public_id)
    except DatabaseError:
        return _database_error(request, consultation)
    if not valid:
        return _respond(
            request,
            consultation,
            status=422,
            form=form,
            save_error=_(
                "The other changes were saved; the marked fields were not. Correct them to save them."
            ),
        )
    if consultation.handout_language != language:  # the sign-off holds: prepare the other language
        _render_ahead(request, consultation, request.user)
    return _respond(request, consultation, saved=True)


def _record_cleared(request: HtmxHttpRequest, consultation: Consultation, changes: list[dict]) -> None:
    """A change voided the physician's sign-off: audited with what changed (fields, old → new)."""
    if changes:
        record(
            request,
            AuditEvent.Action.REVIEW_CLEARED,
            consultation=consultation,
            obj=consultation,
            detail={"reason": "changed", "version": consultation.version, "changes": changes},
        )


@login_required
@require_POST
def workspace_option(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, CHANGE)
    form = OptionForm(request.POST)
    action = form.cleaned_data["action"] if form.is_valid() else None
    if action == "override":
        require(request, REVIEW, consultation)  # only a physician overrides a contraindication
    treatment = None
    if form.is_valid():
        # Only an addition needs the clinic to offer the treatment: an option already in the
        # comparison can still be moved or removed after the clinic stops offering it.
        slug = form.cleaned_data["treatment"]
        treatment = next((o.treatment for o in consultation.options.all() if o.treatment.slug == slug), None)
        if action in ("add", "override") and treatment is None:
            treatment = Treatment.objects.offered_by(consultation.clinic).filter(slug=slug).first()
    if treatment is None:
        if form.is_valid() and action not in ("add", "override"):
            message = _("Not saved: that option is no longer in the comparison. Reload the page.")
        else:
            message = _("Not saved: choose a treatment this clinic offers.")
        return _respond(request, consultation, status=422, save_error=message)
    override = None
    if action in ("add", "override"):
        override, message = _contraindication_stop(request, consultation, treatment, form)
        if message:
            # Shown next to the add and override forms, where the counselor or physician acted.
            return _respond(request, consultation, status=422, save_error=message, option_error=True)
    try:
        # The change and its audit rows commit together: a failed audit insert saves nothing.
        with transaction.atomic():
            cleared = consultation.change_options(form.cleaned_data["version"], action, treatment, override)
            _record_option_change(request, consultation, action, treatment, override, cleared)
    except TooManyOptions:
        message = _("Compare at most %(n)d options: remove one first.") % {"n": MAX_OPTIONS}
        return _respond(request, consultation, status=422, save_error=message)
    except Conflict:
        return _conflict(request, public_id)
    except DatabaseError:
        return _database_error(request, consultation)
    return _respond(request, consultation, saved=True)


def _record_option_change(
    request: HtmxHttpRequest,
    consultation: Consultation,
    action: str,
    treatment: Treatment,
    override: Override | None,
    cleared: list[dict],
) -> None:
    record(
        request,
        AuditEvent.Action.CHANGE,
        consultation=consultation,
        obj=consultation,
        detail={"section": "options", "action": action, "treatment": treatment.slug},
    )
    if override is not None:
        # The reason itself stays on the option (it is clinical text); the trail says who, what, when.
        record(
            request,
            AuditEvent.Action.OVERRIDE,
            consultation=consultation,
            obj=consultation,
            detail={"treatment": treatment.slug, "flags": list(override.flags)},
        )
    _record_cleared(request, consultation, cleared)


def _contraindication_stop(
    request: HtmxHttpRequest, consultation: Consultation, treatment: Treatment, form: OptionForm
) -> tuple[Override | None, str]:
    """An absolutely contraindicated treatment stays out of the comparison, unless a physician
    overrides it with a medical reason: (the override to record, or None; a refusal, or "")."""
    facts = catalog_facts(consultation.clinic, get_language(), _revision(request))
    flagged = absolute_contraindications(treatment.slug, consultation.profile(timezone.localdate()), facts)
    chosen = next((o for o in consultation.options.all() if o.treatment_id == treatment.pk), None)
    covered = chosen.override_flags if chosen is not None and chosen.override_at else ()
    flags = " / ".join(f.label for f in flagged)
    reason = form.cleaned_data["reason"]
    if form.cleaned_data["action"] == "override":
        if not flagged:
            return None, _("Not saved: %(treatment)s has no absolute contraindication for this patient.") % {
                "treatment": treatment.name
            }
        if not reason:
            return None, _(
                "Not saved: write the medical reason for overriding the absolute contraindication."
            )
        return Override(reason=reason, by=request.user, flags=tuple(f.flag for f in flagged)), ""
    if uncovered(flagged, covered):
        if request.user.has_perm(REVIEW, consultation):
            message = _(
                "Not added: %(treatment)s is absolutely contraindicated for this patient (%(flags)s). "
                "To compare it anyway, override the contraindication with the medical reason."
            )
        else:
            message = _(
                "Not added: %(treatment)s is absolutely contraindicated for this patient (%(flags)s). "
                "Only a physician can override this, with a recorded medical reason."
            )
        return None, message % {"treatment": treatment.name, "flags": flags}
    return None, ""


def _database_error(request: HtmxHttpRequest, consultation: Consultation) -> HttpResponse:
    log.exception("saving consultation %s failed", consultation.pk)
    return _respond(
        request,
        # Nothing was saved (the transaction rolled back): the page shows the stored version, not
        # the one this request had claimed in memory, so the next save is not a false conflict.
        consultation.reloaded(),
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
    """The physician signs off the consultation at the version on their screen, or withdraws it."""
    consultation = consultation_for(request, public_id, REVIEW)
    url = reverse("consult:workspace", args=[consultation.public_id])
    if request.POST.get("reviewed") == "0":
        with transaction.atomic():  # the withdrawal and its audit row, or neither
            if consultation.clear_sign_off():
                record(
                    request,
                    AuditEvent.Action.REVIEW_CLEARED,
                    consultation=consultation,
                    obj=consultation,
                    detail={"reason": "withdrawn", "version": consultation.version},
                )
        return redirect(url + "#signoff")
    try:
        version = int(request.POST.get("version", ""))
        with transaction.atomic():  # the sign-off and its audit row, or neither
            consultation.sign_off(request.user, version)
            record(
                request,
                AuditEvent.Action.REVIEW,
                consultation=consultation,
                obj=consultation,
                detail={"version": version},
            )
        # Committed: rendered ahead for the consultation's counselor, who prints it with the patient.
        _render_ahead(request, consultation, consultation.counselor or request.user)
    except (ValueError, Conflict):
        messages.error(
            request,
            _(
                "Not signed off: the consultation changed since you opened it. "
                "Check the current version below, then sign off again."
            ),
        )
    return redirect(url + "#signoff")
