"""The assess stage: scenario + lineage graph → one finding per legal layer → verdict and risk.

The stage reads what earlier stages made and never goes back to them: the artifacts are resolved
(catalog) and their lineage DAGs built (:func:`modelclear.lineage.forest`) before anything is judged;
:class:`Judgements` walks those DAGs, judging each artifact once per scenario.

The small core loop: build the context, ask each registered layer (:mod:`modelclear.assess.layers`:
same input, a :class:`~modelclear.assess.context.Context`; same output, a :class:`Finding`), apply
the interaction rules (data, checked against the declared facts of :mod:`modelclear.assess.facts`),
take the worst layer as the verdict, and grade the risk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from modelclear import lineage as lineage_mod
from modelclear.assess import layers, rules
from modelclear.assess.context import Context, HeldById, NodeMemo, msg, node_record, tables
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

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase

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


class Lineages(Protocol):
    """The lineage of a run, built before anything is judged (:class:`modelclear.lineage.Forest`)."""

    def graph(self, artifact_id: str) -> LineageNode:
        """The lineage DAG rooted at ``artifact_id``."""
        ...

    def truncated(self, artifact_id: str) -> list[LineageNode]:
        """The distinct nodes of that DAG whose upstream a bound cut."""
        ...


@dataclass
class Judgements:
    """Work shared by the assessments of one run (one ``check``, or every artifact of a ``scan``).

    The lineage is given (built once by the service, :func:`modelclear.lineage.forest`); each artifact
    is judged once per scenario on its own DAG, and each upstream assessment is made once per
    (artifact, scenario) however many artifacts of the run list it: an ancestor shared by many paths,
    or by many artifacts of a scan, costs one judgement. ``judged`` counts the judgements made.
    """

    kb: KnowledgeBase
    lineages: Lineages
    judged: int = 0
    _unknown: dict[tuple[str, Scenario], Assessment] = field(default_factory=dict, repr=False)
    _run_memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)  # Context.shared
    _scenarios: dict[Scenario, _PerScenario] = field(default_factory=dict, repr=False)
    _by_id: HeldById[Scenario, _PerScenario] = field(default_factory=HeldById, repr=False)

    def _of(self, scenario: Scenario) -> _PerScenario:
        """What the run holds for ``scenario`` (found by the object first: a scenario hashes all its fields)."""
        held = self._by_id.get(scenario)
        if held is not None:
            return held
        per = self._scenarios.get(scenario)
        if per is None:
            per = self._scenarios[scenario] = _PerScenario(self._run_memo.setdefault(("scenario", scenario), {}))
        return self._by_id.put(scenario, per)

    def judge(self, artifact: Artifact, scenario: Scenario) -> Assessment:
        """``artifact`` judged under ``scenario`` on its own lineage, without the upstream list (memoised)."""
        return self._judge_in(self._of(scenario), artifact, scenario)

    def _judge_in(self, per: _PerScenario, artifact: Artifact, scenario: Scenario) -> Assessment:
        done = per.done
        key = artifact.id.lower()
        found = done.get(key)
        if found is None:
            if key == artifact.id:  # kept by the id itself when it is lower-case already (one string less)
                key = artifact.id
            scheme = artifact.id.split(":", 1)[0]
            ref = ArtifactRef(kind=artifact.kind, id=artifact.id, scheme=_SCHEMES.setdefault(scheme, scheme))
            graph = self.lineages.graph(artifact.id)
            found = _judge(self.kb, ref, artifact, scenario, graph, self.lineages.truncated(artifact.id),
                           self._run_memo, per.memo)
            if artifact.origin == "local":  # your own model: the datasets it names were trained on by you
                from modelclear.assess import owntraining

                training = owntraining.training_scenario(self.kb.rules.get("acts", {}), scenario)
                found = owntraining.fold(found, self.kb.i18n, graph, lambda node: self.upstream_as(node, training))
                derivative = self.kb.rules.get("acts", {}).get("derivative_relations", ())
                governing = owntraining.governing_licence(self.kb.license, graph, derivative, found.license_in_force)
                found = dataclasses.replace(found, license_in_force=governing)
            done[key] = found
            self.judged += 1
        return found

    def upstream(self, node: LineageNode, scenario: Scenario) -> Assessment:
        """The assessment of an upstream node, in the context of the scenario it was reached under."""
        return self._upstream_in(self._of(scenario), node, scenario)

    def _upstream_in(self, per: _PerScenario, node: LineageNode, scenario: Scenario) -> Assessment:
        if node.artifact is None:
            return self._unknown_node(node, scenario)
        kind = node.artifact.kind
        in_context = per.in_context.get(kind)
        if in_context is None:
            in_context = per.in_context[kind] = scenario_in_context(self.kb, scenario, node.artifact)
        return self.judge(node.artifact, in_context)

    def _unknown_node(self, node: LineageNode, scenario: Scenario) -> Assessment:
        """The ``unknown`` assessment of a node the catalog has no record for (one per node and scenario)."""
        key = (node.id, scenario)
        found = self._unknown.get(key)
        if found is None:
            found = self._unknown[key] = _unknown(_ref_for(node), scenario)
        return found

    def upstream_as(self, node: LineageNode, scenario: Scenario) -> Assessment:
        """The assessment of an upstream node under ``scenario`` as given (not put in context)."""
        if node.artifact is None:
            return self._unknown_node(node, scenario)
        return self.judge(node.artifact, scenario)

    def assess(self, ref: ArtifactRef, artifact: Artifact | None, scenario: Scenario, *,
               with_upstream: bool = True) -> Assessment:
        """``ref`` (already resolved to ``artifact``, ``None`` when unknown) assessed under ``scenario``.

        With ``with_upstream``, the assessment lists every distinct artifact of its lineage, each judged
        under the scenario it is reached under; they are judged deepest first, so that what an artifact
        was built from is judged before it.
        """
        if artifact is None:
            return _unknown(ref, scenario)
        per = self._of(scenario)
        core = self._judge_in(per, artifact, scenario)
        if not with_upstream:
            return core if core.ref == ref else dataclasses.replace(core, ref=ref)
        assert core.lineage is not None
        records = tables(self.kb, per.memo).records
        upstream = self._below(per, scenario, records, core.lineage.children)
        if core.ref == ref:
            return dataclasses.replace(core, upstream=upstream)
        return dataclasses.replace(core, ref=ref, upstream=upstream)

    def _below(self, per: _PerScenario, scenario: Scenario, records: dict[int, NodeMemo],
               children: tuple[LineageNode, ...]) -> tuple[Assessment, ...]:
        """The assessments of every distinct node below ``children`` (the children of one node), in the
        order of :func:`modelclear.lineage.nodes`, each judged as :meth:`_upstream_in` judges it (under the
        scenario in context for its kind), what a node was built from before it.

        Found once per children tuple for the run and ``scenario`` (held in its :class:`NodeMemo`): below a
        single child, the list is that child's assessment followed by the list below it (a node's id never
        lies below it: an edge back to it is a cycle marker, which is not listed), so a fine-tune chain
        costs one step per artifact, not one per artifact and leaf. Below several children, it is each
        child's own list in turn, an id listed once (where a depth-first walk meets it first).
        """
        if not children:
            return ()
        record = node_record(records, children)
        held: tuple[Assessment, ...] | None = record.upstream
        if held is not None:
            return held
        if len(children) == 1:
            only = children[0]
            out: tuple[Assessment, ...] = ()
            if not only.cycle:
                below = self._below(per, scenario, records, only.children)
                out = (self._node_in(per, scenario, only), *below)
        else:
            listed: list[Assessment] = []
            seen: set[str] = set()
            for child in children:
                if child.cycle:
                    continue
                below = self._below(per, scenario, records, child.children)
                for found in (self._node_in(per, scenario, child), *below):
                    key = found.ref.id.lower()
                    if key not in seen:
                        seen.add(key)
                        listed.append(found)
            out = tuple(listed)
        record.upstream = out
        return out

    def _node_in(self, per: _PerScenario, scenario: Scenario, node: LineageNode) -> Assessment:
        """:meth:`_upstream_in` with what the run holds for the scenario in context found once per kind."""
        art = node.artifact
        if art is None:
            return self._unknown_node(node, scenario)
        found = per.by_kind.get(art.kind)
        if found is None:
            in_context = per.in_context.get(art.kind)
            if in_context is None:
                in_context = per.in_context[art.kind] = scenario_in_context(self.kb, scenario, art)
            found = per.by_kind[art.kind] = (in_context, self._of(in_context))
        return self._judge_in(found[1], art, found[0])


@dataclass
class _PerScenario:
    """The judgements of one run under one scenario, and what is shared among them."""

    memo: dict[Hashable, Any]  # Context.shared under this scenario
    done: dict[str, Assessment] = field(default_factory=dict)  # lower-cased id -> its judgement
    in_context: dict[Kind, Scenario] = field(default_factory=dict)  # scenario_in_context by kind
    by_kind: dict[Kind, tuple[Scenario, _PerScenario]] = field(default_factory=dict)  # and what the run holds for it


#: One string object per scheme for the refs of the judgements (``hf`` a million times is one string).
_SCHEMES: dict[str, str] = {}


def _judge(kb: KnowledgeBase, ref: ArtifactRef, artifact: Artifact, scenario: Scenario, graph: LineageNode,
           cut: list[LineageNode], run_memo: dict[Hashable, Any],
           scenario_memo: dict[Hashable, Any] | None = None) -> Assessment:
    """The layers, verdict and risk of ``artifact`` on the lineage ``graph`` (no upstream list).

    ``cut`` lists the nodes of ``graph`` whose upstream a bound cut (a note names them); ``run_memo``
    is the run's :meth:`Context.shared` store (``scenario_memo`` its part for ``scenario``, when known).
    """
    run_tables = tables(kb, scenario_memo) if scenario_memo is not None else None
    ctx = Context(kb=kb, scenario=scenario, artifact=artifact, lineage=graph, run_memo=run_memo,
                  scenario_memo=scenario_memo, _law_chain=run_tables.laws if run_tables is not None else None)
    if run_tables is not None and run_tables.laws is None:
        run_tables.laws = ctx.laws  # the same for every judgement under the scenario: found once
    if not ctx.laws:
        raise ValueError(f"no law recorded for jurisdiction {scenario.jurisdiction!r}")

    findings = layers.run(ctx)
    # The rules, the verdict and the risk depend on the facts (strings and booleans) and the findings
    # alone; layers hand out the same finding objects for equal inputs, so they are made once per run
    # for each combination (the findings are held with the result, so their ids name them meanwhile).
    facts = ctx.facts
    # One token per distinct set of facts (names and values in order: the same as the items, cheaper to hash).
    token = ctx.shared(("facts", tuple(facts), tuple(facts.values())), object)
    before = tuple(findings[layer] for layer in LAYERS)

    def decided() -> tuple[tuple[Finding, ...], tuple[Finding, ...], Status, Risk]:
        # What the rules do to each finding, the verdict and the risk depend on the facts and the findings'
        # statuses and weakest confidences alone: planned once per run for each combination of those.
        plan_key = (token, *(part for f in before for part in (f.status, f.weakest)))
        plan = ctx.shared(("rules.plan", plan_key), lambda: _plan(kb, facts, before))
        return (before, _applied(before, plan[0]), plan[1], plan[2])

    if ctx.unshared:  # a finding made for this judgement alone: nothing to find again
        made = decided()
    else:
        judged: dict[Hashable, tuple[tuple[Finding, ...], tuple[Finding, ...], Status, Risk]] = ctx.tables.judged
        if ctx.fresh:  # a finding made now: no combination holding it was judged before, and most are
            made = decided()  # never met again (a finding naming the artifact's bases): kept from the second
        else:
            key = (token, *map(id, before))
            held = judged.get(key)
            if held is None or any(a is not b for a, b in zip(held[0], before, strict=True)):
                held = judged[key] = decided()
            made = held
    found, verdict, risk = made[1], made[2], made[3]
    notes: list[Message] = []
    if scenario.obtained_on is None and artifact.history:
        notes.append(msg("note.obtained_today", date=scenario.as_of.isoformat()))
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


def _plan(kb: KnowledgeBase, facts: dict[str, Any], before: tuple[Finding, ...]
          ) -> tuple[tuple[Finding, ...], Status, Risk]:
    """What the matching interaction rules make of findings with the statuses and weakest confidences of
    ``before``: each finding as a skeleton (its final status, and only the reasons and citations the rules
    add), the verdict and the risk."""
    matching = tuple(r for r in rules.for_kb(kb) if r.matches(facts))
    skeletons = {f.layer: Finding(f.layer, f.status, weakest=f.weakest) for f in before}
    return _decided(matching, facts, skeletons)


def _applied(before: tuple[Finding, ...], planned: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """``before`` with what the rules add (:func:`_plan`): the same as applying them one by one."""
    # (a rule that adjusts a finding adds its reason: one without added reasons is untouched)
    return tuple(rules.amended(finding, plan.status, plan.reasons, plan.citations) if plan.reasons else finding
                 for finding, plan in zip(before, planned, strict=True))


def _decided(matching: Sequence[rules.Rule], facts: dict[str, Any], findings: dict[Layer, Finding]
             ) -> tuple[tuple[Finding, ...], Status, Risk]:
    """The findings after the interaction rules that match (``findings`` is changed), the verdict and the risk."""
    rules.apply(matching, facts, findings)
    provenance_top = str(facts.get("provenance_severity", "none"))
    found = tuple(findings[layer] for layer in LAYERS)
    verdict = worst([f.status for f in found])
    if verdict is Status.NOT_APPLICABLE:
        verdict = Status.ALLOWED
    return found, verdict, risk_of(verdict, findings, provenance_top)


def scenario_in_context(kb: KnowledgeBase, scenario: Scenario, artifact: Artifact | None) -> Scenario:
    """The scenario for an artifact met indirectly (in code or upstream): datasets are used for training.

    ``rules/acts.yaml``: ``dataset_activity_in_context`` replaces a product activity (deploy, serve, …).
    """
    acts = kb.rules.get("acts", {})
    target = acts.get("dataset_activity_in_context")
    if artifact is None or artifact.kind is not Kind.DATASET or not target:
        return scenario
    if scenario.activity.value not in acts.get("product_activities", ()):
        return scenario
    return dataclasses.replace(scenario, activity=Activity(target))


def _ref_for(node: LineageNode) -> ArtifactRef:
    kind = node.artifact.kind if node.artifact else None
    return ArtifactRef(kind=kind, id=node.id, scheme=node.id.split(":", 1)[0])

