"""The provenance layer: upstream facts that do not bind the user but a reviewer must see.

Each observation has a severity: ``info`` (worth knowing), ``warning`` (raises the risk) or
``serious`` (withdrawn, pirated or litigated material upstream: the layer becomes uncertain).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from modelclear.assess.context import Context, cite_source, msg
from modelclear.assess.facts import SEVERITIES
from modelclear.assess.layers import layer
from modelclear.model import Artifact, Citation, Finding, Kind, Layer, LineageNode, Message, Status

_NC_CATEGORIES = {"non-commercial", "research-only"}


@dataclass(frozen=True)
class Observation:
    """One provenance fact about an upstream artifact."""

    severity: str  # info | warning | serious
    message: Message
    citations: tuple[Citation, ...] = ()


def _restricted(ctx: Context, art: Artifact) -> str | None:
    """The name of the non-commercial terms or licence of an upstream artifact, if any."""
    for tid in art.terms:
        lic = ctx.licence(tid)
        if lic is not None and (lic.category in _NC_CATEGORIES or any(
            t.effect is Status.PROHIBITED and "commercial" in {p.value for p in t.purposes}
            and len(t.purposes) == 1 for t in lic.terms
        )):
            return lic.name
    lid = ctx.license_in_force(art)
    if lid:
        lic = ctx.licence(lid)
        if lic is not None and lic.category in _NC_CATEGORIES:
            return lic.name
    if art.facts.get("commercial") is False:
        return art.name
    return None


def _observe(ctx: Context, node: LineageNode, covered: bool) -> list[Observation]:
    art = node.artifact
    if art is None:
        return [Observation("info", msg("provenance.unknown_upstream", artifact=node.id))]
    out: list[Observation] = []
    cites = tuple(cite_source(art.name, s) for s in art.sources[:1])
    # Withdrawn or pirated material is serious when used directly, a warning when it lies upstream.
    grave = "serious" if node.relation == "self" else "warning"
    withdrawn = art.facts.get("withdrawn")
    if withdrawn:
        when = withdrawn.get("date", "") if isinstance(withdrawn, dict) else ""
        out.append(Observation(grave, msg("provenance.withdrawn", artifact=art.name, date=str(when)), cites))
    if art.facts.get("pirated_content"):
        out.append(Observation(grave, msg("provenance.pirated", artifact=art.name), cites))
    if art.facts.get("litigation"):
        out.append(Observation("warning", msg("provenance.litigation", artifact=art.name), cites))
    restricted = _restricted(ctx, art)
    if restricted and node.relation == "trained_on":
        accepted = ctx.is_accepted(art.id, art.terms)
        severity = "info" if covered and not accepted else "warning"
        out.append(Observation(severity, msg("provenance.nc_data", artifact=art.name, terms=restricted), cites))
    card = art.facts.get("card_license")
    if card and art.license and str(card).lower() != str(art.license).lower():
        out.append(Observation("warning", msg("provenance.card_conflict", artifact=art.name, card=str(card),
                                              license=str(art.license)), cites))
    advice = art.facts.get("card_advice")
    if isinstance(advice, dict):
        from modelclear.catalog.records import local_text

        text = local_text(advice, art.id)
        out.append(Observation("warning", msg("provenance.card_advice", artifact=art.name, text=text), cites))  # type: ignore[arg-type]
    generated_by = art.facts.get("generated_by")
    if generated_by:
        out.append(Observation("info", msg("provenance.generated_by", artifact=art.name,
                                           models=", ".join(map(str, cast("Iterable[object]", generated_by)))), cites))
    return out


def _noted(o: Observation) -> tuple[Observation, Message]:
    """An observation with the message a finding shows for it (its severity added)."""
    return o, Message(o.message.key, {**o.message.params, "severity": o.severity})


def _observed(ctx: Context, node: LineageNode, covered: bool) -> list[tuple[Observation, Message]]:
    """What is observed of an upstream node, with the messages shown (the same objects for every finding)."""
    return [_noted(o) for o in _observe(ctx, node, covered)]


#: The facts :func:`_observe` reads of an artifact itself (without any, nothing is observed of the root).
_SELF_FACTS = frozenset({"withdrawn", "pirated_content", "litigation", "card_license", "card_advice",
                         "generated_by"})
_UNDISCLOSED = [_noted(Observation("info", msg("provenance.data_undisclosed")))]
_UNDISCLOSED_PARTS = (_UNDISCLOSED,)
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
#: A finding made of some lists of what is observed: the lists, the finding, the fact it publishes.
_Made = tuple[tuple[list[tuple[Observation, Message]], ...], Finding, dict[str, str]]
#: Nothing observed: the same finding and fact for every such artifact.
_CLEAN = Finding(Layer.PROVENANCE, Status.ALLOWED, (msg("provenance.clean"),))
_NOTHING = {"provenance_severity": "none"}


@layer(Layer.PROVENANCE)
def assess(ctx: Context) -> Finding:
    """The provenance finding; publishes ``provenance_severity``, the highest severity seen (none … serious)."""
    analysis_covered_commercially = ctx.training_covered
    # What is observed, as lists of (observation, message): the lists of upstream nodes are made once per
    # run and shared, so a finding made of the same lists is the same finding (made once, below).
    root = ctx.artifact
    mine: list[tuple[Observation, Message]] = []  # observations of the artifact itself, for this judgement alone
    # The artifact's own warnings (a withdrawn dataset used directly) come first.
    if not _SELF_FACTS.isdisjoint(root.facts):
        self_node = LineageNode(id=root.id, relation="self", artifact=root)
        mine = [_noted(o) for o in _observe(ctx, self_node, analysis_covered_commercially)
                if o.message.key not in ("provenance.nc_data",)]
    undisclosed = root.kind is Kind.MODEL and not root.upstream  # no datasets and no base models
    walked = _walk(ctx, ctx.lineage.children if ctx.lineage else (), analysis_covered_commercially)
    own = bool(mine) or (undisclosed and bool(walked.parts))
    if own:
        parts = ((mine,) if mine else ()) + ((_UNDISCLOSED,) if undisclosed else ()) + walked.parts
    else:  # the common case: one shared tuple of what is observed upstream
        parts = _UNDISCLOSED_PARTS if undisclosed else walked.parts
    if not parts:
        ctx.republish(_NOTHING)
        return _CLEAN
    if own:
        finding, published = _finding(parts)
        ctx.unshared = True
    else:  # one finding per shared tuple of observations
        findings: dict[int, _Made] = ctx.tables.findings
        made = findings.get(id(parts))
        if made is None or made[0] is not parts:
            made = findings[id(parts)] = (parts, *_finding(parts))  # holds the tuple it is keyed by
            ctx.fresh = True
        finding, published = made[1], made[2]
    ctx.republish(published)
    return finding


@dataclass(frozen=True, slots=True)
class _Walked:
    """What is observed below a node (breadth first, each id once): the shared lists, in order; and
    whether a cycle marker lies below."""

    parts: tuple[list[tuple[Observation, Message]], ...]
    cycle: bool


_NONE_BELOW = _Walked((), False)


def _walk(ctx: Context, children: tuple[LineageNode, ...], covered: bool) -> _Walked:
    """What is observed of the upstream nodes reached from ``children`` (the children of one node).

    Found once per run for each children tuple (the lineage DAGs of a run share their nodes' children:
    an artifact's DAG and every node that stands for it in the DAGs built on it). Below a single child
    without a cycle, the walk is that child followed by the walk below it, so a fine-tune chain costs one
    step per artifact; elsewhere the breadth-first walk is made (once per children tuple).
    """
    if not children:
        return _NONE_BELOW
    record = ctx.node_memo(children)
    held: _Walked | None = record.walked
    if held is not None:
        return held
    only = children[0]
    below = _walk(ctx, only.children, covered) if len(children) == 1 and not only.cycle else None
    if below is not None and not below.cycle:
        found = _observed_once(ctx, only, covered)
        walked = _Walked(((found,) if found else ()) + below.parts, False)
    else:
        walked = _breadth_first(ctx, children, covered)
    # Equal walks are one tuple (its lists are the run's, held by _observed_once, so their ids name them).
    interned: dict[tuple[int, ...], tuple[list[tuple[Observation, Message]], ...]] = ctx.tables.parts
    parts = interned.setdefault(tuple(map(id, walked.parts)), walked.parts)
    if parts is not walked.parts:
        walked = _Walked(parts, walked.cycle)
    record.walked = walked
    return walked


def _breadth_first(ctx: Context, children: tuple[LineageNode, ...], covered: bool) -> _Walked:
    """The walk of :func:`_walk`, made: breadth first, a node shared by several paths observed (and expanded) once."""
    parts: list[list[tuple[Observation, Message]]] = []
    cycle = False
    seen: set[str] = set()
    stack = deque(children)
    memo = _observations(ctx)
    while stack:
        node = stack.popleft()
        node_key = node.id.lower()
        if node_key in seen:
            continue
        seen.add(node_key)
        stack.extend(node.children)
        cycle = cycle or node.cycle
        found = _observed_once(ctx, node, covered, memo)
        if found:
            parts.append(found)
    return _Walked(tuple(parts), cycle)


def _observations(ctx: Context) -> dict[tuple[Any, ...], list[tuple[Observation, Message]]]:
    """The run's memo of :func:`_observed_once` under the context's scenario."""
    memo: dict[tuple[Any, ...], list[tuple[Observation, Message]]] = ctx.tables.observations
    return memo


def _observed_once(ctx: Context, node: LineageNode, covered: bool,
                   memo: dict[tuple[Any, ...], list[tuple[Observation, Message]]] | None = None
                   ) -> list[tuple[Observation, Message]]:
    """What is observed of one upstream node: it depends on the node, its relation and the scenario (once per run).

    ``memo`` is :func:`_observations` when the caller has it at hand.
    """
    if memo is None:
        memo = _observations(ctx)
    key = (node.id, "cycle") if node.cycle else (node.id, node.relation, node.artifact is not None)
    found = memo.get(key)
    if found is None:
        if node.cycle:
            found = memo[key] = [_noted(Observation("info", msg("provenance.cycle", artifact=node.id)))]
        else:
            found = memo[key] = _observed(ctx, node, covered)
    return found


def _finding(parts: tuple[list[tuple[Observation, Message]], ...]) -> tuple[Finding, dict[str, str]]:
    """The finding made of what is observed (in order), and the ``provenance_severity`` it publishes."""
    noted = [item for part in parts for item in part]
    top = max((o.severity for o, _ in noted), key=_RANK.__getitem__)  # one of SEVERITIES, a declared value
    status = Status.UNCERTAIN if top == "serious" else Status.ALLOWED
    return Finding(
        Layer.PROVENANCE,
        status,
        tuple(m for _, m in noted),
        citations=tuple(c for o, _ in noted for c in o.citations),
    ), {"provenance_severity": top}
