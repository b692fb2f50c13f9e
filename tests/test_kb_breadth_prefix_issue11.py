"""Issue 11, breadth over depth: publishers' naming patterns, copies of Meta's weights, registry addresses.

A prefix family judges every unread id under its prefix by the family licence; reviewed records keep their own; ids
outside the prefixes (other generations, other licences in the same organisation) stay unknown; a family that infers
from members it read never grades an unread id stronger than uncertain, and a publisher's own table at most secondary.
"""

from __future__ import annotations

import pytest

from modelclear.catalog import KnowledgeBase
from modelclear.model import Confidence
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _best(art) -> Confidence:  # type: ignore[no-untyped-def]
    return max((s.confidence for s in art.sources), key=lambda c: c.rank)


@pytest.mark.parametrize(("aid", "license_id", "best"), [
    ("hf:meta-llama/Llama-3.2-1B-Instruct-QLORA_INT4_EO8", "llama3.2", Confidence.SECONDARY),
    ("hf:meta-llama/Meta-Llama-3.1-405B-FP8", "llama3.1", Confidence.SECONDARY),
    ("hf:meta-llama/Llama-2-7b-chat", "llama2", Confidence.SECONDARY),
    ("hf:NousResearch/Llama-2-7b-hf", "llama2", Confidence.UNCERTAIN),
    ("hf:NousResearch/Meta-Llama-3-8B", "llama3", Confidence.UNCERTAIN),
    ("hf:codellama/CodeLlama-34b-hf", "llama2", Confidence.UNCERTAIN),
    ("hf:EleutherAI/pythia-1.4b-deduped", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:mistralai/Mistral-7B-Instruct-v0.3-GPTQ", "Apache-2.0", Confidence.SECONDARY),  # Mistral's own list
    ("hf:mistralai/Mistral-Nemo-Base-2407", "Apache-2.0", Confidence.SECONDARY),
    ("hf:mistralai/Mistral-Large-Instruct-2411", "mrl", Confidence.SECONDARY),
    ("hf:mistralai/Codestral-22B-v0.1-GGUF", "mnpl", Confidence.SECONDARY),
    ("hf:zai-org/GLM-4.5-Air-FP8", "MIT", Confidence.UNCERTAIN),
    ("hf:cerebras/Cerebras-GPT-1.3B", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:google/gemma-2-2b-jpn-it", "gemma", Confidence.UNCERTAIN),
    ("hf:google/mt5-base", "Apache-2.0", Confidence.UNCERTAIN),
    ("hf:microsoft/Phi-4-reasoning", "MIT", Confidence.UNCERTAIN),
    ("hf:facebook/musicgen-melody", "CC-BY-NC-4.0", Confidence.SECONDARY),
    ("hf:CohereForAI/c4ai-command-r7b-12-2024", "CC-BY-NC-4.0", Confidence.UNCERTAIN),
    ("hf:facebook/metaclip-b16-fullcc2.5b", "CC-BY-NC-4.0", Confidence.UNCERTAIN),
    ("hf:BAAI/bge-small-en-v1.5-onnx", "MIT", Confidence.UNCERTAIN),
])
def test_an_unread_id_under_a_publisher_prefix_gets_the_family_licence(kb: KnowledgeBase, aid: str, license_id: str,
                                                                        best: Confidence) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin == "family"
    assert art.license == license_id
    # the Llama families rest on Meta's own table of generations and licences: S, never V, for an unread repository
    assert _best(art) is best


@pytest.mark.parametrize(("aid", "license_id"), [
    ("hf:BAAI/bge-reranker-large", "Apache-2.0"),       # a reviewed record, outside bge-large-
    ("hf:meta-llama/Llama-3.2-11B-Vision", "llama3.2"),  # reviewed record wins (its own facts)
])
def test_reviewed_records_and_other_prefixes_are_untouched(kb: KnowledgeBase, aid: str, license_id: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin != "family" and art.license == license_id


def test_gemma_4_keeps_its_own_prefix(kb: KnowledgeBase) -> None:
    art = kb.artifact("hf:google/gemma-4-E2B-it")  # not Gemma 1/2's terms (google/gemma-2b, google/gemma-2-)
    assert art is not None and art.license == "Apache-2.0"


@pytest.mark.parametrize("aid", [
    "hf:google/gemma-5-9b",                 # a future generation: not assumed
    "hf:EleutherAI/gpt-neox-20b-x",          # GPT-NeoX is not GPT-Neo
    "hf:mistralai/Ministral-8B-Instruct-2410",  # Mistral's research licence family: no prefix
    "hf:jinaai/jina-embeddings-v3-x",        # v3 is non-commercial: not under the v2 prefix
    "hf:NousResearch/Nous-Hermes-Llama2-13b",  # a fine-tune with its own card, not a copy's name
])
def test_ids_outside_the_new_prefixes_stay_unknown(kb: KnowledgeBase, aid: str) -> None:
    assert kb.artifact(aid) is None


@pytest.mark.parametrize(("url", "record"), [
    ("https://github.com/ultralytics/assets/releases/download/v0.0.0/yolov8n.pt", "ultralytics:yolov8n"),
    ("https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n.pt", "ultralytics:yolo11n"),
    ("https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/vit_b_32-laion2b_e16-af8dbd0c.pth",
     "open_clip:ViT-B-32/laion2b_e16"),
])
def test_registry_download_addresses_resolve_to_their_record(kb: KnowledgeBase, url: str, record: str) -> None:
    art = kb.artifact("url:" + url)
    assert art is not None and art.id == record


def test_whisper_checkpoint_address_resolves_to_its_size(kb: KnowledgeBase) -> None:
    art = kb.artifact("url:https://openaipublic.azureedge.net/main/whisper/models/ed3a0b6b1c0edf879ad9b11b1af5a0e6ab5db9205f891f668f8b0e6c6326e34e/base.pt")
    assert art is not None and art.id == "whisper:base" and art.license == "MIT"


def test_ultralytics_sample_data_is_not_claimed(kb: KnowledgeBase) -> None:
    art = kb.artifact("url:https://github.com/ultralytics/assets/releases/download/v0.0.0/coco8.zip")
    assert art is None or not art.id.startswith("ultralytics:")


def test_metaclip_release_addresses_are_non_commercial(kb: KnowledgeBase) -> None:
    art = kb.artifact("url:https://dl.fbaipublicfiles.com/MMPT/metaclip/h14_fullcc2.5b.pt")
    assert art is not None and art.license == "CC-BY-NC-4.0"
    assert kb.artifact("url:https://dl.fbaipublicfiles.com/MMPT/other/b32.pt") is None or \
        kb.artifact("url:https://dl.fbaipublicfiles.com/MMPT/other/b32.pt").license != "CC-BY-NC-4.0"  # type: ignore[union-attr]


@pytest.mark.parametrize(("aid", "license_id"), [
    # quantisation tags of a size whose licence differs from the library name's family: were Apache-2.0 / MIT
    ("ollama:qwen2.5:3b-instruct-q4_K_M", "tongyi-qianwen-research"),
    ("ollama:qwen2.5:72b-instruct", "qwen"),
    ("ollama:qwen2:72b-instruct-q4_0", "tongyi-qianwen"),
    ("ollama:qwen2.5-coder:3b-instruct-q8_0", "tongyi-qianwen-research"),
    ("ollama:deepseek-r1:8b-llama-distill-q4_K_M", "llama3.1"),
    ("ollama:deepseek-r1:70b-llama-distill-q8_0", "llama3.3"),
    # the other sizes keep the library name's family
    ("ollama:qwen2.5:32b-instruct", "Apache-2.0"),
    ("ollama:qwen2.5-coder:7b", "Apache-2.0"),
    ("ollama:deepseek-r1:7b-qwen-distill-q4_K_M", "MIT"),
    ("ollama:mistral-nemo", "Apache-2.0"),
    ("ollama:all-minilm:l6-v2", "Apache-2.0"),
    ("ollama:bge-m3", "MIT"),
])
def test_ollama_tags_follow_the_size_they_name(kb: KnowledgeBase, aid: str, license_id: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.license == license_id
    assert _best(art) is Confidence.UNCERTAIN


@pytest.mark.parametrize(("aid", "record", "license_id"), [
    ("hf-dataset:mmlu", "hf-dataset:cais/mmlu", "MIT"),
    ("hf-dataset:hendrycks_test", "hf-dataset:cais/mmlu", "MIT"),
    ("hf-dataset:ai2_arc", "hf-dataset:allenai/ai2_arc", "CC-BY-SA-4.0"),
    ("hf-dataset:samsum", "hf-dataset:Samsung/samsum", "CC-BY-NC-ND-4.0"),
    ("hf-dataset:openai_humaneval", "hf-dataset:openai/openai_humaneval", "MIT"),
    ("hf-dataset:vicgalle/alpaca-gpt4", "hf-dataset:vicgalle/alpaca-gpt4", "CC-BY-NC-4.0"),
])
def test_popular_hub_datasets_and_their_legacy_names(kb: KnowledgeBase, aid: str, record: str, license_id: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.id == record and art.license == license_id


@pytest.mark.parametrize(("aid", "record"), [
    ("hf-dataset:xsum", "dataset:xsum"), ("hf-dataset:EdinburghNLP/xsum", "dataset:xsum"),
    ("hf-dataset:opus_books", "dataset:opus-books"), ("hf-dataset:kde4", "dataset:kde4"),
    ("hf-dataset:swag", "dataset:swag"),
])
def test_unspecified_collection_tasks_give_way_to_honest_records(kb: KnowledgeBase, aid: str, record: str) -> None:
    # the Data Provenance Collection said "Unspecified"; nothing read grants a licence: none granted, graded U
    art = kb.artifact(aid)
    assert art is not None and art.id == record and art.license is None
    assert _best(art) is Confidence.UNCERTAIN


def test_tinyvit_release_files_are_recorded_without_a_licence(kb: KnowledgeBase) -> None:
    art = kb.artifact("url:https://github.com/wkcn/TinyViT-model-zoo/releases/download/checkpoints/"
                      "tiny_vit_21m_22kto1k_distill.pth")
    assert art is not None and art.license is None  # no licence stated anywhere for the files: none granted
    assert kb.artifact("url:https://github.com/wkcn/other-repo/releases/download/x/model.pth") is None


@pytest.mark.parametrize("aid", ["hf:meta-llama/Llama-3.2-11B-Vision-Instruct-FP8",
                                 "hf:meta-llama/Llama-4-Scout-17B-16E-Instruct-FP8"])
def test_unread_multimodal_llama_names_carry_the_fact_the_eu_clause_needs(kb: KnowledgeBase, aid: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin == "family" and art.facts.get("multimodal") is True


@pytest.mark.parametrize(("url", "license_id"), [
    ("https://dl.fbaipublicfiles.com/maskformer/mask2former/coco/panoptic/maskformer2_R50_bs16_50ep/model_final_94dc52.pkl",
     "CC-BY-NC-4.0"),  # the model zoo's licence, not the code's MIT
    ("https://dl.fbaipublicfiles.com/maskformer/video_mask2former/ytvis_2019/video_maskformer2_R50/model.pkl",
     "CC-BY-NC-4.0"),
    ("https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/model_base_capfilt_large.pth",
     "BSD-3-Clause"),
])
def test_research_release_folders(kb: KnowledgeBase, url: str, license_id: str) -> None:
    art = kb.artifact("url:" + url)
    assert art is not None and art.license == license_id


def test_blip_bucket_annotation_files_are_not_the_models_release(kb: KnowledgeBase) -> None:
    art = kb.artifact("url:https://storage.googleapis.com/sfr-vision-language-research/BLIP/datasets/vqa_train.json")
    assert art is None or art.license != "BSD-3-Clause"
