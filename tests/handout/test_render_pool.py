"""Renders run outside the request threads (issue 13, target 3): through the process pool (the
embedded default) and through django-tasks' database queue with a real `db_worker` process. The
document stored is exactly the snapshot issued, stored once, with its audit row."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from catalog.models import Clinic, Membership
from consult.documents import KINDS, rendering
from consult.documents.pipeline import render
from consult.models import AuditEvent, Document
from tests.conftest import make_user, sign_off
from tests.handout.test_handover import _consultation
from tests.handout.test_issue_download import HX, issue_url

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
ROOT = Path(__file__).resolve().parents[2]


def _signed_off(counselor_name: str = "alice"):
    clinic = Clinic.objects.get(slug="demo-clinic")
    counselor = make_user(counselor_name, clinic, Membership.Role.COUNSELOR)
    physician = make_user(f"{counselor_name}-md", clinic, Membership.Role.PHYSICIAN)
    consultation = _consultation(counselor, clinic)
    sign_off(consultation, physician)
    client = Client()
    client.force_login(counselor)
    return consultation, client


def _exactly_the_snapshot(document: Document) -> None:
    """The stored PDF is the render of the stored snapshot (renders are deterministic), its hash is
    stored with it, and its issue is audited once."""
    pdf = bytes(document.pdf)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert render(KINDS["handout"], document.snapshot, str(document.public_id)) == pdf
    assert pdf.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="issue-handout", consultation=document.consultation)
    assert [e.object_id for e in events] == [str(document.public_id)]


def test_a_handout_is_rendered_by_the_pool_not_the_request_thread(
    counselor_client, physician, counselor, settings
):
    from consult.models import Consultation

    settings.RENDER_BACKEND = "pool"
    consultation = _consultation(counselor, Clinic.objects.get(slug="demo-clinic"))
    sign_off(consultation, physician)
    response = counselor_client.post(issue_url(consultation), **HX)
    assert response.status_code == 200
    assert "Open PDF" in response.content.decode() or "PDFを開く" in response.content.decode()
    document = Document.objects.get(consultation=consultation)
    _exactly_the_snapshot(document)
    # The render ran in a pool process: this process's pool has workers other than itself.
    workers = set(rendering.pool()._processes)
    assert workers and os.getpid() not in workers
    assert Consultation.objects.get(pk=consultation.pk).documents.count() == 1


def test_past_the_wait_the_page_polls_until_the_late_render_is_stored(committed_db, settings):
    """The request stops waiting at once (RENDER_WAIT_MS=0): 202 and "preparing…" with a poll; the
    render goes on in the pool, a thread of this process stores it, and the poll then shows it."""
    settings.RENDER_BACKEND = "pool"
    settings.RENDER_WAIT_SECONDS = 0
    rendering.pool()  # started beforehand: what is measured is the render, not the pool's start
    consultation, client = _signed_off()
    response = client.post(issue_url(consultation), **HX)
    assert response.status_code == 202
    body = response.content.decode()
    assert 'data-hx-trigger="every 1s"' in body and "/handouts/pending/" in body
    poll = body.split('data-hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    deadline = time.monotonic() + 60
    while True:
        answer = client.get(poll, **HX)
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        assert answer.status_code == 202 and "every 1s" in answer.content.decode()
        time.sleep(0.2)
    assert answer.status_code == 200
    document = Document.objects.get(consultation=consultation)
    assert f"/handouts/{document.public_id}/" in answer.content.decode()
    assert "every 1s" not in answer.content.decode()
    _exactly_the_snapshot(document)
    # Issuing the unchanged comparison again returns that document: stored once.
    settings.RENDER_WAIT_SECONDS = 30
    assert client.post(issue_url(consultation), **HX).status_code == 200
    assert Document.objects.filter(consultation=consultation).count() == 1


def _db_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_handout_is_rendered_and_stored_by_a_queue_worker_process(committed_db, settings):
    """RENDER_BACKEND=queue: the request enqueues (a task row) and, past its wait, polls; a real
    `manage.py db_worker` process on the same database renders and stores the document."""
    settings.RENDER_BACKEND = "queue"
    # (django-tasks resets its backends when TASKS changes.)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.RENDER_WAIT_SECONDS = 0
    consultation, client = _signed_off("queue")
    response = client.post(issue_url(consultation), **HX)
    assert response.status_code == 202
    assert not Document.objects.filter(consultation=consultation).exists()  # no worker yet

    database = connection.settings_dict
    env = {**os.environ, "DJANGO_DEBUG": "1", "RENDER_BACKEND": "queue"}
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or 'localhost'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    worker = _db_worker(env)
    try:
        deadline = time.monotonic() + 90
        while not Document.objects.filter(consultation=consultation).exists():
            assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "no document from the worker"
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    document = Document.objects.get(consultation=consultation)
    assert worker.pid != os.getpid() and "issue_document" in output
    _exactly_the_snapshot(document)
    poll = response.content.decode().split('data-hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert client.get(poll, **HX).status_code == 200
    assert django_settings.RENDER_BACKEND == "queue"
