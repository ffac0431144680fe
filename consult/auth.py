"""Log in and out with an audit record of every attempt, and throttling of repeated failures."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from catalog import roles
from clinic.lib.security import CONTROL_CHARACTERS
from consult import two_factor
from consult.audit import client_ip, record
from consult.models import AuditEvent


def login_name(raw: str) -> str:
    """The user name as the login form sees it: Django's AuthenticationForm strips it and applies
    NFKC (so "counselor ", "counselor\t" and full-width "ｃｏｕｎｓｅｌｏｒ" all sign in as
    `counselor`); control characters go too, as everywhere in the audit trail.

    Locks, attribution and the audit trail all use this name, never the raw POST value: a lock keyed
    on the raw value let a variant of a locked name sign in.
    """
    try:
        name = UsernameField().to_python(raw) or ""
    except ValidationError:
        name = ""
    return CONTROL_CHARACTERS.sub("", name)[:150]


def name_key(name: str) -> str:
    """What failed attempts are counted under: a keyed hash of the normalised name tried.

    Failures for names that are no account are counted like the others, so after the same number
    of failures an unknown name is refused like an existing one (no account enumeration), yet the
    name itself is never stored (it may be a password typed into the wrong field).
    """
    return salted_hmac("consult.auth.login-name", name, algorithm="sha256").hexdigest()[:32]


# Failures that count towards a lock: a wrong password, or a wrong second factor after a right one.
COUNTED_FAILURES = (AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.MFA_FAILED)


def is_locked_out(username: str, ip: str | None) -> bool:
    """Too many recent failures for this name or this address (within the window only).

    `username` is the normalised name (`login_name`). Only real failures count. Attempts refused
    during a lock are recorded as `login-refused` and do not count, so an attacker who keeps trying
    cannot keep the window sliding: the lock ends one window after the last failure that was
    actually checked against the password or the second factor.
    """
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(action__in=COUNTED_FAILURES, at__gte=since)
    if (
        username
        and failures.filter(detail__name_key=name_key(username)).count()
        >= settings.LOGIN_MAX_FAILURES_PER_USER
    ):
        return True
    return bool(ip) and failures.filter(ip_address=ip).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


def _tried_account(request: HttpRequest):
    """The account whose user name was typed, if one exists (the name as the login form reads it)."""
    username = login_name(request.POST.get("username", ""))
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
    detail = {"reason": reason}
    if action in COUNTED_FAILURES:
        detail["name_key"] = name_key(login_name(request.POST.get("username", "")))
    record(
        request,
        action,
        username=account.get_username() if account is not None else "",
        clinic=clinics[0] if len(clinics) == 1 else None,
        detail=detail,
    )


class LoginView(auth_views.LoginView):
    # Django's FormView treats PUT like POST: a PUT here was recorded as a failed log-in. Only a
    # browser's GET and POST are answered; anything else is 405 and leaves no audit row.
    http_method_names = ["get", "post", "head"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_locked_out(login_name(request.POST.get("username", "")), client_ip(request)):
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

    @transaction.atomic  # last_login, the session and the audit row commit together
    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        # The password was right. A second factor, where the user has one or the policy requires
        # one, comes next; until then SecondFactorMiddleware lets the session reach nothing else.
        if two_factor.has_second_factor(user):
            step = two_factor.VERIFY_PATH
        elif two_factor.second_factor_required(user):
            step = two_factor.SETUP_PATH
        else:
            record(self.request, AuditEvent.Action.LOGIN, user=user)
            return response
        record(self.request, AuditEvent.Action.LOGIN, user=user, detail={"second_factor": "pending"})
        return HttpResponseRedirect(f"{step}?{urlencode({'next': self.get_success_url()})}")

    def form_invalid(self, form):
        _record_attempt(self.request, AuditEvent.Action.LOGIN_FAILED, "bad-credentials")
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    @transaction.atomic  # the ended session and its audit row
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            record(request, AuditEvent.Action.LOGOUT)
        response = super().post(request, *args, **kwargs)
        # Tablets are shared: whatever this browser kept for the signed-out user (the workspace's
        # unsaved input after a session expiry, in sessionStorage) goes with the sign-out, from
        # whichever page it was made.
        response["Clear-Site-Data"] = '"storage"'
        return response


class ClinicRoleBackend(roles.ClinicRoleBackend):
    """The role backend, remembering the role held at each clinic on the user object, which lives
    for one request (as Django's ModelBackend keeps its permission cache there).

    A workspace request asks three questions of one consultation (may view or change it, may edit,
    may review): one membership lookup answers them all, and `consultation_for` reads it with the
    consultation itself (`remember_role`), so no lookup is left.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """ModelBackend's answer (the user's and their groups' permissions) in one query, not two:
        every page asks it for the menu."""
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = perms.values_list("content_type__app_label", "codename").order_by().distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in pairs}
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is None:
            return super().has_perm(user_obj, perm)
        clinic_id = roles.clinic_id_of(obj)
        if clinic_id is None or not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        held = _roles_held(user_obj)
        if clinic_id not in held:
            held[clinic_id] = roles.role_at(user_obj, clinic_id)
        return perm in roles.ROLE_PERMISSIONS.get(held[clinic_id], ())


def _roles_held(user) -> dict[int, str | None]:
    if not hasattr(user, "_clinic_roles"):
        user._clinic_roles = {}
    return user._clinic_roles


def remember_role(user, clinic_id: int, role: str | None) -> None:
    """The role `user` holds at the clinic, read in this request with what it opens."""
    _roles_held(user)[clinic_id] = role


class SessionRefreshMiddleware:
    """Pushes an idle session's end on (SESSION_COOKIE_AGE) at most once every
    SESSION_REFRESH_SECONDS, instead of writing the session row on every request.

    The idle time-out stays within that interval of SESSION_COOKIE_AGE after the last request, and a
    busy workspace (an htmx save per change) no longer writes its session row each time.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and not session.modified and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response
