"""The HTML pages: the question form, the verdict, and the knowledge base."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from modelclear.i18n import Translator
from modelclear.web.forms import MAX_ID, MAX_RESULTS, BadInput, form_state, lang_of, run_check
from modelclear.web.knowledge import explain_href, explain_view
from modelclear.web.site import Site


def router(site: Site) -> APIRouter:
    """The page routes over ``site``."""
    pages = APIRouter()
    kb, index = site.kb, site.index

    @pages.get("/", response_class=HTMLResponse)
    def index_page(request: Request) -> Response:
        """The question form (fields may be prefilled from the query string)."""
        form = form_state(request)
        lang = lang_of(request)
        if not form.jurisdictions:
            form = dataclasses.replace(form, jurisdictions=("JP",))
        t = Translator(kb.i18n, lang)
        examples = [{"href": "/check?" + ex.query(lang=lang), "id": ex.id,
                     "question": t("ui.report.question_check", activity=t(f"ui.activity.{ex.activity}"),
                                   purpose=t(f"ui.purpose.{ex.purpose}"), jurisdictions=", ".join(ex.jurisdictions))}
                    for ex in site.examples]
        return site.render("index.html.j2", request, lang, examples=examples, **site.form_context(form, lang))

    @pages.get("/check", response_class=HTMLResponse)
    def check_page(request: Request) -> Response:
        """The layered verdict for the question in the query string."""
        from modelclear.report.human import human

        form = form_state(request)
        lang = lang_of(request)
        try:
            report = run_check(form, site.service)
        except BadInput as exc:
            return site.html_error(request, exc, lang, 400, form=form)
        known = any(a.artifact is not None for a in report.assessments)
        return site.render("check.html.j2", request, lang, v=human(report), known=known,
                           json_url="/api/check?" + form.query(), **site.form_context(form, lang))

    @pages.get("/explain", response_class=HTMLResponse)
    def explain_search_page(request: Request) -> Response:
        """Search the knowledge base; ``?id=`` goes straight to the entry."""
        lang = lang_of(request)
        item = request.query_params.get("id", "").strip()
        if item:
            return RedirectResponse(explain_href(item) + f"?lang={lang}", status_code=303)
        q = request.query_params.get("q", "").strip()[:200]
        results = [e.as_dict() for e in index.search(q, MAX_RESULTS)] if q else []
        laws = [{"id": f"law:{c}", "name": (law.name.get(lang) if (law := kb.law(c)) is not None else c)}
                for c in kb.jurisdictions()]
        return site.render("explain_search.html.j2", request, lang, q=q, results=results, laws=laws,
                           platforms=[f"platform:{p}" for p in kb.platform_ids()])

    @pages.get("/explain/{item:path}", response_class=HTMLResponse)
    def explain_page(request: Request, item: str) -> Response:
        """What the knowledge base holds for one entry."""
        lang = lang_of(request)
        item = item.strip()[:MAX_ID]
        view = explain_view(kb, item, lang)
        if view is None:
            results = [e.as_dict() for e in index.search(item.split(":", 1)[-1], 20)]
            return site.render("explain_search.html.j2", request, lang, status=404, q=item, results=results,
                               laws=[], platforms=[], missing=item)
        return site.render("explain.html.j2", request, lang, e=view)

    return pages
