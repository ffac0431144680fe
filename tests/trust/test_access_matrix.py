"""Who may do what: role × page/action → allowed, 403, 404 or login (design.md §8, issue 5)."""

from __future__ import annotations

import pytest

from consult.models import Consultation

HX = {"HTTP_HX_REQUEST": "true"}
OK, REDIRECT, FORBIDDEN, NOT_FOUND, LOGIN = 200, 302, 403, 404, "login"

# action: (method, path template, data) — {id} is a demo-clinic consultation.
ACTIONS = {
    "list": ("get", "/consultations/", None),
    "new-form": ("get", "/consultations/new/", None),
    "workspace": ("get", "/consultations/{id}/", None),
    "save": ("post", "/consultations/{id}/save/", "profile"),
    "add-option": ("post", "/consultations/{id}/options/", "option"),
    "review": ("post", "/consultations/{id}/review/", {}),
    "audit-log": ("get", "/audit/", None),
    "catalog": ("get", "/catalog/treatments/", None),
    "catalog-admin": ("get", "/admin/catalog/treatment/", None),
}

MATRIX = {
    #               list  new-form   workspace  save       add-option review     audit-log  catalog catalog-admin
    "counselor": [OK, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN, OK, REDIRECT],
    "physician": [OK, FORBIDDEN, OK, OK, OK, REDIRECT, FORBIDDEN, OK, REDIRECT],
    "clinic_admin": [OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK],
    "outsider": [OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, REDIRECT],
    "anonymous": [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, REDIRECT],
}

CASES = [
    (role, action, expected)
    for role, row in MATRIX.items()
    for action, expected in zip(ACTIONS, row, strict=True)
]


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    return Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="M-1")


def _data(kind, consultation):
    if kind == "profile":
        return {
            "version": consultation.version,
            "chart_number": "M-1",
            "handout_language": "ja",
            "needles_ok": "yes",
            "concern": ["rolling-scar"],
            "severity-rolling-scar": "3",
        }
    if kind == "option":
        return {"version": consultation.version, "action": "add", "treatment": "subcision"}
    return kind


@pytest.mark.parametrize("role,action,expected", CASES, ids=[f"{r}-{a}" for r, a, _ in CASES])
def test_access(client, request, consultation, clinic_admin, physician, outsider, role, action, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    method, path, data = ACTIONS[action]
    path = path.format(id=consultation.public_id)
    kwargs = HX if action in ("save", "add-option") else {}
    before = Consultation.objects.values("version", "chart_number").get(pk=consultation.pk)
    if method == "get":
        response = client.get(path, **kwargs)
    else:
        response = client.post(path, _data(data, consultation), **kwargs)
    if expected == LOGIN:
        location = response.get("HX-Redirect") or response.get("Location", "")
        assert response.status_code in (204, 302) and location.startswith("/accounts/login/"), (
            response.status_code
        )
    else:
        assert response.status_code == expected
    if expected in (FORBIDDEN, NOT_FOUND, LOGIN) and method == "post":
        after = Consultation.objects.values("version", "chart_number").get(pk=consultation.pk)
        assert after == before, "a refused request changed the consultation"


def test_the_list_only_shows_the_users_clinic(client, counselor, outsider, consultation, other_clinic):
    Consultation.objects.create(clinic=other_clinic, counselor=outsider, chart_number="OTHER-9")
    client.force_login(outsider)
    body = client.get("/consultations/").content.decode()
    assert "OTHER-9" in body and "M-1" not in body


def test_a_physician_review_is_recorded(client, physician, consultation):
    client.force_login(physician)
    client.post(f"/consultations/{consultation.public_id}/review/")
    consultation.refresh_from_db()
    assert consultation.reviewed_by == physician and consultation.reviewed_at is not None


def test_public_ids_are_uuids_not_sequential(counselor_client, consultation):
    assert str(consultation.public_id) in counselor_client.get("/consultations/").content.decode()
    assert counselor_client.get(f"/consultations/{consultation.pk}/").status_code == 404


def test_only_the_physician_sees_the_review_button_and_everyone_sees_the_mark(client, physician, counselor, consultation):
    client.force_login(counselor)
    assert "/review/" not in client.get(f"/consultations/{consultation.public_id}/").content.decode()
    client.force_login(physician)
    page = client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert f"/consultations/{consultation.public_id}/review/" in page
    client.post(f"/consultations/{consultation.public_id}/review/")
    client.force_login(counselor)
    page = client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert "physician" in page and 'class="notice"' in page
