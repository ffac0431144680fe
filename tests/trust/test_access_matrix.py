"""Who may do what: role × page/action → allowed, 403, 404 or login (design.md §8, issue 5).

Roles are held per clinic. Besides the demo clinic's counselor, physician and clinic admin, the
matrix has an outsider (a counselor at the other clinic) and two people with different roles at
the two clinics: `physician_elsewhere` counsels here and is a physician at the other clinic,
`admin_elsewhere` counsels here and is the other clinic's admin. A role held elsewhere gives
nothing here.

The catalog editor (a Django group, issue 12) edits the shared catalog in the admin and reaches no
consultation, clinic record or audit log. Every 403 and 404 outside the admin leaves one `refused`
audit row; nothing else does.

Two-factor states: `physician_no_2fa` (a physician who has no second factor yet, signed in with the
password) is sent to set-up from every page; `physician_unverified` and `admin_unverified` (who have
one, but have only given the password in this session) are sent to the code page, from the signed
link /d/ too (a staff account half signed in finishes signing in first). Neither reaches a
consultation, the audit log or the admin.
"""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import User

from catalog.models import MedicalFlag, Membership, Offering
from catalog.roles import add_member
from consult.documents import links
from consult.models import AuditEvent, ChosenOption, Consultation, Document
from tests.conftest import force_login_password_only, give_second_factor, make_user, sign_off

HX = {"HTTP_HX_REQUEST": "true"}
OK, REDIRECT, FORBIDDEN, NOT_FOUND, LOGIN = 200, 302, 403, 404, "login"
ENROL, VERIFY = "enrol", "verify"  # sent to set up a second factor / to enter the code
SECOND_FACTOR_PAGES = {ENROL: "/accounts/two-factor/setup/", VERIFY: "/accounts/two-factor/verify/"}
PASSWORD_ONLY = {"physician_no_2fa", "physician_unverified", "admin_unverified"}

# action: (method, path template, data). {id} is a demo-clinic consultation, {handout} one of its
# handouts, {token} the signed link of its QR code and {tampered} that link with one character of
# the signature changed; {own_offering} a demo-clinic offering, {other_offering} and {other_clinic} belong to
# the other clinic.
ACTIONS = {
    "list": ("get", "/consultations/", None),
    "new-form": ("get", "/consultations/new/", None),
    "new-post": ("post", "/consultations/new/", "new"),
    "workspace": ("get", "/consultations/{id}/", None),
    "save": ("post", "/consultations/{id}/save/", "profile"),
    "add-option": ("post", "/consultations/{id}/options/", "option"),
    "sign-off": ("post", "/consultations/{id}/review/", "sign-off"),
    "withdraw": ("post", "/consultations/{id}/review/", {"reviewed": "0"}),
    "override": ("post", "/consultations/{id}/options/", "override"),
    "handout-issue": ("post", "/consultations/{id}/handouts/", {}),
    "handout-download": ("get", "/consultations/{id}/handouts/{handout}.pdf", None),
    "handout-view": ("get", "/consultations/{id}/handouts/{handout}/", None),
    "handout-share": ("get", "/consultations/{id}/handouts/{handout}/share/", None),
    "present": ("get", "/consultations/{id}/present/", None),
    "link": ("get", "/d/{token}/", None),
    "link-tampered": ("get", "/d/{tampered}/", None),
    "audit-log": ("get", "/audit/", None),
    "audit-csv": ("get", "/audit/?format=csv", None),
    "catalog": ("get", "/catalog/treatments/", None),
    "catalog-admin": ("get", "/admin/catalog/treatment/", None),
    "own-offering-admin": ("get", "/admin/catalog/offering/{own_offering}/change/", None),
    "other-offering-admin": ("get", "/admin/catalog/offering/{other_offering}/change/", None),
    "other-clinic-admin": ("get", "/admin/catalog/clinic/{other_clinic}/change/", None),
    "catalog-add": ("get", "/admin/catalog/treatment/add/", None),
}

# fmt: off
MATRIX = {
    #                    list new-form new-post  workspace save add-option sign-off withdraw override handout-issue handout-download handout-view handout-share present link link-tampered audit-log audit-csv catalog catalog-admin own-offering other-offering other-clinic catalog-add
    "counselor":          [OK, OK, REDIRECT, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, OK, OK, OK, OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT],
    "physician":          [OK, FORBIDDEN, FORBIDDEN, OK, OK, OK, REDIRECT, REDIRECT, OK, REDIRECT, OK, OK, OK, OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT],
    "clinic_admin":       [OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK, NOT_FOUND, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN],
    "outsider":           [OK, OK, REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT],
    "physician_elsewhere": [OK, OK, REDIRECT, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, OK, OK, OK, OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT],
    "admin_elsewhere":    [OK, OK, REDIRECT, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, OK, OK, OK, OK, OK, NOT_FOUND, OK, OK, OK, OK, NOT_FOUND, OK, OK, FORBIDDEN],
    "anonymous":          [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, OK, NOT_FOUND, LOGIN, LOGIN, LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT],
    "catalog_editor":     [FORBIDDEN] * 11 + [FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND] + [FORBIDDEN] * 2 + [OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
    "physician_no_2fa":   [ENROL] * 24,
    "physician_unverified": [VERIFY] * 24,
    "admin_unverified":   [VERIFY] * 24,
}
# fmt: on


# The physician's columns (design.md §9): signing off, withdrawing the sign-off and overriding an
# absolute contraindication need the review permission held at the consultation's clinic, so a
# physician at another clinic (physician_elsewhere) gets 403 like a counselor. Users without it
# anywhere (outsider) get 403 before the consultation is looked up for the sign-off; the override
# goes through the options view, which finds the consultation first (404 outside the clinic).
# The consultation is signed off and flags a fish allergy, so a withdrawal and an override of
# Rejuran (salmon-derived) have something to act on. Issuing is faked below: the gate itself is
# tested in tests/consult/test_signoff.py.
def _case(role, action, expected):
    return pytest.param(role, action, expected, id=f"{role}-{action}")


CASES = [
    _case(role, action, expected)
    for role, row in MATRIX.items()
    for action, expected in zip(ACTIONS, row, strict=True)
]


@pytest.fixture
def physician_elsewhere(demo_clinic, other_clinic) -> User:
    user = make_user("doc-elsewhere", demo_clinic, Membership.Role.COUNSELOR)
    add_member(user, other_clinic, Membership.Role.PHYSICIAN)
    give_second_factor(user)  # a physician somewhere: the role policy requires it
    return User.objects.get(pk=user.pk)


@pytest.fixture
def admin_elsewhere(demo_clinic, other_clinic) -> User:
    user = make_user("admin-elsewhere", demo_clinic, Membership.Role.COUNSELOR)
    add_member(user, other_clinic, Membership.Role.CLINIC_ADMIN)
    give_second_factor(user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def physician_no_2fa(demo_clinic) -> User:
    user = User.objects.create_user("doc-no-2fa", password="unused-in-this-test")
    add_member(user, demo_clinic, Membership.Role.PHYSICIAN)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def physician_unverified(physician) -> User:
    return physician


@pytest.fixture
def admin_unverified(clinic_admin) -> User:
    return clinic_admin


@pytest.fixture
def consultation(counselor, physician, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="M-1")
    consultation.flags.set(MedicalFlag.objects.filter(slug="fish-allergy"))
    sign_off(consultation, physician)
    return consultation


@pytest.fixture
def handout(consultation, counselor) -> Document:
    return Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="ja",
        snapshot={},
        pdf=b"%PDF-1.7 matrix",
        sha256=hashlib.sha256(b"%PDF-1.7 matrix").hexdigest(),
    )


def _tampered(token: str) -> str:
    """The same link with the signature's last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _fake_issue(kind, consultation, user, request=None, wait=None) -> Document:
    """Issuing without rendering: the matrix is about who may, not about the PDF."""
    return Document.objects.create(
        consultation=consultation, issued_by=user, language="ja", snapshot={}, pdf=b"%PDF", sha256="0" * 64
    )


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
    if kind == "sign-off":
        return {"version": consultation.version}
    if kind == "override":
        return {
            "version": consultation.version,
            "action": "override",
            "treatment": "rejuran",
            "reason": "matrix: physician's reason",
        }
    if kind == "new":
        return {"chart_number": "NEW-1", "handout_language": "ja", "clinic": "demo-clinic"}
    return kind


def _state(consultation) -> tuple:
    row = Consultation.objects.values(
        "version", "chart_number", "reviewed_by", "reviewed_at", "reviewed_version"
    ).get(pk=consultation.pk)
    options = list(ChosenOption.objects.values_list("treatment__slug", "override_at"))
    return row, options, Consultation.objects.count(), Document.objects.count()


@pytest.mark.parametrize("role,action,expected", CASES)
def test_access(client, request, monkeypatch, consultation, handout, other_clinic, role, action, expected):
    if role in PASSWORD_ONLY:
        force_login_password_only(client, request.getfixturevalue(role))
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    monkeypatch.setattr("consult.documents.views.issue_document", _fake_issue)
    method, path, data = ACTIONS[action]
    path = path.format(
        id=consultation.public_id,
        handout=handout.public_id,
        own_offering=Offering.objects.filter(clinic__slug="demo-clinic").first().pk,
        other_offering=Offering.objects.filter(clinic=other_clinic).first().pk,
        other_clinic=other_clinic.pk,
        token=links.make(handout),
        tampered=_tampered(links.make(handout)),
    )
    kwargs = HX if action in ("save", "add-option", "override") else {}
    before = _state(consultation)
    if method == "get":
        response = client.get(path, **kwargs)
    else:
        response = client.post(path, _data(data, consultation), **kwargs)
    if expected == LOGIN:
        location = response.get("HX-Redirect") or response.get("Location", "")
        assert response.status_code in (204, 302) and location.startswith("/accounts/login/"), (
            response.status_code
        )
    elif expected in SECOND_FACTOR_PAGES:
        location = response.get("HX-Redirect") or response.get("Location", "")
        assert response.status_code in (204, 302), response.status_code
        assert location.startswith(SECOND_FACTOR_PAGES[expected]), location
    else:
        assert response.status_code == expected
    if expected in (FORBIDDEN, NOT_FOUND, LOGIN, ENROL, VERIFY) and method == "post":
        assert _state(consultation) == before, "a refused request changed something"
    if action == "link" and expected == OK:  # no account needed: the one document it was signed for
        assert response["Content-Type"] == "application/pdf" and bytes(response.content) == bytes(handout.pdf)
    # Every 403 and 404 on a consultation, document or the audit log is in the audit trail
    # (issue 12, item 6); the admin's own refusals are Django's, not recorded there. A refused
    # signed link has no user: it is recorded as an unserved download (tests below).
    refusals = AuditEvent.objects.filter(action="refused")
    if expected in (FORBIDDEN, NOT_FOUND) and not path.startswith(("/admin/", "/d/")):
        [event] = refusals
        assert (event.user.get_username(), event.detail["status"]) == (
            User.objects.get(pk=client.session["_auth_user_id"]).get_username(),
            expected,
        )
        assert event.detail["path"] == path.split("?")[0]
    else:
        assert not refusals.exists()


def test_the_list_only_shows_the_users_clinic(client, counselor, outsider, consultation, other_clinic):
    Consultation.objects.create(clinic=other_clinic, counselor=outsider, chart_number="OTHER-9")
    client.force_login(outsider)
    body = client.get("/consultations/").content.decode()
    assert "OTHER-9" in body and "M-1" not in body


def test_a_physician_sign_off_is_recorded(client, physician, demo_clinic, counselor):
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="M-2")
    client.force_login(physician)
    client.post(f"/consultations/{consultation.public_id}/review/", {"version": consultation.version})
    consultation.refresh_from_db()
    assert consultation.reviewed_by == physician and consultation.reviewed_at is not None
    assert consultation.reviewed_version == consultation.version and consultation.is_signed_off
    event = AuditEvent.objects.get(action="review")
    assert (event.user, event.consultation, event.detail) == (physician, consultation, {"version": 1})


def test_a_physician_override_is_recorded_with_its_reason(client, physician, consultation):
    client.force_login(physician)
    response = client.post(
        f"/consultations/{consultation.public_id}/options/", _data("override", consultation), **HX
    )
    assert response.status_code == 200
    option = consultation.options.get()
    assert (option.treatment.slug, option.override_by, option.override_flags) == (
        "rejuran",
        physician,
        ["fish-allergy"],
    )
    assert option.override_reason == "matrix: physician's reason" and option.override_at is not None
    event = AuditEvent.objects.get(action="override")
    assert event.detail == {"treatment": "rejuran", "flags": ["fish-allergy"]}


def test_public_ids_are_uuids_not_sequential(counselor_client, consultation):
    assert str(consultation.public_id) in counselor_client.get("/consultations/").content.decode()
    assert counselor_client.get(f"/consultations/{consultation.pk}/").status_code == 404


def test_only_the_physician_sees_the_sign_off_button_and_everyone_sees_the_sign_off(
    client, physician, counselor, consultation
):
    consultation.clear_sign_off()
    client.force_login(counselor)
    page = client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert "/review/" not in page and 'class="card signoff unsigned"' in page
    client.force_login(physician)
    page = client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert f"/consultations/{consultation.public_id}/review/" in page
    consultation.refresh_from_db()
    client.post(f"/consultations/{consultation.public_id}/review/", {"version": consultation.version})
    client.force_login(counselor)
    page = client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert 'class="card signoff signed"' in page and "physician" in page
    assert "/review/" not in page


def test_the_role_held_at_the_consultations_clinic_decides(
    physician_elsewhere, admin_elsewhere, consultation
):
    """The permission check views use for one consultation (ClinicRoleBackend)."""
    assert physician_elsewhere.has_perm("consult.review_consultation")  # somewhere: yes
    assert not physician_elsewhere.has_perm("consult.review_consultation", consultation)  # here: no
    assert physician_elsewhere.has_perm("consult.change_consultation", consultation)
    assert admin_elsewhere.has_perm("consult.change_consultation", consultation)
    assert not admin_elsewhere.has_perm("consult.view_auditevent", consultation)


def test_a_clinic_admin_elsewhere_cannot_issue_handouts_here(client, demo_clinic, other_clinic, consultation):
    """Admin at this clinic, counselor at the other: issuing here is refused, although the user
    holds the permission to issue somewhere."""
    user = make_user("admin-here", demo_clinic, Membership.Role.CLINIC_ADMIN)
    add_member(user, other_clinic, Membership.Role.COUNSELOR)
    client.force_login(user)
    assert client.post(f"/consultations/{consultation.public_id}/handouts/").status_code == 403
    assert not consultation.documents.exists()


def test_a_physician_elsewhere_cannot_create_consultations_there(client, physician_elsewhere, other_clinic):
    client.force_login(physician_elsewhere)
    client.post(
        "/consultations/new/", {"chart_number": "X-1", "handout_language": "ja", "clinic": "other-clinic"}
    )
    assert not Consultation.objects.filter(clinic=other_clinic).exists()


def test_a_signed_link_serves_only_its_own_document(client, consultation, handout, counselor):
    """A link signed for another document serves that one, never this one; a link whose document
    id was swapped for this one's (the signature no longer matches) is refused, and recorded."""
    other = Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="en",
        snapshot={},
        pdf=b"%PDF-1.7 other",
        sha256=hashlib.sha256(b"%PDF-1.7 other").hexdigest(),
    )
    response = client.get(f"/d/{links.make(other)}/")
    assert response.status_code == 200 and bytes(response.content) == b"%PDF-1.7 other"
    swapped = links.make(other).replace(other.public_id.hex, handout.public_id.hex)
    response = client.get(f"/d/{swapped}/")
    assert response.status_code == 404 and b"%PDF" not in response.content
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD_DOCUMENT).latest("pk")
    assert event.detail == {"served": False, "reason": "link-invalid"}
