"""Reviews that close the loop (issue 13, item 3): a reviewer approves or rejects an artifact for a
scenario (jurisdiction, activity, purpose), for one project or all, with a reason and an expiry.

The newest decision for the same artifact, scope and scenario stands. Standing approvals that have not
expired are the project's waivers: ``GET /api/projects/{name}/waivers`` (the project's CI token) lists
them in the policy's waiver terms (id, reason, approved-by, expires) with their scenario, and
``modelclear policy pull URL --project NAME`` writes them into the policy file, so the CI gate honours
a decision made once on the page. Every decision and revocation goes into the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from modelclear.model import Activity, Purpose
from modelclear.web import projects as store
from modelclear.web.accounts import Auth, audit
from modelclear.web.db import Database, utcnow
from modelclear.web.forms import BadInput, lang_of
from modelclear.web.models import Project, Review
from modelclear.web.site import Site

DECISIONS = ("approve", "reject")
MAX_REASON = 2000
#: Longest an approval may run, in days.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Decision:
    """What a reviewer chose, validated."""

    artifact_id: str
    project: str | None
    jurisdiction: str
    activity: str
    purpose: str
    decision: str
    reason: str
    expires: dt.date


def parse_decision(form: Any, artifact_id: str, jurisdiction_code: Any, today: dt.date) -> Decision:
    """The decision in a posted form (:class:`BadInput` naming the first bad field)."""
    decision = str(form.get("decision") or "")
    if decision not in DECISIONS:
        raise BadInput("bad_request", reason="decision")
    jurisdiction = jurisdiction_code(str(form.get("jurisdiction") or "").strip().upper()[:20])
    if jurisdiction is None:
        raise BadInput("bad_request", reason="jurisdiction")
    activity, purpose = str(form.get("activity") or ""), str(form.get("purpose") or "")
    if activity not in {a.value for a in Activity} or purpose not in {p.value for p in Purpose}:
        raise BadInput("bad_request", reason="activity/purpose")
    reason = str(form.get("reason") or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise BadInput("review_reason", max=str(MAX_REASON))
    try:
        expires = dt.date.fromisoformat(str(form.get("expires") or "").strip())
    except ValueError:
        raise BadInput("review_expiry", days=str(MAX_DAYS)) from None
    if not today < expires <= today + dt.timedelta(days=MAX_DAYS):
        raise BadInput("review_expiry", days=str(MAX_DAYS))
    project = str(form.get("project") or "").strip() or None
    return Decision(artifact_id=artifact_id, project=project, jurisdiction=jurisdiction, activity=activity,
                    purpose=purpose, decision=decision, reason=reason, expires=expires)


def record(session: Session, d: Decision, reviewer: str) -> Review:
    """Store a decision and its audit entry."""
    project_id = None
    if d.project is not None:
        project = store.project_by_name(session, d.project)
        if project is None:
            raise BadInput("no_project", name=d.project[:100])
        project_id = project.id
    review = Review(artifact_id=d.artifact_id, artifact_key=d.artifact_id.lower(), project_id=project_id,
                    jurisdiction=d.jurisdiction, activity=d.activity, purpose=d.purpose, decision=d.decision,
                    reason=d.reason, expires=d.expires, reviewer=reviewer)
    session.add(review)
    session.flush()
    audit(session, reviewer, f"review.{d.decision}", d.artifact_id,
          f"#{review.id} {d.project or '*'} {d.jurisdiction} {d.activity} {d.purpose} until {d.expires}: {d.reason}")
    return review


def revoke(session: Session, review_id: int, who: str) -> Review | None:
    """Withdraw a decision (it stays in the history)."""
    review = session.get(Review, review_id)
    if review is None or review.revoked_at is not None:
        return None
    review.revoked_at, review.revoked_by = utcnow(), who
    audit(session, who, "review.revoke", review.artifact_id, f"#{review.id}")
    return review


def _standing(reviews: list[Review]) -> list[Review]:
    """The newest unrevoked decision per artifact, scope and scenario."""
    best: dict[tuple[str, int | None, str, str, str], Review] = {}
    for r in reviews:
        if r.revoked_at is not None:
            continue
        key = (r.artifact_key, r.project_id, r.jurisdiction, r.activity, r.purpose)
        if key not in best or r.id > best[key].id:
            best[key] = r
    return sorted(best.values(), key=lambda r: r.id)


def for_artifact(session: Session, artifact_id: str) -> list[Review]:
    """Every decision on ``artifact_id``, newest first."""
    return list(session.scalars(select(Review).where(Review.artifact_key == artifact_id.lower())
                                .order_by(Review.id.desc()).limit(200)))


def waivers(session: Session, project: Project, today: dt.date) -> list[dict[str, Any]]:
    """The project's standing approvals that have not expired, as waivers with their scenario."""
    rows = list(session.scalars(select(Review).where(or_(Review.project_id == project.id,
                                                         Review.project_id.is_(None)))))
    out = []
    for r in _standing(rows):
        if r.decision != "approve" or r.expires < today:
            continue
        out.append({"id": r.artifact_id, "approved-by": r.reviewer, "expires": r.expires.isoformat(),
                    "reason": f"{r.reason} (review #{r.id}, {r.jurisdiction} {r.activity} {r.purpose}, "
                              f"{'all projects' if r.project_id is None else project.name})",
                    "jurisdiction": r.jurisdiction, "activity": r.activity, "purpose": r.purpose, "review": r.id})
    return out


def view(r: Review, today: dt.date) -> dict[str, Any]:
    """A decision for the page."""
    state = ("revoked" if r.revoked_at is not None else "expired" if r.expires < today else r.decision)
    return {"id": r.id, "decision": r.decision, "state": state, "project": r.project.name if r.project else None,
            "jurisdiction": r.jurisdiction, "activity": r.activity, "purpose": r.purpose, "reason": r.reason,
            "expires": r.expires.isoformat(), "reviewer": r.reviewer,
            "at": r.created_at.isoformat(" ", "minutes"), "revoked_by": r.revoked_by}


def router(site: Site, database: Database) -> APIRouter:
    """Decisions on an artifact's page, revocation, and the CI's waivers."""
    routes = APIRouter()

    @routes.post("/artifacts/{artifact_id:path}/reviews")
    async def decide(request: Request, artifact_id: str) -> Response:
        """Record a reviewer's decision."""
        viewer, form = await Auth.form(request, "reviewer", fields=16, part_size=8192)
        lang = lang_of(request)
        if not artifact_id or len(artifact_id) > 512:
            return site.html_error(request, BadInput("bad_request", reason="id"), lang)
        try:
            decision = parse_decision(form, site.service.canonical_id(artifact_id), site.kb.law_code,
                                      dt.date.today())
            with database.session() as s:
                record(s, decision, viewer.name)
        except BadInput as exc:
            return site.html_error(request, exc, lang)
        from modelclear.web.team import artifact_href

        return RedirectResponse(f"{artifact_href(artifact_id)}?lang={lang}#reviews", status_code=303)

    @routes.post("/reviews/{review_id}/revoke")
    async def withdraw(request: Request, review_id: int) -> Response:
        """Revoke a decision (reviewers)."""
        viewer, _ = await Auth.form(request, "reviewer")
        lang = lang_of(request)
        with database.session() as s:
            review = revoke(s, review_id, viewer.name)
            target = review.artifact_id if review is not None else None
        if target is None:
            return site.html_error(request, BadInput("not_found"), lang, 404)
        from modelclear.web.team import artifact_href

        return RedirectResponse(f"{artifact_href(target)}?lang={lang}#reviews", status_code=303)

    @routes.get("/reviews", response_class=HTMLResponse)
    def review_list(request: Request) -> Response:
        """Every standing decision."""
        Auth.require(request)
        today = dt.date.today()
        with database.session() as s:
            rows = [view(r, today) | {"artifact_id": r.artifact_id}
                    for r in reversed(_standing(list(s.scalars(select(Review)))))]
        return site.render("team_reviews.html.j2", request, lang_of(request), reviews=rows)

    @routes.get("/api/projects/{name}/waivers")
    async def project_waivers(request: Request, name: str) -> Response:
        """The project's standing approvals as waivers (the project's CI token)."""
        lang = lang_of(request)
        authorization = request.headers.get("authorization")

        def answer() -> Response:
            with database.session() as s:
                project = store.project_by_name(s, name)
                if project is None or not store.authorised(s, project, authorization):
                    response = site.json_error(BadInput("unauthorised"), lang, 401)
                    response.headers["WWW-Authenticate"] = 'Bearer realm="modelclear"'
                    return response
                today = dt.date.today()
                return JSONResponse({"project": project.name, "today": today.isoformat(),
                                     "waivers": waivers(s, project, today)})

        return await run_in_threadpool(answer)

    return routes


def page_context(session: Session, site: Site, artifact_id: str, viewer: Any, projects: list[str]) -> dict[str, Any]:
    """What an artifact's page shows about reviews, and the form for reviewers."""
    today = dt.date.today()
    return {"reviews": [view(r, today) for r in for_artifact(session, artifact_id)],
            "can_review": viewer is not None and viewer.role in ("reviewer", "admin"), "csrf": viewer.csrf,
            "review_projects": projects, "jurisdiction_options": site.kb.jurisdictions(),
            "activity_options": [a.value for a in Activity], "purpose_options": [p.value for p in Purpose],
            "default_expiry": (today + dt.timedelta(days=180)).isoformat(), "today": today.isoformat()}
