"""Log in and out with an audit record of every attempt, and throttling of repeated failures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.lib.security import CONTROL_CHARACTERS
from consult.audit import client_ip, record
from consult.models import AuditEvent


def is_locked_out(username: str, ip: str | None) -> bool:
    """Too many recent failures for this account or this address (within the window only)."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, at__gte=since)
    if (
        username
        and failures.filter(username__iexact=username).count() >= settings.LOGIN_MAX_FAILURES_PER_USER
    ):
        return True
    return bool(ip) and failures.filter(ip_address=ip).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


class LoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = CONTROL_CHARACTERS.sub("", request.POST.get("username", ""))[:150]
        if is_locked_out(username, client_ip(request)):
            record(
                request, AuditEvent.Action.LOGIN_FAILED, username=username, detail={"reason": "locked-out"}
            )
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
        username = self.request.POST.get("username", "")[:150]
        record(
            self.request,
            AuditEvent.Action.LOGIN_FAILED,
            username=username,
            detail={"reason": "bad-credentials"},
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            record(request, AuditEvent.Action.LOGOUT)
        return super().post(request, *args, **kwargs)
