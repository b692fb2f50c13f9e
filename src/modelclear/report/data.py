"""Plain-data views of assessments, shared by every format (JSON, HTML, SARIF, SBOMs)."""

from __future__ import annotations

from typing import Any

from modelclear import __version__
from modelclear.i18n import Translator
from modelclear.model import Assessment, Citation, Finding, LineageNode, Message, Scenario
from modelclear.report import SCAN_SCHEMA_VERSION, SCHEMA_VERSION, Report


def translator(report: Report) -> Translator:
    """The translator for the report's language, over the report's knowledge base (overlays included)."""
    return Translator(report.knowledge().i18n, report.lang)


_RISK_RANK = {"low": 0, "medium": 1, "high": 2}


def artifact_id(a: Assessment) -> str:
    """The id an assessment is about (the canonical artifact id when known)."""
    return a.artifact.id if a.artifact else a.ref.id


def jurisdictions(report: Report) -> list[str]:
    """The jurisdictions of a report's assessments, in the order they were asked for."""
    out: list[str] = []
    for a in report.assessments:
        if a.scenario.jurisdiction not in out:
            out.append(a.scenario.jurisdiction)
    return out


def grouped(report: Report) -> dict[str, list[Assessment]]:
    """The report's assessments by lower-case artifact id, one per jurisdiction, in report order."""
    out: dict[str, list[Assessment]] = {}
    for a in report.assessments:
        out.setdefault(artifact_id(a).lower(), []).append(a)
    return out


def gate(t: Translator, report: Report) -> dict[str, Any] | None:
    """The CI gate's decision (``report.gate``, a :class:`modelclear.policy.Gate`) as data."""
    g = report.gate
    if g is None:
        return None
    from modelclear.policy import messages, waiver_data

    keys = {(artifact_id(a).lower(), a.scenario.jurisdiction) for a in report.assessments}
    items = []
    for it in g.items:
        if (it.artifact.lower(), it.jurisdiction) not in keys:
            continue
        items.append({
            "artifact": it.artifact,
            "jurisdiction": it.jurisdiction,
            "verdict": it.verdict.value,
            "status": it.status.value,
            "license": it.license,
            "policy_reasons": [message(t, m) for m in it.policy_reasons],
            "failing": it.failing,
            "waived": it.waived,
            "waiver": waiver_data(it.waiver, g.today) if it.waiver else None,
            "in_baseline": it.in_baseline,
            "counted": it.counted,
        })
    return {
        "fail_on": g.fail_on.value,
        "today": g.today.isoformat(),
        "policy": g.policy_path or None,
        "baseline": g.baseline_path or None,
        "exit_code": g.exit_code,
        "passed": g.exit_code == 0,
        "items": items,
        "waivers": [waiver_data(w, g.today) for w in g.waivers],
        "expired_waivers": [w.id for w in g.expired],
        "unused_waivers": [w.id for w in g.unused],
        "messages": messages(g, t),
        # The summary's groups (block, review, duties, fine), shared by every format: modelclear.report.view.
        "groups": _summary_groups(report),
    }


def _summary_groups(report: Report) -> dict[str, list[str]]:
    """The artifacts by summary group, as every format shows them (:func:`modelclear.report.view.summary`)."""
    from modelclear.report.view import summary_data  # view imports this module

    return summary_data(report)


def message(t: Translator, m: Message) -> dict[str, Any]:
    """A message as ``{code, text}`` (plus ``severity`` for provenance observations)."""
    out: dict[str, Any] = {"code": m.key, "text": t.render(m)}
    severity = m.params.get("severity")
    if severity:
        out["severity"] = str(severity)
    return out


def citation(c: Citation, t: Translator | None = None) -> dict[str, Any]:
    """A citation as data (its label in the translator's language when one is given)."""
    label = t.label(c.label, c.label_ja) if t is not None else c.label
    out: dict[str, Any] = {"label": label, "url": c.url, "confidence": c.confidence.value}
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
            cites.append(citation(c, t))
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
    out: dict[str, Any] = {
        "jurisdiction": s.jurisdiction,
        "activity": s.activity.value,
        "purpose": s.purpose.value,
        "accepted": sorted(s.accepted),
        "obtained_on": s.obtained_on.isoformat() if s.obtained_on else None,
        "as_of": s.as_of.isoformat(),
    }
    if s.domicile:  # only when the question gave one (added within the schema version)
        out["domicile"] = s.domicile
    return out


def lineage(node: LineageNode, verdicts: dict[str, Assessment], decides: tuple[str, ...] = ()) -> dict[str, Any]:
    """The lineage as a tree of data, with each node's verdict when assessed.

    The lineage is a DAG: a node reached along several paths is expanded once; its other occurrences
    carry ``"ref": true`` and no children (see :func:`modelclear.lineage.occurrences`). A node whose
    upstream was cut by a bound carries ``"truncated": true``. The nodes of ``decides`` (lower-case ids
    of :func:`modelclear.lineage.deciding_path`) carry ``"decides": true`` where they are expanded.
    """
    from modelclear.lineage import occurrences

    root: dict[str, Any] = {}
    path: list[dict[str, Any]] = []
    for depth, n, repeat in occurrences(node):
        a = verdicts.get(n.id.lower())
        out: dict[str, Any] = {
            "id": n.id,
            "relation": n.relation,
            "known": n.artifact is not None,
            "name": n.artifact.name if n.artifact else None,
            "license": n.artifact.license if n.artifact else None,
            "cycle": n.cycle,
            "children": [],
        }
        if repeat:
            out["ref"] = True
        if n.truncated:
            out["truncated"] = True
        if not repeat and n.id.lower() in decides:
            out["decides"] = True
        if a is not None:
            out["verdict"] = a.verdict.value
            out["risk"] = a.risk.value
        del path[depth:]
        if path:
            path[-1]["children"].append(out)
        else:
            root = out
        path.append(out)
    return root


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
    """One assessment as data (the body of the check schema), with its lineage and upstream list or without."""
    out: dict[str, Any] = {
        "scenario": scenario(a.scenario),
        "artifact": artifact(a),
        "verdict": a.verdict.value,
        "risk": a.risk.value,
        "layers": [finding(t, f) for f in a.layers],
        "notes": [message(t, m) for m in a.notes],
    }
    if with_upstream:
        out["lineage"] = _lineage_of(a)
        out["upstream"] = [assessment(t, u, with_upstream=False) for u in a.upstream]
    return out


def _lineage_of(a: Assessment) -> dict[str, Any] | None:
    """The lineage tree of an assessment, each node with its verdict from the upstream list."""
    if a.lineage is None:
        return None
    verdicts = {u.ref.id.lower(): u for u in a.upstream}
    verdicts[artifact_id(a).lower()] = a
    from modelclear.lineage import deciding_path

    return lineage(a.lineage, verdicts, deciding_path(a.lineage, a.license_in_force))


def node_key(a: Assessment) -> str:
    """The key of an upstream assessment in a scan document's ``nodes``: ``JURISDICTION:activity:id``.

    The scenarios of one scan differ only in their jurisdiction and, for a dataset met upstream or in
    code, the activity it is judged under (``train``), so the key names one judgement.
    """
    return f"{a.scenario.jurisdiction}:{a.scenario.activity.value}:{artifact_id(a)}"


def scan_assessment(t: Translator, a: Assessment, nodes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One assessment of a scan document: a ``check`` body whose ``upstream`` lists keys of ``nodes``.

    Each upstream assessment not yet in ``nodes`` is added to it (as data, without lineage or
    upstream), so the document holds every upstream judgement once however many artifacts list it.
    """
    out = assessment(t, a, with_upstream=False)
    out["lineage"] = _lineage_of(a)
    keys = []
    for u in a.upstream:
        key = node_key(u)
        if key not in nodes:
            nodes[key] = assessment(t, u, with_upstream=False)
        keys.append(key)
    out["upstream"] = keys
    return out


def check_document(report: Report) -> dict[str, Any]:
    """The whole ``check`` JSON document (schema ``modelclear/check/1``)."""
    t = translator(report)
    a = report.assessments[0]
    body = assessment(t, a)
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "modelclear", "version": __version__},
        "knowledge_as_of": report.knowledge_as_of.isoformat(),
        "lang": report.lang,
        "disclaimer": t("ui.disclaimer"),
        **body,
    }
    g = gate(t, report)
    if g is not None:
        doc["gate"] = g
    if report.warnings:  # optional within check/1: e.g. a lock entry the reviewed knowledge overrides
        doc["warnings"] = [{"path": w.path, "line": w.line, "code": w.code, "message": w.message}
                           for w in report.warnings]
    return doc


def scan_document(report: Report) -> dict[str, Any]:
    """The whole ``scan`` JSON document (schema ``modelclear/scan/2``).

    Each upstream judgement is written once, in ``nodes``, and the assessments list their upstream
    by its key there (:func:`scan_assessment`): a fine-tune chain of n artifacts, each with up to 12
    ancestors, holds n upstream assessments rather than 12 n. With several jurisdictions,
    ``assessments`` holds one assessment per artifact and jurisdiction, ``scenarios`` lists them all,
    and each reference carries ``verdicts`` by jurisdiction; its ``verdict``/``risk`` are then the worst
    across jurisdictions.
    """
    t = translator(report)
    by_id = grouped(report)
    codes = jurisdictions(report)
    refs = []
    for e in report.entries:
        r = e.reference
        a = e.assessment
        same = by_id.get(artifact_id(a).lower(), [a]) if a else []
        worst_a = max(same, key=lambda x: (x.verdict.severity, _RISK_RANK[x.risk.value])) if same else None
        ref: dict[str, Any] = {
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
            "verdict": worst_a.verdict.value if worst_a else None,
            "risk": worst_a.risk.value if worst_a else None,
        }
        if len(codes) > 1 and same:
            ref["verdicts"] = {x.scenario.jurisdiction: x.verdict.value for x in same}
        refs.append(ref)
    # The same groups as every format's summary (the gate's status when there is a gate), sorted by id;
    # "fine" holds both the fine and the allowed-with-duties groups (gate.groups keeps them apart).
    groups = _summary_groups(report)
    summary: dict[str, list[str]] = {"prohibited": sorted(groups["block"], key=str.lower),
                                     "review": sorted(groups["review"], key=str.lower),
                                     "fine": sorted(groups["duties"] + groups["fine"], key=str.lower)}
    nodes: dict[str, dict[str, Any]] = {}  # upstream judgements shared by the artifacts of the scan, once each
    doc: dict[str, Any] = {
        "schema": SCAN_SCHEMA_VERSION,
        "tool": {"name": "modelclear", "version": __version__},
        "knowledge_as_of": report.knowledge_as_of.isoformat(),
        "lang": report.lang,
        "disclaimer": t("ui.disclaimer"),
        "root": report.root,
        "files_scanned": report.files_scanned,
        "scenario": _first_scenario(report),
        "scenarios": _scenarios(report),
        "summary": summary,
        "references": refs,
        "assessments": [scan_assessment(t, a, nodes) for a in report.assessments],
        "nodes": nodes,
        "warnings": [
            {"path": w.path, "line": w.line, "code": w.code, "message": w.message} for w in report.warnings
        ],
    }
    g = gate(t, report)
    if g is not None:
        doc["gate"] = g
    return doc


def _first_scenario(report: Report) -> dict[str, Any] | None:
    """The scenario of the first assessment, else the first scenario asked about (nothing was assessed)."""
    if report.assessments:
        return scenario(report.assessments[0].scenario)
    return scenario(report.scenarios[0]) if report.scenarios else None


def _scenarios(report: Report) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for a in report.assessments:
        if a.scenario.jurisdiction not in seen:
            seen.add(a.scenario.jurisdiction)
            out.append(scenario(a.scenario))
    if not out:
        return [scenario(s) for s in report.scenarios]
    return out
