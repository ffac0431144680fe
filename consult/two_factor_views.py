"""The pages of two-factor sign-in: the code after the password, set-up, recovery codes, and the
clinic admin's reset. Every step is audited; wrong codes count towards the log-in lock."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from catalog.roles import admin_clinics, manageable_users
from consult import two_factor
from consult.audit import atomic_writes, client_ip, record
from consult.auth import is_locked_out, name_key
from consult.models import AuditEvent

SETUP_DEVICE_SESSION_KEY = "two_factor_setup_device"


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20, strip=True)


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked(request: HttpRequest, template: str) -> HttpResponse:
    """Refused during a lock: recorded (not counted), and the half-signed-in session ends."""
    record(request, AuditEvent.Action.LOGIN_REFUSED, detail={"reason": "locked-out", "step": "second-factor"})
    logout(request)
    message = _(
        "Too many failed log-in attempts. Wait %(minutes)d minutes and try again, or ask the clinic admin."
    ) % {"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES}
    return render(request, template, {"locked": message}, status=429)


def _wrong_code(request: HttpRequest, form: CodeForm, reason: str) -> int:
    """Record a refused code and explain it on the form; returns the status to answer with."""
    user = request.user
    if reason == "throttled":
        # django-otp did not check the code at all: recorded, but not counted as a failure.
        record(
            request, AuditEvent.Action.LOGIN_REFUSED, detail={"reason": "throttled", "step": "second-factor"}
        )
        form.add_error("code", _("Too many wrong codes in a row. Wait a minute, then enter a new code."))
        return 429
    record(
        request,
        AuditEvent.Action.MFA_FAILED,
        detail={"reason": reason, "name_key": name_key(user.get_username())},
    )
    form.add_error("code", _("That code is not right. Enter the current code from your authenticator app."))
    return 200


@require_http_methods(["GET", "POST"])
@atomic_writes
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_second_factor(user):
        return redirect(f"{two_factor.SETUP_PATH}?{urlencode({'next': _next_url(request)})}")
    template = "registration/two_factor_verify.html"
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if is_locked_out(user.get_username(), client_ip(request)):
            return _locked(request, template)
        if form.is_valid():
            device, outcome = two_factor.check_code(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                kind = "recovery-code" if device.persistent_id.startswith("otp_static") else "authenticator"
                record(request, AuditEvent.Action.MFA_VERIFIED, detail={"device": kind})
                if kind == "recovery-code":
                    left = two_factor.remaining_recovery_codes(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You signed in with a recovery code. %(left)d code is left.",
                            "You signed in with a recovery code. %(left)d codes are left.",
                            left,
                        )
                        % {"left": left},
                    )
                return redirect(_next_url(request))
            status = _wrong_code(request, form, outcome)
            if is_locked_out(user.get_username(), client_ip(request)):
                return _locked(request, template)
    context = {"form": form, "next": _next_url(request), "second_factor_pending": True}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@atomic_writes
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the QR code (or type the secret), confirm with a code, and
    receive the recovery codes, shown this once."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if two_factor.has_second_factor(user):
        # A second authenticator needs the first one: a password alone never adds one.
        return redirect("two_factor" if user.is_verified() else two_factor.VERIFY_PATH)
    template = "registration/two_factor_setup.html"
    device = two_factor.pending_authenticator(user, request.session.get(SETUP_DEVICE_SESSION_KEY))
    request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if is_locked_out(user.get_username(), client_ip(request)):
            return _locked(request, template)
        if form.is_valid():
            verified, outcome = two_factor.check_code(user, form.cleaned_data["code"], device=device)
            if verified is not None:
                codes = two_factor.confirm_authenticator(user, verified)
                del request.session[SETUP_DEVICE_SESSION_KEY]
                otp_login(request, verified)
                record(request, AuditEvent.Action.MFA_ENROLLED, detail={"device": "authenticator"})
                return _show_codes(request, codes, _next_url(request))
            status = _wrong_code(request, form, outcome)
            if is_locked_out(user.get_username(), client_ip(request)):
                return _locked(request, template)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_for_display(device),
        "required": two_factor.second_factor_required(user),
        "second_factor_pending": True,
    }
    return render(request, template, context, status=status)


def _show_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    # Rendered in the answer to the POST that made them and stored nowhere else in clear: a reload
    # or the back button cannot show them again.
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": next_url})


@login_required
@require_POST
@atomic_writes
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a user signed in with two factors."""
    if not two_factor.has_second_factor(request.user):
        return redirect(two_factor.SETUP_PATH)
    codes = two_factor.new_recovery_codes(request.user)
    record(request, AuditEvent.Action.MFA_ENROLLED, detail={"device": "recovery-codes"})
    return _show_codes(request, codes, reverse("two_factor"))


def _staff_with_status(request: HttpRequest) -> list[dict]:
    staff = manageable_users(request.user).exclude(pk=request.user.pk).order_by("username")
    return [
        {
            "user": member,
            "has_second_factor": two_factor.has_second_factor(member),
            "required": two_factor.second_factor_required(member),
        }
        for member in staff
    ]


@login_required
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    """One's own second factor; for a clinic admin, also the staff's, with a reset for each."""
    user = request.user
    is_admin = admin_clinics(user).exists()
    return render(
        request,
        "registration/two_factor.html",
        {
            "has_second_factor": two_factor.has_second_factor(user),
            "required": two_factor.second_factor_required(user),
            "recovery_codes_left": two_factor.remaining_recovery_codes(user),
            "staff": _staff_with_status(request) if is_admin else None,
        },
    )


@login_required
@require_POST
@atomic_writes
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """A clinic admin removes a staff member's second factor (a lost phone): they set up a new one
    at their next sign-in. Only for accounts the admin manages, and only by an admin who signed in
    with two factors themselves."""
    admin = request.user
    if not admin_clinics(admin).exists():
        return HttpResponseForbidden()
    if not admin.is_verified():
        return HttpResponseForbidden(_("Set up two-factor sign-in for your own account first."))
    member = get_object_or_404(manageable_users(admin), pk=user_id)
    if member.pk == admin.pk:
        raise Http404
    two_factor.reset(member)
    record(
        request,
        AuditEvent.Action.MFA_RESET,
        obj=member,
        detail={"account": member.get_username()},
    )
    messages.success(
        request,
        _("Two-factor sign-in of %(name)s was reset. They set up a new authenticator at their next sign-in.")
        % {"name": member.get_username()},
    )
    return redirect("two_factor")
