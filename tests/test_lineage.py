"""Lineage through base models and datasets, cycles and missing records — on real catalog data and overlays."""

from __future__ import annotations

from pathlib import Path

import yaml

from modelclear import api, lineage
from modelclear.catalog import Catalog, KnowledgeBase

SOURCE = [{"url": "https://example.org/card", "checked": "2026-11-28", "confidence": "S"}]


def _overlay(tmp_path: Path, models: list[dict]) -> Catalog:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "test.yaml").write_text(yaml.safe_dump({"family": "test", "sources": SOURCE,
                                                                    "distributed_via": "huggingface",
                                                                    "models": models}))
    kb = KnowledgeBase.load(overlays=[tmp_path])
    return api.default_catalog(kb)


def test_real_lineage_reaches_training_data() -> None:
    catalog = api.default_catalog()
    tree = lineage.build("hf:sentence-transformers/all-MiniLM-L6-v2", catalog)
    ids = {n.id for _, n in lineage.walk(tree)}
    assert "dataset:ms-marco" in ids


def test_cycle_is_marked_not_followed(tmp_path: Path) -> None:
    catalog = _overlay(tmp_path, [
        {"id": "hf:test/a", "license": "MIT", "base_models": [{"target": "hf:test/b", "relation": "finetune"}]},
        {"id": "hf:test/b", "license": "MIT", "base_models": [{"target": "hf:test/a", "relation": "merge"}]},
    ])
    tree = lineage.build("hf:test/a", catalog)
    nodes = list(lineage.walk(tree))
    assert len(nodes) == 3
    assert nodes[-1][1].cycle and nodes[-1][1].id == "hf:test/a"
    a = api.check("hf:test/a", "JP", "deploy", "commercial", catalog=catalog)
    assert a.verdict.value == "allowed"


def test_missing_upstream_is_a_node_and_makes_finetune_licence_unknown(tmp_path: Path) -> None:
    catalog = _overlay(tmp_path, [
        {"id": "hf:test/child", "license": "Apache-2.0",
         "base_models": [{"target": "hf:nobody/missing-base", "relation": "finetune"}]},
    ])
    tree = lineage.build("hf:test/child", catalog)
    assert tree.children[0].artifact is None
    a = api.check("hf:test/child", "JP", "deploy", "commercial", catalog=catalog)
    assert a.layer(a.layers[2].layer).status.value == "unknown"
    assert a.verdict.value == "unknown"


def test_finetune_inherits_base_licence(tmp_path: Path) -> None:
    catalog = _overlay(tmp_path, [
        {"id": "hf:test/llama-ft", "license": "Apache-2.0",
         "base_models": [{"target": "hf:meta-llama/Llama-2-7b-hf", "relation": "finetune"}]},
    ])
    a = api.check("hf:test/llama-ft", "JP", "distill", "commercial", catalog=catalog)
    assert a.verdict.value == "prohibited"  # Llama 2 §1.b.v reaches the fine-tune
    assert any(m.key == "license.via" for m in a.layers[2].reasons)


def test_depth_is_bounded(tmp_path: Path) -> None:
    chain = [{"id": f"hf:test/m{i}", "license": "MIT",
              "base_models": [{"target": f"hf:test/m{i + 1}", "relation": "finetune"}]} for i in range(40)]
    catalog = _overlay(tmp_path, chain)
    depth = max(d for d, _ in lineage.walk(lineage.build("hf:test/m0", catalog)))
    assert depth <= lineage.MAX_DEPTH
