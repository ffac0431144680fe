"""Two-factor sign-in: the policy per role, the code after the password, set-up with recovery codes,
the clinic admin's reset, and the lock that covers wrong codes like wrong passwords."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import Membership
from catalog.roles import add_member
from consult.models import AuditEvent
from tests.conftest import PASSWORD, force_login_password_only, make_user
from tests.test_html_quality import run_vnu

pytestmark = pytest.mark.django_db


def code_for(key: bytes, steps_ahead: int = 0) -> str:
    """The authenticator app's code, `steps_ahead` 30-second steps from now (a code is accepted once;
    the next step's code is accepted too, like a phone whose clock runs a little ahead)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def wrong_code(key: bytes) -> str:
    """Six digits that are none of the codes accepted now (the previous, current and next step's)."""
    accepted = {code_for(key, steps) for steps in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def wait_out_backoff(user: User) -> None:
    """As if the user waited: django-otp refuses to check a device for 2^(n-1) s after n failures."""
    past = timezone.now() - timedelta(hours=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).exclude(throttling_failure_timestamp=None).update(
            throttling_failure_timestamp=past
        )


def login(client, username, password=PASSWORD, ip="10.1.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def enter(client, code, ip="10.1.0.1", path="/accounts/two-factor/verify/", next_url=""):
    return client.post(path, {"code": code, "next": next_url}, REMOTE_ADDR=ip)


@pytest.fixture
def new_physician(demo_clinic) -> User:
    """A physician who has not set up a second factor yet."""
    user = User.objects.create_user("newdoc", password=PASSWORD)
    add_member(user, demo_clinic, Membership.Role.PHYSICIAN)
    return user


def test_a_physician_enters_the_code_after_the_password(client, physician):
    device = TOTPDevice.objects.get(user=physician)
    response = login(client, "physician")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2F"
    # The password alone reaches nothing else.
    blocked = client.get("/consultations/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/two-factor/verify/")
    page = client.get("/accounts/two-factor/verify/?next=/consultations/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()

    assert (
        enter(client, code_for(device.bin_key), next_url="/consultations/")["Location"] == "/consultations/"
    )
    assert client.get("/consultations/").status_code == 200
    assert AuditEvent.objects.get(action="login").detail == {"second_factor": "pending"}
    verified = AuditEvent.objects.get(action="2fa-verified")
    assert verified.user == physician and verified.detail == {"device": "authenticator"}


def test_a_wrong_code_is_refused_audited_and_the_session_stays_unverified(client, physician):
    login(client, "physician")
    response = enter(client, wrong_code(TOTPDevice.objects.get(user=physician).bin_key))
    assert response.status_code == 200
    assert 'id="code-errors" class="error" role="alert"' in response.content.decode()
    failed = AuditEvent.objects.get(action="2fa-failed")
    assert failed.user == physician and failed.detail["reason"] == "bad-code"
    assert client.get("/consultations/").status_code == 302


def test_a_code_cannot_be_used_twice(client, physician):
    device = TOTPDevice.objects.get(user=physician)
    code = code_for(device.bin_key)
    login(client, "physician")
    assert enter(client, code).status_code == 302
    client.post("/accounts/logout/")
    login(client, "physician")
    assert enter(client, code).status_code == 200  # replayed: refused
    assert client.get("/consultations/").status_code == 302


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, physician, settings):
    login(client, "physician")
    wrong = wrong_code(TOTPDevice.objects.get(user=physician).bin_key)
    statuses = []
    for n in range(6):
        wait_out_backoff(physician)
        statuses.append(enter(client, wrong, ip=f"10.1.1.{n}").status_code)
    # Five failures lock the account: the fifth ends the half-signed-in session.
    assert statuses[: settings.LOGIN_MAX_FAILURES_PER_USER - 1] == [200] * 4
    assert statuses[settings.LOGIN_MAX_FAILURES_PER_USER - 1] == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="2fa-failed").count() == settings.LOGIN_MAX_FAILURES_PER_USER
    # The password no longer helps for the rest of the window, whatever the spelling of the name.
    assert login(client, "physician", ip="10.1.2.1").status_code == 429
    assert login(client, "physician ", ip="10.1.2.2").status_code == 429


def test_a_quick_retry_after_a_wrong_code_waits_and_is_not_counted(client, physician):
    device = TOTPDevice.objects.get(user=physician)
    login(client, "physician")
    assert enter(client, wrong_code(device.bin_key)).status_code == 200
    # django-otp's back-off: the device is not even checked for a moment, the right code included.
    retry = enter(client, code_for(device.bin_key))
    assert retry.status_code == 429
    refused = AuditEvent.objects.get(action="login-refused")
    assert refused.detail == {"reason": "throttled", "step": "second-factor"}
    assert AuditEvent.objects.filter(action="2fa-failed").count() == 1
    wait_out_backoff(physician)
    assert enter(client, code_for(device.bin_key)).status_code == 302


def test_recovery_codes_sign_in_once_each(client, new_physician):
    login(client, "newdoc")
    setup = client.get("/accounts/two-factor/setup/").content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', setup).group(1)
    key = base64.b32decode(secret.replace(" ", ""))
    page = enter(client, code_for(key), path="/accounts/two-factor/setup/").content.decode()
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)
    assert len(codes) == 10
    client.post("/accounts/logout/")

    login(client, "newdoc")
    assert enter(client, codes[0].upper().replace("-", " ")).status_code == 302  # typed loosely
    assert client.get("/consultations/").status_code == 200
    assert AuditEvent.objects.get(action="2fa-verified").detail == {"device": "recovery-code"}
    client.post("/accounts/logout/")
    login(client, "newdoc")
    assert enter(client, codes[0]).status_code == 200  # used up
    assert StaticToken.objects.filter(device__user=new_physician).count() == 9


def test_a_physician_without_a_second_factor_sets_one_up_after_the_password(client, new_physician):
    response = login(client, "newdoc")
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/consultations/")["Location"].startswith("/accounts/two-factor/setup/")
    page = client.get("/accounts/two-factor/setup/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    # A reload shows the same secret (the app may already have scanned it).
    assert secret in client.get("/accounts/two-factor/setup/").content.decode()
    key = base64.b32decode(secret.replace(" ", ""))

    assert enter(client, wrong_code(key), path="/accounts/two-factor/setup/").status_code == 200
    assert not TOTPDevice.objects.filter(user=new_physician, confirmed=True).exists()
    wait_out_backoff(new_physician)

    done = enter(client, code_for(key), path="/accounts/two-factor/setup/", next_url="/consultations/")
    body = done.content.decode()
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", body)
    assert done.status_code == 200 and len(codes) == 10
    assert 'href="/consultations/"' in body
    assert client.get("/consultations/").status_code == 200
    assert TOTPDevice.objects.get(user=new_physician).confirmed
    assert AuditEvent.objects.get(action="2fa-enrolled").detail == {"device": "authenticator"}
    # Shown once: neither the overview nor the set-up page shows a code again.
    overview = client.get("/accounts/two-factor/").content.decode()
    assert not any(code in overview for code in codes)
    assert client.get("/accounts/two-factor/setup/")["Location"] == "/accounts/two-factor/"


def test_a_password_alone_never_adds_a_second_authenticator(client, physician):
    force_login_password_only(client, physician)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/verify/"
    assert client.post("/accounts/two-factor/setup/", {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=physician).count() == 1
    assert client.post("/accounts/two-factor/recovery-codes/")["Location"].startswith(
        "/accounts/two-factor/verify/"
    )


def test_counselors_need_no_second_factor_under_the_role_policy(client, counselor):
    assert login(client, "counselor")["Location"] == "/"
    assert client.get("/consultations/").status_code == 200


def test_under_the_all_policy_counselors_set_one_up_too(client, counselor, settings):
    settings.MFA_REQUIRED_FOR = frozenset({"all"})
    assert login(client, "counselor")["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/consultations/")["Location"].startswith("/accounts/two-factor/setup/")


def test_an_htmx_request_before_the_second_factor_navigates_to_the_code_page(client, physician):
    force_login_password_only(client, physician)
    response = client.post("/consultations/new/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/accounts/two-factor/verify/"


def test_the_clinic_admin_resets_a_staff_members_second_factor(client, clinic_admin, physician):
    client.force_login(clinic_admin)
    overview = client.get("/accounts/two-factor/").content.decode()
    assert "physician" in overview and f"/accounts/two-factor/reset/{physician.pk}/" in overview
    response = client.post(f"/accounts/two-factor/reset/{physician.pk}/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=physician).exists()
    event = AuditEvent.objects.get(action="2fa-reset")
    assert event.user == clinic_admin and event.object_id == str(physician.pk)
    assert event.detail == {"account": "physician"}
    # The physician's next sign-in goes to set-up; the reset shows in the clinic's audit log.
    other = type(client)()
    assert login(other, "physician")["Location"].startswith("/accounts/two-factor/setup/")
    log = client.get("/audit/?action=2fa-reset").content.decode()
    assert "<td>clinicadmin</td>" in log


def test_only_an_admin_of_the_staff_members_clinic_may_reset(client, physician, counselor, other_clinic):
    other_admin = make_user("otheradmin", other_clinic, Membership.Role.CLINIC_ADMIN)
    client.force_login(other_admin)
    assert client.post(f"/accounts/two-factor/reset/{physician.pk}/").status_code == 404
    client.force_login(counselor)
    assert client.post(f"/accounts/two-factor/reset/{physician.pk}/").status_code == 403
    assert client.get(f"/accounts/two-factor/reset/{physician.pk}/").status_code == 405
    assert TOTPDevice.objects.filter(user=physician).exists()
    assert not AuditEvent.objects.filter(action="2fa-reset").exists()


def test_an_admin_who_has_not_passed_the_second_factor_cannot_reset(client, clinic_admin, physician):
    force_login_password_only(client, clinic_admin)
    response = client.post(f"/accounts/two-factor/reset/{physician.pk}/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/verify/"
    assert TOTPDevice.objects.filter(user=physician).exists()


def test_new_recovery_codes_replace_the_old_ones_and_are_audited(client, physician):
    client.force_login(physician)
    first = re.findall(
        r"<code>([a-z2-7-]{9})</code>", client.post("/accounts/two-factor/recovery-codes/").content.decode()
    )
    second = re.findall(
        r"<code>([a-z2-7-]{9})</code>", client.post("/accounts/two-factor/recovery-codes/").content.decode()
    )
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert StaticToken.objects.filter(device__user=physician).count() == 10
    assert AuditEvent.objects.filter(action="2fa-enrolled", detail__device="recovery-codes").count() == 2


def _policy(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    code = "import django; django.setup(); from django.conf import settings; print(sorted(settings.MFA_REQUIRED_FOR))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "debug,value,expected",
    [
        ("1", None, "['clinic-admin', 'physician']"),
        ("0", None, "['all']"),
        ("0", "physician, clinic-admin", "['clinic-admin', 'physician']"),
        ("1", "ALL", "['all']"),
        ("1", "counselor,physician,clinic-admin", "['clinic-admin', 'counselor', 'physician']"),
    ],
)
def test_the_policy_comes_from_the_environment(debug, value, expected):
    env = {"DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": "k" + "x7Qp2-Lm9" * 7}
    if value is not None:
        env["DJANGO_MFA_REQUIRED_FOR"] = value
    result = _policy(**env)
    assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize("value", ["", "none", "doctor", "all,physician", "physician,,clinic-admin"])
def test_a_bad_policy_stops_start_up(value):
    result = _policy(DJANGO_DEBUG="1", DJANGO_MFA_REQUIRED_FOR=value)
    assert result.returncode != 0
    assert "DJANGO_MFA_REQUIRED_FOR must be 'all' or a comma-separated list" in result.stderr


def test_the_two_factor_pages_are_valid_html(client, new_physician, physician, clinic_admin, tmp_path):
    """The Nu HTML Checker (tests/test_html_quality.py) on every page of the flow, as rendered."""
    documents = {}
    login(client, "newdoc")
    documents["setup"] = client.get("/accounts/two-factor/setup/").content.decode()
    documents["setup-error"] = enter(client, "abc", path="/accounts/two-factor/setup/").content.decode()
    client.logout()
    force_login_password_only(client, physician)
    documents["verify"] = client.get("/accounts/two-factor/verify/").content.decode()
    documents["verify-error"] = enter(client, "abcdefgh").content.decode()
    client.force_login(clinic_admin)
    documents["overview"] = client.get("/accounts/two-factor/").content.decode()
    documents["codes"] = client.post("/accounts/two-factor/recovery-codes/").content.decode()
    for name, html in documents.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    errors = [
        f"{m.get('url', '?').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m.get('message')}"
        for m in run_vnu(sorted(tmp_path.glob("*.html")))
    ]
    assert not errors, "\n".join(errors)
