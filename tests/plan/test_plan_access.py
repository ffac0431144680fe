"""Who may do what with a treatment plan: role × action → allowed, 403, 404 or login (the plan's rows
of the access matrix; tests/trust/test_access_matrix.py holds the consultation's).

Preparing, recording receipt, consent to electronic delivery and a cancellation, and issuing the
plan's papers need `change_consultation` at the consultation's clinic (counselor, physician);
signing needs `sign_treatmentplan` there (physicians only: a physician at another clinic who
counsels here gets 403, like a counselor); the clinic admin views. Outside the clinic: 404.
A refused request changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from catalog.models import Membership, Treatment
from catalog.roles import add_member
from consult.models import AuditEvent, Consultation, Document, PlannedTreatment, TreatmentPlan
from tests.conftest import give_second_factor, make_user, sign_off

OK, REDIRECT, FORBIDDEN, NOT_FOUND, LOGIN = 200, 302, 403, 404, "login"
TODAY = timezone.localdate()

ACTIONS = {
    "plan": ("get", "plan/", None),
    "add": (
        "post",
        "plan/items/",
        {"treatment": "potenza", "sessions": "3", "first_session": TODAY.isoformat()},
    ),
    "sign": ("post", "plan/sign/", "version"),
    "received": ("post", "plan/received/", {"day": TODAY.isoformat()}),
    "edelivery": ("post", "plan/electronic-delivery/", {}),
    "cancel": ("post", "plan/cancellation/", {"day": (TODAY + timedelta(days=30)).isoformat()}),
    "estimate-issue": ("post", "estimates/", {}),
    "estimate-download": ("get", "estimates/{estimate}.pdf", None),
    "consent-page": ("get", "plan/consents/dermapen-4/", None),
    "consent-explained": ("post", "plan/consents/dermapen-4/explained/", {}),
    "consent-sign": ("post", "plan/consents/dermapen-4/sign/", {"signature": "[[[1, 1]]]"}),
    "consent-withdraw": ("post", "plan/consents/dermapen-4/withdraw/", {}),
}

# fmt: off
MATRIX = {
    # plan, add, sign, received, edelivery, cancel, estimate-issue, estimate-download,
    # consent-page, consent-explained, consent-sign, consent-withdraw
    "counselor":           [OK, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK, FORBIDDEN, REDIRECT, REDIRECT],
    "physician":           [OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK, REDIRECT, REDIRECT, REDIRECT],
    "clinic_admin":        [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    "outsider":            [NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND],
    "physician_elsewhere": [OK, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK, FORBIDDEN, REDIRECT, REDIRECT],
    "anonymous":           [LOGIN] * 12,
}
# fmt: on

CASES = [
    pytest.param(role, action, expected, id=f"{role}-{action}")
    for role, row in MATRIX.items()
    for action, expected in zip(ACTIONS, row, strict=True)
]


@pytest.fixture
def physician_elsewhere(demo_clinic, other_clinic) -> User:
    user = make_user("doc-elsewhere", demo_clinic, Membership.Role.COUNSELOR)
    add_member(user, other_clinic, Membership.Role.PHYSICIAN)
    give_second_factor(user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def plan(counselor, physician, demo_clinic) -> TreatmentPlan:
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="PM-1")
    sign_off(consultation, physician)
    plan = TreatmentPlan.start(consultation, counselor)
    PlannedTreatment.objects.create(
        plan=plan,
        treatment=Treatment.objects.get(slug="dermapen-4"),
        sessions=5,
        interval_weeks=4,
        first_session=TODAY + timedelta(days=9),
    )
    return plan


@pytest.fixture
def estimate(plan, counselor) -> Document:
    return Document.objects.create(
        consultation=plan.consultation,
        kind="estimate",
        issued_by=counselor,
        language="ja",
        snapshot={},
        pdf=b"%PDF-1.7 plan matrix",
        sha256=hashlib.sha256(b"%PDF-1.7 plan matrix").hexdigest(),
    )


def _state(plan) -> tuple:
    row = TreatmentPlan.objects.filter(pk=plan.pk).values().get()
    return row, plan.items.count(), Document.objects.count(), list(plan.consents.values())


@pytest.mark.parametrize("role,action,expected", CASES)
def test_access(client, request, plan, estimate, other_clinic, role, action, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    method, path, data = ACTIONS[action]
    url = f"/consultations/{plan.consultation.public_id}/" + path.format(estimate=estimate.public_id)
    before = _state(plan)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, {"version": plan.version} if data == "version" else data)
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected
    if expected in (FORBIDDEN, NOT_FOUND, LOGIN) and method == "post":
        assert _state(plan) == before, "a refused request changed something"


def test_every_plan_download_is_audited(client, counselor, plan, estimate):
    client.force_login(counselor)
    client.get(f"/consultations/{plan.consultation.public_id}/estimates/{estimate.public_id}.pdf")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD_DOCUMENT)
    assert event.detail["kind"] == "estimate" and event.consultation == plan.consultation
