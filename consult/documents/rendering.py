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
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass

from django.conf import settings
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
