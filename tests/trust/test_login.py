from __future__ import annotations

import pytest

from consult.models import AuditEvent
from tests.conftest import PASSWORD

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
    from django.db import connection

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
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", user=counselor).exists()


def test_idle_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_the_admin_login_is_the_throttled_one(client, counselor, settings):
    for _n in range(settings.LOGIN_MAX_FAILURES_PER_USER):
        client.post("/admin/login/", {"username": "counselor", "password": "wrong"})
    assert login(client, "counselor", PASSWORD).status_code == 429


def test_a_username_with_control_characters_is_refused_not_a_crash(client, counselor):
    response = login(client, "coun\x00selor", "x\x00")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="login-failed").username == "counselor"
