"""Refusals seen (issue 12, item 6): 403s and 404s on consultations, documents and the audit log are
in the audit trail, bounded, shown to the clinic admin; no traceback for them; PUT on the log-in
page is 405, not a failed log-in."""

from __future__ import annotations

import io
import json
import logging

import pytest

from catalog.models import Membership
from consult.models import AuditEvent, Consultation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    return Consultation.objects.create(
        clinic=demo_clinic, counselor=counselor, chart_number="R-4242", display_name="拒否 花子"
    )


def _refusals():
    return list(AuditEvent.objects.filter(action="refused").order_by("id"))


def test_a_cross_clinic_404_is_recorded_against_the_consultation_asked_for(client, outsider, consultation):
    client.force_login(outsider)
    response = client.get(f"/consultations/{consultation.public_id}/?q=R-4242")
    assert response.status_code == 404
    [event] = _refusals()
    assert (event.user, event.clinic, event.consultation) == (outsider, consultation.clinic, consultation)
    assert event.detail == {
        "status": 404,
        "path": f"/consultations/{consultation.public_id}/",
        "reason": "outside-your-clinics",
    }
    assert event.ip_address == "127.0.0.1"
    # Never patient data: no chart number, no name, no query string.
    text = json.dumps(event.detail, ensure_ascii=False)
    assert "R-4242" not in text and "花子" not in text and "?" not in text


def test_a_role_403_is_recorded_with_the_permission(client, counselor, consultation):
    client.force_login(counselor)
    response = client.post(f"/consultations/{consultation.public_id}/review/", {"version": 1})
    assert response.status_code == 403
    [event] = _refusals()
    assert (event.user, event.consultation) == (counselor, consultation)
    assert event.detail["status"] == 403 and event.detail["reason"] == "role"
    assert event.detail["permission"] == "consult.review_consultation"


def test_a_missing_document_and_the_audit_log_refusal_are_recorded(client, counselor, consultation):
    client.force_login(counselor)
    missing = f"/consultations/{consultation.public_id}/handouts/00000000-0000-4000-8000-000000000000.pdf"
    assert client.get(missing).status_code == 404
    assert client.get("/audit/").status_code == 403
    assert [(e.detail["status"], e.detail["reason"], e.detail["path"]) for e in _refusals()] == [
        (404, "no-such-document", missing),
        (403, "not-a-clinic-admin", "/audit/"),
    ]


def test_refusals_are_bounded_per_user_and_address(client, outsider, consultation, settings):
    settings.REFUSALS_AUDITED_PER_WINDOW = 3
    client.force_login(outsider)
    url = f"/consultations/{consultation.public_id}/"
    for _ in range(10):
        assert client.get(url).status_code == 404  # the answer never changes
    events = _refusals()
    assert len(events) == 3
    assert "further_refusals" in events[-1].detail and "further_refusals" not in events[0].detail
    # Another address is counted on its own.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 404
    assert len(_refusals()) == 4


def test_the_clinic_admin_sees_probes_of_the_clinic_and_by_the_clinics_staff(
    client, outsider, clinic_admin, consultation, other_clinic
):
    client.force_login(outsider)
    client.get(f"/consultations/{consultation.public_id}/")
    # The probed clinic's admin (the consultation is theirs) ...
    client.force_login(clinic_admin)
    body = client.get("/audit/?action=refused").content.decode()
    assert "outsider" in body and "outside-your-clinics" in body
    # ... and the admin of the clinic where the prober works (their staff).
    admin_b = make_user("admin-b", other_clinic, Membership.Role.CLINIC_ADMIN)
    client.force_login(admin_b)
    body = client.get("/audit/?action=refused").content.decode()
    assert "outsider" in body and "outside-your-clinics" in body


def test_a_clinic_admin_elsewhere_does_not_see_other_clinics_refusals(
    client, counselor, consultation, other_clinic
):
    client.force_login(counselor)
    client.post(f"/consultations/{consultation.public_id}/review/", {"version": 1})
    admin_b = make_user("admin-b", other_clinic, Membership.Role.CLINIC_ADMIN)
    client.force_login(admin_b)
    assert "counselor" not in client.get("/audit/?action=refused").content.decode()


def _captured(logger_name: str):
    logger = logging.getLogger(logger_name)
    while not [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]:
        logger = logger.parent
    return next(h for h in logger.handlers if isinstance(h, logging.StreamHandler))


@pytest.mark.parametrize("who,status", [("counselor", 403), ("outsider", 404)])
def test_expected_refusals_log_one_line_without_a_traceback(client, request, consultation, who, status):
    handler = _captured("django.request")
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        client.force_login(request.getfixturevalue(who))
        url = f"/consultations/{consultation.public_id}/"
        if status == 403:  # a counselor signing off
            response = client.post(f"{url}review/?q=R-4242", {"version": 1})
        else:  # another clinic's consultation
            response = client.get(f"{url}?q=R-4242")
    finally:
        handler.setStream(old)
    assert response.status_code == status
    log = stream.getvalue()
    assert ("Forbidden" if status == 403 else "Not Found") in log
    assert "Traceback" not in log and "R-4242" not in log


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_on_the_log_in_page_are_405_and_not_a_failed_log_in(client, counselor, method):
    response = getattr(client, method)(
        "/accounts/login/",
        "username=counselor&password=wrong",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 405
    assert not AuditEvent.objects.exists()
