"""Nothing half-written (issue 12, item 5): every change commits together with its audit row.

The database itself refuses the audit row (a SQLite trigger on the audit table, a real failed
INSERT, not a mock), and each kind of change must then leave nothing behind: no saved profile, no
option, no sign-off, no handout, no catalog edit, no log-in, no second factor removed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import Condition, MedicalFlag, Treatment
from consult.models import AuditEvent, ChosenOption, Concern, Consultation, Document, TreatmentPlan
from tests.conftest import PASSWORD, give_second_factor, sign_off

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def refuse_audit():
    """`refuse_audit("change")`: from now on the database refuses audit rows with that action."""
    if connection.vendor != "sqlite":
        pytest.skip("the trigger is written for SQLite, the embedded default")

    def refuse(action: str) -> None:
        assert action in AuditEvent.Action.values
        name = "refuse_audit_" + action.replace("-", "_")
        with connection.cursor() as cursor:
            # DDL is transactional in SQLite: the test's rollback drops the trigger again.
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT ON consult_auditevent "
                f"WHEN NEW.action = '{action}' BEGIN SELECT RAISE(ABORT, 'audit row refused'); END"
            )

    return refuse


@pytest.fixture
def quiet_client() -> Client:
    """A client that gets the 500 page instead of the exception, like a browser would."""
    return Client(raise_request_exception=False)


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=demo_clinic, counselor=counselor, chart_number="T-1", handout_language="ja"
    )
    Concern.objects.create(
        consultation=consultation, condition=Condition.objects.get(slug="rolling-scar"), severity=3
    )
    ChosenOption.objects.create(consultation=consultation, treatment=Treatment.objects.get(slug="subcision"))
    consultation.flags.set(MedicalFlag.objects.filter(slug="fish-allergy"))
    return consultation


def _row(consultation) -> dict:
    return Consultation.objects.values(
        "version", "chart_number", "needles_ok", "reviewed_at", "reviewed_version"
    ).get(pk=consultation.pk)


def test_a_refused_audit_row_undoes_the_new_consultation(quiet_client, counselor, refuse_audit):
    refuse_audit("create")
    quiet_client.force_login(counselor)
    response = quiet_client.post(
        "/consultations/new/", {"chart_number": "NEW-9", "handout_language": "ja", "clinic": "demo-clinic"}
    )
    assert response.status_code == 500
    assert not Consultation.objects.filter(chart_number="NEW-9").exists()


def test_a_refused_audit_row_undoes_the_save(quiet_client, counselor, consultation, refuse_audit):
    refuse_audit("change")
    quiet_client.force_login(counselor)
    before = _row(consultation)
    response = quiet_client.post(
        f"/consultations/{consultation.public_id}/save/",
        {
            "version": consultation.version,
            "chart_number": "T-1-CHANGED",
            "handout_language": "ja",
            "needles_ok": "no",
            "concern": ["rolling-scar"],
            "severity-rolling-scar": "2",
        },
        **HX,
    )
    assert response.status_code == 503
    # Nothing saved, and the page keeps the stored version, so the counselor's retry can succeed.
    assert f'name="version" id="version-field" value="{before["version"]}"' in response.content.decode()
    assert _row(consultation) == before
    assert list(consultation.concerns.values_list("severity", flat=True)) == [3]
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_refused_audit_row_undoes_the_option_change(quiet_client, counselor, consultation, refuse_audit):
    refuse_audit("change")
    quiet_client.force_login(counselor)
    before = _row(consultation)
    response = quiet_client.post(
        f"/consultations/{consultation.public_id}/options/",
        {"version": consultation.version, "action": "remove", "treatment": "subcision"},
        **HX,
    )
    assert response.status_code == 503
    assert _row(consultation) == before
    assert list(consultation.options.values_list("treatment__slug", flat=True)) == ["subcision"]


def test_a_refused_override_row_undoes_the_override(quiet_client, physician, consultation, refuse_audit):
    """The option change itself may be recorded: without the override's own row, nothing is saved."""
    refuse_audit("override")
    quiet_client.force_login(physician)
    response = quiet_client.post(
        f"/consultations/{consultation.public_id}/options/",
        {"version": consultation.version, "action": "override", "treatment": "rejuran", "reason": "理由"},
        **HX,
    )
    assert response.status_code == 503
    assert not consultation.options.filter(treatment__slug="rejuran").exists()
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_refused_audit_row_undoes_the_sign_off(quiet_client, physician, consultation, refuse_audit):
    refuse_audit("review")
    quiet_client.force_login(physician)
    response = quiet_client.post(
        f"/consultations/{consultation.public_id}/review/", {"version": consultation.version}
    )
    assert response.status_code == 500
    assert _row(consultation)["reviewed_at"] is None


def test_a_refused_audit_row_undoes_the_withdrawal(quiet_client, physician, consultation, refuse_audit):
    sign_off(consultation, physician)
    refuse_audit("review-cleared")
    quiet_client.force_login(physician)
    response = quiet_client.post(f"/consultations/{consultation.public_id}/review/", {"reviewed": "0"})
    assert response.status_code == 500
    assert _row(consultation)["reviewed_version"] == consultation.version


def test_a_refused_audit_row_undoes_the_issued_handout(
    quiet_client, counselor, physician, consultation, refuse_audit
):
    """The PDF is rendered (for real) before the transaction; storing it needs its audit row."""
    sign_off(consultation, physician)
    refuse_audit("issue-handout")
    quiet_client.force_login(counselor)
    response = quiet_client.post(f"/consultations/{consultation.public_id}/handouts/")
    assert response.status_code == 500
    assert not Document.objects.exists()


def test_an_issued_handout_and_its_row_commit_together(counselor_client, physician, consultation):
    sign_off(consultation, physician)
    counselor_client.post(f"/consultations/{consultation.public_id}/handouts/")
    document = Document.objects.get()
    event = AuditEvent.objects.get(action="issue-handout")
    assert (event.object_id, event.detail["sha256"]) == (str(document.public_id), document.sha256)


def test_a_refused_audit_row_undoes_the_catalog_change(quiet_client, catalog_editor, refuse_audit):
    flag = MedicalFlag.objects.get(slug="recent-tan")
    refuse_audit("catalog-change")
    quiet_client.force_login(catalog_editor)
    response = quiet_client.post(
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
    assert response.status_code == 500
    assert MedicalFlag.objects.get(pk=flag.pk).label_ja == flag.label_ja


def test_a_refused_audit_row_undoes_the_log_in(quiet_client, counselor, refuse_audit):
    refuse_audit("login")
    response = quiet_client.post("/accounts/login/", {"username": "counselor", "password": PASSWORD})
    assert response.status_code == 500
    assert User.objects.get(pk=counselor.pk).last_login is None
    assert quiet_client.get("/consultations/").status_code == 302  # not signed in


def test_a_refused_audit_row_undoes_the_two_factor_reset(quiet_client, clinic_admin, counselor, refuse_audit):
    give_second_factor(counselor)
    refuse_audit("2fa-reset")
    quiet_client.force_login(clinic_admin)
    response = quiet_client.post(f"/accounts/two-factor/reset/{counselor.pk}/")
    assert response.status_code == 500
    assert TOTPDevice.objects.filter(user=counselor).exists()


def test_the_clinic_admins_offering_change_needs_its_row(
    quiet_client, clinic_admin, demo_clinic, refuse_audit
):
    """A bulk admin action (not covered by Django's own transaction) is atomic too."""
    offering = demo_clinic.offerings.first()
    refuse_audit("catalog-change")
    quiet_client.force_login(clinic_admin)
    response = quiet_client.post(
        "/admin/catalog/offering/",
        {"action": "delete_selected", "_selected_action": [offering.pk], "post": "yes"},
    )
    assert response.status_code == 500
    assert demo_clinic.offerings.filter(pk=offering.pk).exists()


def test_a_refused_audit_row_keeps_the_old_recovery_codes(quiet_client, counselor, refuse_audit):
    """New recovery codes replace the old ones only together with their `2fa-enrolled` row."""
    from django_otp.plugins.otp_static.models import StaticToken

    from consult import two_factor

    give_second_factor(counselor)
    two_factor.new_recovery_codes(counselor)
    before = sorted(StaticToken.objects.filter(device__user=counselor).values_list("token", flat=True))
    refuse_audit("2fa-enrolled")
    quiet_client.force_login(counselor)
    response = quiet_client.post("/accounts/two-factor/recovery-codes/")
    assert response.status_code == 500
    after = sorted(StaticToken.objects.filter(device__user=counselor).values_list("token", flat=True))
    assert after == before and len(after) == 10


def test_a_refused_audit_row_undoes_the_plan_change(quiet_client, physician, consultation, refuse_audit):
    """Adding a treatment to the plan, and the plan's new version, commit with their row or not at all."""
    refuse_audit("plan-change")
    quiet_client.force_login(physician)
    response = quiet_client.post(
        f"/consultations/{consultation.public_id}/plan/items/",
        {
            "treatment": "subcision",
            "sessions": 3,
            "interval_weeks": "",
            "first_session": (timezone.localdate() + timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 500
    plan = TreatmentPlan.objects.filter(consultation=consultation).first()
    assert plan is None or not plan.items.exists()


def test_a_refused_audit_row_undoes_the_plan_signature(quiet_client, physician, consultation, refuse_audit):
    sign_off(consultation, physician)
    client = Client()
    client.force_login(physician)
    client.post(
        f"/consultations/{consultation.public_id}/plan/items/",
        {
            "treatment": "subcision",
            "sessions": 3,
            "interval_weeks": "",
            "first_session": (timezone.localdate() + timedelta(days=9)).isoformat(),
        },
    )
    plan = TreatmentPlan.objects.get(consultation=consultation)
    refuse_audit("plan-sign")
    quiet_client.force_login(physician)
    response = quiet_client.post(
        f"/consultations/{consultation.public_id}/plan/sign/", {"version": plan.version}
    )
    assert response.status_code == 500
    plan.refresh_from_db()
    assert plan.signed_version is None
