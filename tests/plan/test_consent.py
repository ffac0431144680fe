"""The patient's consent on the tablet: the physician records the explanation, the patient signs
(vector strokes), the signed consent is issued as an immutable document with the signature drawn in,
and a withdrawal is recorded."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from consult.models import AuditEvent, Consent, Document
from consult.plan_models import parse_signature, signature_path
from tests.conftest import sign_off
from tests.plan.test_plan_views import add, sign, url

STROKES = [[[100, 200], [200, 100], [300, 220]], [[400, 150]]]


def consent_url(consultation, suffix=""):
    return url(consultation, f"consents/dermapen-4/{suffix}")


def ready(counselor_client, physician_client, physician, consultation):
    add(counselor_client, consultation)
    sign_off(consultation, physician)
    sign(physician_client, consultation)


def test_signature_strokes_are_checked():
    assert parse_signature(json.dumps(STROKES)) == STROKES
    assert parse_signature("[]") is None
    assert parse_signature("not json") is None
    assert parse_signature(json.dumps([[[1001, 10]]])) is None
    assert parse_signature(json.dumps([[["a", 10]]])) is None
    assert parse_signature(json.dumps([[[1, 1]]] * 201)) is None
    assert signature_path(STROKES) == "M100 200L200 100L300 220 M400 150L401 150"


def test_the_patient_signs_after_the_physicians_explanation(
    counselor_client, physician_client, physician, consultation, tmp_path
):
    ready(counselor_client, physician_client, physician, consultation)
    # no signature before the explanation
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)})
    assert not Consent.objects.exists()
    assert (
        counselor_client.post(consent_url(consultation, "explained/")).status_code == 403
    )  # physicians only
    physician_client.post(consent_url(consultation, "explained/"))
    page = counselor_client.get(consent_url(consultation)).content.decode()
    assert 'id="signature-pad"' in page
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)})
    consent = Consent.objects.get()
    assert consent.signature == STROKES and consent.explained_by == physician and consent.document is not None
    document = consent.document
    assert document.kind == "consent"
    path = tmp_path / "consent.pdf"
    path.write_bytes(bytes(document.pdf))
    flat = re.sub(
        r"\s+",
        "",
        subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout,
    )
    for expected in (
        "施術についての説明と同意書",
        "ダーマペン4",
        "1.目的",
        "2.方法",
        "3.予想される経過",
        "4.副作用・リスク",
        "施術を受けないことも選べます",
        "6.費用",
        "7.承認等の状況",
        "8.同意の撤回",
        "いつでも撤回できます",
        "患者さまの署名",
        "説明した医師",
    ):
        assert expected in flat, expected
    assert "未承認" in flat  # Dermapen 4's regulatory statements
    assert "大切なお知らせ" not in flat  # the handout's section, not this paper's
    # the signature is drawn as vector strokes
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "c")], check=True)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_SIGNED).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ISSUE_DOCUMENT, detail__kind="consent").exists()
    # immutable
    with pytest.raises(PermissionError):
        Document.objects.get(pk=document.pk).save()


def test_an_empty_signature_is_refused(counselor_client, physician_client, physician, consultation):
    ready(counselor_client, physician_client, physician, consultation)
    physician_client.post(consent_url(consultation, "explained/"))
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": "[]"})
    assert Consent.objects.get().signed_at is None and not Document.objects.filter(kind="consent").exists()


def test_a_withdrawal_is_recorded(counselor_client, physician_client, physician, consultation):
    ready(counselor_client, physician_client, physician, consultation)
    physician_client.post(consent_url(consultation, "explained/"))
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)})
    counselor_client.post(consent_url(consultation, "withdraw/"))
    consent = Consent.objects.get()
    assert consent.withdrawn_at is not None and consent.document is not None  # the paper stays
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_WITHDRAWN).exists()


def test_outsiders_do_not_see_the_consent_page(client, outsider, counselor_client, consultation):
    add(counselor_client, consultation)
    client.force_login(outsider)
    assert client.get(consent_url(consultation)).status_code == 404


def test_export_includes_the_consent_and_anonymisation_removes_the_signature(
    counselor_client, physician_client, physician, consultation
):
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from consult.privacy import anonymise_older_than

    ready(counselor_client, physician_client, physician, consultation)
    physician_client.post(consent_url(consultation, "explained/"))
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)})
    out = io.StringIO()
    call_command("export_patient", clinic="demo-clinic", chart_number="P-2001", stdout=out)
    consents = json.loads(out.getvalue())["consultations"][0]["plan"]["consents"]
    assert consents[0]["treatment"] == "dermapen-4" and consents[0]["signature"] == STROKES
    anonymise_older_than(0, now=timezone.now() + timedelta(days=1))
    consent = Consent.objects.get()
    assert consent.signature == [] and consent.signed_at is not None
    assert consent.document.is_anonymised


def test_consent_on_the_day_of_the_first_session_needs_the_same_day_reason(
    counselor_client, physician_client, physician, consultation
):
    from datetime import timedelta

    from django.utils import timezone

    from consult.models import PlannedTreatment, TreatmentPlan

    ready(counselor_client, physician_client, physician, consultation)
    plan = TreatmentPlan.objects.get(consultation=consultation)
    # the plan was made (and signed) earlier; the first session is today, the day of consent
    today = timezone.localdate()
    TreatmentPlan.objects.filter(pk=plan.pk).update(contract_day=today - timedelta(days=3))
    PlannedTreatment.objects.filter(plan=plan).update(first_session=today)
    physician_client.post(consent_url(consultation, "explained/"))
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)})
    assert Consent.objects.get().signed_at is None
    TreatmentPlan.objects.filter(pk=plan.pk).update(same_day_reason="遠方在住で再来院が困難")
    counselor_client.post(consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)})
    assert Consent.objects.get().signed_at is not None


def test_a_consent_missing_a_required_statement_is_not_issued(
    counselor_client, physician_client, physician, consultation
):
    """Dermapen 4 is unapproved: without the clinic's supply route the consent would lack statement 2,
    so it is refused like a handout with the same gap, the signature is not kept, and staff are told."""
    from catalog.models import Offering

    Offering.objects.filter(clinic=consultation.clinic, treatment__slug="dermapen-4").update(supply_route="")
    ready(counselor_client, physician_client, physician, consultation)
    physician_client.post(consent_url(consultation, "explained/"))
    response = counselor_client.post(
        consent_url(consultation, "sign/"), {"signature": json.dumps(STROKES)}, follow=True
    )
    consent = Consent.objects.get()
    assert consent.signed_at is None and consent.document is None
    assert not Document.objects.filter(kind="consent").exists()
    page = response.content.decode()
    assert "入手経路等" in page or "How the clinic obtains it" in page
