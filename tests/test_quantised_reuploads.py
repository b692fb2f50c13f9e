"""Issue 11 item 2: quantised re-uploads whose card names the base inherit it (only where a source says so)."""

from __future__ import annotations

import pytest

from modelclear import api
from modelclear.catalog import KnowledgeBase
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("model", "license_id", "base", "grade"), [
    ("hf:bartowski/Meta-Llama-3.1-70B-Instruct-GGUF", "llama3.1", "hf:meta-llama/Llama-3.1-70B-Instruct", "V"),
    ("hf:legraphista/Meta-Llama-3.1-70B-Instruct-IMat-GGUF", "llama3.1", "hf:meta-llama/Llama-3.1-70B-Instruct", "V"),
    ("hf:bartowski/Llama-3.2-1B-Instruct-GGUF", "llama3.2", "hf:meta-llama/Llama-3.2-1B-Instruct", "S"),
    ("hf:QuantFactory/Meta-Llama-3.1-8B-GGUF", "llama3.1", "hf:meta-llama/Llama-3.1-8B", "S"),
])
def test_reupload_records_name_their_base(kb: KnowledgeBase, model: str, license_id: str, base: str,
                                          grade: str) -> None:
    art = kb.artifact(model)
    assert art is not None and art.license == license_id
    assert [(kb.canonical(b.target), b.relation) for b in art.base_models] == [(base, "quantized")]
    assert art.facts.get("quantized") == "gguf"
    assert [s.confidence.value for s in art.sources] == [grade]


def test_a_reupload_is_judged_with_its_base_in_the_lineage() -> None:
    found = api.check("hf:bartowski/Meta-Llama-3.1-70B-Instruct-GGUF", "JP")
    assert found.verdict.value != "unknown"
    assert [c.id for c in found.lineage.children] == ["hf:meta-llama/Llama-3.1-70B-Instruct"]


@pytest.mark.parametrize(("model", "base"), [
    # no card read for these and no publisher's table naming their original: no record of their own; the
    # name's inference (rules/reuploads.yaml, catalog.reupload) makes an inferred record of a quantised copy,
    # graded U, whose licence finding says so and is never stronger than uncertain (test_kb_reuploads_by_name)
    ("hf:bartowski/Qwen2.5-7B-Instruct-GGUF", "hf:Qwen/Qwen2.5-7B-Instruct"),
    ("hf:TheBloke/Mistral-7B-Instruct-v0.3-GPTQ", "hf:mistralai/Mistral-7B-Instruct-v0.3"),
    ("hf:mlx-community/Qwen2.5-7B-Instruct-4bit", "hf:Qwen/Qwen2.5-7B-Instruct"),
    ("hf:lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF", "hf:meta-llama/Meta-Llama-3-8B-Instruct"),
])
def test_reuploads_without_a_read_card_are_only_inferred(kb: KnowledgeBase, model: str, base: str) -> None:
    art = kb.artifact(model)
    assert art is not None and art.origin == "inferred"
    assert [s.confidence.value for s in art.sources] == ["U"]
    assert base in (art.sources[0].note or "")


@pytest.mark.parametrize("model", ["hf:google/owlv2-large-patch14-ensemble", "hf:google/owlv2-large-patch14-finetuned"])
def test_owlv2_cards(kb: KnowledgeBase, model: str) -> None:
    art = kb.artifact(model)
    assert art is not None and art.license == "Apache-2.0"
    assert [s.confidence.value for s in art.sources] == ["S"]
