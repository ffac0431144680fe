"""Render ahead (issue 13, target 2): once the physician signed off, the handout is rendered in the
background (the real render pool) and "Print handout" stores those bytes, but only while they are
exactly the document the click would make: same user, same local date, same snapshot."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from catalog.models import Clinic, Membership, Offering
from consult.documents import KINDS, rendering
from consult.documents.pipeline import issue, issue_key, prepare, render
from consult.models import AuditEvent, Consultation, Document
from tests.conftest import make_user, sign_off
from tests.handout.test_handover import _consultation
from tests.handout.test_issue_download import HX, issue_url

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HANDOUT = KINDS["handout"]


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.RENDER_BACKEND = "pool"
    settings.RENDER_AHEAD = True
    caches["prepared"].clear()
    yield
    if caches["prepared"].__class__.__name__ == "LocMemCache":  # a test's database cache goes with it
        caches["prepared"].clear()


def _fresh(consultation: Consultation) -> Consultation:
    return Consultation.objects.with_details().get(pk=consultation.pk)


def _wait_prepared(consultation: Consultation) -> rendering.Prepared:
    key = issue_key(HANDOUT, _fresh(consultation))
    deadline = time.monotonic() + 90
    while (found := rendering.prepared("handout", consultation.pk, key)) is None:
        assert time.monotonic() < deadline, "nothing was prepared"
        time.sleep(0.1)
    return found


def _people(name: str = "ahead"):
    clinic = Clinic.objects.get(slug="demo-clinic")
    counselor = make_user(name, clinic, Membership.Role.COUNSELOR)
    physician = make_user(f"{name}-md", clinic, Membership.Role.PHYSICIAN)
    return clinic, counselor, physician


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _consistent(document: Document) -> None:
    """The stored PDF is the render of the stored snapshot, with its hash; the issue audited once."""
    pdf = bytes(document.pdf)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert render(HANDOUT, document.snapshot, str(document.public_id)) == pdf
    issued = AuditEvent.objects.filter(action="issue-handout", object_id=str(document.public_id))
    assert issued.count() == 1


def test_issuing_after_the_sign_off_stores_the_render_made_ahead(db, tmp_path):
    clinic, counselor, physician = _people()
    consultation = _consultation(counselor, clinic)
    consultation.refresh_from_db()
    # The physician signs off on the workspace: the handout is rendered ahead for the counselor.
    signed = _client(physician).post(
        f"/consultations/{consultation.public_id}/review/", {"version": consultation.version}
    )
    assert signed.status_code == 302
    prepared = _wait_prepared(consultation)
    assert prepared.user_id == counselor.pk

    clicked = timezone.now()
    response = _client(counselor).post(issue_url(consultation), **HX)
    assert response.status_code == 200
    document = Document.objects.get(consultation=consultation)
    # The bytes made ahead, not a second render: a render at the click gets a new id and time.
    assert str(document.public_id) == prepared.document_id
    assert document.issued_at == datetime.fromisoformat(prepared.issued_at)
    assert bytes(document.pdf) == prepared.pdf
    assert document.snapshot["handout_id"] in _pdf_text(prepared.pdf, tmp_path).replace(" ", "")
    _consistent(document)
    # The audit row keeps the click's time; the document the time printed on it.
    event = AuditEvent.objects.get(action="issue-handout", consultation=consultation)
    assert event.at >= clicked.replace(microsecond=0) >= document.issued_at
    assert f"/handouts/{document.public_id}/" in response.content.decode()
    # Issued: the prepared bytes are dropped, and a later page view prepares nothing again.
    assert rendering.prepared("handout", consultation.pk, issue_key(HANDOUT, _fresh(consultation))) is None
    assert _client(counselor).get(f"/consultations/{consultation.public_id}/").status_code == 200
    assert prepare(HANDOUT, _fresh(consultation), counselor) is None


def test_a_price_changed_since_the_prepare_is_rendered_fresh_with_the_new_price(db, tmp_path):
    clinic, counselor, physician = _people()
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    assert prepare(HANDOUT, _fresh(consultation), counselor).result(timeout=90)
    prepared = _wait_prepared(consultation)
    offering = Offering.objects.get(clinic=clinic, treatment__slug="subcision")
    new_price = offering.price_per_session_yen + 12_340
    offering.price_per_session_yen = new_price
    offering.save()

    document = issue(HANDOUT, _fresh(consultation), counselor)
    assert str(document.public_id) != prepared.document_id
    assert f"{new_price:,}" in _pdf_text(bytes(document.pdf), tmp_path)
    assert f"{new_price:,}" not in _pdf_text(prepared.pdf, tmp_path)
    _consistent(document)


def test_another_user_issuing_gets_a_fresh_render(db):
    clinic, counselor, physician = _people()
    colleague = make_user("colleague", clinic, Membership.Role.COUNSELOR)
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    assert prepare(HANDOUT, _fresh(consultation), counselor).result(timeout=90)
    prepared = _wait_prepared(consultation)

    document = issue(HANDOUT, _fresh(consultation), colleague)
    assert str(document.public_id) != prepared.document_id
    assert document.issued_by == colleague
    _consistent(document)


def test_after_midnight_the_issue_renders_fresh_with_that_day(db):
    clinic, counselor, physician = _people()
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    evening = timezone.localtime().replace(hour=23, minute=50, second=0, microsecond=0)
    assert prepare(HANDOUT, _fresh(consultation), counselor, now=evening).result(timeout=90)
    prepared = _wait_prepared(consultation)
    assert prepared.issued_at == evening.isoformat()

    # Same evening, a few minutes later: the prepared bytes, printed with the prepare's time.
    same_day = issue(HANDOUT, _fresh(consultation), counselor, now=evening + timedelta(minutes=5))
    assert str(same_day.public_id) == prepared.document_id
    assert same_day.issued_at == evening
    same_day.delete()
    caches["prepared"].clear()

    assert prepare(HANDOUT, _fresh(consultation), counselor, now=evening).result(timeout=90)
    prepared = _wait_prepared(consultation)
    after_midnight = evening + timedelta(minutes=20)
    document = issue(HANDOUT, _fresh(consultation), counselor, now=after_midnight)
    assert str(document.public_id) != prepared.document_id
    assert timezone.localtime(document.issued_at).date() == after_midnight.date() != evening.date()
    assert document.snapshot["issued_at"].startswith(after_midnight.date().isoformat())
    _consistent(document)


def test_nothing_is_prepared_before_the_sign_off(db):
    clinic, counselor, _physician = _people()
    consultation = _consultation(counselor, clinic)
    assert _client(counselor).get(f"/consultations/{consultation.public_id}/").status_code == 200
    assert prepare(HANDOUT, _fresh(consultation), counselor) is None
    assert rendering.prepared("handout", consultation.pk, issue_key(HANDOUT, _fresh(consultation))) is None


def test_a_signed_off_page_prepares_for_its_viewer_and_one_prepare_is_in_flight(db):
    clinic, counselor, physician = _people()
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    assert _client(counselor).get(f"/consultations/{consultation.public_id}/").status_code == 200
    # The page started one; a second for the same consultation is not started meanwhile.
    assert prepare(HANDOUT, _fresh(consultation), physician) is None
    assert _wait_prepared(consultation).user_id == counselor.pk


def test_with_render_ahead_off_nothing_is_prepared(db, settings):
    settings.RENDER_AHEAD = False
    clinic, counselor, physician = _people()
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    assert prepare(HANDOUT, _fresh(consultation), counselor) is None
    assert _client(counselor).get(f"/consultations/{consultation.public_id}/").status_code == 200
    assert not rendering.known("handout", consultation.pk, issue_key(HANDOUT, _fresh(consultation)))


def test_a_render_made_ahead_belongs_to_its_consultation_only(db):
    """Two consultations at the same version with the same options share an issue key."""
    clinic, counselor, physician = _people()
    first, second = _consultation(counselor, clinic), _consultation(counselor, clinic)
    Consultation.objects.filter(pk=second.pk).update(chart_number="H-2")
    sign_off(first, physician)
    sign_off(second, physician)
    assert issue_key(HANDOUT, _fresh(first)) == issue_key(HANDOUT, _fresh(second))
    assert prepare(HANDOUT, _fresh(first), counselor).result(timeout=90)
    assert _wait_prepared(first).user_id == counselor.pk
    assert rendering.prepared("handout", second.pk, issue_key(HANDOUT, _fresh(second))) is None
    document = issue(HANDOUT, _fresh(second), counselor)
    assert document.snapshot["chart_number"] == "H-2"
    assert str(document.public_id) != _wait_prepared(first).document_id


def test_a_shared_database_cache_carries_the_render_made_ahead(committed_db, settings):
    """RENDER_AHEAD_CACHE_URL=db, what several app servers use: Django's DatabaseCache (written by
    the pool's thread on its own connection, hence a committed database)."""
    from django.core.management import call_command

    settings.CACHES = {
        **settings.CACHES,
        "prepared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "prepared_documents",
        },
    }
    call_command("createcachetable", "prepared_documents", verbosity=0)
    clinic, counselor, physician = _people()
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    assert prepare(HANDOUT, _fresh(consultation), counselor).result(timeout=90)
    prepared = _wait_prepared(consultation)
    document = issue(HANDOUT, _fresh(consultation), counselor)
    assert str(document.public_id) == prepared.document_id
    _consistent(document)
    caches["prepared"].clear()


def test_switching_the_handout_language_keeps_the_sign_off_and_prepares_that_language(db):
    from tests.browser.scenes import consultation_with_options
    from tests.consult.test_signoff import profile_post

    clinic, counselor, physician = _people()
    consultation = consultation_with_options(counselor, clinic)
    sign_off(consultation, physician)
    client = _client(counselor)
    response = client.post(
        f"/consultations/{consultation.public_id}/save/",
        profile_post(consultation, handout_language="en"),
        **HX,
    )
    assert response.status_code == 200
    prepared = _wait_prepared(consultation)  # for the consultation as it is now: in English
    assert _fresh(consultation).handout_language == "en" and prepared.user_id == counselor.pk
    document = issue(HANDOUT, _fresh(consultation), counselor)
    assert str(document.public_id) == prepared.document_id
    assert document.language == "en"
    _consistent(document)


def test_a_click_while_the_render_made_ahead_is_still_running_waits_for_it(db):
    """Clicked right after the sign-off: the issue waits for the render in flight and stores it, rather
    than rendering the same handout a second time (under 20 counselors the second renders queued
    behind the first in the pool and every issue waited for both)."""
    clinic, counselor, physician = _people("inflight")
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    in_flight = prepare(HANDOUT, _fresh(consultation), counselor)
    assert in_flight is not None and not in_flight.done()

    document = issue(HANDOUT, _fresh(consultation), counselor, wait=90)
    assert in_flight.done() and in_flight.result() is True
    # The render made ahead was stored: its id was drawn at the prepare, before the click's.
    key = issue_key(HANDOUT, _fresh(consultation))
    assert rendering.prepared("handout", consultation.pk, key) is None  # issued: dropped
    assert caches["prepared"].get(f"ahead:handout:{consultation.pk}:{key}") == rendering.ISSUED
    _consistent(document)
    assert Document.objects.filter(consultation=consultation).count() == 1


def test_a_click_by_another_user_does_not_wait_for_a_render_made_for_the_counselor(db):
    clinic, counselor, physician = _people("otheruser")
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    in_flight = prepare(HANDOUT, _fresh(consultation), counselor)
    assert in_flight is not None
    key = issue_key(HANDOUT, _fresh(consultation))
    started = time.monotonic()
    assert rendering.await_prepared("handout", consultation.pk, key, physician.pk, timeout=30) is None
    assert time.monotonic() - started < 1  # not made for the physician: no wait
    assert rendering.await_prepared("handout", consultation.pk, key, counselor.pk, timeout=90) is not None


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "False"),  # each process's own memory: a click on another process would render twice
        ({"RENDER_AHEAD_CACHE_URL": "db"}, "True"),  # shared by every process and server
        ({"RENDER_AHEAD": "1"}, "True"),  # one app process (make run)
        ({"RENDER_AHEAD_CACHE_URL": "db", "RENDER_AHEAD": "0"}, "False"),
    ],
)
def test_render_ahead_is_on_by_default_only_with_a_shared_cache(environment, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENDER_AHEAD")}
    env.update({"DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "clinic.settings", **environment})
    code = "import django; django.setup(); from django.conf import settings; print(settings.RENDER_AHEAD)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == expected
