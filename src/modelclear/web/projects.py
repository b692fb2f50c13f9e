"""Projects and their history (issue 13, item 2): CI tokens, stored scan reports, and what they say.

A project's CI posts its ``modelclear scan --format json`` report with a project token
(:func:`store_report`); the report is bounded, validated as a ``modelclear/scan/1`` or ``/2`` document
and kept as received, and each artifact's verdict in each jurisdiction becomes a
:class:`~modelclear.web.models.ReportItem` row, so that the service can list a project's references,
the change since its previous report, and every project that uses an artifact.

Tokens are 256-bit random strings shown once; the database keeps only their SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modelclear.web.models import Project, ProjectToken, Report, ReportItem

#: Largest report body accepted, in bytes (a 5,000-reference project's report is about 10 MB).
MAX_REPORT_BYTES = 16 * 1024 * 1024
#: Most references and assessments a report may hold.
MAX_ITEMS = 50_000
#: Project names: letters, digits, dot, dash, underscore; a letter or digit first.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
SCHEMAS = ("modelclear/scan/1", "modelclear/scan/2")
VERDICTS = ("allowed", "conditional", "prohibited", "uncertain", "unknown", "not_applicable")
#: Worst first: how verdicts sort in lists.
SEVERITY = {"prohibited": 0, "uncertain": 1, "unknown": 2, "conditional": 3, "allowed": 4, "not_applicable": 5}
TOKEN_PREFIX = "mct_"


class ReportError(ValueError):
    """A report that cannot be stored: ``code`` names the message, ``detail`` says where."""

    def __init__(self, code: str, detail: str = "") -> None:
        """``code`` is a ``web.error.*`` suffix."""
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def valid_name(name: str) -> bool:
    """Whether ``name`` is a usable project name."""
    return bool(NAME.match(name))


def token_digest(token: str) -> str:
    """The SHA-256 (hex) a token is stored as."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_project(session: Session, name: str) -> tuple[Project, str]:
    """A new project and its first CI token (the only time the token is seen)."""
    if not valid_name(name):
        raise ReportError("bad_project_name", name[:100])
    if session.scalar(select(Project).where(func.lower(Project.name) == name.lower())) is not None:
        raise ReportError("project_exists", name)
    project = Project(name=name)
    session.add(project)
    session.flush()
    return project, new_token(session, project, "first")


def new_token(session: Session, project: Project, label: str = "") -> str:
    """A new CI token for ``project`` (stored hashed; returned once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ProjectToken(project_id=project.id, token_sha256=token_digest(token), label=label[:100]))
    session.flush()
    return token


def project_by_name(session: Session, name: str) -> Project | None:
    """The project called ``name`` (case-insensitively), if any."""
    if not valid_name(name):
        return None
    return session.scalar(select(Project).where(func.lower(Project.name) == name.lower()))


def authorised(session: Session, project: Project, authorization: str | None) -> bool:
    """Whether ``Authorization: Bearer <token>`` holds a live token of ``project``."""
    if not authorization:
        return False
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return False
    digest = token_digest(token)
    row = session.scalar(select(ProjectToken).where(ProjectToken.token_sha256 == digest))
    return (row is not None and not row.revoked and row.project_id == project.id
            and hmac.compare_digest(row.token_sha256, digest))


def _text(value: Any, limit: int, where: str, optional: bool = True) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise ReportError("bad_report", f"{where}: expected a string")
    return value[:limit]


@dataclass(frozen=True)
class Row:
    """What one report says about one artifact in one jurisdiction."""

    artifact_id: str
    name: str
    kind: str
    license: str
    jurisdiction: str
    activity: str
    purpose: str
    verdict: str
    risk: str
    locations: tuple[str, ...]
    accepted: str = ""
    obtained_on: str = ""
    domicile: str = ""


def parse_report(body: bytes) -> tuple[dict[str, Any], list[Row]]:
    """The report document and its rows, or :class:`ReportError` naming the first problem."""
    if len(body) > MAX_REPORT_BYTES:
        raise ReportError("report_too_large", str(MAX_REPORT_BYTES >> 20))
    try:
        doc = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ReportError("bad_report", "not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise ReportError("bad_report", f"not JSON ({str(exc)[:100]})") from None
    if not isinstance(doc, dict):
        raise ReportError("bad_report", "expected a JSON object")
    if doc.get("schema") not in SCHEMAS:
        raise ReportError("bad_report", f"schema must be one of {', '.join(SCHEMAS)} (modelclear scan -f json)")
    refs, assessments = doc.get("references"), doc.get("assessments")
    if not isinstance(refs, list) or not isinstance(assessments, list):
        raise ReportError("bad_report", "references and assessments must be lists")
    if len(refs) > MAX_ITEMS or len(assessments) > MAX_ITEMS:
        raise ReportError("bad_report", f"more than {MAX_ITEMS} references or assessments")
    locations: dict[str, list[str]] = {}
    for i, ref in enumerate(refs):
        if not isinstance(ref, dict):
            raise ReportError("bad_report", f"references[{i}]: expected an object")
        rid = _text(ref.get("id"), 512, f"references[{i}].id", optional=False)
        path = _text(ref.get("path"), 300, f"references[{i}].path")
        line = ref.get("line")
        spot = f"{path}:{line}" if isinstance(line, int) and not isinstance(line, bool) else path
        places = locations.setdefault(rid.lower(), [])
        if spot and len(places) < 20 and spot not in places:
            places.append(spot)
    rows: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for i, a in enumerate(assessments):
        where = f"assessments[{i}]"
        if not (isinstance(a, dict) and isinstance(a.get("artifact"), dict) and isinstance(a.get("scenario"), dict)):
            raise ReportError("bad_report", f"{where}: expected an object with artifact and scenario")
        art, scen = a["artifact"], a["scenario"]
        aid = _text(art.get("id"), 512, f"{where}.artifact.id", optional=False)
        verdict = a.get("verdict")
        if verdict not in VERDICTS:
            raise ReportError("bad_report", f"{where}.verdict: one of {', '.join(VERDICTS)}")
        jurisdiction = _text(scen.get("jurisdiction"), 20, f"{where}.scenario.jurisdiction", optional=False)
        if not aid or not jurisdiction:
            raise ReportError("bad_report", f"{where}: empty artifact id or jurisdiction")
        key = (aid.lower(), jurisdiction)
        if key in seen:
            continue
        seen.add(key)
        rows.append(Row(
            artifact_id=aid, name=_text(art.get("name"), 300, f"{where}.artifact.name"),
            kind=_text(art.get("kind"), 20, f"{where}.artifact.kind"),
            license=_text(art.get("license_in_force") or art.get("license"), 200, f"{where}.artifact.license"),
            jurisdiction=jurisdiction, activity=_text(scen.get("activity"), 20, f"{where}.scenario.activity"),
            purpose=_text(scen.get("purpose"), 20, f"{where}.scenario.purpose"), verdict=str(verdict),
            risk=_text(a.get("risk"), 10, f"{where}.risk"),
            locations=tuple(locations.get(aid.lower(), ())) or _requested_places(locations, art),
            accepted=" ".join(x for x in scen.get("accepted") or () if isinstance(x, str))[:2000]
            if isinstance(scen.get("accepted"), list) else "",
            obtained_on=_text(scen.get("obtained_on"), 10, f"{where}.scenario.obtained_on"),
            domicile=_text(scen.get("domicile"), 20, f"{where}.scenario.domicile")))
    return doc, rows


def _requested_places(locations: dict[str, list[str]], art: dict[str, Any]) -> tuple[str, ...]:
    requested = art.get("requested")
    return tuple(locations.get(requested.lower(), ())) if isinstance(requested, str) else ()


def store_report(session: Session, project: Project, body: bytes) -> Report:
    """Validate and keep ``body`` (a scan report) as ``project``'s newest report."""
    doc, rows = parse_report(body)
    scenarios = sorted({(r.jurisdiction, r.activity, r.purpose) for r in rows})
    tool = doc.get("tool")
    report = Report(project_id=project.id, schema=str(doc["schema"]),
                    tool=(tool.get("version", "") if isinstance(tool, dict) else str(tool or ""))[:100]
                    if not isinstance(tool, list) else "",
                    knowledge_as_of=str(doc.get("knowledge_as_of") or "")[:10],
                    scenario=", ".join(f"{j} {a} {p}" for j, a, p in scenarios)[:200],
                    body=body.decode("utf-8"))
    report.items = [ReportItem(artifact_id=r.artifact_id, artifact_key=r.artifact_id.lower(), name=r.name,
                               kind=r.kind, license=r.license, jurisdiction=r.jurisdiction, activity=r.activity,
                               purpose=r.purpose, verdict=r.verdict, risk=r.risk, locations="\n".join(r.locations),
                               accepted=r.accepted, obtained_on=r.obtained_on, domicile=r.domicile)
                    for r in rows]
    session.add(report)
    session.flush()
    return report


def latest_reports(session: Session, project: Project, n: int = 2) -> list[Report]:
    """The project's newest ``n`` reports, newest first."""
    return list(session.scalars(select(Report).where(Report.project_id == project.id)
                                .order_by(Report.id.desc()).limit(n)))


@dataclass(frozen=True)
class Change:
    """How one artifact's verdict in one jurisdiction moved between two reports."""

    artifact_id: str
    jurisdiction: str
    before: str | None  # None: new in the newer report
    after: str | None  # None: gone from the newer report


def changes(newer: Report, older: Report | None) -> list[Change]:
    """What changed from ``older`` to ``newer``: new, gone and changed verdicts (worst first)."""
    if older is None:
        return []
    old = {(i.artifact_key, i.jurisdiction): i for i in older.items}
    new = {(i.artifact_key, i.jurisdiction): i for i in newer.items}
    out = [Change(i.artifact_id, i.jurisdiction, old[k].verdict if k in old else None, i.verdict)
           for k, i in new.items() if k not in old or old[k].verdict != i.verdict]
    out += [Change(i.artifact_id, i.jurisdiction, i.verdict, None) for k, i in old.items() if k not in new]
    return sorted(out, key=lambda c: (SEVERITY.get(c.after or "", 9), c.artifact_id.lower(), c.jurisdiction))


@dataclass(frozen=True)
class Use:
    """A project whose newest report references an artifact."""

    project: str
    jurisdiction: str
    verdict: str
    locations: tuple[str, ...]
    received_at: str


def latest_report_ids(session: Session) -> list[int]:
    """The id of each project's newest report."""
    return list(session.scalars(select(func.max(Report.id)).group_by(Report.project_id)))


def users_of(session: Session, artifact_id: str) -> list[Use]:
    """Every project whose newest report references ``artifact_id`` ("who ships FLUX.1-dev?")."""
    latest = latest_report_ids(session)
    if not latest:
        return []
    q = (select(ReportItem, Report, Project).join(Report, ReportItem.report_id == Report.id)
         .join(Project, Report.project_id == Project.id)
         .where(ReportItem.artifact_key == artifact_id.lower(), Report.id.in_(latest))
         .order_by(Project.name, ReportItem.jurisdiction))
    return [Use(project=p.name, jurisdiction=i.jurisdiction, verdict=i.verdict,
                locations=tuple(x for x in i.locations.split("\n") if x),
                received_at=r.received_at.isoformat(" ", "minutes"))
            for i, r, p in session.execute(q).all()]


@dataclass(frozen=True)
class Hit:
    """An artifact in some project's newest report that matches a search."""

    artifact_id: str
    name: str
    projects: int
    worst: str


def search(session: Session, text: str, limit: int = 50) -> list[Hit]:
    """Artifacts in the projects' newest reports whose id or name holds every word of ``text``."""
    words = [w.lower() for w in text.split()][:8]
    latest = latest_report_ids(session)
    if not words or not latest:
        return []
    q = (select(ReportItem.artifact_id, ReportItem.name, ReportItem.verdict, Report.project_id)
         .join(Report, ReportItem.report_id == Report.id).where(Report.id.in_(latest)))
    for w in words:
        pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(func.lower(ReportItem.artifact_id).like(pattern, escape="\\")
                    | func.lower(ReportItem.name).like(pattern, escape="\\"))
    found: dict[str, Hit] = {}
    members: dict[str, set[int]] = {}
    for aid, name, verdict, pid in session.execute(q.limit(20_000)).all():
        key = aid.lower()
        members.setdefault(key, set()).add(pid)
        seen = found.get(key)
        worst = verdict if seen is None or SEVERITY.get(verdict, 9) < SEVERITY.get(seen.worst, 9) else seen.worst
        found[key] = Hit(artifact_id=seen.artifact_id if seen else aid, name=(seen.name if seen else "") or name,
                         projects=len(members[key]), worst=worst)
    return sorted(found.values(), key=lambda h: (SEVERITY.get(h.worst, 9), -h.projects, h.artifact_id.lower()))[:limit]
