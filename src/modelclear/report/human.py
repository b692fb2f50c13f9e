"""The human-readable view of a report: everything the Markdown and HTML reports (and the web's
verdict page) show, translated, as plain data.

:func:`human` builds it from the report's JSON-shaped pieces (:mod:`modelclear.report.data`), one
helper per part of the page: the question, each artifact (its verdict per jurisdiction, its layers
with blocks shared by jurisdictions that agree, its lineage, its upstream table, where the code
loads it), the references that did not resolve, and the CI gate. Presentation only: no legal
knowledge lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modelclear.model import Assessment, Status
from modelclear.report import Report
from modelclear.report.data import artifact_id
from modelclear.report.view import (
    GROUPS,
    deciding,
    finding_label,
    gate_item,
    groups,
    lock_note,
    summary,
    worst_of,
    worst_status,
)

_UI_KEYS = (
    "verdict", "risk", "reasons", "obligations", "caveats", "citations", "lineage", "upstream", "license_in_force",
    "report.question", "report.answer", "report.summary", "report.artifact", "report.kind", "report.license",
    "report.where", "report.details", "report.jurisdiction", "report.layers", "report.nothing_found",
    "report.unresolved", "report.warnings", "report.legend", "report.contents", "gate.title", "gate.waivers",
    "report.waiver_id", "report.waiver_reason", "report.waiver_approved_by", "report.waiver_expires",
    "report.waiver_state", "report.scenario", "report.lineage_graph", "report.filter", "report.deciding",
    "report.group", "report.duties", "report.hypothetical", "scan.summary",
)


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


def _where(report: Report) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Where the code loads each artifact (by lower-cased id), and the references that did not resolve."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    unresolved = []
    for e in report.entries:
        r = e.reference
        where = {"path": r.path, "line": r.line, "evidence": r.evidence.strip(), "loader": r.loader, "raw": r.raw,
                 "note": r.note}
        if e.assessment is None:
            unresolved.append(where)
        else:
            by_id.setdefault(artifact_id(e.assessment).lower(), []).append(where)
    return by_id, unresolved


def _verdicts(t: Any, report: Report, group: Sequence[Assessment], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One verdict per jurisdiction, with the layers that decided it and the gate's notes."""
    out = []
    for a, d in zip(group, docs, strict=True):
        decided = ", ".join(t(f"ui.layer.{f.layer.value}") for f in a.layers if f.status is a.verdict)
        status = _status(t, d["verdict"])
        it = gate_item(report, a)
        if it is not None and it.status is not a.verdict:  # the policy's licence lists changed it
            status = {"status": it.status.value,
                      "label": f"{t('ui.status.' + it.status.value)} ({t('ui.summary.by_policy')})"}
        out.append({
            "jurisdiction": a.scenario.jurisdiction, **status,
            "risk": d["risk"], "risk_label": t(f"ui.risk.{d['risk']}"),
            "decided_by": t("ui.decided_by_all", layers=decided)
            if decided and a.verdict not in (Status.ALLOWED, Status.NOT_APPLICABLE) else "",
            "gate": gate_notes(t, report, a),
            "notes": [m["text"] for m in d["notes"]],
        })
    return out


def _layer_blocks(t: Any, group: Sequence[Assessment], docs: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Layer ``k`` as blocks: jurisdictions whose finding reads the same share one block."""
    blocks: list[dict[str, Any]] = []
    keys: list[tuple[Any, ...]] = []
    for a, d in zip(group, docs, strict=True):
        f = d["layers"][k]
        body = (f["status"], tuple(m["text"] for m in f["reasons"]), tuple(m["text"] for m in f["obligations"]),
                tuple(m["text"] for m in f["caveats"]))
        if body in keys:
            blocks[keys.index(body)]["jurisdictions"].append(a.scenario.jurisdiction)
            continue
        keys.append(body)
        blocks.append({
            "jurisdictions": [a.scenario.jurisdiction], **_status(t, f["status"]),
            "label": finding_label(t, a, a.layers[k]),
            "reasons": list({m["text"]: {"text": m["text"], "severity": m.get("severity", "")}
                             for m in f["reasons"]}.values()),
            "obligations": list(dict.fromkeys(m["text"] for m in f["obligations"])),
            "caveats": list(dict.fromkeys(m["text"] for m in f["caveats"])),
            "citations": [_cite(t, c) for c in f["citations"]],
            "confidence": f["confidence"],
        })
    return blocks


def _layers(t: Any, group: Sequence[Assessment], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"layer": first["layer"], "label": t(f"ui.layer.{first['layer']}"),
             "cells": [{**_status(t, d["layers"][k]["status"]), "label": finding_label(t, a, a.layers[k])}
                       for a, d in zip(group, docs, strict=True)],
             "blocks": _layer_blocks(t, group, docs, k)}
            for k, first in enumerate(docs[0]["layers"])]


def _lineage(t: Any, group: Sequence[Assessment], docs: list[dict[str, Any]], art_id: str,
             index: int) -> tuple[str, list[tuple[int, str]]]:
    """The lineage drawn as SVG and written as indented lines (empty when there is no upstream)."""
    from modelclear import graph as graph_mod

    lineages = [d["lineage"] for d in docs if d.get("lineage")]
    if not lineages or not lineages[0].get("children"):
        return "", []
    codes = [a.scenario.jurisdiction for a in group]
    nodes, edges, root = graph_mod.from_lineage(lineages, jurisdictions=codes, label=t)
    svg = graph_mod.to_svg(nodes, edges, root, title=f"{t('ui.lineage')}: {art_id}",
                           desc=t("ui.report.lineage_caption", artifact=art_id), prefix=f"lineage{index}")
    return svg, _lineage_lines(t, lineages[0])


def _upstream(t: Any, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The upstream table: one row per upstream artifact, one cell per jurisdiction."""
    by_doc = [{u["artifact"]["id"]: u for u in d.get("upstream", [])} for d in docs]
    rows = []
    for u in docs[0].get("upstream", []):
        uid = u["artifact"]["id"]
        cells = [_status(t, ups[uid]["verdict"]) if uid in ups else _status(t, "unknown") for ups in by_doc]
        rows.append({"id": uid, "license": u["artifact"]["license"] or "", "known": u["artifact"]["known"],
                     "cells": cells})
    return rows


def _artifact(t: Any, report: Report, group: Sequence[Assessment], index: int,
              where: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """One artifact's section: its record, verdicts, layers, lineage, upstream and load sites."""
    from modelclear.report import data

    docs = [data.assessment(t, a) for a in group]
    art = docs[0]["artifact"]
    svg, lineage_lines = _lineage(t, group, docs, art["id"], index)
    return {
        "anchor": f"a{index + 1}",
        "id": art["id"],
        "name": art["name"] or "",
        "kind": art["kind"] or "",
        "kind_label": t(f"ui.report.kind.{art['kind']}") if art["kind"] else "",
        "known": art["known"],
        "publisher": art["publisher"] or "",
        "license": art["license"] or "",
        "license_in_force": art["license_in_force"] or "",
        "worst": _status(t, worst_status(report, group).value),
        "deciding": _deciding(t, report, group),
        "verdicts": _verdicts(t, report, group, docs),
        "layers": _layers(t, group, docs),
        "where": where.get(art["id"].lower(), []),
        "svg": svg,
        "lineage_lines": lineage_lines,
        "upstream": _upstream(t, docs),
        "sources": [_cite(t, s) for s in art["sources"]],
        "pinned": lock_note(group[0], report.lang),
    }


def _deciding(t: Any, report: Report, group: Sequence[Assessment]) -> str:
    """The layers that decided the worst verdict (or the policy, when the gate changed it), translated."""
    a = worst_of(report, group)
    it = gate_item(report, a)
    if it is not None and it.status is not a.verdict:
        return t("ui.gate.title")
    shown = a.verdict not in (Status.ALLOWED, Status.NOT_APPLICABLE)
    return ", ".join(t(f"ui.layer.{f.layer.value}") for f in deciding(a)) if shown else ""


def _summary(t: Any, report: Report, anchors: dict[str, str]) -> list[dict[str, Any]]:
    """The summary groups (:func:`modelclear.report.view.summary`), each with its items and their duties."""
    purpose = report.scenarios[0].purpose.value if report.scenarios else (
        report.assessments[0].scenario.purpose.value if report.assessments else "commercial")
    labels = {"block": t("ui.scan.block_commercial" if purpose == "commercial" else "ui.scan.block"),
              "review": t("ui.scan.review"), "duties": t("ui.scan.duties"), "fine": t("ui.scan.fine")}
    out = []
    for group, items in summary(report).items():
        out.append({"group": group, "label": labels[group], "members": [{
            "id": item.id, "anchor": anchors.get(item.id.lower(), ""),
            "status": _status(t, item.status.value),
            "gate": t("ui.summary.fails") if item.fails else (t(f"ui.summary.{item.excused}") if item.excused else ""),
            "duties": item.duties(t) if group == "duties" else [],
        } for item in items]})
    return out


def _gate(t: Any, report: Report) -> dict[str, Any] | None:
    """The CI gate's result, policy, baseline and waivers (``None`` without a gate)."""
    from modelclear.report import data
    from modelclear.report.view import failing_ids

    g = data.gate(t, report)
    if g is None:
        return None
    states = []
    for w in g["waivers"]:
        state = "expired" if not w["active"] else ("unused" if w["id"] in g["unused_waivers"] else "active")
        states.append({**w, "state": state, "state_label": t(f"ui.gate.waiver_state.{state}")})
    return {
        "passed": g["passed"],
        "result": t("ui.gate.passed") if g["passed"] else t("ui.gate.failed", code=str(g["exit_code"])),
        "fail_on": t("ui.gate.fail_on", status=t(f"ui.status.{g['fail_on']}")),
        "policy": t("ui.gate.policy", path=g["policy"]) if g["policy"] else t("ui.gate.no_policy"),
        "baseline": t("ui.gate.baseline", path=g["baseline"]) if g["baseline"] else "",
        "today": t("ui.gate.today", date=g["today"]),
        "waivers": states,
        "messages": g["messages"],
        "failing": t("ui.gate.failing", ids=", ".join(failing)) if (failing := failing_ids(report)) else "",
    }


def _question(t: Any, report: Report) -> tuple[dict[str, Any], list[str]]:
    """The scenario asked about (as data) and its jurisdiction codes."""
    from modelclear.report import data

    if report.assessments:
        return data.scenario(report.assessments[0].scenario), data.jurisdictions(report)
    sc = data.scenario(report.scenarios[0]) if report.scenarios else {}
    return sc, [s.jurisdiction for s in report.scenarios if s.jurisdiction]


def human(report: Report) -> dict[str, Any]:
    """Everything the Markdown and HTML reports show, translated, as plain data."""
    from modelclear import __version__
    from modelclear.report import data

    t = data.translator(report)
    sc, codes = _question(t, report)
    activity = t(f"ui.activity.{sc.get('activity', 'deploy')}")
    purpose = t(f"ui.purpose.{sc.get('purpose', 'commercial')}")
    scan = report.command == "scan"
    root_name = (Path(report.root).resolve().name or report.root) if scan else ""
    where, unresolved = _where(report)
    artifacts = [_artifact(t, report, group, index, where) for index, group in enumerate(groups(report))]
    # Worst first: in the order of the summary's groups (block, review, duties, fine), else report order.
    rank = {item.id.lower(): GROUPS.index(g) for g, items in summary(report).items() for item in items}
    artifacts.sort(key=lambda a: rank.get(a["id"].lower(), len(GROUPS)))
    for a in artifacts:
        a["group"] = GROUPS[rank.get(a["id"].lower(), len(GROUPS) - 1)]
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
        "gate": _gate(t, report),
        "summary": _summary(t, report, {a["id"].lower(): a["anchor"] for a in artifacts}),
        "generated": t("ui.report.generated", version=__version__),
        "knowledge_as_of": t("ui.knowledge_as_of", date=report.knowledge_as_of.isoformat()),
        "disclaimer": t("ui.disclaimer"),
        "legend": [_status(t, s) for s in ("allowed", "conditional", "uncertain", "unknown", "prohibited")],
        "t": {k: t(f"ui.{k}") for k in _UI_KEYS},
    }
