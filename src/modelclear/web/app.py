"""The FastAPI application behind ``modelclear web``: a form, verdict pages and a JSON API.

Pages: ``/`` (the question form), ``/check`` (the layered verdict, the same view as ``--format
html``, lineage drawn by :mod:`modelclear.graph`), ``/explain`` and ``/explain/{id}`` (what the
knowledge base holds). JSON: ``/api/check`` (exactly the ``modelclear/check/1`` document of
:func:`modelclear.report.data.check_document`; a list of them for several jurisdictions, as the CLI
prints), ``/api/explain``, ``/api/search`` and ``/healthz``. ``/scan`` takes a project upload and shows its scan
report with downloads in every format (:mod:`modelclear.web.scans`, unpacked by :mod:`modelclear.web.archive`).

Bad input (malformed id, unknown jurisdiction, activity, purpose, language or date) is HTTP 400
with a clear message, in JSON under ``/api`` and as a page elsewhere; an unknown id is an answer
(200, verdict ``unknown``). Every page is rendered by Jinja2 with autoescaping, served with a
Content-Security-Policy that allows only this server's own styles and script, and fetches nothing
from anywhere else.

Modules by concern: :mod:`~modelclear.web.forms` (the question), :mod:`~modelclear.web.site` (shared
state, rendering, errors), :mod:`~modelclear.web.pages` (HTML), :mod:`~modelclear.web.api` (JSON),
:mod:`~modelclear.web.knowledge` (a knowledge record as a page). This module assembles them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from modelclear import __version__
from modelclear.service import Service
from modelclear.web import api, pages, scans
from modelclear.web.forms import BadInput, lang_of
from modelclear.web.site import STATIC, Site

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

if TYPE_CHECKING:
    from modelclear.web.db import Database

log = logging.getLogger("modelclear.web")


def _errors(app: FastAPI, site: Site) -> None:
    """HTTP errors, bad query strings and bugs: JSON under ``/api/``, a page elsewhere; never a traceback."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else "http"
        return site.error(request, BadInput(code, status=str(exc.status_code)), lang_of(request), exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(str(e.get("msg", "")) for e in exc.errors())
        return site.error(request, BadInput("bad_request", detail, reason=detail), lang_of(request))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return site.error(request, BadInput("internal"), lang_of(request), 500)


def _scan_jobs(site: Site, database: Database | None, scan_workers: int) -> tuple[Any, Any, Any, Any]:
    """The scan pages' database (a private SQLite file without ``database``), its runner, a maker of the web
    process's own queue worker (PostgreSQL with ``scan_workers`` > 0; one per serving event loop, since an
    application may be served by more than one) and the private database's folder."""
    from modelclear.web import jobs
    from modelclear.web.db import is_postgresql, open_private

    folder = None
    if database is None:
        database, folder = open_private()
    if is_postgresql(database):
        on_pg = database

        def worker() -> jobs.WebWorker:
            return jobs.WebWorker(on_pg, site.service, concurrency=scan_workers)

        return database, jobs.QueueRunner(database), worker if scan_workers > 0 else None, folder
    return database, jobs.LocalRunner(database, site.service, workers=max(1, scan_workers)), None, folder


def create_app(overlays: Iterable[str] = (), *, online: bool = False, hf_cache: Path | None = None,
               database: Database | None = None, allowed_hosts: Iterable[str] | None = None,
               trust_user_header: str | None = None, scan_workers: int = 1) -> FastAPI:
    """The web application over the bundled knowledge (plus ``overlays``), offline unless ``online``.

    ``database`` (opened and migrated by :func:`modelclear.web.db.open_database`) is the team service's
    store (docs/service.md): its pages need a signed-in user (:mod:`modelclear.web.accounts`), or the user
    a trusted proxy names in ``trust_user_header``. ``allowed_hosts``: the only ``Host`` headers answered
    (400 for any other).

    Scans of uploads are jobs in ``database`` (:mod:`modelclear.web.jobs`; without one, in a private SQLite
    file removed with the application): on SQLite, ``scan_workers`` threads of this process run them; on
    PostgreSQL they go on the queue, and ``scan_workers`` (0 for none) run inside this process while it
    serves, beside any ``modelclear worker``.
    """
    site = Site.open(Service.open(overlays, online=online, hf_cache=hf_cache))
    scan_db, runner, make_worker, folder = _scan_jobs(site, database, scan_workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from fastapi.concurrency import run_in_threadpool

        await run_in_threadpool(runner.resume)  # jobs a stopped process left waiting
        worker = make_worker() if make_worker is not None else None
        if worker is not None:
            await worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await run_in_threadpool(runner.close)

    app = FastAPI(title="modelclear", version=__version__, docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.database = database
    app.state.scan_database, app.state.scan_runner, app.state.scan_folder = scan_db, runner, folder
    app.state.service = site.service
    if allowed_hosts is not None:  # added first, so the security headers below wrap its 400 too
        from modelclear.web.accounts import HostAllowList

        app.add_middleware(HostAllowList, allowed_hosts=tuple(allowed_hosts))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    _errors(app, site)
    app.include_router(pages.router(site))
    app.include_router(scans.router(site, scan_db, runner))
    app.include_router(api.router(site))
    if database is not None:
        from modelclear.web import accounts, reviews, team

        auth = accounts.Auth(database, trust_user_header)
        accounts.install(app, site, auth)
        app.include_router(accounts.router(site, auth))
        app.include_router(reviews.router(site, database))
        app.include_router(team.router(site, database))
    return app
