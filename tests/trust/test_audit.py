from __future__ import annotations

import csv
import io
import logging

import pytest
from django.contrib.auth.models import User
from django.db.models import ProtectedError

from catalog.models import Membership
from catalog.roles import add_member
from consult.audit import record
from consult.models import AuditEvent, Consultation
from tests.conftest import give_second_factor, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(counselor, demo_clinic):
    return Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="C-77")


def test_audit_rows_cannot_be_changed_or_deleted(counselor, consultation):
    event = record(None, "view", consultation=consultation, user=counselor)
    event.action = "change"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="change")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_viewing_and_changing_a_consultation_is_recorded(counselor_client, counselor, consultation):
    counselor_client.get(f"/consultations/{consultation.public_id}/")
    events = AuditEvent.objects.filter(consultation=consultation)
    assert [(e.action, e.user) for e in events] == [("view", counselor)]
    assert events[0].at.tzinfo is not None


def test_audit_detail_never_holds_patient_text(counselor_client, consultation):
    counselor_client.post(
        f"/consultations/{consultation.public_id}/save/",
        {
            "version": 1,
            "chart_number": "C-77",
            "display_name": "山田花子",
            "handout_language": "ja",
            "needles_ok": "yes",
            "notes": "秘密のメモ",
        },
        HTTP_HX_REQUEST="true",
    )
    for event in AuditEvent.objects.all():
        text = str(event.detail) + event.object_id
        assert "山田" not in text and "秘密" not in text and "C-77" not in text


def test_a_clinic_admin_sees_and_exports_the_clinics_audit_log(
    client, clinic_admin, counselor, consultation, outsider
):
    record(None, "view", consultation=consultation, user=counselor)
    record(None, "login", user=outsider)  # another clinic's user: not shown
    client.force_login(clinic_admin)
    page = client.get("/audit/").content.decode()
    assert "counselor" in page and "outsider" not in page
    response = client.get("/audit/?format=csv&action=view")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "user", "action"]
    assert [r[1:3] for r in rows[1:]] == [["counselor", "view"]]
    assert AuditEvent.objects.filter(action="export", user=clinic_admin).exists()


def test_filters_narrow_the_log(client, clinic_admin, counselor, physician, consultation):
    record(None, "view", consultation=consultation, user=counselor)
    record(None, "view", consultation=consultation, user=physician)
    client.force_login(clinic_admin)
    page = client.get("/audit/?user=physician").content.decode()
    assert "physician" in page and "<td>counselor</td>" not in page
    assert client.get("/audit/?from=not-a-date").status_code == 200


@pytest.mark.parametrize("who", ["counselor", "physician"])
def test_counselors_and_physicians_do_not_see_the_audit_log(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == 403


def _rows() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "user_id", "username", "action", "at"))


def test_deleting_a_user_cannot_alter_the_rows_about_them(counselor, consultation, demo_clinic):
    """SET_NULL would have issued an UPDATE on audit rows; users are deactivated, not deleted."""
    leaver = make_user("leaver", demo_clinic, Membership.Role.COUNSELOR)
    record(None, "login", user=leaver)
    before = _rows()
    with pytest.raises(ProtectedError):
        leaver.delete()
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=leaver.pk).delete()
    assert _rows() == before
    assert User.objects.filter(pk=leaver.pk).exists()


def test_no_bulk_path_rewrites_audit_rows(counselor, consultation):
    event = record(None, "view", consultation=consultation, user=counselor)
    event.action = "change"
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update([event], ["action"])
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_create(
            [AuditEvent(pk=event.pk, action="change")],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        )
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(username="someone-else")
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_a_clinic_admin_elsewhere_sees_nothing_of_this_clinics_log(
    client, counselor, consultation, other_clinic
):
    """Counselor here, admin at the other clinic: the audit log shows the other clinic only."""
    user = make_user("admin-elsewhere", consultation.clinic, Membership.Role.COUNSELOR)
    add_member(user, other_clinic, Membership.Role.CLINIC_ADMIN)
    give_second_factor(user)  # a clinic admin somewhere: the role policy requires it
    record(None, "view", consultation=consultation, user=counselor)
    client.force_login(user)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert str(consultation.public_id)[:8] not in page.content.decode()
    csv_rows = b"".join(client.get("/audit/?format=csv").streaming_content).decode()
    assert str(consultation.public_id) not in csv_rows


def test_listing_consultations_is_recorded_without_the_search_text(counselor_client, counselor, consultation):
    counselor_client.get("/consultations/?q=C-77")
    event = AuditEvent.objects.get(action="list")
    assert event.user == counselor
    assert "C-77" not in f"{event.detail} {event.object_id} {event.username}"


def _console(logger_name: str) -> logging.StreamHandler:
    logger = logging.getLogger(logger_name)
    while logger is not None:
        handlers = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        if handlers:
            return handlers[0]
        logger = logger.parent if logger.propagate else None
    raise AssertionError(f"no stream handler for {logger_name}")


@pytest.mark.parametrize("logger_name", ["django.server", "django.request", "consult.views"])
def test_query_strings_never_reach_the_application_log(logger_name):
    """A search for a chart number is a query string: the configured handlers drop it."""
    handler = _console(logger_name)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logging.getLogger(logger_name).warning(
            '"%s" %s %s', "GET /consultations/?q=A-1001&date=2026-11-21 HTTP/1.1", 200, 512
        )
    finally:
        handler.setStream(old)
    line = stream.getvalue()
    assert "/consultations/?[query removed]" in line and "HTTP/1.1" in line
    assert "A-1001" not in line


def test_catalog_changes_in_the_admin_are_recorded(client, catalog_editor):
    """The shared catalog is edited by catalog editors (issue 12, item 7; clinic admins read it)."""
    from catalog.models import MedicalFlag

    flag = MedicalFlag.objects.get(slug="recent-tan")
    client.force_login(catalog_editor)
    response = client.post(
        f"/admin/catalog/medicalflag/{flag.pk}/change/",
        {
            "slug": flag.slug,
            "sort_order": flag.sort_order,
            "label_ja": "最近の日焼け（改訂）",
            "label_en": flag.label_en,
            "question_ja": flag.question_ja,
            "question_en": flag.question_en,
            "explanation_ja": flag.explanation_ja,
            "explanation_en": flag.explanation_en,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MedicalFlag.objects.get(pk=flag.pk).label_ja == "最近の日焼け（改訂）"
    event = AuditEvent.objects.get(action="catalog-change")
    assert event.user == catalog_editor
    assert (event.object_type, event.object_id, event.detail["verb"]) == (
        "catalog.medicalflag",
        str(flag.pk),
        "change",
    )


@pytest.mark.parametrize("name", ["+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(1)", "\tx", "\rx"])
def test_the_csv_export_keeps_formulas_as_plain_text(client, clinic_admin, demo_clinic, name):
    """A staff account named like a formula appears in the CSV with a leading apostrophe (OWASP)."""
    staff = make_user("placeholder", demo_clinic, Membership.Role.COUNSELOR)
    User.objects.filter(pk=staff.pk).update(username=name)
    record(None, "login", user=User.objects.get(pk=staff.pk))
    client.force_login(clinic_admin)
    body = b"".join(client.get("/audit/?format=csv&action=login").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert [r[1] for r in rows[1:]] == ["'" + name]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
