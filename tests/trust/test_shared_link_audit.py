"""Who sees a refused use of a QR share link in the audit log (issue 16 item 4, the signed link).

A link whose signature holds but whose time is up was made by this site for that document: its row
belongs to the document's clinic, and that clinic's admin sees it (not another clinic's). A link
whose signature fails proves nothing about the document it names, so its row has no clinic: no
clinic admin sees it, a superuser does. Either way the log says why nothing was served."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from catalog.models import Membership
from consult.documents import links
from consult.models import AuditEvent, Consultation, Document
from tests.conftest import give_second_factor, make_user

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"


@pytest.fixture
def document(counselor, demo_clinic) -> Document:
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="L-1")
    return Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="ja",
        snapshot={},
        pdf=b"%PDF-1.7 link",
        sha256=hashlib.sha256(b"%PDF-1.7 link").hexdigest(),
    )


@pytest.fixture
def other_admin(other_clinic) -> User:
    return make_user("otheradmin", other_clinic, Membership.Role.CLINIC_ADMIN)


@pytest.fixture
def superuser(db) -> User:
    user = User.objects.create_superuser("root", "root@example.invalid", "x-unused-password-1")
    give_second_factor(user)
    return user


def _expired(document: Document) -> str:
    eight_days_ago = signing.b62_encode(int(time.time()) - 8 * 86400)
    return signing.Signer(salt=links.SALT).sign(f"{document.public_id.hex}:{eight_days_ago}")


def _tampered(document: Document) -> str:
    token = links.make(document)
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _log(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/audit/?action=download-handout")
    assert response.status_code == 200
    return response.content.decode() + client.get("/audit/?action=download-document").content.decode()


def test_an_expired_link_is_in_its_clinics_log_only(document, demo_clinic, clinic_admin, other_admin):
    response = Client(REMOTE_ADDR=ADDRESS).get(f"/d/{_expired(document)}/")
    assert response.status_code == 410
    event = AuditEvent.objects.latest("id")
    assert event.clinic == demo_clinic and event.consultation == document.consultation
    assert event.detail["reason"] == "link-expired"
    page = _log(clinic_admin)
    assert ADDRESS in page and "link-expired" in page and document.public_id.hex[:8] in page
    assert ADDRESS not in _log(other_admin)


def test_a_tampered_link_is_in_no_clinics_log_but_the_superusers(
    document, clinic_admin, other_admin, superuser
):
    response = Client(REMOTE_ADDR=ADDRESS).get(f"/d/{_tampered(document)}/")
    assert response.status_code == 404 and b"%PDF" not in response.content
    event = AuditEvent.objects.latest("id")
    # Not attributed on the link's word: no clinic, no consultation, no document.
    assert event.clinic is None and event.consultation is None and event.object_id == ""
    assert event.detail == {"served": False, "reason": "link-invalid"}
    assert ADDRESS not in _log(clinic_admin)
    assert ADDRESS not in _log(other_admin)
    page = _log(superuser)
    assert ADDRESS in page and "link-invalid" in page


def test_a_superuser_sees_every_clinics_log(document, superuser):
    Client(REMOTE_ADDR=ADDRESS).get(f"/d/{_expired(document)}/")
    client = Client()
    client.force_login(superuser)
    page = client.get("/audit/").content.decode()
    assert ADDRESS in page
    # Exporting is audited as for a clinic admin: one row for each clinic whose log was read.
    b"".join(client.get("/audit/?format=csv").streaming_content)
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=superuser)
    assert exports.count() >= 2 and all(e.clinic_id for e in exports)
