"""The treatment plan on a consultation: prepared by the counselor, signed by a physician only,
the signature cleared by any change (audited), the plan's papers issued through the pipeline,
receipt of the contract document, electronic delivery and a cancellation recorded."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consult.models import AuditEvent, Consultation, Document, TreatmentPlan
from tests.conftest import sign_off

TODAY = timezone.localdate()


def url(consultation, suffix="") -> str:
    return f"/consultations/{consultation.public_id}/plan/{suffix}"


def add(client, consultation, slug="dermapen-4", sessions=5, first=None, weeks=""):
    return client.post(
        url(consultation, "items/"),
        {
            "treatment": slug,
            "sessions": sessions,
            "interval_weeks": weeks,
            "first_session": (first or TODAY + timedelta(days=9)).isoformat(),
        },
    )


def sign(client, consultation):
    plan = TreatmentPlan.objects.get(consultation=consultation)
    return client.post(url(consultation, "sign/"), {"version": plan.version})


def text_of(document: Document, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(bytes(document.pdf))
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", out)


def test_the_counselor_prepares_a_plan_priced_and_scheduled(counselor_client, consultation):
    response = add(counselor_client, consultation)
    assert response.status_code == 302
    page = counselor_client.get(url(consultation)).content.decode()
    assert "ダーマペン4" in page or "Dermapen" in page
    first = TODAY + timedelta(days=9)
    assert first.isoformat() in page and (first + timedelta(weeks=16)).isoformat() in page
    assert "医師の署名待ちです" in page
    assert "この計画に署名する" not in page  # counselors do not sign
    event = AuditEvent.objects.get(action=AuditEvent.Action.PLAN_CHANGE)
    assert event.detail["added"] == "dermapen-4" and event.consultation == consultation


def test_the_workspace_shows_the_plan_card(counselor_client, consultation):
    page = counselor_client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert 'id="plan-card"' in page and url(consultation) in page


def test_a_counselor_cannot_sign(counselor_client, consultation):
    add(counselor_client, consultation)
    assert sign(counselor_client, consultation).status_code == 403
    assert not TreatmentPlan.objects.get(consultation=consultation).is_signed


def test_a_physician_signs_only_after_signing_off_the_consultation(
    counselor_client, physician_client, physician, consultation
):
    add(counselor_client, consultation)
    sign(physician_client, consultation)
    assert not TreatmentPlan.objects.get(consultation=consultation).is_signed
    sign_off(consultation, physician)
    sign(physician_client, consultation)
    plan = TreatmentPlan.objects.get(consultation=consultation)
    assert plan.is_signed and plan.signed_by == physician
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PLAN_SIGN, consultation=consultation).exists()


def test_a_change_clears_the_signature_and_is_audited(
    counselor_client, physician_client, physician, consultation
):
    add(counselor_client, consultation)
    sign_off(consultation, physician)
    sign(physician_client, consultation)
    add(counselor_client, consultation, slug="potenza", sessions=3)
    plan = TreatmentPlan.objects.get(consultation=consultation)
    assert not plan.is_signed and plan.signed_by is None
    event = AuditEvent.objects.filter(action=AuditEvent.Action.PLAN_CHANGE).first()
    assert event.detail["signature_cleared"] is True and event.detail["added"] == "potenza"


def test_a_stale_signature_is_refused(counselor_client, physician_client, physician, consultation):
    add(counselor_client, consultation)
    sign_off(consultation, physician)
    stale = TreatmentPlan.objects.get(consultation=consultation).version
    add(counselor_client, consultation, slug="potenza", sessions=3)
    physician_client.post(url(consultation, "sign/"), {"version": stale})
    assert not TreatmentPlan.objects.get(consultation=consultation).is_signed


def test_total_compared_with_the_budget(counselor_client, consultation):
    add(counselor_client, consultation, slug="potenza", sessions=5)
    page = counselor_client.get(url(consultation)).content.decode()
    assert "ご予算の¥150,000を超えています" in page


def test_the_estimate_needs_the_physicians_signature_of_the_plan(counselor_client, physician, consultation):
    add(counselor_client, consultation)
    sign_off(consultation, physician)
    response = counselor_client.post(
        f"/consultations/{consultation.public_id}/estimates/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "現在の施術計画に医師の署名がありません" in response.content.decode()
    assert not Document.objects.filter(kind="estimate").exists()


def issue(client, consultation, path):
    return client.post(f"/consultations/{consultation.public_id}/{path}/", HTTP_HX_REQUEST="true")


def test_estimate_overview_and_contract_issued_in_order(
    counselor_client, physician_client, physician, consultation, tmp_path
):
    add(counselor_client, consultation)
    sign_off(consultation, physician)
    sign(physician_client, consultation)
    assert issue(counselor_client, consultation, "estimates").status_code == 200
    estimate = Document.objects.get(kind="estimate")
    flat = text_of(estimate, tmp_path)
    assert "お見積書" in flat and "計画花子" in flat and "P-2001" in flat and "自由診療" in flat
    assert "physician" in flat or "デモ" in flat or physician.get_username() in flat
    # the contract document waits for the overview document
    response = issue(counselor_client, consultation, "contract-documents")
    assert response.status_code == 422 and "概要書面" in response.content.decode()
    assert issue(counselor_client, consultation, "overview-documents").status_code == 200
    assert issue(counselor_client, consultation, "contract-documents").status_code == 200
    contract = Document.objects.get(kind="scta-contract")
    assert contract.language == "ja" and "クーリング・オフ" in text_of(contract, tmp_path)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ISSUE_DOCUMENT, detail__kind="scta-contract"
    ).exists()
    # download: the same bytes, audited
    response = counselor_client.get(
        f"/consultations/{consultation.public_id}/contract-documents/{contract.public_id}.pdf"
    )
    assert response.status_code == 200 and b"".join(response) == bytes(contract.pdf)


def test_without_the_law_no_overview_is_issued(counselor_client, physician_client, physician, consultation):
    add(counselor_client, consultation, sessions=1)
    sign_off(consultation, physician)
    sign(physician_client, consultation)
    response = issue(counselor_client, consultation, "overview-documents")
    assert response.status_code == 422 and "特定商取引法が適用されない" in response.content.decode()


def signed_contract(counselor_client, physician_client, physician, consultation):
    add(counselor_client, consultation)
    sign_off(consultation, physician)
    sign(physician_client, consultation)
    issue(counselor_client, consultation, "overview-documents")
    issue(counselor_client, consultation, "contract-documents")


def test_receipt_shows_the_cooling_off_deadline(counselor_client, physician_client, physician, consultation):
    signed_contract(counselor_client, physician_client, physician, consultation)
    page = counselor_client.get(url(consultation)).content.decode()
    assert "書面は紙でお渡しください" in page
    counselor_client.post(url(consultation, "received/"), {"day": TODAY.isoformat()})
    plan = TreatmentPlan.objects.get(consultation=consultation)
    assert plan.contract_received_on == TODAY
    page = counselor_client.get(url(consultation)).content.decode()
    assert f"クーリング・オフは{(TODAY + timedelta(days=7)).isoformat()}まで" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTRACT_RECEIVED).exists()


def test_receipt_before_the_contract_document_is_issued_is_refused(counselor_client, consultation):
    add(counselor_client, consultation)
    counselor_client.post(url(consultation, "received/"), {"day": TODAY.isoformat()})
    assert TreatmentPlan.objects.get(consultation=consultation).contract_received_on is None


def test_electronic_delivery_consent_is_recorded(counselor_client, physician_client, physician, consultation):
    signed_contract(counselor_client, physician_client, physician, consultation)
    counselor_client.post(url(consultation, "electronic-delivery/"))
    assert TreatmentPlan.objects.get(consultation=consultation).electronic_delivery_consent_at is not None
    page = counselor_client.get(url(consultation)).content.decode()
    assert "電磁的方法による交付に同意しました" in page


def test_a_cancellation_within_cooling_off_refunds_everything(
    counselor_client, physician_client, physician, consultation
):
    signed_contract(counselor_client, physician_client, physician, consultation)
    counselor_client.post(url(consultation, "received/"), {"day": TODAY.isoformat()})
    counselor_client.post(
        url(consultation, "cancellation/"), {"day": (TODAY + timedelta(days=7)).isoformat()}
    )
    plan = TreatmentPlan.objects.get(consultation=consultation)
    total = plan.outcome("ja").total_yen
    assert plan.cancel_kind == "cooling-off" and plan.cancel_detail["refund_yen"] == total


def test_a_mid_term_cancellation_records_the_cap_and_refund(
    counselor_client, physician_client, physician, consultation
):
    signed_contract(counselor_client, physician_client, physician, consultation)
    counselor_client.post(url(consultation, "received/"), {"day": TODAY.isoformat()})
    counselor_client.post(
        url(consultation, "cancellation/"),
        {"day": (TODAY + timedelta(days=40)).isoformat(), "used-dermapen-4": "2"},
    )
    plan = TreatmentPlan.objects.get(consultation=consultation)
    total = plan.outcome("ja").total_yen
    provided = total * 2 // 5
    cap = min(50_000, (total - provided) // 5)
    assert plan.cancel_kind == "mid-term"
    assert (
        plan.cancel_detail["fee_cap_yen"] == cap
        and plan.cancel_detail["refund_yen"] == total - provided - cap
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.CANCELLATION)
    assert event.detail["kind"] == "mid-term"
    page = counselor_client.get(url(consultation)).content.decode()
    assert f"請求できる額の上限 ¥{cap:,}" in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [("counselor", 302), ("physician", 302), ("clinic_admin", 403), ("outsider", 404)],
)
def test_who_may_prepare(request, consultation, who, expected):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert add(client, consultation).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"), [("counselor", 200), ("physician", 200), ("clinic_admin", 200), ("outsider", 404)]
)
def test_who_may_view(request, consultation, who, expected):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(consultation)).status_code == expected


def test_export_patient_includes_the_plan_and_its_papers(
    counselor_client, physician_client, physician, consultation
):
    import io
    import json

    from django.core.management import call_command

    signed_contract(counselor_client, physician_client, physician, consultation)
    counselor_client.post(url(consultation, "received/"), {"day": TODAY.isoformat()})
    out = io.StringIO()
    call_command("export_patient", clinic="demo-clinic", chart_number="P-2001", stdout=out)
    exported = json.loads(out.getvalue())["consultations"][0]
    plan = exported["plan"]
    assert plan["items"][0]["treatment"] == "dermapen-4" and plan["signed_by"] == physician.get_username()
    assert plan["contract_document_received"] == TODAY.isoformat()
    assert {d["kind"] for d in exported["documents"]} == {"scta-overview", "scta-contract"}


def test_anonymisation_removes_the_plans_papers(counselor_client, physician_client, physician, consultation):
    from consult.privacy import anonymise_older_than

    signed_contract(counselor_client, physician_client, physician, consultation)
    TreatmentPlan.objects.filter(consultation=consultation).update(same_day_reason="遠方在住")
    assert anonymise_older_than(0, now=timezone.now() + timedelta(days=1)) == 1
    assert TreatmentPlan.objects.get(consultation=consultation).same_day_reason == ""
    for document in Document.objects.filter(consultation=consultation):
        assert document.is_anonymised and bytes(document.pdf) == b""
    assert TreatmentPlan.objects.get(consultation=consultation).items.count() == 1


def test_a_same_day_first_session_needs_the_physicians_medical_reason(
    counselor_client, physician_client, physician, consultation
):
    add(counselor_client, consultation, first=TODAY)
    sign_off(consultation, physician)
    page = physician_client.get(url(consultation)).content.decode()
    assert 'name="same_day_reason"' in page
    sign(physician_client, consultation)
    assert not TreatmentPlan.objects.get(consultation=consultation).is_signed
    plan = TreatmentPlan.objects.get(consultation=consultation)
    physician_client.post(
        url(consultation, "sign/"), {"version": plan.version, "same_day_reason": "遠方在住で再来院が困難"}
    )
    plan.refresh_from_db()
    assert plan.is_signed and plan.same_day_reason == "遠方在住で再来院が困難"
    event = AuditEvent.objects.get(action=AuditEvent.Action.PLAN_SIGN)
    assert event.detail["same_day_reason_recorded"] is True
    assert "遠方" not in str(event.detail)  # free text stays out of the append-only trail
    assert "遠方在住で再来院が困難" in physician_client.get(url(consultation)).content.decode()
    # a change clears the reason with the signature
    add(counselor_client, consultation, slug="potenza", sessions=3)
    plan.refresh_from_db()
    assert not plan.is_signed and plan.same_day_reason == ""


def test_a_first_session_on_a_later_day_needs_no_reason(
    counselor_client, physician_client, physician, consultation
):
    add(counselor_client, consultation, first=TODAY + timedelta(days=1))
    sign_off(consultation, physician)
    assert 'name="same_day_reason"' not in physician_client.get(url(consultation)).content.decode()
    sign(physician_client, consultation)
    assert TreatmentPlan.objects.get(consultation=consultation).is_signed


def test_the_plan_page_is_valid_html(counselor_client, physician_client, physician, consultation, tmp_path):
    from tests.test_html_quality import run_vnu

    empty = counselor_client.get(url(consultation)).content.decode()
    signed_contract(counselor_client, physician_client, physician, consultation)
    full = counselor_client.get(url(consultation)).content.decode()
    doctor = physician_client.get(url(consultation)).content.decode()
    workspace = counselor_client.get(f"/consultations/{consultation.public_id}/").content.decode()
    for name, html in {"empty": empty, "full": full, "doctor": doctor, "workspace": workspace}.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    assert run_vnu(sorted(tmp_path.glob("*.html"))) == []


def test_the_plan_shows_downtime_and_warns_when_it_reaches_the_event(counselor_client, consultation):
    first = TODAY + timedelta(days=9)
    Consultation.objects.filter(pk=consultation.pk).update(event_date=first + timedelta(weeks=4, days=1))
    add(counselor_client, consultation, first=first)
    page = counselor_client.get(url(consultation)).content.decode()
    assert "event-clash" in page and (first + timedelta(weeks=4)).isoformat() in page
    Consultation.objects.filter(pk=consultation.pk).update(event_date=first + timedelta(days=150))
    assert "event-clash" not in counselor_client.get(url(consultation)).content.decode()
