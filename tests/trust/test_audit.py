from __future__ import annotations

import csv
import io

import pytest

from consult.audit import record
from consult.models import AuditEvent, Consultation

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
