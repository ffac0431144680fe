from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Condition
from consult.audit import record
from consult.models import AuditEvent, Concern, Consultation, Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(counselor, demo_clinic):
    c = Consultation.objects.create(
        clinic=demo_clinic,
        counselor=counselor,
        chart_number="P-500",
        display_name="佐藤",
        notes="右頬が気になる",
    )
    Concern.objects.create(
        consultation=c, condition=Condition.objects.get(slug="rolling-scar"), severity=3, areas=["cheek-left"]
    )
    return c


def test_export_gives_everything_about_one_patient(consultation, counselor, other_clinic):
    record(None, "view", consultation=consultation, user=counselor)
    Consultation.objects.create(clinic=other_clinic, counselor=counselor, chart_number="P-500")
    out = io.StringIO()
    call_command("export_patient", clinic="demo-clinic", chart_number="P-500", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["consultations"]) == 1  # the other clinic's patient with the same number is not included
    exported = data["consultations"][0]
    assert exported["display_name"] == "佐藤" and exported["notes"] == "右頬が気になる"
    assert exported["concerns"] == [{"condition": "rolling-scar", "severity": 3, "areas": ["cheek-left"]}]
    assert [e["action"] for e in exported["access_log"]] == ["view"]


def test_export_of_an_unknown_patient_fails_clearly(consultation):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("export_patient", clinic="demo-clinic", chart_number="nobody", stderr=err)
    assert exit_info.value.code == 1 and "no consultation" in err.getvalue()


def test_retention_anonymises_old_consultations_and_keeps_the_audit_trail(consultation, counselor):
    record(None, "view", consultation=consultation, user=counselor)
    recent = Consultation.objects.create(
        clinic=consultation.clinic, counselor=counselor, chart_number="NEW-1"
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - timedelta(days=6 * 365)
    )
    out = io.StringIO()
    call_command("anonymise_old", stdout=out)
    assert "Anonymised 1" in out.getvalue()
    consultation.refresh_from_db()
    assert consultation.chart_number.startswith("anonymised-")
    assert consultation.display_name == "" and consultation.notes == ""
    assert consultation.concerns.count() == 1
    assert AuditEvent.objects.filter(consultation=consultation).count() == 1
    recent.refresh_from_db()
    assert recent.chart_number == "NEW-1"


def _export(**options) -> dict:
    out = io.StringIO()
    call_command("export_patient", clinic="demo-clinic", chart_number="P-500", stdout=out, **options)
    return json.loads(out.getvalue())


def test_export_includes_the_review_handouts_and_who_handled_the_record_from_where(
    client, consultation, counselor, physician
):
    client.force_login(physician)
    client.get(f"/consultations/{consultation.public_id}/", REMOTE_ADDR="192.0.2.31")
    client.post(
        f"/consultations/{consultation.public_id}/review/",
        {"version": consultation.version},
        REMOTE_ADDR="192.0.2.31",
    )
    pdf = b"%PDF-1.7 export"
    handout = Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="ja",
        snapshot={"chart_number": "P-500", "patient_name": "佐藤"},
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    exported = _export()["consultations"][0]
    assert exported["review"]["reviewed_by"] == "physician"
    assert exported["review"]["reviewed_at"] is not None
    assert exported["anonymised_at"] is None
    assert exported["documents"][0]["snapshot"] == {"chart_number": "P-500", "patient_name": "佐藤"}
    assert exported["documents"][0]["id"] == str(handout.public_id)
    assert exported["documents"][0]["kind"] == "handout"
    log = exported["access_log"]
    assert [(e["user"], e["action"], e["ip_address"]) for e in log] == [
        ("physician", "view", "192.0.2.31"),
        ("physician", "review", "192.0.2.31"),
    ]
    assert log[1]["detail"] == {"version": consultation.version}
    # The disclosure itself is recorded on the consultation, and shows in the next export.
    assert _export()["consultations"][0]["access_log"][-1]["action"] == "export"


def test_export_of_an_anonymised_consultation_says_when(consultation):
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - timedelta(days=6 * 365)
    )
    call_command("anonymise_old", stdout=io.StringIO())
    consultation.refresh_from_db()
    out = io.StringIO()
    call_command("export_patient", clinic="demo-clinic", chart_number=consultation.chart_number, stdout=out)
    exported = json.loads(out.getvalue())["consultations"][0]
    assert exported["anonymised_at"] == consultation.anonymised_at.isoformat()


def test_an_override_is_exported_with_its_reason_and_the_reason_is_anonymised(consultation, physician):
    from catalog.models import Treatment
    from consult.models import Override

    consultation.change_options(
        consultation.version,
        "override",
        Treatment.objects.get(slug="rejuran"),
        Override(reason="患者さん固有の事情", by=physician, flags=("fish-allergy",)),
    )
    exported = _export()["consultations"][0]
    assert exported["overrides"] == [
        {
            "treatment": "rejuran",
            "flags": ["fish-allergy"],
            "reason": "患者さん固有の事情",
            "by": "physician",
            "at": consultation.options.get().override_at.isoformat(),
        }
    ]
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - timedelta(days=6 * 365)
    )
    call_command("anonymise_old", stdout=io.StringIO())
    option = consultation.options.get()
    assert option.override_reason == "" and option.override_by == physician and option.override_at
