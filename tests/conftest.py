"""Shared test setup: the real catalog fixtures loaded once per test database, and named users.

Users (healthchecks style): `counselor`, `physician`, `clinic_admin` at the demo clinic and
`outsider`, a counselor at another clinic, so view tests also check who may see what.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from catalog.models import Clinic, Membership
from catalog.roles import add_member
from consult.facts import clear_cache as clear_facts_cache

PASSWORD = "test-pass-8d7f2a"


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


@pytest.fixture
def demo_clinic(db) -> Clinic:
    return Clinic.objects.get(slug="demo-clinic")


@pytest.fixture
def other_clinic(db) -> Clinic:
    return Clinic.objects.get(slug="other-clinic")


def make_user(username: str, clinic: Clinic, role: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    add_member(user, clinic, role)
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
