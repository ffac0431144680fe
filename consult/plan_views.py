"""The treatment plan of a consultation (design.md §9 step 3–4, §10): one page, plain forms.

The counselor (or physician) prepares the items; only a physician signs, and any change clears the
signature (audited). Receipt of the contract document, consent to electronic delivery and a
cancellation are recorded here; the figures come from `consult/plan.py`. Access goes through
`consultation_for`, like every view on a consultation.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Treatment
from consult.access import HtmxHttpRequest, consultation_for
from consult.audit import atomic_writes, record
from consult.documents.consent import KIND as CONSENT_KIND
from consult.documents.pipeline import Refused
from consult.documents.pipeline import issue as issue_document
from consult.models import AuditEvent, Consent, Consultation, PlannedTreatment, TreatmentPlan
from consult.plan_input import PlanError
from consult.plan_models import parse_signature

VIEW, CHANGE, SIGN = "consult.view_consultation", "consult.change_consultation", "consult.sign_treatmentplan"


class ItemForm(forms.Form):
    treatment = forms.ModelChoiceField(
        queryset=Treatment.objects.none(), to_field_name="slug", label=gettext_lazy("Treatment")
    )
    sessions = forms.IntegerField(min_value=1, max_value=100, label=gettext_lazy("Sessions"))
    interval_weeks = forms.IntegerField(
        min_value=1, max_value=104, required=False, label=gettext_lazy("Interval (weeks)")
    )
    first_session = forms.DateField(
        label=gettext_lazy("First session"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment"].queryset = Treatment.objects.offered_by(consultation.clinic).order_by("name")


class DayForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def _url(consultation: Consultation) -> str:
    return reverse("consult:plan", args=[consultation.public_id])


def _plan_or_404(consultation: Consultation) -> TreatmentPlan:
    try:
        return consultation.plan
    except TreatmentPlan.DoesNotExist:
        raise Http404 from None


def _plan_for(request: HtmxHttpRequest, public_id, perm: str) -> tuple[Consultation, TreatmentPlan]:
    """The consultation (404 outside the user's clinics, 403 without `perm`) and its plan (404 if none)."""
    consultation = consultation_for(request, public_id, perm)
    return consultation, _plan_or_404(consultation)


def _audit(request: HtmxHttpRequest, action: str, consultation: Consultation, obj, **detail) -> None:
    """What a plan or consent view did, in the audit trail (about `obj`, of this consultation)."""
    record(request, action, consultation=consultation, obj=obj, detail=detail)


def _day(request: HtmxHttpRequest, plan: TreatmentPlan):
    """The day posted, when it is a date on or after the plan's contract day; else None."""
    form = DayForm(request.POST)
    if form.is_valid() and form.cleaned_data["day"] >= plan.contract_day:
        return form.cleaned_data["day"]
    return None


def _changed(request, consultation: Consultation, plan: TreatmentPlan, what: dict) -> None:
    cleared = plan.changed()
    _audit(
        request,
        AuditEvent.Action.PLAN_CHANGE,
        consultation,
        plan,
        **what,
        version=plan.version,
        signature_cleared=cleared,
    )
    if cleared:
        messages.warning(request, _("The plan changed, so the physician's signature was cleared."))


def plan_context(consultation: Consultation, user) -> dict:
    """What the plan page and the workspace's plan card show."""
    plan = getattr(consultation, "plan", None)  # None until something was added
    result, problem = None, ""
    if plan is not None and plan.items.exists():
        try:
            result = plan.outcome(consultation.handout_language)
        except PlanError as exc:  # e.g. the clinic stopped offering a treatment
            problem = str(exc)
    budget = consultation.budget_yen
    return {
        "consultation": consultation,
        "plan": plan,
        "result": result,
        # each priced item with its stored row (same order: plan.specs() reads plan.items in order)
        "rows": list(zip(result.items, plan.items.all(), strict=True)) if result else [],
        "plan_problem": problem,
        "over_budget": result is not None and budget is not None and result.total_yen > budget,
        # sessions whose downtime is not over by the patient's event day
        "event_clashes": [
            (item.name, day)
            for item in (result.items if result else [])
            for day in (item.downtime_over(consultation.event_date) if consultation.event_date else [])
        ],
        "can_edit": user.has_perm(CHANGE, consultation),
        "can_sign": user.has_perm(SIGN, consultation),
    }


@login_required
@require_GET
def plan_page(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, VIEW)
    context = plan_context(consultation, request.user)
    plan = context["plan"]
    context["item_form"] = ItemForm(
        consultation=consultation,
        # the day after the contract day: a same-day first session is the exception (needs a reason)
        initial={"first_session": (plan.contract_day if plan else timezone.localdate()) + timedelta(days=1)},
    )
    return render(request, "consult/plan.html", context)


@login_required
@require_POST
@atomic_writes
def plan_add(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation = consultation_for(request, public_id, CHANGE)
    form = ItemForm(request.POST, consultation=consultation)
    if not form.is_valid():
        messages.error(
            request,
            _("Not added: %(errors)s") % {"errors": " ".join(m for e in form.errors.values() for m in e)},
        )
        return redirect(_url(consultation))
    plan = TreatmentPlan.start(consultation, request.user)
    treatment = form.cleaned_data["treatment"]
    if plan.items.filter(treatment=treatment).exists():
        messages.error(request, _("%(name)s is already in the plan.") % {"name": treatment.name})
        return redirect(_url(consultation))
    if form.cleaned_data["first_session"] < plan.contract_day:
        messages.error(request, _("The first session cannot be before the contract day."))
        return redirect(_url(consultation))
    PlannedTreatment.objects.create(
        plan=plan,
        treatment=treatment,
        sessions=form.cleaned_data["sessions"],
        interval_weeks=form.cleaned_data["interval_weeks"] or treatment.interval_weeks_min,
        first_session=form.cleaned_data["first_session"],
        position=plan.items.count(),
    )
    _changed(
        request, consultation, plan, {"added": treatment.slug, "sessions": form.cleaned_data["sessions"]}
    )
    return redirect(_url(consultation))


@login_required
@require_POST
@atomic_writes
def plan_remove(request: HtmxHttpRequest, public_id, item_id: int) -> HttpResponse:
    consultation, plan = _plan_for(request, public_id, CHANGE)
    item = plan.items.filter(pk=item_id).select_related("treatment").first()
    if item is None:
        raise Http404
    slug = item.treatment.slug
    item.delete()
    _changed(request, consultation, plan, {"removed": slug})
    return redirect(_url(consultation))


@login_required
@require_POST
@atomic_writes
def plan_sign(request: HtmxHttpRequest, public_id) -> HttpResponse:
    consultation, plan = _plan_for(request, public_id, SIGN)
    if not consultation.is_signed_off:
        messages.error(
            request, _("Sign off the consultation first: the plan follows from the physician's decision.")
        )
        return redirect(_url(consultation))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    reason = request.POST.get("same_day_reason", "").strip()[:2000]
    if plan.same_day_items and not reason:
        messages.error(
            request,
            _(
                "A first session on the contract day (same-day treatment) needs the physician's medical "
                "reason: enter it, or move the first session to a later day."
            ),
        )
        return redirect(_url(consultation))
    if not plan.same_day_items:
        reason = ""
    if not plan.items.exists() or not plan.sign(request.user, version, reason):
        messages.error(
            request, _("Not signed: the plan changed since you opened it. Check it, then sign again.")
        )
        return redirect(_url(consultation))
    # whether a same-day reason was recorded, never its text: the audit trail outlives anonymisation
    _audit(
        request,
        AuditEvent.Action.PLAN_SIGN,
        consultation,
        plan,
        version=version,
        same_day_reason_recorded=bool(reason),
    )
    return redirect(_url(consultation))


@login_required
@require_POST
@atomic_writes
def plan_received(request: HtmxHttpRequest, public_id) -> HttpResponse:
    """The day the patient received the contract document: cooling-off runs 8 days from it."""
    consultation, plan = _plan_for(request, public_id, CHANGE)
    day = _day(request, plan)
    if day is None:
        messages.error(
            request,
            _("Enter the day the patient received the contract document (not before the contract day)."),
        )
        return redirect(_url(consultation))
    if not consultation.documents.filter(kind="scta-contract").exists():
        messages.error(request, _("Issue the contract document first."))
        return redirect(_url(consultation))
    TreatmentPlan.objects.filter(pk=plan.pk).update(contract_received_on=day)
    _audit(request, AuditEvent.Action.CONTRACT_RECEIVED, consultation, plan, received=day.isoformat())
    return redirect(_url(consultation))


@login_required
@require_POST
@atomic_writes
def plan_edelivery(request: HtmxHttpRequest, public_id) -> HttpResponse:
    """The patient's prior consent to receiving the law's documents electronically (since 2023-06-01)."""
    consultation, plan = _plan_for(request, public_id, CHANGE)
    TreatmentPlan.objects.filter(pk=plan.pk).update(electronic_delivery_consent_at=timezone.now())
    _audit(request, AuditEvent.Action.EDELIVERY_CONSENT, consultation, plan)
    return redirect(_url(consultation))


@login_required
@require_POST
@atomic_writes
def plan_cancel(request: HtmxHttpRequest, public_id) -> HttpResponse:
    """Record a cooling-off or a mid-term cancellation, with the fee cap and refund computed."""
    consultation, plan = _plan_for(request, public_id, CHANGE)
    day = _day(request, plan)
    if plan.cancelled_on or day is None:
        messages.error(request, _("Enter the day of the cancellation (not before the contract day)."))
        return redirect(_url(consultation))
    used = {}
    for item in plan.items.select_related("treatment"):
        raw = request.POST.get(f"used-{item.treatment.slug}", "0") or "0"
        if not raw.isdigit() or int(raw) > item.sessions:
            messages.error(request, _("Sessions used must be between 0 and the planned number."))
            return redirect(_url(consultation))
        used[item.treatment.slug] = int(raw)
    cancelled = plan.outcome("ja", day, used).cancellation
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        cancelled_on=day,
        cancel_kind=cancelled.kind,
        cancel_detail={"sessions_used": used, **cancelled.as_dict()},
    )
    _audit(
        request,
        AuditEvent.Action.CANCELLATION,
        consultation,
        plan,
        day=day.isoformat(),
        sessions_used=used,
        **cancelled.as_dict(),
    )
    return redirect(_url(consultation))


def _consent_for(
    request: HtmxHttpRequest, public_id, slug: str, perm: str
) -> tuple[Consultation, TreatmentPlan, PlannedTreatment]:
    """The consultation, its plan and the plan's item for the treatment `slug` (404 if any is missing)."""
    consultation, plan = _plan_for(request, public_id, perm)
    item = plan.items.filter(treatment__slug=slug).select_related("treatment").first()
    if item is None:
        raise Http404
    return consultation, plan, item


def _pending(plan: TreatmentPlan, treatment) -> Consent | None:
    """The consent explained and not yet signed (or withdrawn) for this treatment."""
    return plan.consents.filter(
        treatment=treatment, signed_at__isnull=True, withdrawn_at__isnull=True
    ).first()


@login_required
@require_GET
def consent_page(request: HtmxHttpRequest, public_id, slug: str) -> HttpResponse:
    """The tablet page: the consent text, and the signature pad once the physician has explained it."""
    consultation, plan, item = _consent_for(request, public_id, slug, VIEW)
    text = item.treatment.consent_texts.first()
    return render(
        request,
        "consult/consent.html",
        {
            "consultation": consultation,
            "plan": plan,
            "item": item,
            "text": text,
            "pending": _pending(plan, item.treatment),
            "consents": plan.consents.filter(treatment=item.treatment).select_related("document"),
            "can_edit": request.user.has_perm(CHANGE, consultation),
            "can_sign": request.user.has_perm(SIGN, consultation),
        },
    )


def _consent_url(consultation, slug: str) -> str:
    return reverse("consult:consent", args=[consultation.public_id, slug])


@login_required
@require_POST
@atomic_writes
def consent_explained(request: HtmxHttpRequest, public_id, slug: str) -> HttpResponse:
    """The physician records that they explained the treatment (the patient may then sign)."""
    consultation, plan, item = _consent_for(request, public_id, slug, SIGN)
    text = item.treatment.consent_texts.first()
    if not plan.is_signed or text is None:
        messages.error(
            request, _("The plan must be signed by a physician, and the treatment needs a consent text.")
        )
        return redirect(_consent_url(consultation, slug))
    if _pending(plan, item.treatment) is None:
        consent = Consent.objects.create(
            plan=plan,
            treatment=item.treatment,
            text=text,
            explained_by=request.user,
            explained_at=timezone.now(),
        )
        _audit(
            request,
            AuditEvent.Action.CONSENT_EXPLAINED,
            consultation,
            consent,
            treatment=slug,
            text_version=text.version,
        )
    return redirect(_consent_url(consultation, slug))


@login_required
@require_POST
def consent_sign(request: HtmxHttpRequest, public_id, slug: str) -> HttpResponse:
    """The patient's signature from the tablet: stored as strokes, and the consent issued at once as
    an immutable document."""
    consultation, plan, item = _consent_for(request, public_id, slug, CHANGE)
    consent = _pending(plan, item.treatment)
    strokes = parse_signature(request.POST.get("signature", ""))
    if consent is None or strokes is None or not plan.is_signed:
        messages.error(request, _("Not signed: the physician's explanation and a signature are both needed."))
        return redirect(_consent_url(consultation, slug))
    if item.first_session <= timezone.localdate() and not plan.same_day_reason:
        # Same-day treatment after consent, too, needs the physician's recorded medical reason.
        messages.error(
            request,
            _(
                "The first session is today, the day of this consent: that needs the physician's medical "
                "reason, recorded when signing the plan. Move the first session, or have the physician re-sign "
                "the plan with the reason."
            ),
        )
        return redirect(_consent_url(consultation, slug))
    Consent.objects.filter(pk=consent.pk).update(signature=strokes, signed_at=timezone.now())
    try:
        document = issue_document(CONSENT_KIND, consultation, request.user)
    except Refused as exc:
        Consent.objects.filter(pk=consent.pk).update(signature=[], signed_at=None)
        messages.error(request, _("Not issued: %(problems)s") % {"problems": " ".join(exc.problems)})
        return redirect(_consent_url(consultation, slug))
    Consent.objects.filter(pk=consent.pk).update(document=document)
    _audit(request, AuditEvent.Action.CONSENT_SIGNED, consultation, consent, treatment=slug)
    _audit(
        request,
        AuditEvent.Action.ISSUE_DOCUMENT,
        consultation,
        document,
        kind="consent",
        language=document.language,
        sha256=document.sha256,
    )
    return redirect(_consent_url(consultation, slug))


@login_required
@require_POST
@atomic_writes
def consent_withdraw(request: HtmxHttpRequest, public_id, slug: str) -> HttpResponse:
    consultation, plan, item = _consent_for(request, public_id, slug, CHANGE)
    updated = plan.consents.filter(
        treatment=item.treatment, signed_at__isnull=False, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    if updated:
        _audit(request, AuditEvent.Action.CONSENT_WITHDRAWN, consultation, plan, treatment=slug)
    return redirect(_consent_url(consultation, slug))


urlpatterns = [
    path("consultations/<uuid:public_id>/plan/consents/<slug:slug>/", consent_page, name="consent"),
    path(
        "consultations/<uuid:public_id>/plan/consents/<slug:slug>/explained/",
        consent_explained,
        name="consent_explained",
    ),
    path("consultations/<uuid:public_id>/plan/consents/<slug:slug>/sign/", consent_sign, name="consent_sign"),
    path(
        "consultations/<uuid:public_id>/plan/consents/<slug:slug>/withdraw/",
        consent_withdraw,
        name="consent_withdraw",
    ),
    path("consultations/<uuid:public_id>/plan/", plan_page, name="plan"),
    path("consultations/<uuid:public_id>/plan/items/", plan_add, name="plan_add"),
    path("consultations/<uuid:public_id>/plan/items/<int:item_id>/remove/", plan_remove, name="plan_remove"),
    path("consultations/<uuid:public_id>/plan/sign/", plan_sign, name="plan_sign"),
    path("consultations/<uuid:public_id>/plan/received/", plan_received, name="plan_received"),
    path("consultations/<uuid:public_id>/plan/electronic-delivery/", plan_edelivery, name="plan_edelivery"),
    path("consultations/<uuid:public_id>/plan/cancellation/", plan_cancel, name="plan_cancel"),
]
