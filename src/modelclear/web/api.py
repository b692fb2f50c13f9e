"""The JSON API: ``/api/check``, ``/api/explain``, ``/api/search`` and ``/healthz``."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from modelclear import __version__
from modelclear.report.json_format import document
from modelclear.web.forms import MAX_ID, MAX_RESULTS, BadInput, form_state, lang_of, run_check
from modelclear.web.site import Site

#: ``kind=`` values of ``/api/search`` and the entry kinds each one selects.
SEARCH_KINDS: Mapping[str, frozenset[str]] = {
    "artifact": frozenset({"model", "dataset", "package"}),
    "model": frozenset({"model"}),
    "dataset": frozenset({"dataset"}),
    "package": frozenset({"package"}),
    "license": frozenset({"license"}),
    "law": frozenset({"law"}),
    "platform": frozenset({"platform"}),
}


def _limit(request: Request) -> int | None:
    try:
        limit = int(request.query_params.get("limit", "20"))
    except ValueError:
        return None
    return limit if 1 <= limit <= MAX_RESULTS else None


def router(site: Site) -> APIRouter:
    """The JSON routes over ``site``."""
    api = APIRouter()
    kb, index = site.kb, site.index

    @api.get("/api/check")
    def api_check(request: Request) -> Response:
        """The ``modelclear/check/1`` document (a list of them for several jurisdictions)."""
        form = form_state(request)
        try:
            report = run_check(form, site.service)
        except BadInput as exc:
            return site.json_error(exc, lang_of(request))
        return JSONResponse(document(report))

    @api.get("/api/explain")
    def api_explain(request: Request) -> Response:
        """The raw knowledge record (``{found, kind, record}``, as ``modelclear explain --format json``)."""
        from modelclear.explain import lookup

        item = request.query_params.get("id", "").strip()
        if not item:
            return site.json_error(BadInput("missing_id"), lang_of(request))
        if len(item) > MAX_ID:
            return site.json_error(BadInput("id_too_long", limit=str(MAX_ID)), lang_of(request))
        found = lookup(kb, item)
        if found is None:
            return JSONResponse({"found": False, "query": item}, status_code=404)
        kind, record = found
        return JSONResponse({"found": True, "kind": kind, "record": record})

    @api.get("/api/search")
    def api_search(request: Request) -> Response:
        """Ids, names and kinds matching ``q`` (``kind=artifact|model|dataset|license|law|platform``)."""
        q = request.query_params.get("q", "").strip()[:200]
        kind = request.query_params.get("kind", "").strip()
        if kind and kind not in SEARCH_KINDS:
            return site.json_error(BadInput("bad_kind", kind=kind[:40], choices=", ".join(SEARCH_KINDS)),
                                   lang_of(request))
        limit = _limit(request)
        if limit is None:
            return site.json_error(BadInput("bad_limit", limit=str(MAX_RESULTS)), lang_of(request))
        hits = index.search(q, limit, SEARCH_KINDS.get(kind)) if q else []
        return JSONResponse({"query": q, "results": [e.as_dict() for e in hits]})

    @api.get("/healthz")
    def healthz() -> Response:
        """Liveness: the version and the knowledge date."""
        return JSONResponse({"status": "ok", "version": __version__,
                             "knowledge_as_of": kb.knowledge_as_of().isoformat()})

    return api
