"""The FastAPI application behind ``modelclear web``: a form, verdict pages and a JSON API.

Pages: ``/`` (the question form), ``/check`` (the layered verdict, the same view as ``--format
html``, lineage drawn by :mod:`modelclear.graph`), ``/explain`` and ``/explain/{id}`` (what the
knowledge base holds). JSON: ``/api/check`` (exactly the ``modelclear/check/1`` document of
:func:`modelclear.report.data.check_document`; a list of them for several jurisdictions, as the CLI
prints), ``/api/explain``, ``/api/search`` and ``/healthz``.

Bad input (malformed id, unknown jurisdiction, activity, purpose, language or date) is HTTP 400
with a clear message, in JSON under ``/api`` and as a page elsewhere; an unknown id is an answer
(200, verdict ``unknown``). Every page is rendered by Jinja2 with autoescaping, served with a
Content-Security-Policy that allows only this server's own styles and script, and fetches nothing
from anywhere else.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from modelclear import __version__
from modelclear.catalog import Catalog, KnowledgeBase
from modelclear.i18n import LANGUAGES, Translator
from modelclear.model import Activity, Purpose
from modelclear.report import Report
from modelclear.report.escape import safe_url
from modelclear.report.json_format import document
from modelclear.service import Limits, Question, Service, UsageError
from modelclear.web.search import SearchIndex

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Longest id (and accepted-terms item) the UI takes; longer input is a usage error.
MAX_ID = 512
#: Most jurisdictions asked about at once.
MAX_JURISDICTIONS = 12
#: Most search results returned.
MAX_RESULTS = 50

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

#: Example questions on the front page (the two cases of the README); shown only when the ids are known.
EXAMPLES: tuple[tuple[str, str, str, str], ...] = (
    ("dataset:imagenet-1k", "JP", "train", "commercial"),
    ("torchvision:ResNet50_Weights.IMAGENET1K_V2", "JP", "deploy", "commercial"),
    ("hf:meta-llama/Llama-2-7b-hf", "EU", "serve", "commercial"),
    ("hf:google-bert/bert-base-uncased", "US", "finetune", "commercial"),
)

_SEARCH_KINDS: Mapping[str, frozenset[str]] = {
    "artifact": frozenset({"model", "dataset", "package"}),
    "model": frozenset({"model"}),
    "dataset": frozenset({"dataset"}),
    "package": frozenset({"package"}),
    "license": frozenset({"license"}),
    "law": frozenset({"law"}),
    "platform": frozenset({"platform"}),
}

log = logging.getLogger("modelclear.web")


class BadInput(Exception):
    """A usage error: rendered as HTTP 400 with the message ``web.error.<code>``."""

    def __init__(self, code: str, detail: str = "", **params: str) -> None:
        """``code`` names the message, ``params`` fill it, ``detail`` adds the pipeline's own words."""
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.params = params

    def message(self, t: Translator) -> str:
        """The message in the translator's language."""
        return t(f"web.error.{self.code}", **self.params)


@dataclass(frozen=True)
class FormState:
    """What the user asked, as typed (shown again in the form, valid or not)."""

    id: str = ""
    jurisdictions: tuple[str, ...] = ()
    activity: str = "deploy"
    purpose: str = "commercial"
    accepted: str = ""
    obtained_on: str = ""
    lang: str = "en"

    def query(self, **override: str) -> str:
        """The query string that asks this question again (``override`` replaces fields)."""
        pairs: list[tuple[str, str]] = [("id", self.id)]
        pairs += [("jurisdiction", j) for j in self.jurisdictions]
        pairs += [("activity", self.activity), ("purpose", self.purpose)]
        if self.accepted:
            pairs.append(("accepted", self.accepted))
        if self.obtained_on:
            pairs.append(("obtained_on", self.obtained_on))
        pairs.append(("lang", self.lang))
        pairs = [(k, override.get(k, v)) for k, v in pairs]
        return urlencode(pairs)

    def accepted_items(self) -> list[str]:
        """The accepted terms as a list (comma- or space-separated in the form)."""
        return [x for x in self.accepted.replace(",", " ").split() if x]


def _lang(request: Request) -> str:
    """The requested language, or English when it is missing or unsupported."""
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def form_state(request: Request) -> FormState:
    """The question in a request's query string (``jurisdiction`` repeated or comma-separated)."""
    q = request.query_params
    jurisdictions: list[str] = []
    for value in q.getlist("jurisdiction"):
        for part in value.split(","):
            code = part.strip().upper()
            if code and code not in jurisdictions:
                jurisdictions.append(code)
    accepted = " ".join(q.getlist("accepted")).strip()
    return FormState(
        id=q.get("id", "").strip(),
        jurisdictions=tuple(jurisdictions),
        activity=q.get("activity", "").strip() or "deploy",
        purpose=q.get("purpose", "").strip() or "commercial",
        accepted=accepted,
        obtained_on=q.get("obtained_on", "").strip(),
        lang=q.get("lang", "").strip() or "en",
    )


#: The web UI's bounds on a question.
LIMITS = Limits(max_id=MAX_ID, max_jurisdictions=MAX_JURISDICTIONS)


def question(form: FormState) -> Question:
    """The form's question for the check service."""
    return Question(id=form.id, jurisdictions=form.jurisdictions, activity=form.activity, purpose=form.purpose,
                    accepted=tuple(form.accepted_items()), obtained_on=form.obtained_on or None, lang=form.lang)


def run_check(form: FormState, service: Service) -> Report:
    """Validate the question and assess the artifact in each jurisdiction asked about (:class:`BadInput` if bad)."""
    try:
        return service.check(question(form), LIMITS)
    except UsageError as exc:
        raise BadInput(exc.code, exc.detail, **exc.params) from None


# --- the knowledge base as a page ------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One value of a knowledge record, ready to render: text, link, list or mapping."""

    kind: str  # text | link | list | map
    text: str = ""
    href: str = ""
    items: tuple[tuple[str, Node], ...] = field(default_factory=tuple)


_LINK_KEYS_LICENSE = frozenset({"license", "licence", "terms", "licenses", "license_id", "spdx"})
_SKIP_KEYS = frozenset({"id", "name", "summary", "_file"})


def explain_href(item: str) -> str:
    """The page of a knowledge item (``license:MIT``, ``law:JP``, an artifact id)."""
    return "/explain/" + quote(item, safe=":/@+")


def record_tree(value: Any, lang: str, kb: KnowledgeBase, key: str = "", kind: str = "") -> Node:
    """A raw knowledge record as a :class:`Node` tree, bilingual texts in ``lang`` and references linked."""
    if isinstance(value, Mapping):
        if set(value) <= {"en", "ja"} and "en" in value:
            return Node("text", str(value.get(lang) or value["en"]))
        items = tuple((str(k), record_tree(v, lang, kb, str(k), kind)) for k, v in value.items()
                      if v not in (None, "", [], {}) and not str(k).startswith("_"))
        return Node("map", items=items)
    if isinstance(value, (list, tuple)):
        return Node("list", items=tuple(("", record_tree(v, lang, kb, key, kind)) for v in value))
    if isinstance(value, bool):
        return Node("text", "true" if value else "false")
    text = str(value)
    if text.startswith(("https://", "http://")):
        return Node("link", text, href=text)
    if key in _LINK_KEYS_LICENSE and kb.license_key(text):
        return Node("link", text, href=explain_href(f"license:{kb.license_key(text)}"))
    if kind == "law" and key in ("parent", "jurisdiction") and kb.law_code(text):
        return Node("link", text, href=explain_href(f"law:{kb.law_code(text)}"))
    if ":" in text and " " not in text and len(text) < 300 and key not in ("url", "clause", "quote"):
        cid = kb.canonical(text)
        if cid is not None and kb.raw_artifact(cid) is not None:
            return Node("link", text, href=explain_href(cid))
    return Node("text", text)


def _explain_view(kb: KnowledgeBase, item: str, lang: str) -> dict[str, Any] | None:
    from modelclear.explain import lookup

    found = lookup(kb, item)
    if found is None:
        return None
    kind, record = found
    name = record.get("name")
    if isinstance(name, Mapping):
        name = name.get(lang) or name.get("en")
    summary = record.get("summary")
    if isinstance(summary, Mapping):
        summary = summary.get(lang) or summary.get("en")
    rid = str(record.get("id", item))
    if kind == "law":
        display = f"law:{record.get('jurisdiction', rid)}"
    elif kind in ("license", "platform"):
        display = f"{kind}:{rid}"
    else:
        display = rid
    where = str(record.get("_file", ""))
    body = {k: v for k, v in record.items() if k not in _SKIP_KEYS}
    return {
        "kind": kind,
        "id": display,
        "name": str(name or ""),
        "summary": str(summary or ""),
        "file": where if where and not os.path.isabs(where) else "",
        "tree": record_tree(body, lang, kb, kind=kind),
        "checkable": kind == "artifact",
    }


# --- the application -------------------------------------------------------------------------------


@dataclass
class _State:
    kb: KnowledgeBase
    catalog: Catalog
    index: SearchIndex
    env: jinja2.Environment
    examples: list[FormState]
    reviewed_ids: list[str]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["explain_href"] = explain_href
    env.tests["safe_href"] = lambda url: safe_url(str(url)) is not None
    env.globals["version"] = __version__
    return env


def create_app(overlays: Iterable[str] = (), *, online: bool = False, hf_cache: Path | None = None) -> FastAPI:
    """The web application over the bundled knowledge (plus ``overlays``), offline unless ``online``."""
    service = Service.open(overlays, online=online, hf_cache=hf_cache)
    kb, catalog = service.kb, service.catalog
    index = SearchIndex.build(kb)
    examples = [FormState(id=i, jurisdictions=(j,), activity=a, purpose=p)
                for i, j, a, p in EXAMPLES if kb.canonical(i) is not None and kb.law_code(j) is not None]
    reviewed = [e.id for e in index.reviewed_artifacts()]
    state = _State(kb=kb, catalog=catalog, index=index, env=_environment(), examples=examples,
                   reviewed_ids=reviewed)

    app = FastAPI(title="modelclear", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def render(name: str, request: Request, lang: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        t = Translator(kb.i18n, lang)
        other = "ja" if lang == "en" else "en"
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
        html = state.env.get_template(name).render(
            t=t, lang=lang, other_lang=other, switch_url=f"{request.url.path}?{urlencode(pairs)}",
            path=request.url.path, knowledge_as_of=t("ui.knowledge_as_of", date=kb.knowledge_as_of().isoformat()),
            **ctx)
        return HTMLResponse(html, status_code=status)

    def form_context(form: FormState, lang: str) -> dict[str, Any]:
        t = Translator(kb.i18n, lang)
        laws = []
        for code in kb.jurisdictions():
            law = kb.law(code)
            laws.append({"code": code, "name": law.name.get(lang) if law is not None else code})
        return {
            "form": form,
            "jurisdiction_options": laws,
            "activity_options": [{"value": a.value, "label": t(f"ui.activity.{a.value}")} for a in Activity],
            "purpose_options": [{"value": p.value, "label": t(f"ui.purpose.{p.value}")} for p in Purpose],
            "suggestions": state.reviewed_ids,
        }

    def json_error(exc: BadInput, lang: str, status: int = 400) -> JSONResponse:
        t = Translator(kb.i18n, lang)
        body: dict[str, Any] = {"code": exc.code, "message": exc.message(t)}
        if exc.detail:
            body["detail"] = exc.detail
        return JSONResponse({"error": body}, status_code=status)

    def html_error(request: Request, exc: BadInput, lang: str, status: int = 400,
                   form: FormState | None = None) -> HTMLResponse:
        t = Translator(kb.i18n, lang)
        ctx = form_context(form, lang) if form is not None else {}
        return render("error.html.j2", request, lang, status=status, message=exc.message(t), detail=exc.detail,
                      status_code=status, **ctx)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else "http"
        err = BadInput(code, status=str(exc.status_code))
        if request.url.path.startswith("/api/"):
            return json_error(err, _lang(request), exc.status_code)
        return html_error(request, err, _lang(request), exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(str(e.get("msg", "")) for e in exc.errors())
        err = BadInput("bad_request", detail, reason=detail)
        if request.url.path.startswith("/api/"):
            return json_error(err, _lang(request))
        return html_error(request, err, _lang(request))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        err = BadInput("internal")
        if request.url.path.startswith("/api/"):
            return json_error(err, _lang(request), 500)
        return html_error(request, err, _lang(request), 500)

    # --- pages ---------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def index_page(request: Request) -> Response:
        """The question form (fields may be prefilled from the query string)."""
        form = form_state(request)
        lang = _lang(request)
        if not form.jurisdictions:
            form = dataclasses.replace(form, jurisdictions=("JP",))
        t = Translator(kb.i18n, lang)
        examples = [{"href": "/check?" + ex.query(lang=lang), "id": ex.id,
                     "question": t("ui.report.question_check", activity=t(f"ui.activity.{ex.activity}"),
                                   purpose=t(f"ui.purpose.{ex.purpose}"), jurisdictions=", ".join(ex.jurisdictions))}
                    for ex in state.examples]
        return render("index.html.j2", request, lang, examples=examples, **form_context(form, lang))

    @app.get("/check", response_class=HTMLResponse)
    def check_page(request: Request) -> Response:
        """The layered verdict for the question in the query string."""
        from modelclear.report.view import human

        form = form_state(request)
        lang = _lang(request)
        try:
            report = run_check(form, service)
        except BadInput as exc:
            return html_error(request, exc, lang, 400, form=form)
        v = human(report)
        known = any(a.artifact is not None for a in report.assessments)
        return render("check.html.j2", request, lang, v=v, known=known, json_url="/api/check?" + form.query(),
                      **form_context(form, lang))

    @app.get("/explain", response_class=HTMLResponse)
    def explain_search_page(request: Request) -> Response:
        """Search the knowledge base; ``?id=`` goes straight to the entry."""
        lang = _lang(request)
        item = request.query_params.get("id", "").strip()
        if item:
            return RedirectResponse(explain_href(item) + f"?lang={lang}", status_code=303)
        q = request.query_params.get("q", "").strip()[:200]
        results = [e.as_dict() for e in index.search(q, MAX_RESULTS)] if q else []
        laws = [{"id": f"law:{c}", "name": (law.name.get(lang) if (law := kb.law(c)) is not None else c)}
                for c in kb.jurisdictions()]
        return render("explain_search.html.j2", request, lang, q=q, results=results, laws=laws,
                      platforms=[f"platform:{p}" for p in kb.platform_ids()])

    @app.get("/explain/{item:path}", response_class=HTMLResponse)
    def explain_page(request: Request, item: str) -> Response:
        """What the knowledge base holds for one entry."""
        lang = _lang(request)
        item = item.strip()[:MAX_ID]
        view = _explain_view(kb, item, lang)
        if view is None:
            results = [e.as_dict() for e in index.search(item.split(":", 1)[-1], 20)]
            return render("explain_search.html.j2", request, lang, status=404, q=item, results=results, laws=[],
                          platforms=[], missing=item)
        return render("explain.html.j2", request, lang, e=view)

    # --- JSON -----------------------------------------------------------------------------------------

    @app.get("/api/check")
    def api_check(request: Request) -> Response:
        """The ``modelclear/check/1`` document (a list of them for several jurisdictions)."""
        form = form_state(request)
        try:
            report = run_check(form, service)
        except BadInput as exc:
            return json_error(exc, _lang(request))
        return JSONResponse(document(report))

    @app.get("/api/explain")
    def api_explain(request: Request) -> Response:
        """The raw knowledge record (``{found, kind, record}``, as ``modelclear explain --format json``)."""
        from modelclear.explain import lookup

        item = request.query_params.get("id", "").strip()
        if not item:
            return json_error(BadInput("missing_id"), _lang(request))
        if len(item) > MAX_ID:
            return json_error(BadInput("id_too_long", limit=str(MAX_ID)), _lang(request))
        found = lookup(kb, item)
        if found is None:
            return JSONResponse({"found": False, "query": item}, status_code=404)
        kind, record = found
        return JSONResponse({"found": True, "kind": kind, "record": record})

    @app.get("/api/search")
    def api_search(request: Request) -> Response:
        """Ids, names and kinds matching ``q`` (``kind=artifact|model|dataset|license|law|platform``)."""
        q = request.query_params.get("q", "").strip()[:200]
        kind = request.query_params.get("kind", "").strip()
        if kind and kind not in _SEARCH_KINDS:
            return json_error(BadInput("bad_kind", kind=kind[:40], choices=", ".join(_SEARCH_KINDS)), _lang(request))
        try:
            limit = int(request.query_params.get("limit", "20"))
        except ValueError:
            return json_error(BadInput("bad_limit", limit=str(MAX_RESULTS)), _lang(request))
        if not 1 <= limit <= MAX_RESULTS:
            return json_error(BadInput("bad_limit", limit=str(MAX_RESULTS)), _lang(request))
        hits = index.search(q, limit, _SEARCH_KINDS.get(kind)) if q else []
        return JSONResponse({"query": q, "results": [e.as_dict() for e in hits]})

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness: the version and the knowledge date."""
        return JSONResponse({"status": "ok", "version": __version__,
                             "knowledge_as_of": kb.knowledge_as_of().isoformat()})

    return app

