"""``--format markdown``: a report a lawyer can read, in English or Japanese.

The question; a summary table (artifact × jurisdiction, side by side); then per artifact the answer,
each layer's status per jurisdiction, the reasons, obligations and caveats, every citation as a link
with its confidence and the date it was checked, where the code loads it, and the lineage (an indented
list that renders everywhere, plus the SVG graph in a collapsible block for viewers that show inline
SVG). The CI gate's decision and the waivers come last, then the disclaimer, once.
"""

from __future__ import annotations

from typing import Any

from modelclear.report import Report
from modelclear.report.escape import md_code, md_link, md_text
from modelclear.report.human import human

_ICON = {"allowed": "✅", "conditional": "🟡", "uncertain": "❔", "unknown": "❔", "prohibited": "⛔",
         "not_applicable": "➖"}


def _section(title: str, items: list[str]) -> list[str]:
    """A bold heading and a bullet list, or nothing when there are no items."""
    return [f"**{title}**", "", *(f"- {item}" for item in items), ""] if items else []


def _esc(text: str) -> str:
    """Free text as literal Markdown (one line, every inline special character escaped)."""
    return md_text(text)


def _where(w: dict[str, Any]) -> str:
    """``path:line`` of a reference as a code span."""
    return md_code(f"{w['path']}:{w['line']}")


def _cell(s: dict[str, str]) -> str:
    return f"{_ICON.get(s['status'], '')} {s['label']}".strip()


def _link(c: dict[str, Any]) -> str:
    parts = [md_link(c["label"], c["url"]), f"[{c['confidence']}] {_esc(c['confidence_label'])}"]
    if c.get("checked_label"):
        parts.append(c["checked_label"])
    out = " — ".join(parts)
    if c.get("quote"):
        out += f"\n  > {_esc(c['quote'])}"
    return out


def _question(v: dict[str, Any]) -> list[str]:
    t = v["t"]
    out = [f"# {_esc(v['title'])}", "", f"## {t['report.question']}", "", f"> {_esc(v['question'])}", ""]
    out += [f"- {_esc(extra)}" for extra in (v["accepted"], v["obtained_on"], v["files_scanned"]) if extra]
    return out


def _summary(v: dict[str, Any]) -> list[str]:
    """The answer: one row per artifact, one column per jurisdiction."""
    t, codes = v["t"], v["jurisdictions"]
    out = ["", f"## {t['report.answer']}", ""]
    if not v["artifacts"]:
        return [*out, t["report.nothing_found"], ""]
    out.append(f"| {t['report.artifact']} | {t['report.kind']} | {t['report.license']} | " + " | ".join(codes) + " |")
    out.append("|---|---|---|" + "---|" * len(codes))
    for a in v["artifacts"]:
        cells = " | ".join(f"{_cell(x)} ({x['risk_label']})" for x in a["verdicts"])
        out.append(f"| [{_esc(a['id'])}](#{a['anchor']}) | {_esc(a['kind_label'])} | "
                   f"{_esc(a['license_in_force'] or a['license'] or '—')} | {cells} |")
    return [*out, "", *_groups(v)]


def _groups(v: dict[str, Any]) -> list[str]:
    """The summary's groups (what blocks, needs review, carries duties, is fine), as the gate sees them."""
    out = [f"### {v['t']['scan.summary']}", ""]
    for g in v["summary"]:
        names = ", ".join(f"[{_esc(i['id'])}](#{i['anchor']})" + (f" ({_esc(i['gate'])})" if i["gate"] else "")
                          for i in g["members"]) or "—"
        out.append(f"- **{_esc(g['label'])} ({len(g['members'])})**: {names}")
        out += [f"  - {_esc(i['id'])}: {_esc(d)}" for i in g["members"] for d in i["duties"]]
    return [*out, ""]


def _heading(t: dict[str, str], a: dict[str, Any]) -> list[str]:
    """The artifact's anchor, title, facts and verdict per jurisdiction."""
    out = [f'<a id="{a["anchor"]}"></a>', "", f"## {_esc(a['id'])}", ""]
    facts = [_esc(a["name"])] if a["name"] and a["name"] != a["id"] else []
    facts += [_esc(x) for x in (a["publisher"], a["kind_label"]) if x]
    facts.append(f"{t['license_in_force']}: **{_esc(a['license_in_force'] or a['license'] or '—')}**")
    out += [" · ".join(facts), ""]
    if a["pinned"]:
        out += [f"*{_esc(a['pinned'])}*", ""]
    for x in a["verdicts"]:
        line = f"- **{x['jurisdiction']}** — {t['verdict']}: **{_cell(x)}**, {t['risk']}: {x['risk_label']}"
        if x["decided_by"]:
            line += f". {_esc(x['decided_by'])}"
        out.append(line)
        out += [f"  - {_esc(n)}" for n in x["notes"] + x["gate"]]
    return [*out, ""]


def _layers(t: dict[str, str], a: dict[str, Any]) -> list[str]:
    """The layer × jurisdiction table, then each layer's blocks with reasons and citations."""
    here = [x["jurisdiction"] for x in a["verdicts"]]
    out = [f"### {t['report.layers']}", "", f"| | {' | '.join(here)} |", "|---|" + "---|" * len(here)]
    out += [f"| **{layer['label']}** | " + " | ".join(_cell(c) for c in layer["cells"]) + " |" for layer in a["layers"]]
    out.append("")
    for layer in a["layers"]:
        for b in layer["blocks"]:
            out += [f"#### {layer['label']} — {', '.join(b['jurisdictions'])}: {_cell(b)}", ""]
            out += _section(t["reasons"], [_esc(r["text"]) for r in b["reasons"]])
            out += _section(t["obligations"], [_esc(o) for o in b["obligations"]])
            out += _section(t["caveats"], [_esc(c) for c in b["caveats"]])
            out += _section(t["citations"], [_link(c) for c in b["citations"]])
    return out


def _provenance(t: dict[str, str], a: dict[str, Any]) -> list[str]:
    """Where the code loads the artifact, its lineage, its upstream table and its record's sources."""
    out: list[str] = []
    if a["where"]:
        out += [f"### {t['report.where']}", ""]
        for w in a["where"]:
            evidence = f" — {md_code(w['evidence'][:160])}" if w["evidence"] else ""
            out.append(f"- {_where(w)}{evidence}")
        out.append("")
    if a["lineage_lines"]:
        out += [f"### {t['lineage']}", ""]
        out += [f"*{_esc(t['report.hypothetical'])}*", ""]
        out += [f"{'  ' * depth}- {_esc(text)}" for depth, text in a["lineage_lines"]]
        out += ["", "<details><summary>SVG</summary>", "", a["svg"], "", "</details>", ""]
    if a["upstream"]:
        out += [f"### {t['upstream']}", "", f"*{_esc(t['report.hypothetical'])}*", "",
                f"| {t['report.artifact']} | {t['report.license']} | "
                + " | ".join(x["jurisdiction"] for x in a["verdicts"]) + " |",
                "|---|---|" + "---|" * len(a["verdicts"])]
        out += [f"| {_esc(u['id'])} | {_esc(u['license'] or '—')} | " + " | ".join(_cell(c) for c in u["cells"]) + " |"
                for u in a["upstream"]]
        out.append("")
    if a["sources"]:
        out += [f"**{t['citations']}** ({_esc(a['id'])})", ""]
        out += [f"- {_link({**s, 'label': s.get('note') or s['url']})}" for s in a["sources"]]
        out.append("")
    return out


def _leftovers(v: dict[str, Any]) -> list[str]:
    """References that did not resolve, and files the scan could not read fully."""
    t = v["t"]
    out: list[str] = []
    if v["unresolved"]:
        out += [f"## {t['report.unresolved']}", ""]
        out += [f"- {_where(w)} — {md_code(w['raw'][:160])}" + (f" ({_esc(w['note'])})" if w["note"] else "")
                for w in v["unresolved"]]
        out.append("")
    if v["warnings"]:
        out += [f"## {t['report.warnings']}", ""]
        out += [f"- {md_code(w['path'])} ({_esc(w['code'])}): {_esc(w['message'])}" for w in v["warnings"]]
        out.append("")
    return out


def _gate(t: dict[str, str], g: dict[str, Any] | None) -> list[str]:
    """The CI gate's decision and the waivers."""
    if g is None:
        return []
    out = [f"## {t['gate.title']}: {_esc(g['result'])}", "", f"- {_esc(g['fail_on'])}", f"- {_esc(g['policy'])}"]
    if g["baseline"]:
        out.append(f"- {_esc(g['baseline'])}")
    out.append(f"- {_esc(g['today'])}")
    out += [f"- **{_esc(m)}**" for m in ([g["failing"]] if g["failing"] else []) + g["messages"]]
    out.append("")
    if g["waivers"]:
        head = " | ".join(t[f"report.waiver_{k}"] for k in ("id", "reason", "approved_by", "expires", "state"))
        out += [f"### {t['gate.waivers']}", "", f"| {head} |", "|---|---|---|---|---|"]
        out += [f"| {_esc(w['id'])} | {_esc(w['reason'])} | {_esc(w['approved_by'])} | {w['expires']} | "
                f"{_esc(w['state_label'])} |" for w in g["waivers"]]
        out.append("")
    return out


def render_markdown(report: Report) -> str:
    """The report as Markdown."""
    v = human(report)
    t = v["t"]
    out = _question(v) + _summary(v)
    for a in v["artifacts"]:
        out += _heading(t, a) + _layers(t, a) + _provenance(t, a)
    out += _leftovers(v) + _gate(t, v["gate"])
    out += ["---", "", f"{_esc(v['generated'])} · {_esc(v['knowledge_as_of'])}", "", f"*{_esc(v['disclaimer'])}*", ""]
    return "\n".join(out)


class MarkdownFormat:
    """Markdown output."""

    name = "markdown"

    def render(self, report: Report) -> str:
        """The report as Markdown."""
        return render_markdown(report)
