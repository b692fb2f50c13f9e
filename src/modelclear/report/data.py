"""Plain-data views of assessments, shared by every format (JSON, HTML, SARIF, SBOMs)."""

from __future__ import annotations

from typing import Any

from modelclear import __version__
from modelclear.i18n import Translator
from modelclear.model import Assessment, Citation, Finding, LineageNode, Message, Scenario
from modelclear.report import SCAN_SCHEMA_VERSION, SCHEMA_VERSION, Report


def translator(report: Report) -> Translator:
    """The translator for the report's language."""
    from modelclear.api import load_knowledge

    return Translator(load_knowledge().i18n, report.lang)


def message(t: Translator, m: Message) -> dict[str, Any]:
    """A message as ``{code, text}`` (plus ``severity`` for provenance observations)."""
    out: dict[str, Any] = {"code": m.key, "text": t.render(m)}
    severity = m.params.get("severity")
    if severity:
        out["severity"] = str(severity)
    return out


def citation(c: Citation) -> dict[str, Any]:
    """A citation as data."""
    out: dict[str, Any] = {"label": c.label, "url": c.url, "confidence": c.confidence.value}
    if c.checked:
        out["checked"] = c.checked.isoformat()
    if c.quote:
        out["quote"] = c.quote
    return out


def finding(t: Translator, f: Finding) -> dict[str, Any]:
    """A layer finding as data."""
    seen: set[tuple[str, str]] = set()
    cites = []
    for c in f.citations:
        if (c.label, c.url) not in seen:
            seen.add((c.label, c.url))
            cites.append(citation(c))
    return {
        "layer": f.layer.value,
        "status": f.status.value,
        "reasons": [message(t, m) for m in f.reasons],
        "obligations": [message(t, m) for m in f.obligations],
        "caveats": [message(t, m) for m in f.caveats],
        "citations": cites,
        "confidence": f.weakest.value,
    }


def scenario(s: Scenario) -> dict[str, Any]:
    """A scenario as data."""
    return {
        "jurisdiction": s.jurisdiction,
        "activity": s.activity.value,
        "purpose": s.purpose.value,
        "accepted": sorted(s.accepted),
        "obtained_on": s.obtained_on.isoformat() if s.obtained_on else None,
        "as_of": s.as_of.isoformat(),
    }


def lineage(node: LineageNode, verdicts: dict[str, Assessment]) -> dict[str, Any]:
    """The lineage tree as data, with each node's verdict when assessed."""
    a = verdicts.get(node.id.lower())
    out: dict[str, Any] = {
        "id": node.id,
        "relation": node.relation,
        "known": node.artifact is not None,
        "name": node.artifact.name if node.artifact else None,
        "license": node.artifact.license if node.artifact else None,
        "cycle": node.cycle,
        "children": [lineage(c, verdicts) for c in node.children],
    }
    if a is not None:
        out["verdict"] = a.verdict.value
        out["risk"] = a.risk.value
    return out


def artifact(a: Assessment) -> dict[str, Any]:
    """The artifact block."""
    art = a.artifact
    return {
        "id": art.id if art else a.ref.id,
        "requested": a.ref.raw or a.ref.id,
        "known": art is not None,
        "kind": (art.kind.value if art else (a.ref.kind.value if a.ref.kind else None)),
        "name": art.name if art else None,
        "publisher": art.publisher if art else None,
        "license": art.license if art else None,
        "license_in_force": a.license_in_force,
        "aliases": list(art.aliases) if art else [],
        "distributed_via": art.distributed_via if art else None,
        "gated": art.gated if art else None,
        "origin": art.origin if art else None,
        "sources": [
            {"url": s.url, "checked": s.checked.isoformat(), "confidence": s.confidence.value, "note": s.note}
            for s in (art.sources if art else ())
        ],
    }


def assessment(t: Translator, a: Assessment, with_upstream: bool = True) -> dict[str, Any]:
    """One assessment as data (the body of the check schema)."""
    out: dict[str, Any] = {
        "scenario": scenario(a.scenario),
        "artifact": artifact(a),
        "verdict": a.verdict.value,
        "risk": a.risk.value,
        "layers": [finding(t, f) for f in a.layers],
        "notes": [message(t, m) for m in a.notes],
    }
    if with_upstream:
        verdicts = {u.ref.id.lower(): u for u in a.upstream}
        verdicts[(a.artifact.id if a.artifact else a.ref.id).lower()] = a
        out["lineage"] = lineage(a.lineage, verdicts) if a.lineage else None
        out["upstream"] = [assessment(t, u, with_upstream=False) for u in a.upstream]
    return out


def check_document(report: Report) -> dict[str, Any]:
    """The whole ``check`` JSON document (schema ``modelclear/check/1``)."""
    t = translator(report)
    a = report.assessments[0]
    body = assessment(t, a)
    return {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "modelclear", "version": __version__},
        "knowledge_as_of": report.knowledge_as_of.isoformat(),
        "lang": report.lang,
        "disclaimer": t("ui.disclaimer"),
        **body,
    }


def scan_document(report: Report) -> dict[str, Any]:
    """The whole ``scan`` JSON document (schema ``modelclear/scan/1``)."""
    t = translator(report)
    by_id: dict[str, Assessment] = {}
    for a in report.assessments:
        by_id[(a.artifact.id if a.artifact else a.ref.id).lower()] = a
    refs = []
    for e in report.entries:
        r = e.reference
        a = e.assessment
        refs.append({
            "id": (a.artifact.id if a and a.artifact else r.id),
            "raw": r.raw,
            "kind": r.kind.value if r.kind else None,
            "path": r.path,
            "line": r.line,
            "column": r.column,
            "evidence": r.evidence,
            "confidence": r.confidence,
            "loader": r.loader,
            "note": r.note,
            "verdict": a.verdict.value if a else None,
            "risk": a.risk.value if a else None,
        })
    summary: dict[str, list[str]] = {"prohibited": [], "review": [], "fine": []}
    for key, a in sorted(by_id.items()):
        bucket = "prohibited" if a.verdict.value == "prohibited" else (
            "fine" if a.verdict.value in ("allowed", "conditional") and a.risk.value == "low" else "review")
        summary[bucket].append(a.artifact.id if a.artifact else a.ref.id)
    return {
        "schema": SCAN_SCHEMA_VERSION,
        "tool": {"name": "modelclear", "version": __version__},
        "knowledge_as_of": report.knowledge_as_of.isoformat(),
        "lang": report.lang,
        "disclaimer": t("ui.disclaimer"),
        "root": report.root,
        "files_scanned": report.files_scanned,
        "scenario": scenario(report.assessments[0].scenario) if report.assessments else report.extra.get("scenario"),
        "summary": summary,
        "references": refs,
        "assessments": [assessment(t, a) for a in report.assessments],
        "warnings": [
            {"path": w.path, "line": w.line, "code": w.code, "message": w.message} for w in report.warnings
        ],
    }
