"""The lineage drawn as an SVG graph: a small layered (Sugiyama-style) layout, no dependencies.

The artifact sits at the top; what it was built from (base models, training datasets) hangs below
it, one layer per step upstream. Layers come from the longest path from the root, the order within
a layer from a few barycenter sweeps (fewer crossings), and x positions from the parents' centres
with overlaps pushed apart. Text widths are estimated (East Asian wide characters count double), so
the output needs no font metrics and fetches nothing: it is plain inline SVG.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

#: Fill and stroke per status (the report's legend uses the same colours).
COLOURS: Mapping[str, tuple[str, str]] = {
    "allowed": ("#e8f5e9", "#2e7d32"),
    "conditional": ("#fff8e1", "#a15c00"),
    "uncertain": ("#f3e5f5", "#6a1b9a"),
    "unknown": ("#eceff1", "#455a64"),
    "prohibited": ("#ffebee", "#c62828"),
    "not_applicable": ("#f5f5f5", "#616161"),
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK JP', sans-serif"
_TITLE_SIZE, _LINE_SIZE, _EDGE_SIZE = 13, 12, 11
_PAD_X, _PAD_Y, _LINE_GAP = 12, 9, 5
_H_GAP, _V_GAP, _MARGIN = 28, 64, 16
_MAX_CHARS = 44


@dataclass(frozen=True)
class GraphNode:
    """A box: a bold title line, further lines, and a status that picks its colour."""

    id: str
    title: str
    lines: tuple[str, ...] = ()
    status: str = "unknown"
    known: bool = True


@dataclass(frozen=True)
class GraphEdge:
    """An arrow from ``source`` (downstream) to ``target`` (what it was built from), with a label."""

    source: str
    target: str
    label: str = ""
    dashed: bool = False
    #: On the path that decides the licence in force (drawn thicker).
    strong: bool = False


@dataclass(frozen=True)
class Box:
    """A placed node."""

    x: float
    y: float
    width: float
    height: float


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width of ``text`` in a sans-serif font of ``size`` px (generous, so text fits)."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += size
        elif ch in "il.,:;'|!":
            width += size * 0.3
        elif ch.isupper() or ch in "mwMW@%":
            width += size * 0.74
        else:
            width += size * 0.6
    return width * (1.1 if bold else 1.0)


def shorten(text: str, limit: int = _MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis in the middle."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: keep // 2] + "…" + text[len(text) - (keep - keep // 2):]


def _size(node: GraphNode) -> tuple[float, float]:
    widths = [text_width(shorten(node.title), _TITLE_SIZE, bold=True)]
    widths += [text_width(shorten(x), _LINE_SIZE) for x in node.lines]
    height = _PAD_Y * 2 + _TITLE_SIZE + len(node.lines) * (_LINE_SIZE + _LINE_GAP)
    return max(widths) + _PAD_X * 2 + 6, height


def layout(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], root: str) -> dict[str, Box]:
    """Positions for every node: layered top-down from ``root`` along non-dashed edges."""
    ids = [n.id for n in nodes]
    children: dict[str, list[str]] = {i: [] for i in ids}
    parents: dict[str, list[str]] = {i: [] for i in ids}
    for e in edges:
        if not e.dashed and e.source in children and e.target in children:
            children[e.source].append(e.target)
            parents[e.target].append(e.source)
    # longest-path layering over a DFS topological order (dashed edges are the cycle-closing ones)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n: str) -> None:
        state[n] = 1
        for c in children[n]:
            if state.get(c, 0) == 0:
                visit(c)
        state[n] = 2
        order.append(n)

    for n in [root, *ids]:
        if state.get(n, 0) == 0 and n in children:
            visit(n)
    level: dict[str, int] = {n: 0 for n in ids}
    for n in reversed(order):
        for c in children[n]:
            level[c] = max(level[c], level[n] + 1)
    layers: list[list[str]] = [[] for _ in range(max(level.values(), default=0) + 1)]
    for n in reversed(order):
        layers[level[n]].append(n)
    # barycenter sweeps
    for _ in range(4):
        for i in range(1, len(layers)):
            pos = {n: k for k, n in enumerate(layers[i - 1])}
            cur = {n: k for k, n in enumerate(layers[i])}
            layers[i].sort(key=lambda n: _mean([pos[p] for p in parents[n] if p in pos], cur[n]))
        for i in range(len(layers) - 2, -1, -1):
            pos = {n: k for k, n in enumerate(layers[i + 1])}
            cur = {n: k for k, n in enumerate(layers[i])}
            layers[i].sort(key=lambda n: _mean([pos[c] for c in children[n] if c in pos], cur[n]))
    sizes = {n.id: _size(n) for n in nodes}
    boxes: dict[str, Box] = {}
    y = 0.0
    for layer in layers:
        # pack the layer in order, then centre it under the mean centre of its nodes' parents
        total = sum(sizes[n][0] for n in layer) + _H_GAP * (len(layer) - 1)
        anchors = [boxes[p].x + boxes[p].width / 2 for n in layer for p in parents[n] if p in boxes]
        x = _mean(anchors, 0.0) - total / 2
        height = max((sizes[n][1] for n in layer), default=0)
        for n in layer:
            w, h = sizes[n]
            boxes[n] = Box(x, y + (height - h) / 2, w, h)
            x += w + _H_GAP
        y += height + _V_GAP
    min_x = min((b.x for b in boxes.values()), default=0.0)
    return {k: Box(b.x - min_x + _MARGIN, b.y + _MARGIN, b.width, b.height) for k, b in boxes.items()}


def _mean(values: Sequence[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def to_svg(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], root: str, *, title: str, desc: str = "",
           prefix: str = "g") -> str:
    """The graph as a self-contained ``<svg>`` element (ids prefixed with ``prefix``)."""
    boxes = layout(nodes, edges, root)
    width = max((b.x + b.width for b in boxes.values()), default=0) + _MARGIN
    height = max((b.y + b.height for b in boxes.values()), default=0) + _MARGIN
    arrow = f"{prefix}-arrow"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mc-graph" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family={quoteattr(FONT)}>',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker></defs>',
    ]
    labels = []
    for e in edges:
        if e.source not in boxes or e.target not in boxes:
            continue
        a, b = boxes[e.source], boxes[e.target]
        x1, y1 = a.x + a.width / 2, a.y + a.height
        x2, y2 = b.x + b.width / 2, b.y
        if e.dashed or y2 <= y1:  # a cycle: loop around the right-hand side
            x1, y1, x2, y2 = a.x + a.width, a.y + a.height / 2, b.x + b.width, b.y + b.height / 2
            bend = max(a.x + a.width, b.x + b.width) + 40
            path = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2 + 2:.1f},{y2:.1f}"
            lx, ly = bend - 10, (y1 + y2) / 2
        else:
            mid = (y1 + y2) / 2
            path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2 - 2:.1f}"
            lx, ly = (x1 + x2) / 2, mid
        dash = ' stroke-dasharray="5 4"' if e.dashed else ""
        strong = (" mc-decides", "3") if e.strong else ("", "1.4")
        out.append(f'<path class="mc-edge{strong[0]}" d="{path}" fill="none" stroke="#546e7a" '
                   f'stroke-width="{strong[1]}"{dash} marker-end="url(#{arrow})"/>')
        if e.label:
            w = text_width(e.label, _EDGE_SIZE) + 8
            labels.append(
                f'<g class="mc-edge-label"><rect x="{lx - w / 2:.1f}" y="{ly - 8:.1f}" width="{w:.1f}" height="16" '
                f'rx="3" fill="#ffffff" fill-opacity="0.92"/><text x="{lx:.1f}" y="{ly + 4:.1f}" '
                f'text-anchor="middle" font-size="{_EDGE_SIZE}" fill="#37474f">{escape(e.label)}</text></g>')
    out += labels
    for n in nodes:
        box = boxes.get(n.id)
        if box is None:
            continue
        fill, stroke = COLOURS.get(n.status, COLOURS["unknown"])
        dash = "" if n.known else ' stroke-dasharray="4 3"'
        out.append(f'<g class="mc-node mc-{escape(n.status)}" data-id={quoteattr(n.id)}>')
        out.append(f"<title>{escape(n.title)}</title>")
        out.append(f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
                   f'rx="7" fill="{fill}" stroke="{stroke}" stroke-width="{2.2 if n.id == root else 1.3}"{dash}/>')
        out.append(f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="6" height="{box.height:.1f}" rx="3" '
                   f'fill="{stroke}"/>')
        ty = box.y + _PAD_Y + _TITLE_SIZE - 2
        out.append(f'<text x="{box.x + _PAD_X + 4:.1f}" y="{ty:.1f}" font-size="{_TITLE_SIZE}" font-weight="600" '
                   f'fill="#1a1a1a">{escape(shorten(n.title))}</text>')
        for k, line in enumerate(n.lines):
            ly = ty + (k + 1) * (_LINE_SIZE + _LINE_GAP)
            colour = stroke if k == len(n.lines) - 1 else "#37474f"
            out.append(f'<text x="{box.x + _PAD_X + 4:.1f}" y="{ly:.1f}" font-size="{_LINE_SIZE}" '
                       f'fill="{colour}">{escape(shorten(line))}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def from_lineage(lineages: Sequence[Mapping[str, Any]], *, jurisdictions: Sequence[str],
                 label: Callable[..., str]) -> tuple[list[GraphNode], list[GraphEdge], str]:
    """Nodes and edges from lineage trees (``report.data.lineage`` data, one tree per jurisdiction).

    ``label(key, **params)`` translates the report's ui keys. A node shows its id, its licence and
    its verdict in each jurisdiction; a node reached twice is drawn once.
    """
    verdicts: dict[str, dict[str, str]] = {}
    first: dict[str, Mapping[str, Any]] = {}
    edges: dict[tuple[str, str], GraphEdge] = {}
    severity = ["not_applicable", "allowed", "conditional", "uncertain", "unknown", "prohibited"]

    decided: set[str] = set()  # nodes on the path that decides the licence in force ("decides": true)

    def visit(node: Mapping[str, Any], code: str, parent: str | None) -> None:
        nid = str(node["id"])
        key = nid.lower()
        if node.get("decides"):
            decided.add(key)
        if parent is not None:
            rel = label(f"ui.relation.{node['relation']}")
            strong = key in decided and parent in decided
            edges.setdefault((parent, key), GraphEdge(parent, key, rel, dashed=bool(node.get("cycle")), strong=strong))
        if node.get("cycle"):
            return
        first.setdefault(key, node)
        if node.get("verdict"):
            verdicts.setdefault(key, {})[code] = str(node["verdict"])
        for child in node.get("children", []):
            visit(child, code, key)

    for tree, code in zip(lineages, jurisdictions, strict=False):
        visit(tree, code, None)
    nodes = []
    for key, node in first.items():
        by_code = verdicts.get(key, {})
        lic = node.get("license") or (label("ui.none") if node.get("known") else label("ui.report.unknown_artifact"))
        lines = [f"{label('ui.report.license')}: {lic}"]
        if key in decided and key != str(lineages[0]["id"]).lower():
            lines.append(label("ui.decides"))
        if by_code:
            if len(set(by_code.values())) == 1 and len(by_code) == len(jurisdictions):
                lines.append(f"{label('ui.verdict')}: {label('ui.status.' + next(iter(by_code.values())))}")
            else:
                lines.append(" · ".join(f"{c}: {label('ui.status.' + v)}" for c, v in by_code.items()))
        status = max(by_code.values(), key=severity.index) if by_code else "unknown"
        nodes.append(GraphNode(id=key, title=str(node["id"]), lines=tuple(lines), status=status,
                               known=bool(node.get("known"))))
    root = str(lineages[0]["id"]).lower() if lineages else ""
    return nodes, list(edges.values()), root
