"""What every route of the web application shares: the knowledge, the check service, the search
index, the templates, and how a page or an error is rendered."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from modelclear import __version__
from modelclear.catalog import KnowledgeBase
from modelclear.i18n import Translator
from modelclear.model import Activity, Purpose
from modelclear.report.escape import safe_url
from modelclear.service import Service
from modelclear.web.forms import BadInput, FormState
from modelclear.web.knowledge import explain_href
from modelclear.web.search import SearchIndex

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Example questions on the front page (the two cases of the README); shown only when the ids are known.
EXAMPLES: tuple[tuple[str, str, str, str], ...] = (
    ("dataset:imagenet-1k", "JP", "train", "commercial"),
    ("torchvision:ResNet50_Weights.IMAGENET1K_V2", "JP", "deploy", "commercial"),
    ("hf:meta-llama/Llama-2-7b-hf", "EU", "serve", "commercial"),
    ("hf:google-bert/bert-base-uncased", "US", "finetune", "commercial"),
)


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the pages (autoescaping on; links only to safe URLs)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["explain_href"] = explain_href
    env.tests["safe_href"] = lambda url: safe_url(str(url)) is not None
    env.globals["version"] = __version__
    return env


@dataclass
class Site:
    """The application's shared state and its two ways of answering: a page or JSON."""

    service: Service
    index: SearchIndex
    env: jinja2.Environment
    examples: list[FormState]
    reviewed_ids: list[str]

    @classmethod
    def open(cls, service: Service) -> Site:
        """The site over a check service (builds the search index once)."""
        kb = service.kb
        index = SearchIndex.build(kb)
        examples = [FormState(id=i, jurisdictions=(j,), activity=a, purpose=p)
                    for i, j, a, p in EXAMPLES if kb.canonical(i) is not None and kb.law_code(j) is not None]
        return cls(service=service, index=index, env=environment(), examples=examples,
                   reviewed_ids=[e.id for e in index.reviewed_artifacts()])

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base the service answers from."""
        return self.service.kb

    def render(self, name: str, request: Request, lang: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        """A page from template ``name``, with the language switch and the knowledge date."""
        t = Translator(self.kb.i18n, lang)
        other = "ja" if lang == "en" else "en"
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
        html = self.env.get_template(name).render(
            t=t, lang=lang, other_lang=other, switch_url=f"{request.url.path}?{urlencode(pairs)}",
            path=request.url.path, viewer=getattr(request.state, "viewer", None),
            knowledge_as_of=t("ui.knowledge_as_of", date=self.kb.knowledge_as_of().isoformat()),
            **ctx)
        return HTMLResponse(html, status_code=status)

    def form_context(self, form: FormState, lang: str) -> dict[str, Any]:
        """What the question form needs: the choices, in ``lang``, and the user's input."""
        kb = self.kb
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
            "suggestions": self.reviewed_ids,
        }

    def json_error(self, exc: BadInput, lang: str, status: int = 400) -> JSONResponse:
        """``{"error": {code, message, detail?}}`` with ``status``."""
        t = Translator(self.kb.i18n, lang)
        body: dict[str, Any] = {"code": exc.code, "message": exc.message(t)}
        if exc.detail:
            body["detail"] = exc.detail
        return JSONResponse({"error": body}, status_code=status)

    def html_error(self, request: Request, exc: BadInput, lang: str, status: int = 400,
                   form: FormState | None = None) -> HTMLResponse:
        """The error page (with the form filled in again when there is one)."""
        t = Translator(self.kb.i18n, lang)
        ctx = self.form_context(form, lang) if form is not None else {}
        return self.render("error.html.j2", request, lang, status=status, message=exc.message(t),
                           detail=exc.detail, status_code=status, **ctx)

    def error(self, request: Request, exc: BadInput, lang: str, status: int = 400) -> HTMLResponse | JSONResponse:
        """JSON under ``/api/``, a page elsewhere."""
        if request.url.path.startswith("/api/"):
            return self.json_error(exc, lang, status)
        return self.html_error(request, exc, lang, status)
