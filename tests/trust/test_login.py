from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Membership
from catalog.roles import add_member
from consult.models import AuditEvent
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_good_login_is_audited(client, counselor):
    response = login(client, "counselor", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.user == counselor and event.ip_address == "10.0.0.1"


def test_a_failed_login_is_audited_with_the_name_tried(client, counselor):
    response = login(client, "counselor", "wrong")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login-failed")
    assert event.username == "counselor" and event.user is None


def test_repeated_failures_lock_the_account_for_a_while(client, counselor, settings):
    for n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        login(client, "counselor", f"wrong-{n}", ip=f"10.0.1.{n}")
    response = login(client, "counselor", PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_when_the_window_passes(client, counselor, settings):
    for _n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        login(client, "counselor", "wrong")
    # Age the failures past the window (raw SQL: the model refuses updates by design).
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET at = %s",
            ["2000-01-01T00:00:00+00:00"],
        )
    assert login(client, "counselor", PASSWORD).status_code == 302


def test_failures_from_one_address_lock_that_address_not_the_clinic(client, counselor, physician, settings):
    for n in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        login(client, f"guess-{n}", "wrong", ip="203.0.113.9")
    assert login(client, "physician", PASSWORD, ip="203.0.113.9").status_code == 429
    # The same colleague from the clinic's own machine still gets in.
    assert login(client, "physician", PASSWORD, ip="10.0.0.5").status_code == 302


def test_logout_is_audited_and_needs_post(client, counselor):
    client.force_login(counselor)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    # what the browser kept for this user on a shared tablet is cleared with the sign-out
    assert response["Clear-Site-Data"] == '"storage"'
    assert AuditEvent.objects.filter(action="logout", user=counselor).exists()


def test_idle_sessions_expire(client, counselor):
    """Each request pushes the end of the session 30 minutes on; after 30 idle minutes it is over."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(counselor)
    assert client.get("/consultations/").status_code == 200
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    # 31 minutes pass without a request.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get("/consultations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_admin_login_is_the_throttled_one(client, counselor, settings):
    for _n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        client.post("/admin/login/", {"username": "counselor", "password": "wrong"})
    assert login(client, "counselor", PASSWORD).status_code == 429


def test_a_username_with_control_characters_is_refused_not_a_crash(client, counselor):
    response = login(client, "coun\x00selor", "x\x00")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="login-failed").username == "counselor"


def _age_failures(minutes: int) -> None:
    """Move every recorded log-in attempt `minutes` into the past (raw SQL: the model refuses)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET at = %s WHERE action IN ('login-failed', 'login-refused')",
            [timezone.now() - timedelta(minutes=minutes)],
        )


def test_attempts_refused_during_a_lock_do_not_extend_it(client, counselor, settings):
    """An attacker who keeps trying does not keep the account locked: the lock ends one window
    after the last real failure."""
    window = settings.LOGIN_FAILURE_WINDOW_MINUTES
    for n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        login(client, "counselor", f"wrong-{n}", ip=f"10.0.3.{n}")
    _age_failures(window - 1)  # the failures are nearly a window old
    for n in range(3 * settings.LOGIN_MAX_FAILURES_PER_USER):  # the attacker keeps hammering, refused
        assert login(client, "counselor", f"again-{n}", ip=f"10.0.4.{n}").status_code == 429
    assert AuditEvent.objects.filter(action="login-refused", username="counselor").count() == 15
    _age_failures(window + 1)  # a window after the last real failure, hammering included
    assert login(client, "counselor", PASSWORD, ip="10.0.5.1").status_code == 302


def test_a_refused_attempt_is_audited_but_not_counted_as_a_failure(client, counselor, settings):
    for _n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        login(client, "counselor", "wrong")
    login(client, "counselor", "wrong-again")
    assert AuditEvent.objects.filter(action="login-failed").count() == settings.LOGIN_MAX_FAILURES_PER_USER
    refused = AuditEvent.objects.get(action="login-refused")
    assert refused.username == "counselor" and refused.detail == {"reason": "locked-out"}


PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(client, counselor, settings):
    settings.BEHIND_PROXY = True
    # The client sent its own (forged) X-Forwarded-For; the proxy appended the real address.
    client.post(
        "/accounts/login/",
        {"username": "counselor", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23",
        **PROXY,
    )
    assert AuditEvent.objects.get(action="login").ip_address == "198.51.100.23"


def test_behind_the_proxy_one_address_is_locked_not_the_whole_clinic(client, counselor, physician, settings):
    settings.BEHIND_PROXY = True
    for n in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        client.post(
            "/accounts/login/",
            {"username": f"guess-{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.9",
            **PROXY,
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "physician", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **PROXY,
    )
    assert locked.status_code == 429
    # Every request arrives from the proxy's 127.0.0.1, yet a colleague elsewhere still gets in.
    colleague = client.post(
        "/accounts/login/",
        {"username": "physician", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.44",
        **PROXY,
    )
    assert colleague.status_code == 302
    assert AuditEvent.objects.get(action="login").ip_address == "192.0.2.44"


def test_without_the_proxy_setting_x_forwarded_for_is_ignored(client, counselor, settings):
    settings.BEHIND_PROXY = False
    client.post(
        "/accounts/login/",
        {"username": "counselor", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.23",
        REMOTE_ADDR="10.0.0.7",
    )
    assert AuditEvent.objects.get(action="login").ip_address == "10.0.0.7"


def test_behind_the_proxy_a_garbled_header_falls_back_to_the_peer_address(client, counselor, settings):
    settings.BEHIND_PROXY = True
    client.post(
        "/accounts/login/",
        {"username": "counselor", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.23, not-an-address",
        **PROXY,
    )
    assert AuditEvent.objects.get(action="login").ip_address == "127.0.0.1"


def test_a_failed_login_shows_in_the_audit_log_of_the_accounts_clinic(
    client, counselor, clinic_admin, outsider, demo_clinic
):
    login(client, "counselor", "a-wrong-password", ip="192.0.2.8")
    event = AuditEvent.objects.get(action="login-failed")
    assert event.clinic == demo_clinic and event.user is None
    client.force_login(clinic_admin)
    page = client.get("/audit/?action=login-failed").content.decode()
    assert "<td>counselor</td>" in page and "192.0.2.8" in page
    # The other clinic's admin does not see it.
    other_admin = make_user("otheradmin", outsider.clinics.get(), Membership.Role.CLINIC_ADMIN)
    client.force_login(other_admin)
    assert "192.0.2.8" not in client.get("/audit/?action=login-failed").content.decode()


def test_a_failed_login_for_an_account_in_two_clinics_shows_in_both(
    client, counselor, clinic_admin, other_clinic
):
    add_member(counselor, other_clinic, Membership.Role.COUNSELOR)
    other_admin = make_user("otheradmin", other_clinic, Membership.Role.CLINIC_ADMIN)
    login(client, "counselor", "a-wrong-password", ip="192.0.2.9")
    for admin in (clinic_admin, other_admin):
        client.force_login(admin)
        assert "192.0.2.9" in client.get("/audit/?action=login-failed").content.decode()


def test_failed_logins_never_store_the_password_nor_a_name_that_is_no_account(client, counselor):
    # Someone types their password into the name field: it must not be logged.
    login(client, "Secret-Passw0rd-typed-as-name", "counselor", ip="192.0.2.10")
    login(client, "counselor", "my-Secret-Passw0rd", ip="192.0.2.10")
    events = AuditEvent.objects.filter(action="login-failed").order_by("id")
    assert [e.username for e in events] == ["", "counselor"]
    stored = " ".join(f"{e.username} {e.detail} {e.object_type} {e.object_id}" for e in events)
    assert "Secret-Passw0rd" not in stored


# The login form strips the name and applies NFKC (Django's UsernameField): each of these signs in
# as `counselor`, so each must count against it and be refused while it is locked.
NAME_VARIANTS = ["counselor ", " counselor", "counselor\t", "ｃｏｕｎｓｅｌｏｒ", "\u3000counselor"]


@pytest.mark.parametrize("variant", NAME_VARIANTS, ids=repr)
def test_a_locked_account_stays_locked_under_every_spelling_of_its_name(client, counselor, settings, variant):
    for n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        login(client, "counselor", f"wrong-{n}", ip=f"10.0.6.{n}")
    response = login(client, variant, PASSWORD, ip="10.0.7.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("variant", NAME_VARIANTS, ids=repr)
def test_wrong_guesses_under_a_variant_count_against_the_account(
    client, counselor, demo_clinic, settings, variant
):
    for n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        assert login(client, variant, f"wrong-{n}", ip=f"10.0.8.{n}").status_code == 200
    failures = AuditEvent.objects.filter(action="login-failed")
    # Attributed to the account, so its clinic admin sees them.
    assert {(e.username, e.clinic_id) for e in failures} == {("counselor", demo_clinic.pk)}
    assert login(client, "counselor", PASSWORD, ip="10.0.9.1").status_code == 429


def test_unknown_names_answer_like_existing_ones(client, counselor, settings):
    """Seven wrong passwords: the same statuses whether the account exists or not."""
    attempts = settings.LOGIN_MAX_FAILURES_PER_USER + 2

    def statuses(name: str, net: int) -> list[int]:
        return [login(client, name, f"wrong-{n}", ip=f"10.{net}.0.{n}").status_code for n in range(attempts)]

    existing = statuses("counselor", 10)
    unknown = statuses("nobody-here", 11)
    assert existing == unknown == [200] * settings.LOGIN_MAX_FAILURES_PER_USER + [429, 429]
    # The unknown name itself is never stored (it may be a password typed into the wrong field).
    assert not AuditEvent.objects.filter(username="nobody-here").exists()
    assert "nobody-here" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
