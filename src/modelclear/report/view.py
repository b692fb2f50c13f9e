"""Helpers shared by the standard formats (SARIF, CycloneDX, SPDX, Markdown, HTML).

Which layer decided a verdict, the gate's treatment of each assessment, the SARIF-style finding
kind, and licence ids made safe for SBOMs. Presentation logic only: no legal knowledge lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelclear.model import Assessment, Finding, Layer, Status, worst
from modelclear.report import Report
from modelclear.report.data import artifact_id, grouped

#: Finding kind (SARIF rule id) for a (status, layer) pair that decides a verdict.
_PROHIBITED = {
    Layer.LICENSE: "MC-PROHIBITED-LICENSE",
    Layer.CONTRACT: "MC-CONTRACT-TERMS",
    Layer.COPYRIGHT: "MC-PROHIBITED-COPYRIGHT",
    Layer.PROVENANCE: "MC-PROHIBITED-PROVENANCE",
}
_UNCERTAIN = {
    Layer.COPYRIGHT: "MC-UNCERTAIN-COPYRIGHT",
    Layer.CONTRACT: "MC-UNCERTAIN-CONTRACT",
    Layer.LICENSE: "MC-UNCERTAIN-LICENSE",
    Layer.PROVENANCE: "MC-PROVENANCE-WARNING",
}
_UNKNOWN = {layer: f"MC-UNKNOWN-{layer.value.upper()}" for layer in Layer}

#: Every finding kind, in the order SARIF lists its rules.
KINDS: tuple[str, ...] = (
    *_PROHIBITED.values(), "MC-POLICY-DENIED-LICENSE", "MC-POLICY-LICENSE-NOT-ALLOWED", *_UNCERTAIN.values(),
    "MC-UNKNOWN-ARTIFACT", *_UNKNOWN.values(), "MC-CONDITIONS", "MC-ALLOWED", "MC-UNRESOLVED-REFERENCE",
)

LEVELS = {
    Status.PROHIBITED: "error",
    Status.UNCERTAIN: "warning",
    Status.UNKNOWN: "warning",
    Status.CONDITIONAL: "note",
    Status.ALLOWED: "none",
    Status.NOT_APPLICABLE: "none",
}


def deciding(a: Assessment) -> list[Finding]:
    """The layers whose status is the verdict (the ones that decided it)."""
    return [f for f in a.layers if f.status is a.verdict]


def gate_item(report: Report, a: Assessment) -> Any:
    """The gate's item for an assessment, or ``None`` when the report has no gate."""
    g = report.gate
    return g.item(artifact_id(a), a.scenario.jurisdiction) if g is not None else None


def effective(report: Report, a: Assessment) -> Status:
    """The status the gate sees (the verdict after the policy's licence lists)."""
    it = gate_item(report, a)
    return it.status if it is not None else a.verdict


def kind(report: Report, a: Assessment) -> str:
    """The finding kind (SARIF rule id) of one assessment."""
    it = gate_item(report, a)
    if it is not None and it.status is not a.verdict:
        return "MC-POLICY-DENIED-LICENSE" if it.status is Status.PROHIBITED else "MC-POLICY-LICENSE-NOT-ALLOWED"
    if a.verdict is Status.UNKNOWN and a.artifact is None:
        return "MC-UNKNOWN-ARTIFACT"
    if a.verdict in (Status.CONDITIONAL,):
        return "MC-CONDITIONS"
    if a.verdict in (Status.ALLOWED, Status.NOT_APPLICABLE):
        return "MC-ALLOWED"
    table = {Status.PROHIBITED: _PROHIBITED, Status.UNCERTAIN: _UNCERTAIN, Status.UNKNOWN: _UNKNOWN}[a.verdict]
    decided = deciding(a)
    return table[decided[0].layer] if decided else table[Layer.LICENSE]


def worst_of(report: Report, group: Sequence[Assessment]) -> Assessment:
    """The assessment of a group (one per jurisdiction) that the gate sees as the worst."""
    return max(group, key=lambda a: effective(report, a).severity)


def groups(report: Report) -> list[list[Assessment]]:
    """Assessments grouped by artifact (one per jurisdiction), in report order."""
    return list(grouped(report).values())


def worst_status(report: Report, group: Sequence[Assessment]) -> Status:
    """The worst status the gate sees across a group."""
    return worst([effective(report, a) for a in group])


def spdx_id(license_id: str | None, kb: Any) -> str | None:
    """The SPDX licence id or expression for a knowledge-base licence id, or ``None`` if there is none.

    A bare id is returned only when it is on the SPDX licence list (checked with
    ``license-expression``); an expression only when every symbol is.
    """
    if not license_id:
        return None
    record = kb.license(license_id)
    candidate = record.spdx if record is not None and record.spdx else license_id
    return candidate if is_spdx(candidate) else None


def is_spdx(expression: str) -> bool:
    """Whether ``expression`` is a valid SPDX expression made only of SPDX-listed ids."""
    try:
        from license_expression import get_spdx_licensing

        info = get_spdx_licensing().validate(expression, strict=True)
    except Exception:
        return False
    return not info.errors and not info.invalid_symbols


# --- the human-readable view (Markdown and HTML) ---------------------------------------------


def _cite(t: Any, c: dict[str, Any]) -> dict[str, Any]:
    return {**c, "confidence_label": t(f"ui.report.confidence.{c['confidence']}"),
            "checked_label": t("ui.report.checked", date=c["checked"]) if c.get("checked") else ""}


def _status(t: Any, status: str) -> dict[str, str]:
    return {"status": status, "label": t(f"ui.status.{status}")}


def gate_notes(t: Any, report: Report, a: Assessment) -> list[str]:
    """What the CI gate made of one assessment (policy reasons, waiver, baseline), translated."""
    it = gate_item(report, a)
    if it is None:
        return []
    notes = [t.render(m) for m in it.policy_reasons]
    if it.waived and it.waiver is not None:
        notes.append(t("ui.gate.waived", date=it.waiver.expires.isoformat(), approved_by=it.waiver.approved_by,
                       reason=it.waiver.reason))
    elif it.in_baseline:
        notes.append(t("ui.gate.in_baseline"))
    elif it.counted:
        notes.append(t("ui.gate.counted"))
    return notes


def _lineage_lines(t: Any, node: dict[str, Any], depth: int = 0) -> list[tuple[int, str]]:
    rel = t(f"ui.relation.{node['relation']}")
    lic = node.get("license") or (t("ui.none") if node.get("known") else t("ui.report.unknown_artifact"))
    verdict = f" — {t('ui.status.' + node['verdict'])}" if node.get("verdict") else ""
    extra = f" {t('ui.cycle')}" if node.get("cycle") else ""
    extra += f" {t('ui.shared')}" if node.get("ref") else ""
    extra += f" {t('ui.truncated')}" if node.get("truncated") else ""
    out = [(depth, f"{rel}: {node['id']} [{lic}]{verdict}{extra}")]
    for child in node.get("children", []):
        out += _lineage_lines(t, child, depth + 1)
    return out


_UI_KEYS = (
    "verdict", "risk", "reasons", "obligations", "caveats", "citations", "lineage", "upstream", "license_in_force",
    "report.question", "report.answer", "report.summary", "report.artifact", "report.kind", "report.license",
    "report.where", "report.details", "report.jurisdiction", "report.layers", "report.nothing_found",
    "report.unresolved", "report.warnings", "report.legend", "report.contents", "gate.title", "gate.waivers",
    "report.waiver_id", "report.waiver_reason", "report.waiver_approved_by", "report.waiver_expires",
    "report.waiver_state", "report.scenario", "report.lineage_graph",
)


def human(report: Report) -> dict[str, Any]:
    """Everything the Markdown and HTML reports show, translated, as plain data."""
    from modelclear import __version__
    from modelclear import graph as graph_mod
    from modelclear.report import data

    t = data.translator(report)
    codes = data.jurisdictions(report)
    if report.assessments:
        sc = data.scenario(report.assessments[0].scenario)
    else:
        sc = data.scenario(report.scenarios[0]) if report.scenarios else {}
        codes = [s.jurisdiction for s in report.scenarios if s.jurisdiction]
    activity = t(f"ui.activity.{sc.get('activity', 'deploy')}")
    purpose = t(f"ui.purpose.{sc.get('purpose', 'commercial')}")
    scan = report.command == "scan"
    from pathlib import Path

    root_name = (Path(report.root).resolve().name or report.root) if scan else ""
    artifacts = []
    refs_by_id: dict[str, list[dict[str, Any]]] = {}
    unresolved = []
    for e in report.entries:
        r = e.reference
        where = {"path": r.path, "line": r.line, "evidence": r.evidence.strip(), "loader": r.loader, "raw": r.raw,
                 "note": r.note}
        if e.assessment is None:
            unresolved.append(where)
        else:
            refs_by_id.setdefault(artifact_id(e.assessment).lower(), []).append(where)
    for index, group in enumerate(groups(report)):
        docs = [data.assessment(t, a) for a in group]
        art = docs[0]["artifact"]
        verdicts = []
        for a, d in zip(group, docs, strict=True):
            deciding_layers = [f for f in a.layers if f.status is a.verdict]
            decided = ", ".join(t(f"ui.layer.{f.layer.value}") for f in deciding_layers)
            verdicts.append({
                "jurisdiction": a.scenario.jurisdiction, **_status(t, d["verdict"]),
                "risk": d["risk"], "risk_label": t(f"ui.risk.{d['risk']}"),
                "decided_by": t("ui.decided_by_all", layers=decided)
                if decided and a.verdict not in (Status.ALLOWED, Status.NOT_APPLICABLE) else "",
                "gate": gate_notes(t, report, a),
                "notes": [m["text"] for m in d["notes"]],
            })
        layers = []
        for k, first in enumerate(docs[0]["layers"]):
            blocks: list[dict[str, Any]] = []
            for a, d in zip(group, docs, strict=True):
                f = d["layers"][k]
                body = (f["status"], tuple(m["text"] for m in f["reasons"]), tuple(m["text"] for m in f["obligations"]),
                        tuple(m["text"] for m in f["caveats"]))
                same = next((b for b in blocks if b["key"] == body), None)
                if same is not None:
                    same["jurisdictions"].append(a.scenario.jurisdiction)
                    continue
                blocks.append({
                    "key": body, "jurisdictions": [a.scenario.jurisdiction], **_status(t, f["status"]),
                    "reasons": list({m["text"]: {"text": m["text"], "severity": m.get("severity", "")}
                                     for m in f["reasons"]}.values()),
                    "obligations": list(dict.fromkeys(m["text"] for m in f["obligations"])),
                    "caveats": list(dict.fromkeys(m["text"] for m in f["caveats"])),
                    "citations": [_cite(t, c) for c in f["citations"]],
                    "confidence": f["confidence"],
                })
            for b in blocks:
                b.pop("key")
            layers.append({"layer": first["layer"], "label": t(f"ui.layer.{first['layer']}"),
                           "cells": [_status(t, d["layers"][k]["status"]) for d in docs], "blocks": blocks})
        svg, lineage_lines = "", []
        lineages = [d["lineage"] for d in docs if d.get("lineage")]
        if lineages and lineages[0].get("children"):
            codes_here = [a.scenario.jurisdiction for a in group]
            nodes, edges, root = graph_mod.from_lineage(lineages, jurisdictions=codes_here, label=t)
            svg = graph_mod.to_svg(nodes, edges, root, title=f"{t('ui.lineage')}: {art['id']}",
                                   desc=t("ui.report.lineage_caption", artifact=art["id"]), prefix=f"lineage{index}")
            lineage_lines = _lineage_lines(t, lineages[0])
        upstream = []
        by_doc = [{u["artifact"]["id"]: u for u in d.get("upstream", [])} for d in docs]
        for u in docs[0].get("upstream", []):
            uid = u["artifact"]["id"]
            cells = [_status(t, ups[uid]["verdict"]) if uid in ups else _status(t, "unknown") for ups in by_doc]
            upstream.append({"id": uid, "license": u["artifact"]["license"] or "",
                             "known": u["artifact"]["known"], "cells": cells})
        worst_s = worst_status(report, group).value
        artifacts.append({
            "anchor": f"a{index + 1}",
            "id": art["id"],
            "name": art["name"] or "",
            "kind": art["kind"] or "",
            "kind_label": t(f"ui.report.kind.{art['kind']}") if art["kind"] else "",
            "known": art["known"],
            "publisher": art["publisher"] or "",
            "license": art["license"] or "",
            "license_in_force": art["license_in_force"] or "",
            "worst": _status(t, worst_s),
            "verdicts": verdicts,
            "layers": layers,
            "where": refs_by_id.get(art["id"].lower(), []),
            "svg": svg,
            "lineage_lines": lineage_lines,
            "upstream": upstream,
            "sources": [_cite(t, s) for s in art["sources"]],
        })
    g = data.gate(t, report)
    gate_view = None
    if g is not None:
        states = []
        for w in g["waivers"]:
            state = "expired" if not w["active"] else ("unused" if w["id"] in g["unused_waivers"] else "active")
            states.append({**w, "state": state, "state_label": t(f"ui.gate.waiver_state.{state}")})
        gate_view = {
            "passed": g["passed"],
            "result": t("ui.gate.passed") if g["passed"] else t("ui.gate.failed", code=str(g["exit_code"])),
            "fail_on": t("ui.gate.fail_on", status=t(f"ui.status.{g['fail_on']}")),
            "policy": t("ui.gate.policy", path=g["policy"]) if g["policy"] else t("ui.gate.no_policy"),
            "baseline": t("ui.gate.baseline", path=g["baseline"]) if g["baseline"] else "",
            "today": t("ui.gate.today", date=g["today"]),
            "waivers": states,
            "messages": g["messages"],
        }
    return {
        "lang": report.lang,
        "command": report.command,
        "title": t("ui.report.title_scan", root=root_name) if scan else
        t("ui.report.title_check", artifact=artifacts[0]["id"] if artifacts else ""),
        "question": t("ui.report.question_scan" if scan else "ui.report.question_check", activity=activity,
                      purpose=purpose, jurisdictions=", ".join(codes)),
        "accepted": t("ui.report.accepted", terms=", ".join(sc.get("accepted") or [])) if sc.get("accepted") else "",
        "obtained_on": t("ui.report.obtained_on", date=sc["obtained_on"]) if sc.get("obtained_on") else "",
        "jurisdictions": codes,
        "artifacts": artifacts,
        "unresolved": unresolved,
        "warnings": [{"path": w.path, "line": w.line, "code": w.code, "message": w.message} for w in report.warnings],
        "files_scanned": t("ui.report.files_scanned", count=str(report.files_scanned)) if scan else "",
        "gate": gate_view,
        "generated": t("ui.report.generated", version=__version__),
        "knowledge_as_of": t("ui.knowledge_as_of", date=report.knowledge_as_of.isoformat()),
        "disclaimer": t("ui.disclaimer"),
        "legend": [_status(t, s) for s in ("allowed", "conditional", "uncertain", "unknown", "prohibited")],
        "t": {k: t(f"ui.{k}") for k in _UI_KEYS},
    }
