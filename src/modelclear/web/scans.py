"""Scans in the browser (issue 13, item 1): upload a project archive, or paste a requirements file,
a notebook or a Python file, and read the scan report with downloads in every format.

``GET /scan`` is the form; ``POST /scan`` takes the upload (``multipart/form-data``), stores it as a scan
job in the database (:mod:`modelclear.web.jobs`: a queue on PostgreSQL, a thread of this process on
SQLite) and answers ``303`` to ``/scan/{token}``. That page says ``queued`` or ``running`` (and reloads
itself) until the job is done, then shows the summary (the same groups as every format and the JSON
gate), the gate line, what the upload held, and a link per format
(``/scan/{token}/report.{html,json,sarif,md,txt,cdx.json,spdx.json,notice.txt}``); a failed job shows
why (a refused archive with its rule, as its own HTTP status). The job unpacks the upload into a private
folder removed as soon as the scan ends. The full HTML report is the same document as ``--format html``,
served with its own Content-Security-Policy (its one inline script is allowed by hash only).

Results are kept in the database (the newest :data:`~modelclear.web.jobs.KEEP`), so any web process over
the same database shows any scan, under a random token: a result page is a capability, not an account
(projects and history are the team pages' job). Uploads are bounded before they are parsed: a request
without ``Content-Length`` or over the upload limit is refused, as is a form posted from another site
(``Origin``/``Sec-Fetch-Site``), and a new upload while :data:`~modelclear.web.jobs.MAX_WAITING` wait.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from modelclear.service import UsageError
from modelclear.web import jobs
from modelclear.web.archive import ArchiveLimits, kind_of
from modelclear.web.db import Database
from modelclear.web.forms import BadInput, FormState, lang_of
from modelclear.web.site import Site

#: Longest pasted text, in bytes.
MAX_PASTE = 2 * 1024 * 1024
#: Seconds between reloads of a page whose scan is not done.
REFRESH = 2
DOWNLOADS = jobs.DOWNLOADS
_BY_SUFFIX = {suffix: name for name, (suffix, _) in DOWNLOADS.items()}


class Runner(Protocol):
    """Where a stored job goes to be run (:class:`~modelclear.web.jobs.LocalRunner` or ``QueueRunner``)."""

    def submit(self, job_id: int) -> None:
        """Run (or queue) job ``job_id``."""


def _same_site(request: Request) -> bool:
    """False when the form was posted from another site.

    A browser says where a request comes from in ``Sec-Fetch-Site`` (every current browser sends it);
    without it, ``Origin`` must name this host. ``Origin: null`` alone is not enough: this site's
    ``Referrer-Policy: no-referrer`` makes a browser send it for its own forms, but so do sandboxed
    frames elsewhere. A client that sends neither (``curl``, a CI job) is not a browser a page could
    have tricked into posting.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and origin.split("://", 1)[-1] == request.headers.get("host", "")


def _form_values(form: object) -> tuple[list[str], str, str, str, str]:
    get = form.get  # type: ignore[attr-defined]
    getlist = form.getlist  # type: ignore[attr-defined]
    jurisdictions: list[str] = []
    for value in getlist("jurisdiction"):
        for part in str(value).split(","):
            code = part.strip().upper()
            if code and code not in jurisdictions:
                jurisdictions.append(code)
    return (jurisdictions or ["JP"], str(get("activity") or "deploy"), str(get("purpose") or "commercial"),
            str(get("kind") or "requirements"), str(get("text") or ""))


# Long on purpose: a list of small route handlers, closures sharing ``site``, ``database`` and ``limits``.
def router(site: Site, database: Database, runner: Runner, limits: ArchiveLimits | None = None) -> APIRouter:
    """The scan routes over ``site``, keeping scans in ``database`` and running them with ``runner``."""
    routes = APIRouter()
    limits = limits or ArchiveLimits()

    @routes.get("/scan", response_class=HTMLResponse)
    def scan_form(request: Request) -> Response:
        """The upload form."""
        lang = lang_of(request)
        return site.render("scan.html.j2", request, lang, max_mb=limits.upload_bytes // (1024 * 1024),
                           **site.form_context(_empty_form(lang), lang))

    @routes.post("/scan")
    async def scan_upload(request: Request) -> Response:
        """Check and store the upload as a job; 303 to its page."""
        lang = lang_of(request)
        if not _same_site(request):
            return site.html_error(request, BadInput("cross_site"), lang, 403)
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            return site.html_error(request, BadInput("length_required"), lang, 411)
        if int(length) > limits.upload_bytes + MAX_PASTE + 64 * 1024:
            return site.html_error(request, BadInput("archive_too_large", mb=str(limits.upload_bytes >> 20)), lang,
                                   413)
        form = await request.form(max_files=1, max_fields=32, max_part_size=MAX_PASTE)
        jurisdictions, activity, purpose, kind, text = _form_values(form)
        upload = form.get("archive")
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        await form.close()
        try:
            site.service.scenarios(jurisdictions, activity, purpose)  # bad input is answered now, not by the job
            if data:
                if len(data) > limits.upload_bytes:
                    return site.html_error(request, BadInput("archive_too_large", mb=str(limits.upload_bytes >> 20)),
                                           lang, 413)
                if kind_of(data[:512]) is None:
                    raise BadInput("archive_not_archive")
                sub = jobs.Submission(name=_display_name(getattr(upload, "filename", "") or "upload"), kind="archive",
                                      data=data, jurisdictions=tuple(jurisdictions), activity=activity,
                                      purpose=purpose, lang=lang)
            elif text.strip():
                if kind not in jobs.PASTE_NAMES:
                    raise BadInput("bad_request", reason=f"kind {kind[:40]!r}")
                sub = jobs.Submission(name=jobs.PASTE_NAMES[kind], kind=kind,
                                      data=text.encode("utf-8", "surrogateescape"),
                                      jurisdictions=tuple(jurisdictions), activity=activity, purpose=purpose,
                                      lang=lang)
            else:
                raise BadInput("nothing_uploaded")
        except UsageError as exc:
            return site.html_error(request, BadInput(exc.code, exc.detail, **exc.params), lang)
        except BadInput as exc:
            return site.html_error(request, exc, lang)
        try:
            token, job_id = await run_in_threadpool(jobs.submit, database, sub)
        except jobs.QueueFull:
            return site.html_error(request, BadInput("scan_busy", n=str(jobs.MAX_WAITING)), lang, 503)
        await run_in_threadpool(runner.submit, job_id)
        return RedirectResponse(f"/scan/{token}?lang={lang}", status_code=303)

    @routes.get("/scan/{token}", response_class=HTMLResponse)
    def scan_result(request: Request, token: str) -> Response:
        """The scan's state until it is done, then its summary with its downloads."""
        lang = lang_of(request)
        job = jobs.find(database, token)
        if job is None:
            return site.html_error(request, BadInput("scan_gone", n=str(jobs.KEEP)), lang, 404)
        if job.state == "failed":
            return _failed(request, job.error, lang)
        if job.state != "done":
            response = site.render("scan_pending.html.j2", request, lang, scan_name=job.name, state=job.state,
                                   refresh=REFRESH, href=f"/scan/{token}?lang={lang}")
            response.headers["Refresh"] = str(REFRESH)
            response.headers["Cache-Control"] = "no-store"
            return response
        downloads = [{"format": f, "href": f"/scan/{token}/report.{suffix}"} for f, (suffix, _) in DOWNLOADS.items()]
        return site.render("scan_result.html.j2", request, lang, v=json.loads(job.view), scan_name=job.name,
                           held=json.loads(job.held) if job.held else None, downloads=downloads,
                           report_href=f"/scan/{token}/report.html", keep=jobs.KEEP)

    def _failed(request: Request, error: str, lang: str) -> Response:
        why = json.loads(error or "{}")
        params = {str(k): str(v) for k, v in (why.get("params") or {}).items()}
        return site.html_error(request, BadInput(str(why.get("code") or "internal"), str(why.get("detail") or ""),
                                                 **params), lang, int(why.get("status") or 500))

    @routes.get("/scan/{token}/report.{suffix:path}")
    def scan_download(request: Request, token: str, suffix: str) -> Response:
        """A finished scan in one format (the HTML one with its own Content-Security-Policy)."""
        lang = lang_of(request)
        job = jobs.find(database, token)
        fmt = _BY_SUFFIX.get(suffix)
        if job is None or fmt is None:
            return site.html_error(request, BadInput("scan_gone" if job is None else "not_found", n=str(jobs.KEEP)),
                                   lang, 404)
        if job.state != "done":
            return site.html_error(request, BadInput("scan_pending"), lang, 409)
        body = jobs.output(database, job.id, fmt)
        if body is None:  # a format whose extra is not installed
            return site.html_error(request, BadInput("not_found"), lang, 404)
        headers = {"Content-Disposition": f'inline; filename="modelclear-report.{suffix}"'}
        if fmt == "html":
            from modelclear.report.html import SCRIPT_HASH

            headers["Content-Security-Policy"] = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                                  f"script-src '{SCRIPT_HASH}'; base-uri 'none'; "
                                                  "frame-ancestors 'none'; form-action 'none'")
        return Response(body, media_type=DOWNLOADS[fmt][1], headers=headers)

    return routes


def _empty_form(lang: str) -> FormState:
    return FormState(jurisdictions=("JP",), lang=lang)


def _display_name(filename: str) -> str:
    """The uploaded file's own name, without any folder a browser sent (shown escaped by the template)."""
    return Path(filename.replace("\\", "/")).name[:200] or "upload"
