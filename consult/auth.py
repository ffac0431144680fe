"""Log in and out with an audit record of every attempt, and throttling of repeated failures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.lib.security import CONTROL_CHARACTERS
from consult.audit import client_ip, record
from consult.models import AuditEvent


def is_locked_out(username: str, ip: str | None) -> bool:
    """Too many recent failures for this account or this address (within the window only).

    Only real failures count. Attempts refused during a lock are recorded as `login-refused` and
    do not count, so an attacker who keeps trying cannot keep the window sliding: the lock ends one
    window after the last failure that was actually checked against the password.
    """
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, at__gte=since)
    if username and failures.filter(username=username).count() >= settings.LOGIN_MAX_FAILURES_PER_USER:
        return True
    return bool(ip) and failures.filter(ip_address=ip).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


def _tried_account(request: HttpRequest):
    """The account whose user name was typed, if one exists (user names match exactly, as in log-in)."""
    username = CONTROL_CHARACTERS.sub("", request.POST.get("username", ""))[:150]
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


def _record_attempt(request: HttpRequest, action: str, reason: str) -> None:
    """A failed or refused attempt, attributed to the account tried so its clinic admin sees it.

    The user name is stored only when it names an existing account: people sometimes type their
    password into the name field, and that must not land in the log. The password never does.
    The event stays without a user (nobody was authenticated); with a single clinic it carries that
    clinic, and the audit log shows it to the admins of each of the account's clinics.
    """
    account = _tried_account(request)
    clinics = list(account.clinics.all()[:2]) if account is not None else []
    record(
        request,
        action,
        username=account.get_username() if account is not None else "",
        clinic=clinics[0] if len(clinics) == 1 else None,
        detail={"reason": reason},
    )


class LoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = CONTROL_CHARACTERS.sub("", request.POST.get("username", ""))[:150]
        if is_locked_out(username, client_ip(request)):
            _record_attempt(request, AuditEvent.Action.LOGIN_REFUSED, "locked-out")
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Too many failed log-in attempts. Wait %(minutes)d minutes and try again, or ask the clinic admin."
                )
                % {"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request, AuditEvent.Action.LOGIN, user=form.get_user())
        return response

    def form_invalid(self, form):
        _record_attempt(self.request, AuditEvent.Action.LOGIN_FAILED, "bad-credentials")
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            record(request, AuditEvent.Action.LOGOUT)
        return super().post(request, *args, **kwargs)
