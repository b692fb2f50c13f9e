"""The lineage of a run, built once (issue 9, item 2; issue 14, item 5).

:func:`modelclear.lineage.forest` builds the DAG of every artifact of a run and of everything upstream
of it before anything is judged. These tests hold it to :func:`modelclear.lineage.build` on real
overlay knowledge (seeded random DAGs with fine-tune chains deeper than the bound, merges, cycles,
missing bases written two ways, size bounds), count the catalog's answers, and check that the
assessment reads the DAGs without going back to the catalog or building lineage itself.
"""

from __future__ import annotations

import ast
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import api, ids, lineage
from modelclear.catalog import Catalog, KnowledgeBase
from modelclear.model import Artifact, LineageNode
from modelclear.service import Service

ASSESS = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "assess"
SOURCE = [{"url": "https://example.org/card", "checked": "2026-11-28", "confidence": "S"}]


@dataclass
class CountingCatalog(Catalog):
    """The real catalog, counting the ids it is asked for."""

    asked: Counter[str] = field(default_factory=Counter)

    def get(self, artifact_id: str) -> Artifact | None:
        """Count, then look up as usual."""
        self.asked[artifact_id.lower()] += 1
        return super().get(artifact_id)


def _catalog(folder: Path, models: list[dict[str, Any]]) -> CountingCatalog:
    (folder / "models").mkdir(parents=True)
    doc = {"family": "forest", "sources": SOURCE, "distributed_via": "huggingface", "models": models}
    (folder / "models" / "forest.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    kb = KnowledgeBase.load(overlays=[folder])
    return CountingCatalog(kb=kb)


def _random_models(seed: int, n: int) -> list[dict[str, Any]]:
    """``n`` models: chains (often deeper than the bound), merges, a few cycles and missing bases."""
    rng = random.Random(seed)
    models = []
    for i in range(n):
        entry: dict[str, Any] = {"id": f"hf:forest/m{i}", "license": rng.choice(["MIT", "Apache-2.0"])}
        draw = rng.random()
        bases: list[str] = []
        if draw < 0.6 and i + 1 < n:
            bases = [f"hf:forest/m{i + 1}"]  # a chain towards higher numbers
        elif draw < 0.8:
            bases = [f"hf:forest/m{rng.randrange(n)}" for _ in range(rng.choice((2, 3)))]  # a merge, maybe a cycle
        elif draw < 0.9:
            bases = [rng.choice(["hf:nobody/Missing", "hf:nobody/missing", "hf:nobody/other"])]
        if draw < 0.3:
            bases.append(f"hf:forest/m{rng.randrange(n)}")
        if bases:
            entry["base_models"] = [{"target": b, "relation": rng.choice(["finetune", "merge", "adapter"])}
                                    for b in bases]
        models.append(entry)
    return models


def _shape(root: LineageNode) -> list[tuple[Any, ...]]:
    """Everything a report reads of a DAG, in the order it is drawn (shared nodes by position)."""
    return [(depth, node.id, node.relation, node.artifact.id if node.artifact else None, node.cycle,
             node.truncated, repeat, len(node.children)) for depth, node, repeat in lineage.occurrences(root)]


@pytest.mark.parametrize(("seed", "n", "bounds"), [
    (1, 60, {}),
    (2, 120, {}),
    (3, 80, {"max_depth": 4}),
    (4, 80, {"max_depth": 5, "max_nodes": 12}),
    (5, 80, {"max_depth": 6, "max_edges": 15}),
])
def test_forest_graphs_are_the_builds(tmp_path: Path, seed: int, n: int, bounds: dict[str, int]) -> None:
    catalog = _catalog(tmp_path, _random_models(seed, n))
    ids = [f"hf:forest/m{i}" for i in range(n)]
    run = lineage.forest(catalog, ids, **bounds)
    # Each distinct id is asked of the catalog once for the whole run.
    assert max(catalog.asked.values()) == 1
    assert run.resolver.resolutions == len(catalog.asked)
    fresh = lineage.Resolver(catalog)
    for artifact_id in ids:
        built = lineage.build(artifact_id, fresh, **bounds)
        assert _shape(run.graph(artifact_id)) == _shape(built), artifact_id
        assert [x.id for x in run.truncated(artifact_id)] == [x.id for x in lineage.truncated(built)]
        # Everything upstream of a root has its own DAG too (it is judged on it).
        for node in lineage.nodes(built):
            if node.artifact is not None:
                assert _shape(run.graph(node.id)) == _shape(lineage.build(node.id, fresh, **bounds))
    # Some artifacts needed a build of their own (deep, cyclic or too big), most did not.
    assert 0 < run.built < len(run)


def test_whole_upstreams_share_their_nodes(tmp_path: Path) -> None:
    # m0 <- m1 <- ... <- m5 (each the fine-tune of the next) and a merge of m1 and m2: no build needed.
    models: list[dict[str, Any]] = [{"id": f"hf:forest/m{i}", "license": "MIT", "base_models": [
        {"target": f"hf:forest/m{i + 1}", "relation": "finetune"}]} for i in range(5)]
    models.append({"id": "hf:forest/m5", "license": "MIT"})
    models.append({"id": "hf:forest/merged", "license": "MIT", "base_models": [
        {"target": "hf:forest/m1", "relation": "merge"}, {"target": "hf:forest/m2", "relation": "merge"}]})
    catalog = _catalog(tmp_path, models)
    run = lineage.forest(catalog, ["hf:forest/m0", "hf:forest/merged"])
    assert run.built == 0 and len(run) == 7 and max(catalog.asked.values()) == 1
    m0, merged = run.graph("hf:forest/m0"), run.graph("hf:forest/merged")
    assert m0.children[0].children[0].children is merged.children[1].children  # what m2 was built from: once
    assert run.graph("hf:forest/m1").children is m0.children[0].children
    with pytest.raises(KeyError):
        run.graph("hf:forest/not-in-this-run")


def test_a_deep_chain_is_explored_no_further_than_builds_reach(tmp_path: Path) -> None:
    n = 200
    models: list[dict[str, Any]] = [{"id": f"hf:forest/m{i}", "license": "MIT", "base_models": [
        {"target": f"hf:forest/m{i + 1}", "relation": "finetune"}]} for i in range(n - 1)]
    models.append({"id": f"hf:forest/m{n - 1}", "license": "MIT"})
    catalog = _catalog(tmp_path, models)
    run = lineage.forest(catalog, ["hf:forest/m0"])
    depth = lineage.MAX_DEPTH
    # m0's DAG reaches m12; m1 … m12 are judged on their own DAGs, which reach m24: nothing further.
    assert set(catalog.asked) == {f"hf:forest/m{i}" for i in range(2 * depth + 1)}
    assert run.built == depth + 1
    assert [x.id for x in run.truncated("hf:forest/m0")] == [f"hf:forest/m{depth}"]


def test_the_assessment_never_goes_back_to_the_catalog(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, _random_models(7, 60))
    service = Service(catalog=catalog)
    scenarios = service.scenarios(["JP", "EU"], "deploy", "commercial")
    artifacts = [catalog.get(f"hf:forest/m{i}") for i in range(60)]
    memo = service.judgements(artifacts)
    asked = sum(catalog.asked.values())
    assessed = [memo.assess(service.catalog.resolve(ids.parse(a.id)), a, sc)
                for a in artifacts if a is not None for sc in scenarios]
    assert sum(catalog.asked.values()) == asked
    # Each artifact is judged once per scenario, however many upstream lists name it.
    assert memo.judged == 60 * 2
    # The same answers as a check of each artifact on its own.
    for a in assessed[:20]:
        alone = service.check(api.Question(id=a.ref.id, jurisdictions=(a.scenario.jurisdiction,)))
        b = alone.assessments[0]
        assert (b.ref, b.verdict, b.risk, b.layers, b.notes) == (a.ref, a.verdict, a.risk, a.layers, a.notes)
        assert [(u.ref, u.verdict, u.layers) for u in b.upstream] == [(u.ref, u.verdict, u.layers) for u in a.upstream]
        assert _shape(b.lineage) == _shape(a.lineage)  # type: ignore[arg-type]


def test_assess_imports_no_catalog_and_builds_no_lineage() -> None:
    for path in sorted(ASSESS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "modelclear.catalog":
                names = {a.name for a in node.names}
                assert names <= {"KnowledgeBase"}, (path.name, names)  # knowledge, not resolution
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in ("lineage", "lineage_mod"):
                assert node.attr not in ("build", "forest", "Forest", "Resolver"), (path.name, node.attr)
            assert not (isinstance(node, ast.Attribute) and node.attr == "catalog"), path.name
