"""Roles as Django groups with explicit permissions, and the demo accounts for local use."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from catalog.models import Clinic, Membership

_CATALOG_MODELS = [
    "source",
    "condition",
    "medicalflag",
    "treatment",
    "sideeffect",
    "indication",
    "contraindication",
    "homecaretip",
    "nutrient",
    "offering",
    "courseprice",
    "physician",
]

# role -> list of "app_label.codename"
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Membership.Role.COUNSELOR: [
        "consult.add_consultation",
        "consult.change_consultation",
        "consult.view_consultation",
    ],
    Membership.Role.PHYSICIAN: [
        "consult.view_consultation",
        "consult.change_consultation",
        "consult.review_consultation",
    ],
    Membership.Role.CLINIC_ADMIN: [
        "consult.view_consultation",
        "consult.view_auditevent",
        "catalog.view_clinic",
        "catalog.change_clinic",
        *[
            f"catalog.{action}_{model}"
            for model in _CATALOG_MODELS
            for action in ("add", "change", "delete", "view")
        ],
    ],
}

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("counselor", Membership.Role.COUNSELOR, "デモ カウンセラー"),
    ("physician", Membership.Role.PHYSICIAN, "デモ 医師"),
    ("clinicadmin", Membership.Role.CLINIC_ADMIN, "デモ 管理者"),
]


def ensure_groups() -> dict[str, Group]:
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        groups[role] = group
    return groups


@transaction.atomic
def add_member(user: User, clinic: Clinic, role: str) -> Membership:
    groups = ensure_groups()
    membership, _ = Membership.objects.update_or_create(user=user, clinic=clinic, defaults={"role": role})
    user.groups.add(groups[role])
    if role == Membership.Role.CLINIC_ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


def ensure_demo_users(clinic: Clinic) -> list[User]:
    users = []
    for username, role, full_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.first_name = full_name
            user.set_password(DEMO_PASSWORD)
            user.save()
        add_member(user, clinic, role)
        users.append(user)
    return users
