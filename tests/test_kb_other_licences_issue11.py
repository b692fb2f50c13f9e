"""Issue 11 coverage (late-night session): releases whose cards say "License: other" or state their terms in prose.

Each record names the terms it read: NVIDIA's non-commercial source code licence (SegFormer, Audio Flamingo),
Magic Leap's academic agreement (SuperPoint, SuperGlue), LLaMA 1's licence inside IDEFICS, IP-Adapter-FaceID's
research-only statement, Amazon's terms for its reviews corpus. None of them may clear a commercial use; research
use stays possible where the terms allow it.
"""

from __future__ import annotations

import pytest
from kbrecords import best_confidence

from modelclear import api
from modelclear.catalog import KnowledgeBase
from modelclear.model import Confidence, Kind
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("aid", "license_id"), [
    ("hf:nvidia/mit-b0", "nvidia-source-code-license-nc"),
    ("hf:nvidia/segformer-b0-finetuned-ade-512-512", "nvidia-source-code-license-nc"),
    ("hf:nvidia/audio-flamingo-3-hf", "nvidia-source-code-license-nc"),
    ("hf:HuggingFaceM4/idefics-9b", "llama1-noncommercial"),
    ("hf:HuggingFaceM4/idefics-80b-instruct", "llama1-noncommercial"),
    ("hf:magic-leap-community/superpoint", "magicleap-academic-noncommercial"),
    ("hf:h94/IP-Adapter-FaceID", "ip-adapter-faceid-research-only"),
    ("hf:MariaK/layoutlmv2-base-uncased_finetuned_docvqa", "CC-BY-NC-SA-4.0"),
    ("hf-dataset:amazon_reviews_multi", "amazon-reviews-ml-terms"),
    ("hf-dataset:financial_phrasebank", "CC-BY-NC-SA-3.0"),
    ("hf-dataset:dair-ai/emotion", None),
])
def test_records_name_the_terms_read(kb: KnowledgeBase, aid: str, license_id: str | None) -> None:
    art = kb.artifact(aid)
    assert art is not None
    assert art.license == license_id


@pytest.mark.parametrize("aid", [
    "hf:nvidia/mit-b0",
    "hf:nvidia/segformer-b5-finetuned-cityscapes-1024-1024",  # by prefix
    "hf:nvidia/mit-b3",  # by prefix
    "hf:nvidia/audio-flamingo-3-hf",
    "hf:HuggingFaceM4/idefics-9b-instruct",
    "hf:magic-leap-community/superpoint",
    "hf:h94/IP-Adapter-FaceID",
    "hf:MariaK/layoutlmv2-base-uncased_finetuned_docvqa",
    "hf-dataset:amazon_reviews_multi",
    "hf-dataset:financial_phrasebank",
    "hf-dataset:dair-ai/emotion",
])
def test_no_commercial_clear(aid: str) -> None:
    found = api.check(aid, "JP", activity="deploy", purpose="commercial")
    assert found.artifact is not None
    assert found.verdict.value == "prohibited"


@pytest.mark.parametrize("aid", [
    "hf:nvidia/mit-b0",
    "hf:HuggingFaceM4/idefics-9b",
    "hf:magic-leap-community/superpoint",
    "hf:h94/IP-Adapter-FaceID",
    "hf-dataset:amazon_reviews_multi",
])
def test_research_use_is_not_refused_by_a_research_licence(aid: str) -> None:
    found = api.check(aid, "JP", activity="deploy", purpose="research")
    assert found.verdict.value in {"allowed", "conditional"}


def test_prefix_members_not_read_are_graded_uncertain(kb: KnowledgeBase) -> None:
    for aid in ("hf:nvidia/segformer-b4-finetuned-ade-512-512", "hf:nvidia/mit-b2", "hf:facebook/esm2_t48_15B_UR50D",
                "hf:sd-concepts-library/gta5-artwork"):
        art = kb.artifact(aid)
        assert art is not None and art.origin == "family", aid
        assert best_confidence(kb, aid) is Confidence.UNCERTAIN, aid
    # Neighbouring names of the same organisations are not vouched for.
    assert kb.artifact("hf:nvidia/segformer") is None
    assert kb.artifact("hf:nvidia/parakeet-tdt-0.6b-v9") is None


def test_reviewed_dataset_records_take_the_hub_ids_from_the_collection(kb: KnowledgeBase) -> None:
    for aid, rid in (("hf-dataset:amazon_reviews_multi", "dataset:amazon-reviews-multi"),
                     ("hf-dataset:financial_phrasebank", "dataset:financial-phrasebank"),
                     ("hf-dataset:dair-ai/emotion", "dataset:emotion")):
        art = kb.artifact(aid)
        assert art is not None and art.id == rid and art.kind is Kind.DATASET


@pytest.mark.parametrize(("url", "license_id"), [
    ("url:https://openaipublic.azureedge.net/main/shap-e/transmitter.pt", "MIT"),
    ("url:https://openaipublic.azureedge.net/main/point-e/base_40m_textvec.pt", "MIT"),
    ("url:https://github.com/isl-org/ZoeDepth/releases/download/v1.0/ZoeD_M12_K.pt", "MIT"),
])
def test_release_paths_resolve_to_their_release(kb: KnowledgeBase, url: str, license_id: str) -> None:
    art = kb.artifact(url)
    assert art is not None and art.license == license_id


def test_neighbouring_release_paths_stay_unknown(kb: KnowledgeBase) -> None:
    # Only the two 3D releases are vouched for, not the whole openaipublic container.
    assert kb.artifact("url:https://openaipublic.azureedge.net/main/some-other-project/model.pt") is None
    assert kb.artifact("url:https://github.com/isl-org/ZoeDepth/archive/refs/heads/main.zip") is None


def test_animatediff_checkpoints_and_their_diffusers_ports(kb: KnowledgeBase) -> None:
    main = kb.artifact("hf:guoyww/animatediff")
    port = kb.artifact("hf:guoyww/animatediff-motion-adapter-v1-5-3")
    assert main is not None and main.license == "Apache-2.0" and main.origin != "family"
    assert port is not None and port.license == "Apache-2.0" and port.origin == "family"
    assert best_confidence(kb, "hf:guoyww/animatediff-motion-adapter-v1-5-3") is Confidence.UNCERTAIN


def test_lightglue_release_keeps_superpoint_under_its_own_agreement(kb: KnowledgeBase) -> None:
    base = "url:https://github.com/cvg/LightGlue/releases/download/v0.1_arxiv/"
    matcher = kb.artifact(base + "superpoint_lightglue.pth")
    superpoint = kb.artifact(base + "superpoint_v1.pth")
    assert matcher is not None and matcher.license == "Apache-2.0"
    assert superpoint is not None and superpoint.license == "magicleap-academic-noncommercial"
    # Files are listed one by one: an unlisted file of the same release is not vouched for.
    assert kb.artifact(base + "unlisted_weights.pth") is None
    found = api.check(base + "superpoint_v1.pth", "JP", activity="deploy", purpose="commercial")
    assert found.verdict.value == "prohibited"
