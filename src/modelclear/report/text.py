"""The terminal report (``rich``): the question, the verdict, each layer with reasons and sources."""

from __future__ import annotations

import io
from contextvars import ContextVar
from typing import Any

from modelclear.i18n import Translator
from modelclear.model import Assessment, Finding, LineageNode, Status
from modelclear.report import Report
from modelclear.report.data import translator
from modelclear.report.view import lock_note

_STYLE = {
    Status.ALLOWED: "bold green",
    Status.CONDITIONAL: "bold yellow",
    Status.PROHIBITED: "bold red",
    Status.UNCERTAIN: "bold magenta",
    Status.UNKNOWN: "bold magenta",
    Status.NOT_APPLICABLE: "dim",
}
_RISK_STYLE = {"low": "green", "medium": "yellow", "high": "red"}

#: Set while :class:`TextFormat` builds a check's lines for :mod:`modelclear.report.plaintext`.
_PLAIN: ContextVar[bool] = ContextVar("modelclear_report_plain", default=False)


def _rich(name: str) -> Any:
    """``rich``'s ``Text``, ``Rule`` or ``Tree``; their plain stand-ins while a check is laid out as plain text."""
    if _PLAIN.get():
        from modelclear.report import plaintext

        return getattr(plaintext, name)
    if name == "Rule":
        from rich.rule import Rule

        return Rule
    if name == "Tree":
        from rich.tree import Tree

        return Tree
    from rich.text import Text

    return Text


def _status(t: Translator, s: Status) -> Any:
    Text = _rich("Text")

    return Text(t(f"ui.status.{s.value}"), style=_STYLE[s])


def _gate_status(t: Translator, report: Report, a: Assessment) -> Any:
    """The status the gate sees, marked when the policy's licence lists changed the verdict."""
    Text = _rich("Text")

    from modelclear.report.view import effective

    status = effective(report, a)
    if status is a.verdict:
        return _status(t, status)
    return Text(f"{t(f'ui.status.{status.value}')} ({t('ui.summary.by_policy')})", style=_STYLE[status])


def _finding(t: Translator, a: Assessment, f: Finding) -> list[Any]:
    Text = _rich("Text")

    from modelclear.report.view import finding_label

    out: list[Any] = []
    head = Text.assemble((f"{t(f'ui.layer.{f.layer.value}')}: ", "bold"),
                         Text(finding_label(t, a, f), style=_STYLE[f.status]))
    out.append(head)
    for m in f.reasons:
        sev = m.params.get("severity")
        prefix = f"[{t(f'ui.severity.{sev}')}] " if sev and sev != "info" else ""
        out.append(Text(f"  • {prefix}{t.render(m)}"))
    if f.obligations:
        out.append(Text(f"  {t('ui.obligations')}:", style="bold"))
        out += [Text(f"    – {t.render(m)}") for m in f.obligations]
    if f.caveats:
        out.append(Text(f"  {t('ui.caveats')}:", style="bold"))
        out += [Text(f"    – {t.render(m)}") for m in f.caveats]
    seen: set[str] = set()
    cites = []
    for c in f.citations:
        if c.url in seen:
            continue
        seen.add(c.url)
        cites.append(c)
    if cites:
        out.append(Text(f"  {t('ui.citations')}:", style="dim bold"))
        for c in cites[:8]:
            checked = f", {c.checked.isoformat()}" if c.checked else ""
            label = t.label(c.label, c.label_ja)
            out.append(Text(f"    [{c.confidence.value}] {label} — {c.url}{checked}", style="dim"))
    return out


def _tree(t: Translator, node: LineageNode, verdicts: dict[str, Assessment], decides: tuple[str, ...] = ()) -> Any:
    Tree = _rich("Tree")

    from modelclear.lineage import occurrences

    def label(n: LineageNode, repeat: bool) -> str:
        rel = t(f"ui.relation.{n.relation}")
        a = verdicts.get(n.id.lower())
        verdict = f" → {t(f'ui.status.{a.verdict.value}')} ({t(f'ui.risk.{a.risk.value}')})" if a else ""
        lic = ""
        if n.artifact is not None:
            lic = f" [{n.artifact.license or t('ui.none')}]"
        extra = f" {t('ui.cycle')}" if n.cycle else ("" if n.artifact else f" {t('ui.missing')}")
        extra += f" {t('ui.shared')}" if repeat else ""
        extra += f" {t('ui.truncated')}" if n.truncated else ""
        if not repeat and n is not node and n.id.lower() in decides:
            extra += f" ◀ {t('ui.decides')}"
        return f"{rel}: {n.id}{lic}{verdict}{extra}"

    Text = _rich("Text")

    # The lineage is a DAG: each node is expanded once, other paths to it show it as shared.
    tree: Any = None
    path: list[Any] = []
    for depth, n, repeat in occurrences(node):
        del path[depth:]
        item = path[-1].add(Text(label(n, repeat))) if path else Tree(Text(label(n, repeat)))
        if tree is None:
            tree = item
        path.append(item)
    return tree


def _gate_lines(report: Report) -> list[Any]:
    """The CI gate's outcome and its run-level messages (expired or unused waivers), when there is a gate."""
    Text = _rich("Text")

    g = report.gate
    if g is None:
        return []
    from modelclear.policy import messages
    from modelclear.report.view import failing_ids

    t = translator(report)
    outcome = t("ui.gate.passed") if g.exit_code == 0 else t("ui.gate.failed", code=str(g.exit_code))
    out: list[Any] = [Text(""), Text.assemble((f"{t('ui.gate.title')}: ", "bold"),
                                              (outcome, "green" if g.exit_code == 0 else "red"))]
    out.append(Text("  " + t("ui.gate.fail_on", status=t(f"ui.status.{g.fail_on.value}")), style="dim"))
    failing = failing_ids(report)
    if failing:
        out.append(Text("  " + t("ui.gate.failing", ids=", ".join(failing)), style="red"))
    out += [Text(f"  {m}", style="yellow") for m in messages(g, t)]
    return out


def _gate_notes(report: Report, a: Assessment) -> list[Any]:
    Text = _rich("Text")

    from modelclear.report.human import gate_notes

    return [Text(f"    ⚑ {n}", style="cyan") for n in gate_notes(translator(report), report, a)]


#: Evidence (a line of code) is the one column that may be shortened; ids and paths never are.
_EVIDENCE_CHARS = 60


def _clip(text: str) -> str:
    return text if len(text) <= _EVIDENCE_CHARS else text[:_EVIDENCE_CHARS - 1] + "…"


def _columns(rows: list[tuple[Any, ...]]) -> Any:
    """Rows of ``Text`` cells as one left-aligned block: no wrapping, no cut ids, linear in the rows.

    Columns are as wide as their widest cell (East Asian wide characters count double); lines longer
    than the terminal run on rather than fold, so a path or an id can always be copied whole.
    """
    from rich.cells import cell_len
    from rich.text import Text

    widths = [max(cell_len(row[i].plain) for row in rows) for i in range(len(rows[0]))]
    block = Text(no_wrap=True, overflow="ignore")
    for n, row in enumerate(rows):
        if n:
            block.append("\n")
        for i, cell in enumerate(row):
            block.append_text(cell)
            if i < len(row) - 1:
                block.append(" " * (widths[i] - cell_len(cell.plain) + 2))
    return block


def _scan_header(t: Any, report: Report, scenario: dict[str, Any]) -> list[Any]:
    from rich.rule import Rule
    from rich.text import Text

    codes = sorted({a.scenario.jurisdiction for a in report.assessments}) or [scenario.get("jurisdiction", "")]
    activity = scenario.get("activity", "deploy")
    purpose = scenario.get("purpose", "commercial")
    return [Rule(Text(t("ui.scan.title", root=report.root, files=str(report.files_scanned)), style="bold")),
            Text(t("ui.question", activity=t(f"ui.activity.{activity}"), purpose=t(f"ui.purpose.{purpose}"),
                   jurisdiction=", ".join(codes)), style="italic")]


def _reference_rows(t: Any, report: Report, groups: dict[str, list[Assessment]]) -> list[Any]:
    """Every reference on one row: where, the artifact, its worst verdict and risk, the evidence."""
    from rich.text import Text

    from modelclear.report.data import artifact_id
    from modelclear.report.view import effective

    def worst_of(aid: str) -> Assessment | None:
        group = groups.get(aid.lower())
        return max(group, key=lambda a: (effective(report, a).severity, a.risk.value == "high")) if group else None

    rows: list[tuple[Text, ...]] = []
    for e in report.entries:
        r = e.reference
        where = f"{r.path}:{r.line}" if r.line else r.path
        a = worst_of(artifact_id(e.assessment)) if e.assessment else None
        # Cells are Text objects, never markup strings: rich would read "[...]" in a file name as markup.
        if a is None:
            rows.append((Text(where), Text(f"{r.raw or '?'} ({t('ui.scan.unresolved')})", style="magenta"),
                         Text("—"), Text("—"), Text(_clip((r.note or r.evidence).strip()))))
            continue
        rows.append((Text(where), Text(artifact_id(a)), _gate_status(t, report, a),
                     Text(t(f"ui.risk.{a.risk.value}"), style=_RISK_STYLE[a.risk.value]),
                     Text(_clip(r.evidence.strip()))))
    heads = tuple(Text(t(k), style="bold") for k in ("ui.scan.where", "ui.scan.artifact", "ui.verdict", "ui.risk",
                                                        "ui.scan.evidence"))
    return [Text(t("ui.scan.references", n=str(len(report.entries))), style="italic"), _columns([heads, *rows]),
            Text("")]


def _scenario_lines(t: Any, report: Report, g: Assessment) -> list[Any]:
    """One jurisdiction's layers, the reasons of the deciding layers, obligations and gate notes."""
    from rich.text import Text

    from modelclear.report.view import finding_label

    layers = " · ".join(f"{t(f'ui.layer.{f.layer.value}')} {finding_label(t, g, f)}" for f in g.layers)
    out: list[Any] = [Text(f"  {g.scenario.jurisdiction}: {layers}", style="dim")]
    shown: set[str] = set()
    for f in g.layers:
        if f.status is g.verdict and g.verdict not in (Status.ALLOWED, Status.NOT_APPLICABLE):
            for m in f.reasons[:2]:
                line = t.render(m)
                if line not in shown:
                    shown.add(line)
                    out.append(Text(f"    • {line}"))
    obligations = list(dict.fromkeys(t.render(m) for f in g.layers for m in f.obligations))
    out += [Text(f"    – {o}") for o in obligations[:3]]
    return out + _gate_notes(report, g)


def _artifact_lines(t: Any, report: Report, groups: dict[str, list[Assessment]]) -> list[Any]:
    """Each artifact: its verdict per jurisdiction, then each jurisdiction's layers."""
    from rich.text import Text

    out: list[Any] = []
    for group in groups.values():
        name = group[0].artifact.id if group[0].artifact else group[0].ref.id
        out.append(Text.assemble((name, "bold"), " ", *[x for g in group for x in (
            (f" {g.scenario.jurisdiction}: ", ""), _gate_status(t, report, g),
            (f" ({t(f'ui.risk.{g.risk.value}')})", _RISK_STYLE[g.risk.value]))]))
        pinned = lock_note(group[0], report.lang)  # facts from the knowledge lock: where from and how old
        if pinned:
            out.append(Text(f"  {pinned}", style="dim"))
        for g in group:
            out += _scenario_lines(t, report, g)
    return out


_GROUP_STYLE = {"block": "red", "review": "magenta", "duties": "yellow", "fine": "green"}


def _summary_item(t: Any, item: Any) -> str:
    """An artifact's id in the summary, with what the gate made of it."""
    if item.fails:
        return f"{item.id} ({t('ui.summary.fails')})"
    if item.excused:
        return f"{item.id} ({t('ui.summary.' + item.excused)})"
    return str(item.id)


def _summary(t: Any, report: Report, purpose: str) -> list[Any]:
    """The summary (what blocks, needs review, carries duties, is fine: :func:`view.summary`) and warnings."""
    from rich.text import Text

    from modelclear.report.view import summary

    out: list[Any] = [Text(""), Text(t("ui.scan.summary"), style="bold")]
    keys = {"block": "ui.scan.block_commercial" if purpose == "commercial" else "ui.scan.block",
            "review": "ui.scan.review", "duties": "ui.scan.duties", "fine": "ui.scan.fine"}
    for group, items in summary(report).items():
        names = ", ".join(_summary_item(t, item) for item in items) or "—"
        out.append(Text.assemble((f"  {t(keys[group])} ({len(items)}): ", _GROUP_STYLE[group]), names))
        if group == "duties":
            for item in items:
                out += [Text(f"    {item.id}: {duty}") for duty in item.duties(t)]
    unresolved = sum(1 for e in report.entries if e.assessment is None)
    if unresolved:
        out.append(Text(f"  {t('ui.scan.unresolved_count', n=str(unresolved))}", style="magenta"))
    return out + _warning_lines(t, report)


def _warning_lines(t: Any, report: Report) -> list[Any]:
    """The run's warnings (files not read fully, lock entries the reviewed knowledge overrides), at most 25."""
    Text = _rich("Text")

    if not report.warnings:
        return []
    out: list[Any] = [Text(""), Text(t("ui.scan.warnings", n=str(len(report.warnings))), style="bold yellow")]
    for w in report.warnings[:25]:
        where = f"{w.path}:{w.line}" if getattr(w, "line", 0) else w.path
        out.append(Text(f"  {where}: [{w.code}] {w.message}", style="yellow"))
    if len(report.warnings) > 25:
        out.append(Text(f"  … {len(report.warnings) - 25}", style="yellow"))
    return out


def _scan_renderables(report: Report) -> list[Any]:
    """A scan: every reference with its location and verdict, each artifact's layers, then the summary."""
    from rich.text import Text

    from modelclear.report.data import grouped
    from modelclear.report.data import scenario as scenario_data

    t = translator(report)
    groups = grouped(report)
    scenario = scenario_data(report.scenarios[0]) if report.scenarios else {}
    out = _scan_header(t, report, scenario) + _reference_rows(t, report, groups)
    out += _artifact_lines(t, report, groups)
    out += _summary(t, report, scenario.get("purpose", "commercial"))
    out += _gate_lines(report)
    out.append(Text(""))
    out.append(Text(t("ui.scan.details"), style="dim"))
    out.append(Text(t("ui.knowledge_as_of", date=report.knowledge_as_of.isoformat()) + " · " + t("ui.disclaimer"),
                    style="dim"))
    return out


def _assessment_lines(t: Any, report: Report, a: Assessment) -> list[Any]:
    """One check answer: the question, the verdict and what decided it, each layer, the lineage."""
    Rule = _rich("Rule")
    Text = _rich("Text")

    sc = a.scenario
    name = a.artifact.id if a.artifact else a.ref.id
    out: list[Any] = [Rule(Text(name, style="bold"))]
    question = t("ui.question", activity=t(f"ui.activity.{sc.activity.value}"),
                 purpose=t(f"ui.purpose.{sc.purpose.value}"), jurisdiction=sc.jurisdiction)
    if sc.domicile:
        question += " · " + t("ui.domicile", code=sc.domicile)
    out.append(Text(question, style="italic"))
    out.append(Text.assemble((f"{t('ui.verdict')}: ", "bold"), _status(t, a.verdict), "   ",
                             (f"{t('ui.risk')}: ", "bold"),
                             (t(f"ui.risk.{a.risk.value}"), _RISK_STYLE[a.risk.value])))
    deciding = [f for f in a.layers if f.status is a.verdict]
    if deciding and a.verdict is not Status.ALLOWED:
        layers = ", ".join(t(f"ui.layer.{f.layer.value}") for f in deciding)
        others = "; ".join(f"{t(f'ui.layer.{f.layer.value}')}: {t(f'ui.status.{f.status.value}')}"
                           for f in a.layers if f.status is not a.verdict)
        line = t("ui.decided_by", layers=layers, others=others) if others else t("ui.decided_by_all", layers=layers)
        out.append(Text(line))
    if a.artifact is not None:
        out.append(Text(f"{t('ui.license_in_force')}: {a.license_in_force or t('ui.none')}"))
        pinned = lock_note(a, report.lang)  # facts from the knowledge lock: where from and how old
        if pinned:
            out.append(Text(pinned, style="dim"))
    out += _gate_notes(report, a)
    out += [Text(t.render(m), style="italic") for m in a.notes]
    out.append(Text(""))
    for f in a.layers:
        out += _finding(t, a, f)
        out.append(Text(""))
    if a.lineage is not None and a.lineage.children:
        verdicts = {u.ref.id.lower(): u for u in a.upstream}
        out.append(Text(f"{t('ui.lineage')} — {t('ui.upstream')}", style="bold"))
        out.append(Text(t("ui.report.hypothetical"), style="italic"))
        from modelclear.lineage import deciding_path

        out.append(_tree(t, a.lineage, verdicts, deciding_path(a.lineage, a.license_in_force)))
        out.append(Text(""))
    return out


def renderables(report: Report) -> list[Any]:
    """The report as a list of rich renderables."""
    Text = _rich("Text")

    if report.command == "scan":
        return _scan_renderables(report)
    t = translator(report)
    out: list[Any] = []
    for a in report.assessments:
        out += _assessment_lines(t, report, a)
    out += _warning_lines(t, report) + _gate_lines(report)
    out.append(Text(t("ui.knowledge_as_of", date=report.knowledge_as_of.isoformat()) + " · " + t("ui.disclaimer"),
                    style="dim"))
    return out


#: The width of the text report written to a file or a pipe (a terminal's own width otherwise).
WIDTH = 110


class TextFormat:
    """Plain text (the terminal report without colours)."""

    name = "text"

    def render(self, report: Report) -> str:
        """The report as plain text (a check laid out without ``rich``'s console, as it would lay it out)."""
        if report.command != "scan":
            from modelclear.report import plaintext

            token = _PLAIN.set(True)
            try:
                items = renderables(report)
            finally:
                _PLAIN.reset(token)
            text = plaintext.render(items, width=WIDTH, soft_wrap=report.lang == "ja")
            if text is not None:
                return text
        from rich.console import Console

        buf = io.StringIO()
        print_report(Console(file=buf, width=WIDTH, no_color=True, highlight=False), report)
        return buf.getvalue()


def print_report(console: Any, report: Report) -> None:
    """Print the report on a rich console: runs of plain lines in one call (a scan may have 10,000 artifacts)."""
    from rich.text import Text

    def flush(run: list[Any]) -> None:
        if run:
            console.print(Text("\n").join(run), soft_wrap=report.lang == "ja")
            run.clear()

    run: list[Any] = []
    for r in renderables(report):
        if isinstance(r, Text) and not r.no_wrap:
            run.append(r)
            continue
        flush(run)
        console.print(r, soft_wrap=report.lang == "ja" or getattr(r, "no_wrap", False))
    flush(run)
