"""Your own training act (issue 12 item 4): the datasets you trained a local model on, judged as training by you.

A catalogued model's training data was used by its maker, elsewhere: for its users it is provenance. A
local artifact (``origin == "local"``) is your own model, so the datasets its files name (its card's
``datasets``, a GGUF's ``general.datasets``) were used by you, in the scenario's jurisdiction, under the
terms you obtained them under (the scenario's accepted terms and date). Each is judged for the training
act (``rules/acts.yaml``: ``dataset_activity_in_context``, default ``train``) like a dataset checked on
its own, and its copyright, contract and licence findings are folded into the model's layer by layer: a
layer becomes the worse of the two, with a reason naming the dataset and the file that lists it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from typing import Any

from modelclear.assess.context import msg
from modelclear.model import Activity, Assessment, Finding, Layer, LineageNode, LocalText, Scenario, Status, worst

#: The layers a training act is judged in (provenance stays about what others did upstream).
LAYERS = (Layer.COPYRIGHT, Layer.CONTRACT, Layer.LICENSE)


def training_scenario(rules: Mapping[str, object], scenario: Scenario) -> Scenario:
    """``scenario`` with the training act as its activity (same jurisdiction, terms, dates)."""
    target = rules.get("dataset_activity_in_context") or "train"
    return dataclasses.replace(scenario, activity=Activity(str(target)))


def _word(i18n: Mapping[str, Mapping[str, str]], key: str, fallback: str) -> LocalText:
    return LocalText(en=i18n.get("en", {}).get(key, fallback), ja=i18n.get("ja", {}).get(key, fallback))


def fold(core: Assessment, i18n: Mapping[str, Mapping[str, str]], graph: LineageNode,
         judge: Callable[[LineageNode], Assessment]) -> Assessment:
    """``core`` (a local artifact's assessment) with the training act on each of its datasets folded in.

    ``judge`` gives a dataset node's assessment under the training scenario.
    """
    datasets = [child for child in graph.children if child.relation == "trained_on" and not child.cycle]
    if not datasets:
        return core
    upstream = {r.target.lower(): r for r in (core.artifact.upstream if core.artifact else ())}
    by_layer = {f.layer: f for f in core.layers}
    for node in datasets:
        judged = judge(node)
        names = [node.id, *(node.artifact.aliases if node.artifact is not None else ())]
        link = next((upstream[n.lower()] for n in names if n.lower() in upstream), None)
        where = link.source.note if link is not None and link.source is not None else node.id
        name = node.artifact.name if node.artifact is not None else node.id
        for layer in LAYERS:
            mine, theirs = by_layer.get(layer), next((f for f in judged.layers if f.layer is layer), None)
            if mine is None or theirs is None:
                continue
            reason = msg("local.trained_by_you", dataset=name, where=where, jurisdiction=core.scenario.jurisdiction,
                         layer=_word(i18n, f"ui.layer.{layer.value}", layer.value),
                         status=_word(i18n, f"ui.status.{theirs.status.value}", theirs.status.value))
            status = mine.status
            if theirs.status is not Status.NOT_APPLICABLE and (
                    mine.status is Status.NOT_APPLICABLE or theirs.status.severity > mine.status.severity):
                status = theirs.status
            by_layer[layer] = Finding(
                layer, status, (*mine.reasons, reason, *theirs.reasons[:3]),
                (*mine.obligations, *(o for o in theirs.obligations if o not in mine.obligations)),
                (*mine.citations, *(c for c in theirs.citations[:4] if c not in mine.citations)),
                (*mine.caveats, *theirs.caveats[:2]),
                min(mine.weakest, theirs.weakest, key=lambda c: c.rank) if status is not mine.status else mine.weakest)
    # Provenance's "its terms bind whoever accepted them, not users of the trained model" is about
    # someone else's training; yours was judged above.
    dataset_names = {(n.artifact.name if n.artifact is not None else n.id) for n in datasets}
    provenance = by_layer.get(Layer.PROVENANCE)
    if provenance is not None:
        kept = tuple(m for m in provenance.reasons
                     if not (m.key == "provenance.nc_data" and str(m.params.get("artifact")) in dataset_names))
        if kept != provenance.reasons:
            by_layer[Layer.PROVENANCE] = dataclasses.replace(provenance, reasons=kept or (msg("provenance.clean"),))
    layers = tuple(by_layer[f.layer] for f in core.layers)
    verdict = worst([f.status for f in layers])
    if verdict is Status.NOT_APPLICABLE:
        verdict = Status.ALLOWED
    if verdict is core.verdict:
        return dataclasses.replace(core, layers=layers)
    from modelclear.assess import risk_of

    return dataclasses.replace(core, layers=layers, verdict=verdict,
                               risk=risk_of(verdict, {f.layer: f for f in layers}, "none"))


def governing_licence(kb_license: Callable[[str], Any], graph: LineageNode, derivative: Collection[str],
                      declared: str | None) -> str | None:
    """The licence that governs your own model: the nearest base licence that passes to derivatives.

    Reached through ``derivative`` relations, breadth first; ``declared`` (its own files' licence) when no
    base licence passes on. ``kb_license`` maps a licence id to its record.
    """
    queue = [graph]
    seen = {graph.id.lower()}
    while queue:
        node = queue.pop(0)
        for child in node.children:
            if child.relation not in derivative or child.cycle or child.id.lower() in seen:
                continue
            seen.add(child.id.lower())
            if child.artifact is not None and child.artifact.license:
                lic = kb_license(child.artifact.license)
                if lic is not None and lic.passes_to_derivatives:
                    return str(lic.id)
            queue.append(child)
    return declared
