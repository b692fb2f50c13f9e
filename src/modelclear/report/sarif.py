"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).

* ``scan``: one result per reference, at the file and line where the code loads the artifact
  (``artifactLocation.uri`` relative to ``%SRCROOT%``, the scanned directory). ``check``: one result
  for the artifact, with a logical location (its id).
* One rule per finding kind (:data:`modelclear.report.view.KINDS`): which layer decided the verdict
  and how (``MC-PROHIBITED-LICENSE``, ``MC-CONTRACT-TERMS``, ``MC-UNCERTAIN-COPYRIGHT``...). A rule's
  help lists the sources behind this run's findings of that kind; ``helpUri`` is the rule's page,
  ``docs/rules/<RULE>.md`` (:data:`modelclear.report.view.RULES_URI`), the same for every run.
* Levels from the summary group of the status the gate sees (:func:`modelclear.report.view.group_of`,
  the grouping every format's summary shows): block → ``error``; review → ``warning``; duties →
  ``note``; fine → ``none`` with ``kind: pass``.
* Several jurisdictions: one result per reference, with the worst verdict; the message and
  ``properties.verdicts`` give each jurisdiction's.
* Waivers become ``suppressions`` (``external``, ``accepted``, with the reason); with ``--baseline``,
  ``baselineState`` is ``new`` or ``unchanged``. ``partialFingerprints`` are stable across line moves.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from modelclear import __version__
from modelclear.i18n import Translator
from modelclear.model import Assessment, Confidence, Status
from modelclear.report import Report
from modelclear.report.data import artifact_id, grouped, jurisdictions, translator
from modelclear.report.escape import md_link, md_text
from modelclear.report.view import (
    GROUP_LEVELS,
    KINDS,
    RULES_URI,
    effective,
    gate_item,
    group_of,
    groups,
    kind,
    lock_note,
    worst_of,
)
from modelclear.safetext import path_bytes

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/modelclear/"
_FINGERPRINT = "modelclearFinding/v1"


def _level(status: Status) -> str:
    """The SARIF level of a status the gate sees: that of its summary group."""
    return GROUP_LEVELS[group_of(status)]


def _citations(a: Assessment) -> list[dict[str, Any]]:
    """The citations of the layers that decided (or, when allowed, of every layer), best first."""
    layers = [f for f in a.layers if f.status is a.verdict] or list(a.layers)
    seen: set[str] = set()
    out = []
    for f in layers:
        for c in f.citations:
            if c.url in seen:
                continue
            seen.add(c.url)
            out.append({"label": c.label, "url": c.url, "confidence": c.confidence.value,
                        "checked": c.checked.isoformat() if c.checked else None})
    out.sort(key=lambda c: -Confidence(str(c["confidence"])).rank)
    return out


def _message(t: Translator, report: Report, group: list[Assessment]) -> tuple[str, str]:
    """The result message (text, markdown) for one artifact across jurisdictions."""
    head = worst_of(report, group)
    name = artifact_id(head)
    verdicts = "; ".join(
        f"{a.scenario.jurisdiction}: {t(f'ui.status.{effective(report, a).value}')}" for a in group)
    decided = [f for f in head.layers if f.status is head.verdict]
    reason = ""
    if decided and decided[0].reasons:
        reason = t.render(decided[0].reasons[0])
    elif head.notes:
        reason = t.render(head.notes[0])
    layer = f"{t(f'ui.layer.{decided[0].layer.value}')}: " if decided else ""
    lic = head.license_in_force if head.artifact else None
    parts = [f"{name} — {verdicts}."]
    if reason:
        parts.append(f"{layer}{reason}")
    if lic:
        parts.append(f"{t('ui.license_in_force')}: {lic}.")
    for a in group:
        it = gate_item(report, a)
        if it is None:
            continue
        parts += [t.render(m) for m in it.policy_reasons]
        if it.waived and it.waiver is not None:
            parts.append(t("ui.gate.waived", date=it.waiver.expires.isoformat(), approved_by=it.waiver.approved_by,
                           reason=it.waiver.reason))
            break
    text = " ".join(dict.fromkeys(parts))
    cites = _citations(head)[:5]
    md = md_text(text)
    if cites:
        md += "\n\n" + "\n".join(
            f"- {md_link(c['label'], c['url'])} [{c['confidence']}]" + (f" {c['checked']}" if c["checked"] else "")
            for c in cites)
    return text, md


def _uri(path: str) -> str:
    """A relative SARIF URI for a reported path: its original bytes percent-encoded (``bad%FF.py``)."""
    return quote(path_bytes(path).lstrip(b"/") or b".", safe="/")


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _properties(report: Report, group: list[Assessment]) -> dict[str, Any]:
    head = worst_of(report, group)
    props: dict[str, Any] = {
        "artifact": artifact_id(head),
        "kind": head.artifact.kind.value if head.artifact else (head.ref.kind.value if head.ref.kind else None),
        "license": head.license_in_force if head.artifact else None,
        "verdicts": {a.scenario.jurisdiction: a.verdict.value for a in group},
        "risks": {a.scenario.jurisdiction: a.risk.value for a in group},
        "layers": {a.scenario.jurisdiction: {f.layer.value: f.status.value for f in a.layers} for a in group},
        "citations": _citations(head),
    }
    pinned = lock_note(head, report.lang)
    if pinned:  # judged on Hub facts pinned in the knowledge lock: where from and how old
        props["lock"] = pinned
    g = report.gate
    if g is not None:
        props["gate"] = {a.scenario.jurisdiction: gate_item(report, a).status.value for a in group
                         if gate_item(report, a) is not None}
    return props


def _gate_fields(report: Report, group: list[Assessment]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    items = [gate_item(report, a) for a in group]
    items = [it for it in items if it is not None]
    waived = [it for it in items if it.waived]
    if waived and all(it.waived or not it.failing for it in items):
        w = waived[0].waiver
        out["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": f"{w.reason} (approved by {w.approved_by}; expires {w.expires.isoformat()})",
        }]
    g = report.gate
    if g is not None and g.baseline_path:
        failing = [it for it in items if it.failing]
        out["baselineState"] = "new" if any(not it.in_baseline for it in failing) else "unchanged"
    return out


def _rule(t: Translator, rule_id: str, cites: list[dict[str, Any]]) -> dict[str, Any]:
    short = t(f"ui.sarif.{rule_id}.short")
    full = t(f"ui.sarif.{rule_id}.full")
    status = _rule_status(rule_id)
    help_text = full
    help_md = f"**{short}**\n\n{full}"
    if cites:
        help_text += "\n\n" + t("ui.citations") + ":\n" + "\n".join(
            f"- {c['label']}: {c['url']} [{c['confidence']}]" for c in cites)
        help_md += f"\n\n**{t('ui.citations')}**\n\n" + "\n".join(
            f"- {md_link(c['label'], c['url'])} — [{c['confidence']}]"
            + (f" {t('ui.report.checked', date=c['checked'])}" if c["checked"] else "") for c in cites)
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(p.capitalize() for p in rule_id.removeprefix("MC-").split("-")),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _level(status)},
        "properties": {"tags": ["licensing", "compliance", "ml"], "precision": "high"},
    }
    rule["helpUri"] = RULES_URI.format(rule=rule_id)
    return rule


def _rule_status(rule_id: str) -> Status:
    if "PROHIBITED" in rule_id or rule_id in ("MC-CONTRACT-TERMS", "MC-POLICY-DENIED-LICENSE"):
        return Status.PROHIBITED
    if rule_id == "MC-CONDITIONS":
        return Status.CONDITIONAL
    if rule_id == "MC-ALLOWED":
        return Status.ALLOWED
    if "UNKNOWN" in rule_id:
        return Status.UNKNOWN
    return Status.UNCERTAIN


def _result(report: Report, t: Translator, rule_index: dict[str, int], group: list[Assessment],
            location: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    head = worst_of(report, group)
    rule_id = kind(report, head)
    status = effective(report, head)
    text, md = _message(t, report, group)
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "level": _level(status),
        "message": {"text": text, "markdown": md},
        "locations": [location],
        "partialFingerprints": {_FINGERPRINT: fingerprint},
        "properties": _properties(report, group),
    }
    if status in (Status.ALLOWED, Status.NOT_APPLICABLE):
        result["kind"] = "pass"
    result.update(_gate_fields(report, group))
    return result


def _location(r: Any) -> dict[str, Any]:
    """A reference's physical location (1-based line and column, the evidence as snippet)."""
    region: dict[str, Any] = {"startLine": max(r.line, 1)}
    if r.column > 0 and r.line > 0:
        region["startColumn"] = r.column + 1
    if r.evidence:
        region["snippet"] = {"text": r.evidence[:500]}
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(r.path), "uriBaseId": "%SRCROOT%"},
                                 "region": region}}


def _unresolved(t: Any, rule_index: dict[str, int], r: Any, location: dict[str, Any],
                fingerprint: str) -> dict[str, Any]:
    """The result for a reference that names no artifact."""
    text = t("ui.sarif.MC-UNRESOLVED-REFERENCE.short") + f": {r.raw}" + (f" ({r.note})" if r.note else "")
    return {
        "ruleId": "MC-UNRESOLVED-REFERENCE",
        "ruleIndex": rule_index["MC-UNRESOLVED-REFERENCE"],
        "level": "warning",
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {_FINGERPRINT: fingerprint},
        "properties": {"raw": r.raw, "loader": r.loader, "confidence": r.confidence},
    }


class _Results:
    """The results of a run, and the citations each rule has collected from them."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.t = translator(report)
        self.rule_index = {rid: i for i, rid in enumerate(KINDS)}
        self.results: list[dict[str, Any]] = []
        self.cites_by_rule: dict[str, list[dict[str, Any]]] = {}

    def note_cites(self, group: list[Assessment]) -> None:
        """Add the worst assessment's citations to its rule (each URL once)."""
        head = worst_of(self.report, group)
        bucket = self.cites_by_rule.setdefault(kind(self.report, head), [])
        for c in _citations(head):
            if all(c["url"] != b["url"] for b in bucket):
                bucket.append(c)

    def check(self) -> None:
        """A check: one result per artifact, at a logical location."""
        for group in groups(self.report):
            self.note_cites(group)
            name = artifact_id(group[0])
            location = {"logicalLocations": [{"name": name, "fullyQualifiedName": name, "kind": "resource"}],
                        "message": {"text": group[0].ref.raw or name}}
            self.results.append(_result(self.report, self.t, self.rule_index, group, location,
                                        _fingerprint("check", name)))

    def scan(self) -> None:
        """A scan: one result per reference, where the code loads it."""
        by_id = grouped(self.report)
        seen: dict[tuple[str, str, str], int] = {}
        for e in self.report.entries:
            r = e.reference
            location = _location(r)
            key = ((e.assessment and artifact_id(e.assessment)) or r.raw, r.path, r.evidence.strip())
            seen[key] = seen.get(key, -1) + 1
            fingerprint = _fingerprint(*key, str(seen[key]))
            if e.assessment is None:
                self.results.append(_unresolved(self.t, self.rule_index, r, location, fingerprint))
                continue
            group = by_id.get(artifact_id(e.assessment).lower(), [e.assessment])
            self.note_cites(group)
            result = _result(self.report, self.t, self.rule_index, group, location, fingerprint)
            result["properties"]["loader"] = r.loader
            result["properties"]["confidence"] = r.confidence
            self.results.append(result)


def _invocation(report: Report) -> dict[str, Any]:
    """The run's invocation, with the scan's warnings as notifications."""
    notifications = [{
        "level": "warning",
        "message": {"text": f"{w.code}: {w.message}"},
        **({"locations": [{"physicalLocation": {"artifactLocation": {
            "uri": _uri(w.path), "uriBaseId": "%SRCROOT%"}}}]}
           if w.path and not str(w.path).startswith("/") else {}),
    } for w in report.warnings]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def sarif_document(report: Report) -> dict[str, Any]:
    """The SARIF 2.1.0 log for a report, as data."""
    collected = _Results(report)
    if report.command == "check":
        collected.check()
    else:
        collected.scan()
    t = collected.t
    rules = [_rule(t, rid, collected.cites_by_rule.get(rid, [])[:12]) for rid in KINDS]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "modelclear",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "invocations": [_invocation(report)],
        "results": collected.results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "command": report.command,
            "jurisdictions": jurisdictions(report),
            "activity": report.assessments[0].scenario.activity.value if report.assessments else None,
            "purpose": report.assessments[0].scenario.purpose.value if report.assessments else None,
            "knowledgeAsOf": report.knowledge_as_of.isoformat(),
            "disclaimer": t("ui.disclaimer"),
        },
    }
    if report.command == "scan":
        run["originalUriBaseIds"] = {"%SRCROOT%": {"description": {"text": "the scanned directory"}}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class SarifFormat:
    """SARIF 2.1.0 output."""

    name = "sarif"

    def render(self, report: Report) -> str:
        """The report as a SARIF log."""
        return json.dumps(sarif_document(report), ensure_ascii=False, indent=2) + "\n"
