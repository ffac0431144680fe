"""A clinic admin manages their own clinic in /admin/ and never sees another clinic's records."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from catalog.models import Clinic, CoursePrice, Membership, Offering, Treatment
from tests.conftest import give_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


@pytest.fixture
def other_offering(other_clinic) -> Offering:
    return Offering.objects.filter(clinic=other_clinic).first()


def test_lists_show_only_the_admins_clinic(admin_client, demo_clinic, other_clinic):
    clinics = admin_client.get("/admin/catalog/clinic/").content.decode()
    assert f"/admin/catalog/clinic/{demo_clinic.pk}/change/" in clinics
    assert f"/admin/catalog/clinic/{other_clinic.pk}/change/" not in clinics
    offerings = admin_client.get("/admin/catalog/offering/").content.decode()
    assert all(f"/admin/catalog/offering/{o.pk}/change/" in offerings for o in demo_clinic.offerings.all())
    assert not any(
        f"/admin/catalog/offering/{o.pk}/change/" in offerings for o in other_clinic.offerings.all()
    )
    # Not even the other clinic's name, in the list or in its filter.
    assert other_clinic.name not in offerings and other_clinic.name_en not in offerings


def test_another_clinics_objects_answer_404_on_every_admin_page(admin_client, other_clinic, other_offering):
    for path in (
        f"/admin/catalog/offering/{other_offering.pk}/change/",
        f"/admin/catalog/offering/{other_offering.pk}/history/",
        f"/admin/catalog/offering/{other_offering.pk}/delete/",
        f"/admin/catalog/clinic/{other_clinic.pk}/change/",
        f"/admin/catalog/clinic/{other_clinic.pk}/history/",
    ):
        assert admin_client.get(path).status_code == 404, path


def test_posting_to_another_clinics_objects_changes_nothing(admin_client, other_clinic, other_offering):
    price = other_offering.price_per_session_yen
    response = admin_client.post(
        f"/admin/catalog/offering/{other_offering.pk}/change/",
        {"treatment": other_offering.treatment_id, "clinic": other_clinic.pk, "price_per_session_yen": 1},
    )
    assert response.status_code == 404
    response = admin_client.post(f"/admin/catalog/offering/{other_offering.pk}/delete/", {"post": "yes"})
    assert response.status_code == 404
    response = admin_client.post(
        "/admin/catalog/offering/",
        {"action": "delete_selected", "_selected_action": [other_offering.pk], "post": "yes"},
    )
    other_offering.refresh_from_db()
    assert other_offering.price_per_session_yen == price
    names = admin_client.get(f"/admin/catalog/clinic/{other_clinic.pk}/change/")
    assert names.status_code == 404
    assert Clinic.objects.get(pk=other_clinic.pk).name_ja == other_clinic.name_ja


def test_a_new_offering_can_only_be_for_the_admins_clinic(admin_client, demo_clinic, other_clinic):
    form = admin_client.get("/admin/catalog/offering/add/").content.decode()
    clinic_select = re.search(r'<select name="clinic".*?</select>', form, re.S).group()
    assert f'<option value="{demo_clinic.pk}"' in clinic_select
    assert f'<option value="{other_clinic.pk}"' not in clinic_select
    treatment = Treatment.objects.exclude(offerings__clinic=other_clinic).first()
    response = admin_client.post(
        "/admin/catalog/offering/add/",
        {
            "clinic": other_clinic.pk,
            "treatment": treatment.pk,
            "price_per_session_yen": 1000,
            "active": "on",
            "course_prices-TOTAL_FORMS": 0,
            "course_prices-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200  # the form again, with an error on the clinic
    assert "Select a valid choice" in response.content.decode() or "正しく選択" in response.content.decode()
    assert not Offering.objects.filter(clinic=other_clinic, treatment=treatment).exists()


def test_the_admins_own_clinic_stays_editable(admin_client, demo_clinic):
    offering = demo_clinic.offerings.first()
    page = admin_client.get(f"/admin/catalog/offering/{offering.pk}/change/")
    assert page.status_code == 200
    # Course prices and physicians are inlines of their own offering / clinic only.
    body = page.content.decode()
    assert all(str(cp.price_yen) in body for cp in CoursePrice.objects.filter(offering=offering))
    clinic_page = admin_client.get(f"/admin/catalog/clinic/{demo_clinic.pk}/change/").content.decode()
    assert all(p.name_ja in clinic_page for p in demo_clinic.physicians.all())
    assert "試験 一郎" not in clinic_page  # the other clinic's physician


def test_a_superuser_sees_every_clinic(client, other_clinic, other_offering):
    client.force_login(_superuser())
    assert client.get(f"/admin/catalog/offering/{other_offering.pk}/change/").status_code == 200
    assert client.get(f"/admin/catalog/clinic/{other_clinic.pk}/change/").status_code == 200


def _superuser() -> User:
    user = User.objects.create_superuser("root", password="x-root-pass-91")
    give_second_factor(user)  # superusers always need a second factor
    return user


def _clinic_change(clinic: Clinic, memberships: list[dict]) -> dict:
    """The clinic's admin form as posted: its fields, its physicians as they are, these memberships."""
    data = {
        "slug": clinic.slug,
        "phone": clinic.phone,
        "website": clinic.website,
        "is_demo": "on",
        **{
            f"{field}_{lang}": getattr(clinic, f"{field}_{lang}")
            for field in ("name", "address")
            for lang in ("ja", "en")
        },
    }
    physicians = list(clinic.physicians.order_by("pk"))
    data["physicians-TOTAL_FORMS"] = data["physicians-INITIAL_FORMS"] = len(physicians)
    for i, p in enumerate(physicians):
        data[f"physicians-{i}-id"] = p.pk
        data[f"physicians-{i}-clinic"] = clinic.pk
        for field in ("name_ja", "name_en", "title_ja", "title_en"):
            data[f"physicians-{i}-{field}"] = getattr(p, field)
    data["memberships-TOTAL_FORMS"] = len(memberships)
    data["memberships-INITIAL_FORMS"] = sum(1 for m in memberships if m.get("id"))
    for i, row in enumerate(memberships):
        for key, value in {"clinic": clinic.pk, **row}.items():
            data[f"memberships-{i}-{key}"] = value
    return data


def test_a_role_given_or_changed_in_the_admin_takes_effect(client, clinic_admin, demo_clinic):
    """Memberships edited on the clinic's admin page (by a superuser) keep role groups in step."""
    client.force_login(_superuser())
    colleague = User.objects.create_user("newdoc", password="x-doc-pass-41")
    existing = [
        {"id": m.pk, "user": m.user_id, "role": m.role} for m in Membership.objects.filter(clinic=demo_clinic)
    ]
    path = f"/admin/catalog/clinic/{demo_clinic.pk}/change/"
    rows = [*existing, {"user": colleague.pk, "role": Membership.Role.PHYSICIAN}]
    response = client.post(path, _clinic_change(demo_clinic, rows))
    assert response.status_code == 302
    assert User.objects.get(pk=colleague.pk).has_perm("consult.review_consultation")

    membership = Membership.objects.get(user=colleague, clinic=demo_clinic)
    rows = [*existing, {"id": membership.pk, "user": colleague.pk, "role": Membership.Role.COUNSELOR}]
    response = client.post(path, _clinic_change(demo_clinic, rows))
    assert response.status_code == 302
    colleague = User.objects.get(pk=colleague.pk)
    assert not colleague.has_perm("consult.review_consultation")
    assert colleague.has_perm("consult.add_consultation")


@pytest.mark.parametrize(
    "title,japanese",
    [("How it works", "仕組み"), ("Course", "コース"), ("Downtime and comfort", "ダウンタイムと痛み")],
)
def test_the_treatment_admin_speaks_japanese(admin_client, title, japanese):
    treatment = Treatment.objects.first()
    page = admin_client.get(f"/admin/catalog/treatment/{treatment.pk}/change/", HTTP_ACCEPT_LANGUAGE="ja")
    body = page.content.decode()
    assert japanese in body and f">{title}<" not in body


def test_a_membership_row_keeps_its_account_and_a_removed_admin_loses_the_admin(
    client, clinic_admin, counselor, demo_clinic
):
    """Pointing an existing row at another account is ignored; removing a role takes its rights away."""
    second_admin = User.objects.create_user("admin2", password="x-admin2-pass-7")
    Membership.objects.create(user=second_admin, clinic=demo_clinic, role=Membership.Role.CLINIC_ADMIN)
    from catalog.roles import sync_groups

    sync_groups(second_admin)
    assert User.objects.get(pk=second_admin.pk).is_staff
    client.force_login(clinic_admin)
    path = f"/admin/catalog/clinic/{demo_clinic.pk}/change/"
    memberships = list(Membership.objects.filter(clinic=demo_clinic).order_by("pk"))
    rows = [
        {"id": m.pk, "user": counselor.pk if m.user_id == second_admin.pk else m.user_id, "role": m.role}
        for m in memberships
    ]
    assert client.post(path, _clinic_change(demo_clinic, rows)).status_code == 302
    assert Membership.objects.get(user=second_admin).role == Membership.Role.CLINIC_ADMIN
    assert Membership.objects.filter(user=counselor).count() == 1
    # Deleting the second admin's row closes the admin site to them at once.
    rows = [
        {
            "id": m.pk,
            "user": m.user_id,
            "role": m.role,
            **({"DELETE": "on"} if m.user_id == second_admin.pk else {}),
        }
        for m in memberships
    ]
    assert client.post(path, _clinic_change(demo_clinic, rows)).status_code == 302
    second_admin = User.objects.get(pk=second_admin.pk)
    assert not second_admin.is_staff and not second_admin.groups.exists()
    client.force_login(second_admin)
    assert client.get("/admin/catalog/treatment/").status_code == 302
