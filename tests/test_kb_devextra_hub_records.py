"""Issue 11 coverage (night session): Hub datasets, test fixtures and per-member licences read from their pages.

Each record says what its own page or its publisher's file says; a family that generalises from the pages it read
(a ``match_prefix`` family) grades its sources U, and a repository whose page states no licence is recorded as
granting none (``license: None``), never as permissive.
"""

from __future__ import annotations

import pytest
from kbrecords import best_confidence

from modelclear.catalog import KnowledgeBase
from modelclear.catalog.hosted import hosted_id
from modelclear.model import Confidence, Kind
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("aid", "license_id"), [
    ("hf-dataset:huggingface/documentation-images", "CC-BY-NC-SA-4.0"),
    ("hf-dataset:ethz/food101", None),
    ("hf-dataset:food101", None),
    ("hf-dataset:lj_speech", "Unlicense"),
    ("hf-dataset:gsm8k", "MIT"),
    ("hf-dataset:billsum", "CC0-1.0"),
    ("hf-dataset:wnut_17", "CC-BY-4.0"),
    ("hf-dataset:shibing624/nli_zh", None),  # a bundle: the card's CC-BY-4.0 is kept as a fact only
])
def test_hub_datasets_resolve_to_their_own_licence(kb: KnowledgeBase, aid: str, license_id: str | None) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.kind is Kind.DATASET
    assert art.license == license_id


def test_fixture_datasets_grant_nothing_and_unread_ones_are_uncertain(kb: KnowledgeBase) -> None:
    read = kb.artifact("hf-dataset:trl-internal-testing/zen")
    unread = kb.artifact("hf-dataset:trl-internal-testing/some-future-fixture")
    assert read is not None and unread is not None
    assert read.license is None and unread.license is None
    assert read.kind is Kind.DATASET and unread.kind is Kind.DATASET
    assert best_confidence(kb, "hf-dataset:trl-internal-testing/zen") is Confidence.VERIFIED
    assert unread.origin == "family" and best_confidence(kb, "hf-dataset:trl-internal-testing/some-future-fixture") is \
        Confidence.UNCERTAIN


@pytest.mark.parametrize("aid", [
    "hf:peft-internal-testing/tiny-random-BertModel",
    "hf:hf-internal-testing/tiny-random-LlamaForCausalLM",
    "hf:stevhliu/my_awesome_billsum_model",
    "hf-dataset:sentence-transformers/gooaq",
])
def test_unread_members_of_a_naming_pattern_are_graded_uncertain(kb: KnowledgeBase, aid: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin == "family"
    assert best_confidence(kb, aid) is Confidence.UNCERTAIN


def test_full_size_copies_in_test_organisations_keep_their_base(kb: KnowledgeBase) -> None:
    # Only tiny* names are vouched for by the PEFT fixture family; the OPT-125m copy is judged through OPT's licence.
    assert kb.artifact("hf:peft-internal-testing/zephyr-smol_llama-100m-sft-full") is None
    copy = kb.artifact("hf:peft-internal-testing/opt-125m")
    assert copy is not None and copy.license is None
    assert [(b.target, b.relation) for b in copy.base_models] == [("hf:facebook/opt-125m", "finetune")]


@pytest.mark.parametrize(("aid", "license_id"), [
    ("hf:black-forest-labs/FLUX.2-klein-4B", "Apache-2.0"),
    ("hf:black-forest-labs/FLUX.2-klein-base-4B", "Apache-2.0"),
    ("hf:Helsinki-NLP/opus-mt-fr-en", "Apache-2.0"),
    ("hf:jbetker/tortoise-tts-v2", "Apache-2.0"),
    ("hf:stabilityai/stable-video-diffusion-img2vid-xt", "stable-video-diffusion-nc-community"),
    ("hf:microsoft/layoutlmv2-base-uncased", "CC-BY-NC-SA-4.0"),
    ("hf:microsoft/mpnet-base", None),
    ("hf:dbmdz/bert-large-cased-finetuned-conll03-english", None),
])
def test_per_member_licences(kb: KnowledgeBase, aid: str, license_id: str | None) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin != "family"
    assert art.license == license_id


@pytest.mark.parametrize("aid", [
    "hf:black-forest-labs/FLUX.2-klein-9B",   # FLUX non-commercial licence: no record yet, so not judged
    "hf:Helsinki-NLP/opus-mt-en-ro",          # OPUS-MT licences differ by member: an unread one stays unknown
    "hf:lllyasviel/Annotators",               # a bundle of third-party checkpoints
])
def test_members_not_read_stay_unknown(kb: KnowledgeBase, aid: str) -> None:
    assert kb.artifact(aid) is None


def test_tortoise_release_files_resolve_to_the_repository(kb: KnowledgeBase) -> None:
    url = "url:https://huggingface.co/jbetker/tortoise-tts-v2/resolve/main/.models/autoregressive.pth"
    assert hosted_id(url) == "hf:jbetker/tortoise-tts-v2"
    art = kb.artifact("hf:jbetker/tortoise-tts-v2")
    assert art is not None and art.license == "Apache-2.0"
