"""A clinic admin manages their own clinic's staff accounts in /admin/, and nothing more."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from catalog.models import Membership
from consult.models import AuditEvent
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kaunseraa-2026-pass"


@pytest.fixture
def admin_client(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


def _new_user_post(username: str, clinic, role: str = Membership.Role.COUNSELOR, rows: int = 1) -> dict:
    data = {
        "username": username,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
        "memberships-TOTAL_FORMS": rows,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    if rows:
        data |= {"memberships-0-clinic": clinic.pk, "memberships-0-role": role}
    return data


def test_the_list_shows_the_clinics_staff_only(admin_client, counselor, outsider):
    User.objects.create_superuser("root", password="x-root-pass-91")
    body = admin_client.get("/admin/auth/user/").content.decode()
    assert f"/admin/auth/user/{counselor.pk}/change/" in body
    assert f"/admin/auth/user/{outsider.pk}/change/" not in body
    assert "root" not in body


def test_a_clinic_admin_creates_a_counselor_who_can_work_at_once(admin_client, client, demo_clinic):
    response = admin_client.post("/admin/auth/user/add/", _new_user_post("newcounselor", demo_clinic))
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newcounselor")
    assert Membership.objects.get(user=user).clinic == demo_clinic
    assert user.has_perm("consult.add_consultation") and not user.is_staff and not user.is_superuser
    event = AuditEvent.objects.get(action="staff-change")
    assert (event.object_type, event.detail["verb"]) == ("auth.user", "add")
    client.logout()
    assert client.login(username="newcounselor", password=NEW_PASSWORD)


def test_an_account_without_a_role_at_the_clinic_is_refused(admin_client, demo_clinic):
    response = admin_client.post("/admin/auth/user/add/", _new_user_post("nobody", demo_clinic, rows=0))
    assert response.status_code == 200
    assert not User.objects.filter(username="nobody").exists()


def test_a_role_at_another_clinic_cannot_be_given(admin_client, other_clinic):
    response = admin_client.post("/admin/auth/user/add/", _new_user_post("sneaky", other_clinic))
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()


def test_other_clinics_staff_and_superusers_are_out_of_reach(admin_client, outsider, demo_clinic):
    root = User.objects.create_superuser("root", password="x-root-pass-91")
    for user in (outsider, root):
        assert admin_client.get(f"/admin/auth/user/{user.pk}/change/").status_code == 404
        assert admin_client.get(f"/admin/auth/user/{user.pk}/password/").status_code in (403, 404)
        response = admin_client.post(
            f"/admin/auth/user/{user.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code in (403, 404)
    assert User.objects.get(pk=outsider.pk).check_password(PASSWORD)
    # Someone who also works at a clinic this admin does not run is not theirs to edit either.
    shared = make_user("shareddoc", demo_clinic, Membership.Role.PHYSICIAN)
    Membership.objects.create(user=shared, clinic=outsider.memberships.get().clinic, role="physician")
    assert admin_client.get(f"/admin/auth/user/{shared.pk}/change/").status_code == 404


def test_flags_outside_the_form_cannot_be_slipped_in(admin_client, counselor, demo_clinic):
    membership = Membership.objects.get(user=counselor)
    response = admin_client.post(
        f"/admin/auth/user/{counselor.pk}/change/",
        {
            "username": counselor.username,
            "first_name": "改名",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 1,
            "memberships-0-id": membership.pk,
            "memberships-0-user": counselor.pk,
            "memberships-0-clinic": demo_clinic.pk,
            "memberships-0-role": Membership.Role.CLINIC_ADMIN,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    counselor = User.objects.get(pk=counselor.pk)
    assert counselor.first_name == "改名"
    assert not counselor.is_superuser
    # The role change is real and immediate: groups follow the membership.
    assert counselor.is_staff and counselor.has_perm("consult.view_auditevent")


def test_a_deactivated_account_can_no_longer_log_in(admin_client, client, counselor, demo_clinic):
    membership = Membership.objects.get(user=counselor)
    response = admin_client.post(
        f"/admin/auth/user/{counselor.pk}/change/",
        {
            "username": counselor.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 1,
            "memberships-0-id": membership.pk,
            "memberships-0-user": counselor.pk,
            "memberships-0-clinic": demo_clinic.pk,
            "memberships-0-role": membership.role,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=counselor.pk).is_active
    assert not client.login(username=counselor.username, password=PASSWORD)
    # Accounts are never deleted (the audit trail refers to them).
    assert admin_client.get(f"/admin/auth/user/{counselor.pk}/delete/").status_code == 403


@pytest.mark.parametrize("who", ["counselor", "physician"])
def test_counselors_and_physicians_cannot_manage_staff(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/admin/auth/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_accounts_with_rights_beyond_their_role_are_out_of_reach(admin_client, demo_clinic):
    from django.contrib.auth.models import Group, Permission

    special = make_user("special", demo_clinic, Membership.Role.COUNSELOR)
    special.user_permissions.add(Permission.objects.get(codename="delete_treatment"))
    grouped = make_user("grouped", demo_clinic, Membership.Role.COUNSELOR)
    grouped.groups.add(Group.objects.create(name="IT"))
    for user in (special, grouped):
        assert admin_client.get(f"/admin/auth/user/{user.pk}/change/").status_code == 404


def test_a_staff_change_shows_in_the_log_of_the_accounts_clinic_only(
    client, clinic_admin, counselor, other_clinic, demo_clinic
):
    # An admin of the other clinic who also counsels here changes one of their own clinic's accounts.
    other_admin = make_user("otheradmin", other_clinic, Membership.Role.CLINIC_ADMIN)
    Membership.objects.create(user=other_admin, clinic=demo_clinic, role=Membership.Role.COUNSELOR)
    colleague = make_user("colleague", other_clinic, Membership.Role.COUNSELOR)
    client.force_login(other_admin)
    membership = Membership.objects.get(user=colleague)
    response = client.post(
        f"/admin/auth/user/{colleague.pk}/change/",
        {
            "username": "colleague",
            "first_name": "改名",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 1,
            "memberships-0-id": membership.pk,
            "memberships-0-user": colleague.pk,
            "memberships-0-clinic": other_clinic.pk,
            "memberships-0-role": membership.role,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="staff-change")
    assert event.clinic == other_clinic
    client.force_login(clinic_admin)
    csv = b"".join(client.get("/audit/?format=csv").streaming_content).decode()
    assert "staff-change" not in csv and "colleague" not in csv
