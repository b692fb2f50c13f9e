"""Scans in the browser (issue 13, item 1): upload a project archive, or paste a requirements file,
a notebook or a Python file, and read the scan report with downloads in every format.

``GET /scan`` is the form; ``POST /scan`` takes the upload (``multipart/form-data``), unpacks it by
the rules of :mod:`modelclear.web.archive` into a private folder that is removed as soon as the scan
is done, scans and assesses it through the check service, and answers ``303`` to ``/scan/{token}``:
the summary (the same groups as every format and the JSON gate), the gate line, what the upload held,
and a link per format (``/scan/{token}/report.{html,json,sarif,md,txt,cdx.json,spdx.json}``). The
full HTML report is the same document as ``--format html``, served with its own
Content-Security-Policy (its one inline script is allowed by hash only).

Reports are kept in this process's memory, the newest :data:`KEEP` only, under a random token: a
result page is a capability, not an account (projects and history are the database's job). Uploads
are bounded before they are parsed: a request without ``Content-Length`` or over the upload limit is
refused, as is a form posted from another site (``Origin``/``Sec-Fetch-Site``).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from modelclear.report import Report
from modelclear.scan.base import ScanOptions
from modelclear.service import UsageError
from modelclear.web.archive import ArchiveLimits, Unpacked, UnsafeArchive, private_folder, unpacked
from modelclear.web.forms import BadInput, FormState, lang_of
from modelclear.web.site import Site

#: Reports kept in memory (the oldest is dropped first).
KEEP = 32
#: Longest pasted text, in bytes.
MAX_PASTE = 2 * 1024 * 1024
#: What a pasted text is saved as, by the kind chosen in the form.
PASTE_NAMES = {"requirements": "requirements.txt", "notebook": "notebook.ipynb", "python": "main.py"}
#: Download links: format name -> (file suffix, media type).
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
_BY_SUFFIX = {suffix: name for name, (suffix, _) in DOWNLOADS.items()}


@dataclass(frozen=True)
class StoredScan:
    """One scan's report and what the upload held."""

    report: Report
    name: str
    held: Unpacked | None


class ScanStore:
    """The newest :data:`KEEP` reports by token (thread-safe: uvicorn may run routes in threads)."""

    def __init__(self, keep: int = KEEP) -> None:
        """An empty store that keeps ``keep`` reports."""
        self.keep = keep
        self._items: OrderedDict[str, StoredScan] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, scan: StoredScan) -> str:
        """Keep ``scan``; its new random token."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._items[token] = scan
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> StoredScan | None:
        """The scan under ``token``, if still kept."""
        with self._lock:
            return self._items.get(token)


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


# Long on purpose: a list of small route handlers, closures sharing ``site``, ``store`` and ``limits``.
def router(site: Site, store: ScanStore, limits: ArchiveLimits | None = None) -> APIRouter:
    """The scan routes over ``site``, keeping reports in ``store``."""
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
        """Unpack, scan and assess the upload; 303 to its result page."""
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
            scenarios = site.service.scenarios(jurisdictions, activity, purpose)
            if data:
                name = _display_name(getattr(upload, "filename", "") or "upload")
                with unpacked(data, limits) as (root, held):
                    report = site.service.scan(root, scenarios, _options(), lang=lang)
            elif text.strip():
                if kind not in PASTE_NAMES:
                    raise BadInput("bad_request", reason=f"kind {kind[:40]!r}")
                name, held = PASTE_NAMES[kind], None
                with private_folder() as folder:
                    root = folder / "project"
                    root.mkdir(mode=0o700)
                    (root / name).write_text(text, encoding="utf-8", errors="surrogateescape")
                    report = site.service.scan(root, scenarios, _options(), lang=lang)
            else:
                raise BadInput("nothing_uploaded")
        except UnsafeArchive as exc:
            status = 413 if exc.code == "too_large" else 400
            return site.html_error(request, BadInput(f"archive_{exc.code}", exc.entry, entry=exc.entry or "-",
                                                     mb=str(limits.upload_bytes >> 20),
                                                     entries=str(limits.entries)), lang, status)
        except UsageError as exc:
            return site.html_error(request, BadInput(exc.code, exc.detail, **exc.params), lang)
        except BadInput as exc:
            return site.html_error(request, exc, lang)
        report = report.with_gate(site.service.gate(report.assessments))  # no policy file: the defaults
        token = store.add(StoredScan(report=report, name=name, held=held))
        return RedirectResponse(f"/scan/{token}?lang={lang}", status_code=303)

    @routes.get("/scan/{token}", response_class=HTMLResponse)
    def scan_result(request: Request, token: str) -> Response:
        """The summary of a kept scan, with its downloads."""
        from modelclear.report.human import human

        lang = lang_of(request)
        scan = store.get(token)
        if scan is None:
            return site.html_error(request, BadInput("scan_gone"), lang, 404)
        downloads = [{"format": f, "href": f"/scan/{token}/report.{suffix}"} for f, (suffix, _) in DOWNLOADS.items()]
        return site.render("scan_result.html.j2", request, lang, v=human(scan.report), scan_name=scan.name,
                           held=scan.held, downloads=downloads, report_href=f"/scan/{token}/report.html")

    @routes.get("/scan/{token}/report.{suffix:path}")
    def scan_download(request: Request, token: str, suffix: str) -> Response:
        """A kept scan in one format (the HTML one with its own Content-Security-Policy)."""
        from modelclear import report as formats

        lang = lang_of(request)
        scan = store.get(token)
        fmt = _BY_SUFFIX.get(suffix)
        if scan is None or fmt is None:
            return site.html_error(request, BadInput("scan_gone" if scan is None else "not_found"), lang, 404)
        if formats.missing_extra(fmt) is not None:
            return site.html_error(request, BadInput("not_found"), lang, 404)
        body = formats.get(fmt).render(scan.report)
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


def _options() -> ScanOptions:
    """One process (no pool inside a web worker); the project's own ignore files honoured."""
    return ScanOptions(jobs=1, follow_gitignore=True)

