"""Roles: what each one may do, held per clinic (a Membership), and the demo accounts for local use.

A user's role groups give the permissions of every role they hold somewhere; that answers "may this
user ever do X" (menus, the admin). For an object that belongs to a clinic, `ClinicRoleBackend`
answers from the role held *at that clinic*: a physician at clinic B who counsels at clinic A is a
counselor at A. Views that act on a consultation ask `user.has_perm(perm, consultation)`.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import QuerySet

from catalog.models import Clinic, Membership

# The shared catalog: text every clinic's pages and documents print. Only catalog editors (and
# superusers) change it; clinic admins read it.
SHARED_CATALOG_MODELS = [
    "source",
    "condition",
    "medicalflag",
    "treatment",
    "sideeffect",
    "indication",
    "contraindication",
    "homecaretip",
    "nutrient",
    "consenttext",  # per treatment, shared by every clinic (no clinic of its own)
]
# A clinic's own catalog rows (scoped to its clinics in catalog/admin.py ClinicScopedAdmin): what it
# offers, its prices, per-offering regulatory facts (the regenerative-medicine plan number), its
# price notes and its physicians.
CLINIC_CATALOG_MODELS = ["offering", "courseprice", "physician"]

# Not a role at a clinic: the catalog is shared by every clinic, so its editors are a Django group
# given by a superuser (the admin's user page). Its members reach the admin for the shared catalog.
CATALOG_EDITOR = "catalog editor"
CATALOG_EDITOR_PERMISSIONS = [
    f"catalog.{action}_{model}"
    for model in SHARED_CATALOG_MODELS
    for action in ("add", "change", "delete", "view")
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
        "consult.sign_treatmentplan",
    ],
    Membership.Role.CLINIC_ADMIN: [
        "consult.view_consultation",
        "consult.view_auditevent",
        "catalog.view_clinic",
        "catalog.change_clinic",
        # Staff accounts and roles at their own clinic (scoped in catalog/admin.py); never deleted,
        # since the audit trail refers to them: deactivated instead.
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "catalog.view_membership",
        "catalog.add_membership",
        "catalog.change_membership",
        "catalog.delete_membership",
        *[f"catalog.view_{model}" for model in SHARED_CATALOG_MODELS],
        *[
            f"catalog.{action}_{model}"
            for model in CLINIC_CATALOG_MODELS
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


def _group(name: str, perms: list[str]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = []
    for perm in perms:
        app_label, codename = perm.split(".")
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group


def ensure_groups() -> dict[str, Group]:
    """The role groups, with exactly their roles' permissions (and the catalog editors' group)."""
    _group(CATALOG_EDITOR, CATALOG_EDITOR_PERMISSIONS)
    return {role: _group(role, perms) for role, perms in ROLE_PERMISSIONS.items()}


def is_catalog_editor(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=CATALOG_EDITOR).exists())


def make_catalog_editor(user: User) -> None:
    """What a superuser does in the admin (the user's groups): the account edits the shared catalog."""
    ensure_groups()
    user.groups.add(Group.objects.get(name=CATALOG_EDITOR))
    sync_groups(user)


@transaction.atomic
def add_member(user: User, clinic: Clinic, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, clinic=clinic, defaults={"role": role})
    sync_groups(user)
    return membership


def sync_groups(user: User) -> None:
    """Give the user exactly the role groups of the roles they hold (other groups stay)."""
    groups = ensure_groups()
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    user.groups.remove(*[group for role, group in groups.items() if role not in held])
    user.groups.add(*[groups[role] for role in held])
    # The admin site is for clinic admins, catalog editors and superusers: a role taken away closes
    # it again.
    staff = (
        user.is_superuser
        or Membership.Role.CLINIC_ADMIN in held
        or user.groups.filter(name=CATALOG_EDITOR).exists()
    )
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


def role_at(user: User, clinic: Clinic | int) -> str | None:
    clinic_id = clinic.pk if isinstance(clinic, Clinic) else clinic
    return (
        Membership.objects.filter(user_id=user.pk, clinic_id=clinic_id).values_list("role", flat=True).first()
    )


def has_clinic_perm(user: User, perm: str, clinic: Clinic | int) -> bool:
    """Whether the role the user holds at this clinic grants `perm` ("app_label.codename")."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    role = role_at(user, clinic)
    return role is not None and perm in ROLE_PERMISSIONS.get(role, ())


def admin_clinics(user: User) -> QuerySet[Clinic]:
    """The clinics whose catalog entries, staff and audit log this user manages."""
    if user.is_superuser:
        return Clinic.objects.all()
    return Clinic.objects.filter(
        memberships__user_id=user.pk, memberships__role=Membership.Role.CLINIC_ADMIN
    ).distinct()


def manageable_users(user: User) -> QuerySet[User]:
    """The staff accounts this user may edit: every account for a superuser; for a clinic admin, the
    accounts whose memberships all lie in clinics they administer (never a superuser, never someone
    who also works at a clinic they do not administer, whose access they would change there too,
    never an account with rights beyond its roles)."""
    if user.is_superuser:
        return User.objects.all()
    clinics = admin_clinics(user)
    return (
        User.objects.filter(is_superuser=False, memberships__clinic__in=clinics)
        .exclude(memberships__in=Membership.objects.exclude(clinic__in=clinics))
        # Rights beyond the roles (direct permissions, other groups) were given by a superuser; a
        # clinic admin who could reset that account's password would hold them too.
        .exclude(user_permissions__isnull=False)
        .exclude(groups__in=Group.objects.exclude(name__in=list(ROLE_PERMISSIONS)))
        .distinct()
    )


def clinic_id_of(obj) -> int | None:
    """The clinic an object belongs to: a clinic itself, or anything with a clinic or consultation."""
    if isinstance(obj, Clinic):
        return obj.pk
    if hasattr(obj, "clinic_id"):
        return obj.clinic_id
    consultation = getattr(obj, "consultation", None)
    return getattr(consultation, "clinic_id", None)


class ClinicRoleBackend(ModelBackend):
    """Django's model backend, plus object permissions decided by the role held at the object's clinic."""

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is None:
            return super().has_perm(user_obj, perm)
        clinic_id = clinic_id_of(obj)
        return clinic_id is not None and has_clinic_perm(user_obj, perm, clinic_id)


def ensure_demo_users(clinic: Clinic) -> list[User]:
    users = []
    for username, role, full_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.first_name = full_name
            user.set_password(DEMO_PASSWORD)
            user.save()
        add_member(user, clinic, role)
        if role == Membership.Role.PHYSICIAN:
            _link_physician_record(user, clinic)
        users.append(user)
    return users


def _link_physician_record(user: User, clinic: Clinic) -> None:
    """The demo physician signs in as the clinic's first physician record without an account, so the
    handouts it signs print that record's title (issue 14: the authors' credentials)."""
    if clinic.physicians.filter(user=user).exists():
        return
    record = clinic.physicians.filter(user__isnull=True).order_by("id").first()
    if record is not None:
        record.user = user
        record.save(update_fields=["user"])
