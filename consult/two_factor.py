"""Two-factor sign-in: who needs it, the devices (django-otp), and the gate after the password.

The password logs a user in (Django's session); django-otp's middleware marks the session verified
once a second factor has been checked in it. Until then, a user who has a second factor, or whose
role requires one, reaches only the pages of this flow (`SecondFactorMiddleware`).

Second factors: one authenticator app (TOTP, RFC 6238) and ten single-use recovery codes (django-otp's
static device). Both are verified by django-otp, which also slows repeated failures on a device
(exponential back-off); the log-in lock (consult/auth.py) counts wrong codes like wrong passwords.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import urlencode
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import Membership
from catalog.roles import CATALOG_EDITOR, is_catalog_editor

VERIFY_PATH = "/accounts/two-factor/verify/"
SETUP_PATH = "/accounts/two-factor/setup/"
# What a user may reach between the password and the second factor.
OPEN_BEFORE_SECOND_FACTOR = (VERIFY_PATH, SETUP_PATH, "/accounts/logout/", "/accounts/login/", "/i18n/")
RECOVERY_CODES = 10


def second_factor_required(user: User) -> bool:
    """The clinic's policy (MFA_REQUIRED_FOR): everyone, or the roles listed, held at any clinic."""
    policy = settings.MFA_REQUIRED_FOR
    # Superusers and catalog editors always: what they change reaches every clinic's patients.
    if "all" in policy or user.is_superuser or is_catalog_editor(user):
        return True
    return Membership.objects.filter(user_id=user.pk, role__in=policy).exists()


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app; a user has at most one."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def pending_authenticator(user: User, device_id: int | None) -> TOTPDevice:
    """The authenticator being set up in this session: the same secret on a reload, a new one in
    another session (whose secret then no longer works, so only one person can finish)."""
    device = TOTPDevice.objects.filter(pk=device_id, user_id=user.pk, confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app asks for when typed in by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code (pure Python), inline as a data: URI (CSP allows img data:)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _normalised_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def check_code(user: User, code: str, device: TOTPDevice | None = None) -> tuple[Device | None, str]:
    """Verify a code: six digits against the authenticator (or `device`, one being set up), anything
    else against the recovery codes (each works once). Returns (device, "ok"), (None, "bad-code"),
    or (None, "throttled") while django-otp's back-off refuses to check the device at all."""
    code = _normalised_code(code)
    if device is not None:
        candidates = [device]
    elif code.isdigit() and len(code) == 6:
        candidates = list(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True))
    else:
        candidates = list(StaticDevice.objects.filter(user_id=user.pk, confirmed=True))
    for candidate in candidates:
        allowed, _ = candidate.verify_is_allowed()
        if not allowed:
            return None, "throttled"
        with transaction.atomic():
            locked = type(candidate).objects.select_for_update().get(pk=candidate.pk)
            if locked.verify_token(code):
                return locked, "ok"
    return None, "bad-code"


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh single-use codes; earlier ones stop working. Shown once, never again."""
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


@transaction.atomic
def confirm_authenticator(user: User, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    return new_recovery_codes(user)


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk).count()


@transaction.atomic
def reset(user: User) -> None:
    """Remove every second factor of `user` (the clinic admin's reset): their sessions are no longer
    verified, and they set up a new authenticator at their next sign-in."""
    for model in django_otp.device_classes():
        model.objects.filter(user_id=user.pk).delete()


def _redirect(request: HttpRequest, path: str) -> HttpResponse:
    if request.method == "GET" and not getattr(request, "htmx", False):
        path = f"{path}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        # A full navigation, not the page swapped into a fragment (like HtmxLoginRedirectMiddleware).
        response = HttpResponse(status=204)
        response["HX-Redirect"] = path
        return response
    return HttpResponseRedirect(path)


class SecondFactorMiddleware:
    """A session that passed the password but not the second factor reaches only this flow: the
    code page for a user who has a second factor, set-up for one whose role requires it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_BEFORE_SECOND_FACTOR)
        ):
            has, required = gate_facts(user)
            if has:
                return _redirect(request, VERIFY_PATH)
            if required:
                return _redirect(request, SETUP_PATH)
        return self.get_response(request)


def gate_facts(user: User) -> tuple[bool, bool]:
    """`has_second_factor(user)` and `second_factor_required(user)` in one query: the gate asks
    them on every request of a user without a verified second factor (a counselor, usually)."""
    policy = settings.MFA_REQUIRED_FOR
    facts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            editor=Exists(Group.objects.filter(user=OuterRef("pk"), name=CATALOG_EDITOR)),
            role=Exists(Membership.objects.filter(user_id=OuterRef("pk"), role__in=policy)),
        )
        .values_list("has", "editor", "role")
        .first()
    ) or (False, False, False)
    has, editor, role = facts
    # The rule of second_factor_required (is_catalog_editor: active and in the group).
    required = "all" in policy or user.is_superuser or (user.is_active and editor) or role
    return bool(has), bool(required)
