"""Issue 11 coverage: Hub organisations' naming patterns (``models/hf_prefix/*.yaml``) judge ids no record names.

A prefix family vouches for every id under its prefix with the family's licence; a reviewed record of the same id
wins, an id outside the prefix is not touched, and a family that generalises from the cards it read grades its
sources U, so the licence finding of an unread id is never stronger than uncertain.
"""

from __future__ import annotations

import pytest

from modelclear.catalog import KnowledgeBase
from modelclear.model import Confidence
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("aid", "license_id", "best"), [
    ("hf:sentence-transformers/bert-large-nli-stsb-mean-tokens", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:cross-encoder/stsb-distilroberta-base", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:kandinsky-community/kandinsky-2-2-decoder", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:pyannote/embedding", "MIT", Confidence.UNCERTAIN),
    ("hf:ibm-granite/granite-4.0-h-tiny", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:HuggingFaceTB/SmolLM2-135M", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:lllyasviel/control_v11f1p_sd15_depth", "openrail", Confidence.UNCERTAIN),
    ("hf:trl-internal-testing/tiny-Qwen2ForCausalLM-2.5", None, Confidence.UNCERTAIN),
    ("hf:google/ddpm-cifar10-32", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:openlm-research/open_llama_3b_v2", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:google/gemma-3n-E4B-it", "gemma", Confidence.UNCERTAIN),
    ("hf:latent-consistency/lcm-lora-ssd-1b", "openrail++", Confidence.UNCERTAIN),
    ("hf:stable-diffusion-v1-5/stable-diffusion-inpainting", "CreativeML-OpenRAIL-M", Confidence.UNCERTAIN),
    ("hf:microsoft/git-large-coco", "MIT", Confidence.UNCERTAIN),
    ("hf:google/owlvit-large-patch14", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:sentence-transformers-testing/stsb-bert-tiny-safetensors", None, Confidence.UNCERTAIN),
    ("hf:Qwen/Qwen3-VL-4B-Instruct", "Apache-2.0", Confidence.SECONDARY),
    ("hf:Qwen/Qwen3.6-35B-A3B", "Apache-2.0", Confidence.SECONDARY),
    ("hf:google/gemma-4-E2B-it", "Apache-2.0", Confidence.SECONDARY),
])
def test_an_unread_id_under_a_prefix_gets_the_family_licence(kb: KnowledgeBase, aid: str, license_id: str | None,
                                                              best: Confidence) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin == "family"
    assert art.license == license_id
    assert max((s.confidence for s in art.sources), key=lambda c: c.rank) is best


@pytest.mark.parametrize(("aid", "license_id"), [
    ("hf:pyannote/speaker-diarization-community-1", "CC-BY-4.0"),  # a reviewed record wins over pyannote/*
    ("hf:Qwen/Qwen2.5-3B-Instruct", "tongyi-qianwen-research"),     # not under Qwen/Qwen3-
    ("hf:google/gemma-3-4b-it", "gemma"),                             # Gemma 3 is not Gemma 4
])
def test_reviewed_records_and_other_prefixes_are_untouched(kb: KnowledgeBase, aid: str, license_id: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin != "family" and art.license == license_id


@pytest.mark.parametrize("aid", ["hf:google/gemma-5-9b", "hf:Qwen/Qwen3", "hf:lllyasviel/Annotators",
                                 "hf:cross-encoder-testing/reranker-bert-tiny-gooaq-bce"])
def test_ids_outside_every_prefix_stay_unknown(kb: KnowledgeBase, aid: str) -> None:
    assert kb.artifact(aid) is None


def test_unsloth_reupload_inherits_its_original(kb: KnowledgeBase) -> None:
    art = kb.artifact("hf:unsloth/llama-3-8b-bnb-4bit")
    original = kb.artifact("hf:meta-llama/Meta-Llama-3-8B")
    assert art is not None and original is not None and art.license == original.license
    assert [(b.target, b.relation) for b in art.base_models] == [("hf:meta-llama/Meta-Llama-3-8B", "quantized")]


@pytest.mark.parametrize("aid", ["hf:codellama/CodeLlama-7b-Foo-hf", "hf:BAAI/bge-base-xx-v9"])
def test_a_licence_only_a_naming_rule_gives_says_so_first_with_the_rules_source(aid: str) -> None:
    # the licence finding of an unread repository must not read as the repository's own licence: its first
    # reason names the rule and its note, its first citation is the rule's own (U) source
    from modelclear import api
    from modelclear.model import Layer

    finding = api.check(aid, "JP").layer(Layer.LICENSE)
    assert finding is not None
    assert finding.reasons[0].key == "license.family_rule"
    assert finding.citations[0].confidence is Confidence.UNCERTAIN
    reviewed = api.check("hf:BAAI/bge-base-en-v1.5", "JP").layer(Layer.LICENSE)
    assert reviewed is not None and all(r.key != "license.family_rule" for r in reviewed.reasons)
