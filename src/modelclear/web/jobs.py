"""Scans of uploads as jobs kept in the database, so any web process can show any scan (issue 13, item 6).

``POST /scan`` stores the upload as a :class:`~modelclear.web.models.ScanJob` (``queued``) and hands its
id to a runner; :func:`run_scan` is the job: it claims the row (``running``; a row another process
claimed first is left alone), unpacks the upload into a private folder removed when the scan ends,
scans and assesses it (honouring a ``modelclear.lock`` in the upload), renders the report in every
download format and stores them with the report's view model (``done``), or stores why it failed
(``failed``); either way the upload itself is emptied from the row.

Runners:

* PostgreSQL: jobs go through procrastinate, a job queue kept in the same database (its tables are
  created by migration 0005). The web process defers the job (:class:`QueueRunner`); workers run it:
  ``modelclear worker --db URL`` (:func:`serve_worker`), and by default one inside each ``modelclear web``
  (:class:`WebWorker`, ``--scan-workers N``, 0 for none). Any number of web processes and workers share
  the queue: each job is taken by one worker. The job of a worker that stopped answering (killed, its
  machine lost) is put back on the queue by a periodic task (:data:`RETRY_TASK`) and run again.
* SQLite (one machine, no set-up): the same :func:`run_scan` in a thread pool of the web process
  (:class:`LocalRunner`); jobs left queued by a process that stopped are taken up when one starts.

Bounds, all counts: at most :data:`MAX_WAITING` jobs wait at once (more is refused, ``scan_busy``), and
the newest :data:`KEEP` finished scans are kept (older ones are deleted with their outputs).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import defer

from modelclear.web.archive import ArchiveLimits, Unpacked, UnsafeArchive, private_folder, unpacked
from modelclear.web.db import Database, conninfo, utcnow
from modelclear.web.models import ScanJob, ScanOutput

if TYPE_CHECKING:
    from modelclear.report import Report
    from modelclear.service import Service

log = logging.getLogger("modelclear.web")

#: Finished scans kept (the oldest are deleted first).
KEEP = 200
#: Jobs waiting at once; a new upload is refused beyond it (their uploads are held in the database).
MAX_WAITING = 32
#: The procrastinate queue and task name of a scan.
QUEUE = "modelclear-scans"
TASK = "modelclear.scan_upload"
#: The periodic task (every minute, in whichever worker's turn it is) that puts back on the queue the scan
#: jobs of a worker silent for :data:`STALLED_AFTER` seconds (killed, its machine lost); procrastinate's
#: workers send a heartbeat every 10 s.
RETRY_TASK = "modelclear.retry_stalled_scans"
STALLED_CRON = "* * * * *"
STALLED_AFTER = 30.0
#: What a pasted text is saved as, by the kind chosen in the form.
PASTE_NAMES = {"requirements": "requirements.txt", "notebook": "notebook.ipynb", "python": "main.py"}
#: Download formats: format name -> (file suffix, media type).
DOWNLOADS: dict[str, tuple[str, str]] = {
    "html": ("html", "text/html; charset=utf-8"),
    "json": ("json", "application/json"),
    "sarif": ("sarif", "application/sarif+json"),
    "markdown": ("md", "text/markdown; charset=utf-8"),
    "text": ("txt", "text/plain; charset=utf-8"),
    "cyclonedx": ("cdx.json", "application/vnd.cyclonedx+json"),
    "spdx": ("spdx.json", "application/spdx+json"),
    "notice": ("notice.txt", "text/plain; charset=utf-8"),  # what each artifact's release must ship
}
STATES = ("queued", "running", "done", "failed")


class QueueFull(Exception):
    """:data:`MAX_WAITING` jobs are already waiting."""


@dataclass(frozen=True)
class Submission:
    """An upload to scan: the archive (``kind`` ``archive``) or a pasted text (a key of :data:`PASTE_NAMES`)."""

    name: str
    kind: str
    data: bytes
    jurisdictions: tuple[str, ...]
    activity: str
    purpose: str
    lang: str


def worker_name() -> str:
    """``host:pid`` of this process, recorded on the jobs it runs."""
    return f"{socket.gethostname()[:150]}:{os.getpid()}"


def token_hash(token: str) -> str:
    """The SHA-256 a job's token is stored as."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def submit(database: Database, sub: Submission) -> tuple[str, int]:
    """Store ``sub`` as a queued job; its new random token and id (:class:`QueueFull` when too many wait)."""
    token = secrets.token_urlsafe(24)
    with database.session() as s:
        waiting = s.scalar(select(func.count()).select_from(ScanJob).where(ScanJob.state == "queued")) or 0
        if waiting >= MAX_WAITING:
            raise QueueFull
        job = ScanJob(token_sha256=token_hash(token), state="queued", name=sub.name, kind=sub.kind, lang=sub.lang,
                      jurisdictions=",".join(sub.jurisdictions), activity=sub.activity, purpose=sub.purpose,
                      upload=sub.data, upload_bytes=len(sub.data), worker="", view="", held="", error="")
        s.add(job)
        s.flush()
        job_id = job.id
    _prune(database)
    return token, job_id


def _prune(database: Database) -> None:
    """Delete the finished jobs beyond the newest :data:`KEEP` (their outputs go with them), in a transaction of
    its own: two processes pruning at once may clash on PostgreSQL, and the next prune does the work then."""
    from sqlalchemy.exc import SQLAlchemyError

    old = (select(ScanJob.id).where(ScanJob.state.in_(("done", "failed"))).order_by(ScanJob.id.desc())
           .limit(1_000_000).offset(KEEP))
    try:
        with database.session() as s:
            doomed = list(s.scalars(old))
            if doomed:
                s.execute(delete(ScanOutput).where(ScanOutput.job_id.in_(doomed)))
                s.execute(delete(ScanJob).where(ScanJob.id.in_(doomed)))
    except SQLAlchemyError as exc:
        log.warning("scan jobs not pruned this time: %s", str(exc).splitlines()[0][:200])


def find(database: Database, token: str) -> ScanJob | None:
    """The job under ``token`` (without its upload), if still kept."""
    if not 16 <= len(token) <= 64:
        return None
    with database.session() as s:
        return s.scalar(select(ScanJob).options(defer(ScanJob.upload)).where(ScanJob.token_sha256 == token_hash(token)))


def output(database: Database, job_id: int, fmt: str) -> str | None:
    """A finished job's report in format ``fmt``."""
    with database.session() as s:
        return s.scalar(select(ScanOutput.body).where(ScanOutput.job_id == job_id, ScanOutput.format == fmt))


def queued_ids(database: Database) -> list[int]:
    """The ids of the jobs waiting, oldest first."""
    with database.session() as s:
        return list(s.scalars(select(ScanJob.id).where(ScanJob.state == "queued").order_by(ScanJob.id)))


# ----------------------------------------------------------------------------------------------- the job


class Failure(Exception):
    """Why a job failed: a message code (``web.error.<code>``), its parameters and the page's HTTP status."""

    def __init__(self, code: str, detail: str = "", params: tuple[tuple[str, str], ...] = (),
                 status: int = 400) -> None:
        """``code`` names the message, ``params`` fill it, ``detail`` adds the pipeline's own words."""
        super().__init__(code)
        self.code, self.detail, self.params, self.status = code, detail, params, status


def _claim(database: Database, job_id: int, reclaim: bool = False) -> ScanJob | None:
    """Mark the job ``running`` for this process and return it with its upload; None if another took it.

    ``reclaim``: the queue gives the job again because the worker running it stopped answering, so a
    ``running`` job is taken too (its upload is still there: it is emptied only when a scan ends)."""
    states = ("queued", "running") if reclaim else ("queued",)
    with database.session() as s:
        result = cast(CursorResult[Any], s.execute(
            update(ScanJob).where(ScanJob.id == job_id, ScanJob.state.in_(states))
            .values(state="running", started_at=utcnow(), worker=worker_name())))
        if result.rowcount != 1:
            return None
        return s.get(ScanJob, job_id)


def run_scan(database: Database, service: Service, job_id: int, limits: ArchiveLimits | None = None, *,
             reclaim: bool = False) -> str:
    """Run job ``job_id`` (see the module's description); its final state (``skipped`` if not queued, or
    running with ``reclaim`` false)."""
    job = _claim(database, job_id, reclaim)
    if job is None:
        return "skipped"
    data = job.upload or b""
    held: Unpacked | None = None
    try:
        try:
            report, held = _scan(service, job, data, limits or ArchiveLimits())
            outputs, view = _render(report)
        except Failure:
            raise
        except UnsafeArchive as exc:
            raise Failure(f"archive_{exc.code}", exc.entry, (("entry", exc.entry or "-"),
                          ("mb", str((limits or ArchiveLimits()).upload_bytes >> 20)),
                          ("entries", str((limits or ArchiveLimits()).entries))),
                          413 if exc.code == "too_large" else 400) from None
        except Exception as exc:
            from modelclear.service import UsageError

            if isinstance(exc, UsageError):
                raise Failure(exc.code, exc.detail, tuple(exc.params.items())) from None
            log.exception("scan job %s failed", job_id)
            raise Failure("internal", status=500) from None
    except Failure as failure:
        _finish(database, job_id, "failed", error=json.dumps({"code": failure.code, "detail": failure.detail,
                                                              "params": dict(failure.params),
                                                              "status": failure.status}))
        return "failed"
    _finish(database, job_id, "done", view=view, held=json.dumps(asdict(held)) if held else "",
            outputs=outputs)
    return "done"


def _finish(database: Database, job_id: int, state: str, *, error: str = "", view: str = "", held: str = "",
            outputs: dict[str, str] | None = None) -> None:
    with database.session() as s:
        if s.scalar(select(ScanJob.id).where(ScanJob.id == job_id)) is None:  # deleted meanwhile: nothing to keep
            return
        for fmt, body in (outputs or {}).items():
            s.add(ScanOutput(job_id=job_id, format=fmt, body=body))
        s.execute(update(ScanJob).where(ScanJob.id == job_id).values(
            state=state, finished_at=utcnow(), upload=None, error=error, view=view, held=held))
    _prune(database)


def _options() -> Any:
    """One process (no pool inside a job); the project's own ignore files honoured."""
    from modelclear.scan.base import ScanOptions

    return ScanOptions(jobs=1, follow_gitignore=True)


def _scan(service: Service, job: ScanJob, data: bytes, limits: ArchiveLimits) -> tuple[Report, Unpacked | None]:
    """The upload unpacked (or the pasted text written) into a private folder, scanned and gated there."""
    scenarios = service.scenarios(job.jurisdictions.split(","), job.activity, job.purpose)
    if job.kind == "archive":
        with unpacked(data, limits) as (root, held):
            return _scan_root(service, root, scenarios, job.lang), held
    if job.kind not in PASTE_NAMES:
        raise Failure("bad_request", params=(("reason", f"kind {job.kind[:40]!r}"),))
    with private_folder() as folder:
        root = folder / "project"
        root.mkdir(mode=0o700)
        (root / PASTE_NAMES[job.kind]).write_bytes(data)
        return _scan_root(service, root, scenarios, job.lang), None


def _scan_root(service: Service, root: Path, scenarios: Any, lang: str) -> Report:
    svc = _with_lock(service, root)
    report = svc.scan(root, scenarios, _options(), lang=lang)
    return report.with_gate(svc.gate(report.assessments))  # no policy file: the defaults


def lock_path(root: Path) -> Path | None:
    """The upload's ``modelclear.lock``: at its top, or in its only top folder (an archive of ``project/``)."""
    from modelclear.catalog.lock import LOCK_NAME

    if (root / LOCK_NAME).is_file() and not (root / LOCK_NAME).is_symlink():
        return root / LOCK_NAME
    tops = [p for p in root.iterdir() if not p.name.startswith(".")][:2]
    if len(tops) == 1 and tops[0].is_dir() and not tops[0].is_symlink():
        inner = tops[0] / LOCK_NAME
        if inner.is_file() and not inner.is_symlink():
            return inner
    return None


def _with_lock(service: Service, root: Path) -> Service:
    """``service``, or a copy for this scan whose catalog answers from the upload's lock (as ``modelclear scan``
    does in a repository, offline): the shared service's catalog is never changed."""
    path = lock_path(root)
    if path is None:
        return service
    from modelclear.catalog import Catalog
    from modelclear.catalog.lock import LockError, open_lock
    from modelclear.service import Service

    try:
        lock = open_lock(path, online=False)
    except LockError as exc:
        raise Failure("bad_lock", str(exc).replace(str(root) + os.sep, "")) from None
    if lock is None:
        return service
    own = Service(catalog=Catalog(kb=service.kb, sources=list(service.catalog.sources)))
    own.use_lock(lock, online=False)
    return own


def _render(report: Report) -> tuple[dict[str, str], str]:
    """The report in every download format this installation can write, and its view model (JSON)."""
    from modelclear import report as formats
    from modelclear.report.human import human

    out = {fmt: formats.get(fmt).render(report) for fmt in DOWNLOADS if formats.missing_extra(fmt) is None}
    return out, json.dumps(human(report), ensure_ascii=False)


# -------------------------------------------------------------------------------------------- runners


class LocalRunner:
    """SQLite: jobs run by :func:`run_scan` in a pool of ``workers`` threads of this process."""

    def __init__(self, database: Database, service: Service, limits: ArchiveLimits | None = None,
                 workers: int = 1) -> None:
        """A runner whose pool starts with the first job."""
        self.database, self.service, self.limits, self.workers = database, service, limits, max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        """Run job ``job_id`` when a thread is free."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="modelclear-scan")
            pool = self._pool
        pool.submit(run_scan, self.database, self.service, job_id, self.limits)

    def resume(self) -> int:
        """Take up the jobs left waiting (and those a stopped process of this machine was running); how many."""
        _requeue_orphans(self.database)
        ids = queued_ids(self.database)
        for job_id in ids:
            self.submit(job_id)
        return len(ids)

    def close(self) -> None:
        """Let the running scans finish; jobs not started stay queued for the next start."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _requeue_orphans(database: Database) -> None:
    """Jobs ``running`` in a process of this machine that no longer exists go back to ``queued``."""
    host = socket.gethostname()[:150]
    with database.session() as s:
        for job in s.scalars(select(ScanJob).options(defer(ScanJob.upload)).where(ScanJob.state == "running")):
            where, _, pid = job.worker.rpartition(":")
            if where == host and pid.isdigit() and not _alive(int(pid)):
                s.execute(update(ScanJob).where(ScanJob.id == job.id, ScanJob.state == "running")
                          .values(state="queued", worker=""))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def queue_app(database: Database, service: Service | None = None, limits: ArchiveLimits | None = None, *,
              sync: bool = False) -> Any:
    """A procrastinate app over ``database`` (PostgreSQL); with ``service``, the scan task registered (a worker).

    ``sync``: over a thread-safe synchronous connection pool (to defer jobs from request threads).
    """
    import procrastinate

    pool: dict[str, Any] = {"conninfo": conninfo(database), "min_size": 1, "max_size": 4}
    connector = procrastinate.SyncPsycopgConnector(**pool) if sync else procrastinate.PsycopgConnector(**pool)
    app = procrastinate.App(connector=connector)
    if service is not None:
        def scan_upload(context: Any, job_id: int) -> str:
            # attempts > 0: the job is given again after its worker stopped answering (retry_stalled)
            return run_scan(database, service, job_id, limits, reclaim=bool(context.job.attempts))

        async def retry_stalled(timestamp: int) -> int:
            """Scan jobs whose worker has sent no heartbeat for :data:`STALLED_AFTER` seconds go back on the queue."""
            stalled = list(await app.job_manager.get_stalled_jobs(queue=QUEUE, task_name=TASK,
                                                                 seconds_since_heartbeat=STALLED_AFTER))
            for job in stalled:
                log.warning("scan job %s: its worker stopped answering; queued again", job.task_kwargs.get("job_id"))
                await app.job_manager.retry_job(job)
            return len(stalled)

        app.task(name=TASK, queue=QUEUE, pass_context=True)(scan_upload)
        app.periodic(cron=STALLED_CRON, periodic_id="stalled")(app.task(name=RETRY_TASK, queue=QUEUE)(retry_stalled))
    return app


class QueueRunner:
    """PostgreSQL: each job is deferred to the procrastinate queue; workers anywhere run it."""

    def __init__(self, database: Database) -> None:
        """A runner that connects with the first job."""
        self.database = database
        self._app: Any = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        """Put job ``job_id`` on the queue (blocking: call it from a thread, not the event loop)."""
        with self._lock:
            if self._app is None:
                self._app = queue_app(self.database, sync=True)
                self._app.open()
            app = self._app
        app.configure_task(name=TASK, queue=QUEUE).defer(job_id=job_id)

    def resume(self) -> int:
        """Nothing to do: the queue keeps the waiting jobs."""
        return 0

    def close(self) -> None:
        """Release the queue's connections."""
        with self._lock:
            app, self._app = self._app, None
        if app is not None:
            app.close()


class WebWorker:
    """PostgreSQL: a procrastinate worker inside a web process (``modelclear web --scan-workers N``)."""

    def __init__(self, database: Database, service: Service, limits: ArchiveLimits | None = None,
                 concurrency: int = 1) -> None:
        """A worker running ``concurrency`` scans at once, started by :meth:`start`."""
        self.app = queue_app(database, service, limits)
        self.concurrency = concurrency
        self._task: Any = None

    async def start(self) -> None:
        """Open the queue's connections and start taking jobs (on the running event loop)."""
        import asyncio

        await self.app.open_async()
        self._task = asyncio.create_task(self.app.run_worker_async(
            queues=[QUEUE], concurrency=self.concurrency, delete_jobs="always", install_signal_handlers=False,
            name=worker_name()))

    async def stop(self) -> None:
        """Stop taking jobs, let the running ones finish, close the connections."""
        import asyncio
        import contextlib

        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:  # the worker had stopped on its own (the database went away): said, not raised
                log.exception("the scan queue's worker stopped")
        with contextlib.suppress(Exception):
            await self.app.close_async()


def serve_worker(database: Database, service: Service, concurrency: int = 1) -> None:
    """``modelclear worker``: run scan jobs from the queue until SIGINT or SIGTERM (then finish the running ones)."""
    app = queue_app(database, service)
    app.run_worker(queues=[QUEUE], concurrency=concurrency, delete_jobs="always", name=worker_name())
