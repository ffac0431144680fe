"""Where a document's PDF is rendered: never in a request thread (issue 13, target 3).

A WeasyPrint render holds its process's GIL for hundreds of milliseconds; rendered in a request
thread it stalls every other request that process serves. So `consult.documents.pipeline.issue`
builds the snapshot and hands an `IssueJob` to `start`, then `wait`s (the request thread sleeps,
the GIL free). Two back-ends, chosen by RENDER_BACKEND:

- "pool" (the embedded default): a process pool (RENDER_WORKERS processes) owned by each app-server
  process, created on first use (after gunicorn's fork, so never shared between app processes) with
  the "spawn" start method (a fresh interpreter: no lock or connection copied from a threaded
  parent). The request stores the document itself when the render comes back within the wait;
  past it, a thread of the app process stores it when the render ends.
- "queue": django-tasks with django-tasks-db's database backend, for several app servers: the job is
  a row in the task table, and `manage.py db_worker` processes (anywhere) render and store it.

Either way the stored PDF is the render of the snapshot in the job, the document is stored with its
audit row in one transaction (`pipeline.store`), and the issue key makes a second store of the same
issue a no-op. A request that stops waiting answers "preparing…"; the page polls until the document
exists (consult/documents/views.py `pending`).

Render ahead (RENDER_AHEAD, target 2): once the physician signed off, the comparison is stable, so
`pipeline.prepare` builds the job early and `prepare` renders it in the background, on the same pool
or queue; the bytes wait in the "prepared" cache (settings.CACHES) under the issue key, with the user
they were made for and the digest of their snapshot. `pipeline.issue` stores them when they still
are exactly what it would render now (`prepared`). At most one prepare per consultation is in
flight; a failed one is logged and forgotten (the click then renders as before).
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, connection
from django_tasks import TaskResultStatus, task

from clinic.lib import render_worker
from consult.models import Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssueJob:
    """Everything needed to render and store one issue, as plain JSON data (a queue's task row)."""

    kind: str
    consultation_id: int
    user_id: int
    key: str  # the issue key: the same issue is stored once
    document_id: str
    issued_at: str  # ISO 8601, as printed on the document
    snapshot: dict
    reviewed_at: str | None  # the sign-off the snapshot printed; it must still hold when stored
    ip_address: str | None  # for the audit row

    def issued(self) -> Document | None:
        return Document.objects.filter(consultation_id=self.consultation_id, issue_key=self.key).first()


# --- the work itself (runs in a pool process or a db_worker) --------------------------------------


@task()
def issue_document(job: dict) -> str:
    """The queue's task: render the job's snapshot and store the document (with its audit row)."""
    from consult.documents.pipeline import store

    issue = IssueJob(**job)
    return str(
        store(issue, render_worker.render_pdf(issue.kind, issue.snapshot, issue.document_id)).public_id
    )


# --- the pool ---------------------------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_pid: int | None = None
# Stores a render that came back after its request stopped waiting (one thread: stores are short).
_storer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="document-store")
# Issues whose render outlived the request, by issue key: what the poll asks when nothing is stored.
_late: dict[str, Future] = {}


def pool() -> ProcessPoolExecutor:
    """This process's render pool, started (and warmed) on first use; a forked child starts its own."""
    global _pool, _pool_pid
    with _lock:
        # A render process that died (killed, out of memory) breaks the executor: start a new one.
        if _pool is None or _pool_pid != os.getpid() or getattr(_pool, "_broken", False):
            _pool = ProcessPoolExecutor(
                max_workers=settings.RENDER_WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=render_worker.start,
                max_tasks_per_child=settings.RENDER_TASKS_PER_WORKER or None,
            )
            _pool_pid = os.getpid()
            # One warm-up per worker, submitted together so that every worker starts now.
            for warming in [_pool.submit(render_worker.warm) for _n in range(settings.RENDER_WORKERS)]:
                warming.result()
        return _pool


def start_in_background() -> None:
    """Start this process's pool now, in a thread (an app server calls it when its process starts)."""
    if settings.RENDER_BACKEND == "pool":
        threading.Thread(target=pool, name="render-pool-start", daemon=True).start()


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _store_late(job: IssueJob, rendered: Future, stored: Future) -> None:
    from consult.documents.pipeline import store

    close_old_connections()
    try:
        stored.set_result(store(job, rendered.result()))
        _late.pop(job.key, None)  # the poll finds the document now
    except BaseException as exc:  # kept for the poll, which says it was not issued
        log.exception("storing document %s failed", job.document_id)
        stored.set_exception(exc)
    finally:
        connection.close()


# --- one interface ------------------------------------------------------------------------------


class Pending(Exception):
    """The render goes on after the request stopped waiting; the page polls for `job.key`."""

    def __init__(self, job: IssueJob):
        super().__init__(job.key)
        self.job = job


def issue(job: IssueJob, wait: float | None, request=None) -> Document:
    """Render and store the job outside this thread; the stored document, or Pending after `wait`
    seconds (None: wait until it is done)."""
    from consult.documents.pipeline import store

    if settings.RENDER_BACKEND == "queue":
        return _wait_for_row(job, issue_document.enqueue(asdict(job)), wait)
    rendered = pool().submit(render_worker.render_pdf, job.kind, job.snapshot, job.document_id)
    try:
        pdf = rendered.result(timeout=wait)
    except FutureTimeout:
        stored: Future = Future()
        _late[job.key] = stored
        rendered.add_done_callback(lambda done: _storer.submit(_store_late, job, done, stored))
        raise Pending(job) from None
    return store(job, pdf, request)


def _wait_for_row(job: IssueJob, task, wait: float | None) -> Document:
    """Wait for a queue worker to store the job's document: Pending after `wait` seconds; with no
    wait, an error once the task failed or after QUEUE_WAIT_LIMIT seconds (no worker running)."""
    started = time.monotonic()
    pause = 0.02
    while True:
        document = job.issued()
        if document is not None:
            return document
        waited = time.monotonic() - started
        if wait is not None and waited >= wait:
            raise Pending(job)
        if wait is None and (waited >= QUEUE_WAIT_LIMIT or _task_failed(task)):
            raise RuntimeError(f"document {job.document_id} was not rendered by the queue")
        time.sleep(pause)
        pause = min(pause * 1.5, 0.2)


QUEUE_WAIT_LIMIT = 120  # seconds a page that cannot poll waits for a queue worker


def _task_failed(task) -> bool:
    task.refresh()
    return task.status == TaskResultStatus.FAILED


def failed(key: str) -> BaseException | None:
    """Why a render that outlived its request was not stored, if this process knows it failed."""
    stored = _late.get(key)
    if stored is not None and stored.done():
        return stored.exception()
    return None


# --- render ahead -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A render made before the click: for whom, with which id and printed time, of which snapshot."""

    user_id: int
    document_id: str
    issued_at: str  # ISO 8601, as printed on the PDF
    digest: str  # `snapshot_digest` of the snapshot rendered
    pdf: bytes


ISSUED = "issued"  # what the cache holds for an issue key once it was issued: nothing to prepare
IN_FLIGHT_SECONDS = 120  # a prepare that never reports back (a killed worker) blocks no longer


def snapshot_digest(snapshot: dict) -> str:
    """Two snapshots with the same digest are the same JSON, so they render to the same PDF."""
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _cache():
    return caches["prepared"]


def _ahead_key(kind: str, consultation_id: int, key: str) -> str:
    # An issue key tells versions of one consultation's document apart, not consultations.
    return f"ahead:{kind}:{consultation_id}:{key}"


def _flight_key(consultation_id: int) -> str:
    return f"ahead-in-flight:{consultation_id}"


def ahead_possible() -> bool:
    """Whether a prepared render can reach the process that issues: the queue's workers are other
    processes, so with the queue only a shared cache (database, Redis) carries the bytes back."""
    if not settings.RENDER_AHEAD:
        return False
    local = caches["prepared"].__class__.__name__ == "LocMemCache"
    return not (settings.RENDER_BACKEND == "queue" and local)


def known(kind: str, consultation_id: int, key: str) -> bool:
    """Something is prepared, or already issued, for this issue key: nothing to prepare."""
    return _cache().get(_ahead_key(kind, consultation_id, key)) is not None


def prepared(kind: str, consultation_id: int, key: str) -> Prepared | None:
    found = _cache().get(_ahead_key(kind, consultation_id, key))
    return found if isinstance(found, Prepared) else None


def mark_issued(kind: str, consultation_id: int, key: str) -> None:
    """The issue key is issued: drop its prepared bytes (least data) and prepare it no more."""
    _cache().set(_ahead_key(kind, consultation_id, key), ISSUED)


def claim(consultation_id: int, key: str = "", user_id: int | None = None) -> bool:
    """True when no other prepare of this consultation is in flight (and this one now is, for the
    issue `key` and the user it is made for: `await_prepared` looks)."""
    return _cache().add(_flight_key(consultation_id), f"{key}:{user_id}", timeout=IN_FLIGHT_SECONDS)


def await_prepared(
    kind: str, consultation_id: int, key: str, user_id: int, timeout: float
) -> Prepared | None:
    """The render made ahead for this issue key and user; when it is still in flight, wait for it up to
    `timeout` seconds rather than render the same document a second time (a click soon after the
    sign-off: under load two renders of one handout doubled the wait of every issue in the pool)."""
    deadline = time.monotonic() + timeout
    while True:
        found = prepared(kind, consultation_id, key)
        if found is not None or time.monotonic() >= deadline:
            return found
        if _cache().get(_flight_key(consultation_id)) != f"{key}:{user_id}":
            return None  # nothing in flight, or another issue key's or another user's
        time.sleep(0.02)


def release(consultation_id: int) -> None:
    _cache().delete(_flight_key(consultation_id))


def _keep(job: IssueJob, pdf: bytes) -> None:
    kept = Prepared(job.user_id, job.document_id, job.issued_at, snapshot_digest(job.snapshot), pdf)
    _cache().set(_ahead_key(job.kind, job.consultation_id, job.key), kept)


@task()
def prepare_document(job: dict) -> None:
    """The queue's task: render the job ahead and keep the bytes in the shared "prepared" cache."""
    ahead = IssueJob(**job)
    try:
        _keep(ahead, render_worker.render_pdf(ahead.kind, ahead.snapshot, ahead.document_id))
    except Exception:  # a failed prepare costs nothing but the render at the click
        log.exception("preparing document %s failed", ahead.document_id)
    finally:
        release(ahead.consultation_id)


# Hands prepares to the pool without making the request wait for the pool's start (one thread).
_preparer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="document-prepare")


def prepare(job: IssueJob) -> Future | None:
    """Render `job` ahead, in the background; call `claim` first. With the pool, a Future that ends
    when the bytes are kept (or the prepare failed: logged); with the queue, None (a task row)."""
    if settings.RENDER_BACKEND == "queue":
        try:
            prepare_document.enqueue(asdict(job))
        except Exception:
            release(job.consultation_id)
            raise
        return None
    kept: Future = Future()

    def hand_over() -> None:
        try:
            rendered = pool().submit(render_worker.render_pdf, job.kind, job.snapshot, job.document_id)
        except BaseException as exc:
            _prepared(job, None, kept, exc)
            return
        rendered.add_done_callback(lambda done: _prepared(job, done, kept, None))

    _preparer.submit(hand_over)
    return kept


def _prepared(job: IssueJob, rendered: Future | None, kept: Future, error: BaseException | None) -> None:
    try:
        if error is None:
            error = rendered.exception()
        if error is None:
            _keep(job, rendered.result())
        else:
            log.error("preparing document %s failed: %r", job.document_id, error)
    except Exception as exc:  # the cache refused it (too big, unreachable): the click renders
        log.exception("keeping prepared document %s failed", job.document_id)
        error = exc
    finally:
        release(job.consultation_id)
        connection.close()  # a DatabaseCache's, in this pool thread
        kept.set_result(error is None)
