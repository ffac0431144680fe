"""Shared test setup: the real catalog fixtures loaded once per test database, and named users.

Users (healthchecks style): `counselor`, `physician`, `clinic_admin` at the demo clinic and
`outsider`, a counselor at another clinic, so view tests also check who may see what.

Two-factor sign-in: tests run under the role policy (physicians and clinic admins need a second
factor), whatever the environment says. Users made with a physician or clinic-admin role get an
authenticator app (`give_second_factor`), and `Client.force_login` stands for a complete sign-in:
password and, when the user has one, the second factor. Tests of the half-signed-in states use
`force_login_password_only`.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import Clinic, Membership
from catalog.roles import add_member
from consult.facts import clear_cache as clear_facts_cache

PASSWORD = "test-pass-8d7f2a"
ROLE_POLICY = frozenset({Membership.Role.PHYSICIAN, Membership.Role.CLINIC_ADMIN})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_catalog()
        # Transactional tests (threads, processes, a live server) flush the database when they
        # end; with `serialized_rollback` Django restores this snapshot, catalog included.
        from django.db import connection

        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _render_wait(settings):
    """ "Print handout" waits for its PDF instead of answering "preparing…" (a slow render on a busy
    test machine would otherwise be stored by a thread that cannot see the test's transaction);
    tests/handout/test_render_pool.py and tests/browser/test_render_pending.py test the poll."""
    settings.RENDER_WAIT_SECONDS = 120


@pytest.fixture(autouse=True)
def _two_factor_policy(settings):
    settings.MFA_REQUIRED_FOR = ROLE_POLICY


def give_second_factor(user: User) -> TOTPDevice:
    """A confirmed authenticator app for `user`; its secret is `device.bin_key`."""
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


_password_only_login = Client.force_login


def force_login_password_only(client: Client, user: User, backend: str | None = None) -> None:
    """Signed in with the password, the second factor not (yet) passed."""
    _password_only_login(client, user, backend)


def _force_login_with_second_factor(client: Client, user: User, backend: str | None = None) -> None:
    _password_only_login(client, user, backend)
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


Client.force_login = _force_login_with_second_factor


@pytest.fixture
def demo_clinic(db) -> Clinic:
    return Clinic.objects.get(slug="demo-clinic")


@pytest.fixture
def other_clinic(db) -> Clinic:
    return Clinic.objects.get(slug="other-clinic")


def make_user(username: str, clinic: Clinic, role: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    add_member(user, clinic, role)
    if role in ROLE_POLICY:
        give_second_factor(user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def counselor(demo_clinic) -> User:
    return make_user("counselor", demo_clinic, Membership.Role.COUNSELOR)


@pytest.fixture
def physician(demo_clinic) -> User:
    return make_user("physician", demo_clinic, Membership.Role.PHYSICIAN)


@pytest.fixture
def clinic_admin(demo_clinic) -> User:
    return make_user("clinicadmin", demo_clinic, Membership.Role.CLINIC_ADMIN)


@pytest.fixture
def catalog_editor(db) -> User:
    """Edits the shared catalog (a Django group, not a role at a clinic); works at no clinic."""
    from catalog.roles import make_catalog_editor

    user = User.objects.create_user("catalogeditor", password=PASSWORD)
    make_catalog_editor(user)
    give_second_factor(user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def outsider(other_clinic) -> User:
    return make_user("outsider", other_clinic, Membership.Role.COUNSELOR)


@pytest.fixture
def counselor_client(client, counselor):
    client.force_login(counselor)
    return client


def sign_off(consultation, physician) -> None:
    """The physician signs off the consultation as it is now (what the workspace's button does)."""
    consultation.refresh_from_db()
    consultation.sign_off(physician, consultation.version)


def load_catalog() -> None:
    call_command("load_demo", no_users=True, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _fresh_catalog_facts():
    """Each test starts without cached engine facts (rolled-back data can repeat a catalog revision)."""
    clear_facts_cache()


@pytest.fixture
def committed_db(django_db_serialized_rollback, transactional_db):
    """A transactional database (for threads, processes, a live server) holding the catalog.

    pytest-django runs these tests after the ordinary ones; each starts from the session's
    snapshot (catalog and groups) thanks to `serialized_rollback`.
    """
