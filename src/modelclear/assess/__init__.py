"""The assess stage: scenario + lineage graph → one finding per legal layer → verdict and risk.

The small core loop: build the context, ask each registered layer (:mod:`modelclear.assess.layers`:
same input, a :class:`~modelclear.assess.context.Context`; same output, a :class:`Finding`), apply
the interaction rules (data, checked against the declared facts of :mod:`modelclear.assess.facts`),
take the worst layer as the verdict, and grade the risk.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from modelclear import lineage as lineage_mod
from modelclear.assess import layers, rules
from modelclear.assess.context import Context, msg
from modelclear.catalog import Catalog
from modelclear.model import (
    Activity,
    Artifact,
    ArtifactRef,
    Assessment,
    Confidence,
    Finding,
    Kind,
    Layer,
    LineageNode,
    Message,
    Risk,
    Scenario,
    Status,
    worst,
)

#: The registered legal layers, in the order a verdict lists them.
LAYERS: tuple[Layer, ...] = layers.load()


def _unknown(ref: ArtifactRef, scenario: Scenario) -> Assessment:
    reason = msg("artifact.unknown", id=ref.id)
    layers = tuple(Finding(layer, Status.UNKNOWN, (reason,)) for layer in LAYERS)
    return Assessment(ref=ref, artifact=None, scenario=scenario, verdict=Status.UNKNOWN, risk=Risk.HIGH,
                      layers=layers, lineage=LineageNode(id=ref.id, relation="self", artifact=None))


def risk_of(verdict: Status, findings: dict[Layer, Finding], provenance_top: str) -> Risk:
    """Grade the risk: the verdict, then the strength of the facts it rests on and upstream warnings."""
    if verdict in (Status.PROHIBITED, Status.UNKNOWN):
        return Risk.HIGH
    if verdict is Status.UNCERTAIN:
        return Risk.HIGH if provenance_top == "serious" else Risk.MEDIUM
    deciding = [f for f in findings.values()
                if f.layer is not Layer.PROVENANCE and f.status is not Status.NOT_APPLICABLE]
    if provenance_top in ("warning", "serious") or any(f.weakest is Confidence.UNCERTAIN for f in deciding):
        return Risk.MEDIUM
    return Risk.LOW


@dataclass
class Judgements:
    """Work shared by the assessments of one run (one ``check``, or every artifact of a ``scan``).

    Each distinct artifact id is resolved through the catalog once (:class:`lineage.Resolver`), its
    lineage DAG is built once, and it is judged once per scenario: an ancestor shared by many paths,
    or by many artifacts of a scan, costs one judgement. ``judged`` counts the judgements made.
    """

    catalog: Catalog
    judged: int = 0
    resolver: lineage_mod.Resolver = field(init=False)
    _graphs: dict[str, LineageNode] = field(default_factory=dict, repr=False)
    _done: dict[tuple[str, Scenario], Assessment] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.resolver = lineage_mod.Resolver(self.catalog)

    def lineage(self, artifact_id: str) -> LineageNode:
        """The lineage DAG rooted at ``artifact_id`` (built once)."""
        key = artifact_id.lower()
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._graphs[key] = lineage_mod.build(artifact_id, self.resolver)
        return graph

    def judge(self, artifact: Artifact, scenario: Scenario) -> Assessment:
        """``artifact`` judged under ``scenario`` on its own lineage, without the upstream list (memoised)."""
        key = (artifact.id.lower(), scenario)
        found = self._done.get(key)
        if found is None:
            ref = ArtifactRef(kind=artifact.kind, id=artifact.id, scheme=artifact.id.split(":", 1)[0])
            found = self._done[key] = _judge(ref, artifact, self.catalog, scenario, self.lineage(artifact.id))
            self.judged += 1
        return found

    def upstream(self, node: LineageNode, scenario: Scenario) -> Assessment:
        """The assessment of an upstream node, in the context of the scenario it was reached under."""
        if node.artifact is None:
            return _unknown(_ref_for(node), scenario)
        return self.judge(node.artifact, scenario_in_context(self.catalog, scenario, node.artifact))


def assess_artifact(ref: ArtifactRef, catalog: Catalog, scenario: Scenario, *, with_upstream: bool = True,
                    graph: LineageNode | None = None, memo: Judgements | None = None) -> Assessment:
    """Assess one artifact (already resolved to its canonical id) under ``scenario``.

    ``memo`` shares resolutions, lineage graphs and judgements between the assessments of one run;
    without it each call has its own. With an explicit ``graph`` the artifact itself is judged on it.
    """
    artifact = catalog.lookup(ref)
    if artifact is None:
        return _unknown(ref, scenario)
    memo = memo if memo is not None else Judgements(catalog)
    if graph is not None:
        core = _judge(ref, artifact, catalog, scenario, graph)
    else:
        core = dataclasses.replace(memo.judge(artifact, scenario), ref=ref)
    if not with_upstream:
        return core
    assert core.lineage is not None
    upstream = tuple(memo.upstream(node, scenario) for node in lineage_mod.nodes(core.lineage))
    return dataclasses.replace(core, upstream=upstream)


def _judge(ref: ArtifactRef, artifact: Artifact, catalog: Catalog, scenario: Scenario,
           graph: LineageNode) -> Assessment:
    """The layers, verdict and risk of ``artifact`` on the lineage ``graph`` (no upstream list)."""
    ctx = Context(kb=catalog.kb, catalog=catalog, scenario=scenario, artifact=artifact, lineage=graph)
    if not ctx.laws:
        raise ValueError(f"no law recorded for jurisdiction {scenario.jurisdiction!r}")

    findings = layers.run(ctx)
    rules.apply(rules.for_kb(catalog.kb), ctx.facts, findings)
    provenance_top = str(ctx.facts.get("provenance_severity", "none"))

    found = tuple(findings[layer] for layer in LAYERS)
    verdict = worst([f.status for f in found])
    if verdict is Status.NOT_APPLICABLE:
        verdict = Status.ALLOWED
    risk = risk_of(verdict, findings, provenance_top)
    notes: list[Message] = []
    if scenario.obtained_on is None and artifact.history:
        notes.append(msg("note.obtained_today", date=scenario.as_of.isoformat()))
    cut = lineage_mod.truncated(graph)
    if cut:
        shown = ", ".join(n.id for n in cut[:5]) + (", …" if len(cut) > 5 else "")
        notes.append(msg("note.lineage_truncated", depth=str(lineage_mod.MAX_DEPTH), nodes=str(lineage_mod.MAX_NODES),
                         edges=str(lineage_mod.MAX_EDGES), count=str(len(cut)), artifacts=shown))
    return Assessment(
        ref=ref,
        artifact=artifact,
        scenario=scenario,
        verdict=verdict,
        risk=risk,
        layers=found,
        lineage=graph,
        license_in_force=ctx.license_in_force(),
        notes=tuple(notes),
    )


def scenario_in_context(catalog: Catalog, scenario: Scenario, artifact: Artifact | None) -> Scenario:
    """The scenario for an artifact met indirectly (in code or upstream): datasets are used for training.

    ``rules/acts.yaml``: ``dataset_activity_in_context`` replaces a product activity (deploy, serve, …).
    """
    acts = catalog.kb.rules.get("acts", {})
    target = acts.get("dataset_activity_in_context")
    if artifact is None or artifact.kind is not Kind.DATASET or not target:
        return scenario
    if scenario.activity.value not in acts.get("product_activities", ()):
        return scenario
    return dataclasses.replace(scenario, activity=Activity(target))


def _ref_for(node: LineageNode) -> ArtifactRef:
    kind = node.artifact.kind if node.artifact else None
    return ArtifactRef(kind=kind, id=node.id, scheme=node.id.split(":", 1)[0])

