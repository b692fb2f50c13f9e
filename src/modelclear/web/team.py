"""The team service's pages and CI API (issue 13, item 2): projects, their history, who uses an artifact.

``POST /api/projects/{name}/reports`` takes a project's ``modelclear scan --format json`` report with
``Authorization: Bearer <project token>`` (``modelclear scan … --upload URL`` sends it), bounded by
:data:`~modelclear.web.projects.MAX_REPORT_BYTES` before it is read, validated, and stored
(:mod:`modelclear.web.projects`); the answer is ``201`` with what changed since the previous report.
A missing or wrong token is ``401`` whether or not the project exists.

Pages: ``/projects`` (every project and its newest report's counts), ``/projects/{name}`` (the
references with verdicts, the change since the previous report, recent reports),
``/artifacts/{id}`` (every project whose newest report uses it) and ``/artifacts?q=`` (search), for
any signed-in user (:mod:`modelclear.web.accounts`); administrators add projects and CI tokens there
(``POST /projects``, ``POST /projects/{name}/tokens``; the token is shown once).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from modelclear.web import projects as store
from modelclear.web.accounts import Auth, audit
from modelclear.web.db import Database
from modelclear.web.forms import BadInput, lang_of
from modelclear.web.site import Site

#: Reports listed on a project's page.
HISTORY = 20


def artifact_href(artifact_id: str) -> str:
    """The service's page for ``artifact_id`` (path-escaped)."""
    return "/artifacts/" + quote(artifact_id, safe=":/@+")


def project_href(name: str) -> str:
    """A project's page."""
    return "/projects/" + quote(name, safe="")


async def read_bounded(request: Request, limit: int) -> bytes:
    """The request body, refused (:class:`BadInput`) without ``Content-Length`` or over ``limit`` bytes."""
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise BadInput("report_length_required")
    if int(length) > limit:
        raise BadInput("report_too_large", mb=str(limit >> 20))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadInput("report_too_large", mb=str(limit >> 20))
        chunks.append(chunk)
    return b"".join(chunks)


def _counts(items: list[Any]) -> dict[str, int]:
    """Artifacts by their worst verdict (re-judged with newer knowledge when it was)."""
    worst: dict[str, str] = {}
    for i in items:
        key, verdict = i.artifact_key, i.rejudged or i.verdict
        if key not in worst or store.SEVERITY.get(verdict, 9) < store.SEVERITY.get(worst[key], 9):
            worst[key] = verdict
    return dict(Counter(worst.values()))


def router(site: Site, database: Database) -> APIRouter:
    """The team service's routes over ``database``: the CI upload, the project pages, adding projects and
    tokens, and the artifact pages."""
    site.env.globals["team"] = True
    site.env.globals["artifact_href"] = artifact_href
    site.env.globals["project_href"] = project_href
    routes = APIRouter()
    for part in (_upload_routes, _project_routes, _admin_routes, _artifact_routes):
        routes.include_router(part(site, database))
    return routes


def _upload_routes(site: Site, database: Database) -> APIRouter:
    """``POST /api/projects/{name}/reports``: a CI's report, with the project's bearer token."""
    routes = APIRouter()

    @routes.post("/api/projects/{name}/reports")
    async def upload_report(request: Request, name: str) -> Response:
        """Store a CI's scan report for project ``name`` (bearer token of that project)."""
        lang = lang_of(request)
        try:
            body = await read_bounded(request, store.MAX_REPORT_BYTES)
        except BadInput as exc:
            return site.json_error(exc, lang, 411 if exc.code == "report_length_required" else 413)
        return await run_in_threadpool(_store, name, request.headers.get("authorization"), body, lang)

    def _store(name: str, authorization: str | None, body: bytes, lang: str) -> Response:
        with database.session() as s:
            project = store.project_by_name(s, name)
            if project is None or not store.authorised(s, project, authorization):
                response = site.json_error(BadInput("unauthorised"), lang, 401)
                response.headers["WWW-Authenticate"] = 'Bearer realm="modelclear"'
                return response
            previous = store.latest_reports(s, project, 1)
            try:
                report = store.store_report(s, project, body)
            except store.ReportError as exc:
                s.rollback()
                return site.json_error(BadInput(exc.code, exc.detail, mb=str(store.MAX_REPORT_BYTES >> 20)), lang,
                                       413 if exc.code == "report_too_large" else 400)
            changed = store.changes(report, previous[0] if previous else None)
            return JSONResponse({
                "project": project.name, "report": report.id, "received_at": report.received_at.isoformat() + "Z",
                "artifacts": len({i.artifact_key for i in report.items}), "counts": _counts(report.items),
                "changes": [{"id": c.artifact_id, "jurisdiction": c.jurisdiction, "before": c.before,
                             "after": c.after} for c in changed],
                "url": project_href(project.name)}, status_code=201)

    return routes


def _project_routes(site: Site, database: Database) -> APIRouter:
    """``/projects`` and ``/projects/{name}``: the projects and their reports, for any signed-in user."""
    routes = APIRouter()

    @routes.get("/projects", response_class=HTMLResponse)
    def project_list(request: Request) -> Response:
        """Every project, with its newest report's counts by verdict."""
        viewer = Auth.require(request)
        lang = lang_of(request)
        rows = []
        with database.session() as s:
            from sqlalchemy import select

            from modelclear.web.models import Project, Reassessment

            for p in s.scalars(select(Project).order_by(Project.name)):
                latest = store.latest_reports(s, p, 1)
                rejudged = s.scalar(select(Reassessment).where(Reassessment.report_id == latest[0].id)
                                    .order_by(Reassessment.id.desc()).limit(1)) if latest else None
                rows.append({"name": p.name, "href": project_href(p.name),
                             "received_at": latest[0].received_at.isoformat(" ", "minutes") if latest else "",
                             "counts": _counts(latest[0].items) if latest else {},
                             "rejudged": rejudged and {"knowledge": rejudged.knowledge,
                                                       "changes": len(json.loads(rejudged.changes))}})
        return site.render("team_projects.html.j2", request, lang, projects=rows, verdicts=store.VERDICTS,
                           csrf=viewer.csrf, admin=viewer.role == "admin")

    @routes.get("/projects/{name}", response_class=HTMLResponse)
    def project_page(request: Request, name: str) -> Response:
        """One project: its newest report's references and verdicts, and the change since the previous one."""
        viewer = Auth.require(request)
        lang = lang_of(request)
        with database.session() as s:
            project = store.project_by_name(s, name)
            if project is None:
                return site.html_error(request, BadInput("no_project", name=name[:100]), lang, 404)
            reports = store.latest_reports(s, project, HISTORY)
            newest = reports[0] if reports else None
            items = sorted(newest.items, key=lambda i: (store.SEVERITY.get(i.rejudged or i.verdict, 9),
                                                        i.artifact_key, i.jurisdiction)) if newest else []
            changed = store.changes(newest, reports[1] if len(reports) > 1 else None) if newest else []
            ctx: dict[str, Any] = {
                "project": project.name,
                "report": None if newest is None else {
                    "id": newest.id, "received_at": newest.received_at.isoformat(" ", "minutes"),
                    "scenario": newest.scenario, "tool": newest.tool, "knowledge_as_of": newest.knowledge_as_of},
                "items": [{"id": i.artifact_id, "name": i.name, "license": i.license, "jurisdiction": i.jurisdiction,
                           "verdict": i.rejudged or i.verdict, "reported": i.verdict if i.rejudged else None,
                           "locations": [x for x in i.locations.split("\n") if x][:5]}
                          for i in items],
                "changes": changed, "has_previous": len(reports) > 1,
                "history": [{"id": r.id, "received_at": r.received_at.isoformat(" ", "minutes"),
                             "counts": _counts(r.items)} for r in reports],
            }
        return site.render("team_project.html.j2", request, lang, csrf=viewer.csrf, admin=viewer.role == "admin",
                           **ctx)

    return routes


def _admin_routes(site: Site, database: Database) -> APIRouter:
    """``POST /projects`` and ``POST /projects/{name}/tokens``: administrators add projects and CI tokens."""
    routes = APIRouter()

    @routes.post("/projects")
    async def project_add(request: Request) -> Response:
        """Add a project (administrators); its first CI token is shown once."""
        viewer, form = await Auth.form(request, "admin")
        lang = lang_of(request)
        try:
            name = str(form.get("name") or "").strip()
            with database.session() as s:
                project, token = store.create_project(s, name)
                audit(s, viewer.name, "project.add", project.name)
        except store.ReportError as exc:
            return site.html_error(request, BadInput(exc.code), lang)
        return _token_page(request, lang, name, token)

    @routes.post("/projects/{name}/tokens")
    async def token_add(request: Request, name: str) -> Response:
        """A new CI token for a project (administrators), shown once."""
        viewer, _ = await Auth.form(request, "admin")
        lang = lang_of(request)
        with database.session() as s:
            project = store.project_by_name(s, name)
            if project is None:
                return site.html_error(request, BadInput("no_project", name=name[:100]), lang, 404)
            token = store.new_token(s, project, f"by {viewer.name}")
            audit(s, viewer.name, "token.add", project.name)
            name = project.name
        return _token_page(request, lang, name, token)

    def _token_page(request: Request, lang: str, name: str, token: str) -> Response:
        response = site.render("team_token.html.j2", request, lang, project=name, token=token)
        response.headers["Cache-Control"] = "no-store"
        return response

    return routes


def _artifact_routes(site: Site, database: Database) -> APIRouter:
    """``/artifacts?q=`` and ``/artifacts/{id}``: which projects use an artifact, and its reviews."""
    routes = APIRouter()

    @routes.get("/artifacts", response_class=HTMLResponse)
    def artifact_search(request: Request, q: str = "") -> Response:
        """Artifacts in the projects' newest reports matching ``q``."""
        Auth.require(request)
        lang = lang_of(request)
        q = q.strip()[:200]
        with database.session() as s:
            hits = store.search(s, q) if q else []
        return site.render("team_search.html.j2", request, lang, q=q, hits=hits)

    @routes.get("/artifacts/{artifact_id:path}", response_class=HTMLResponse)
    def artifact_page(request: Request, artifact_id: str) -> Response:
        """Every project whose newest report references ``artifact_id``, and the reviews of it."""
        from sqlalchemy import select

        from modelclear.web import reviews
        from modelclear.web.models import Project

        viewer = Auth.require(request)
        lang = lang_of(request)
        if not artifact_id or len(artifact_id) > 512:
            return site.html_error(request, BadInput("bad_request", reason="id"), lang)
        with database.session() as s:
            uses = store.users_of(s, artifact_id)
            names = list(s.scalars(select(Project.name).order_by(Project.name)))
            review_ctx = reviews.page_context(s, site, artifact_id, viewer, names)
        return site.render("team_artifact.html.j2", request, lang, artifact_id=artifact_id, uses=uses,
                           projects=sorted({u.project for u in uses}), **review_ctx)

    return routes
