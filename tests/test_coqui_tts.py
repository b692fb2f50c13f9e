"""Issue 11: Coqui TTS's released models (coqui-tts:TYPE/LANG/DATASET/MODEL) from the package's TTS/.models.json.

The snippet below is written for these tests in the shape of the model list; the ``network`` test runs the real
extractor on the real wheels (from the cache, or fetched with ``pip download`` from PyPI).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelclear import api
from modelclear.catalog import KnowledgeBase
from modelclear.service import load_knowledge
from tools.extract import EXTRACTORS, SourceArchive, coqui_tts
from tools.extract._archive import default_cache, download

GENERATED = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data" / "models" / "_generated"
XTTS = "coqui-tts:tts_models/multilingual/multi-dataset/xtts_v2"
YOURTTS = "coqui-tts:tts_models/multilingual/multi-dataset/your_tts"
BARK = "coqui-tts:tts_models/multilingual/multi-dataset/bark"
GLOW = "coqui-tts:tts_models/en/ljspeech/glow-tts"  # "license": "MPL"

CURRENT = {
    "tts_models": {
        "en": {
            "ljspeech": {
                "glow-tts": {"github_rls_url": "https://example.org/v1/glow.zip", "license": "MPL", "description": ""},
                "vits--neon": {"github_rls_url": "https://example.org/v1/shared.zip", "license": "bsd-3-clause"},
            },
            "vctk": {"vits": {"github_rls_url": "https://example.org/v1/shared.zip", "license": "apache 2.0"}},
            "ek1": {"tacotron2": {"repo_id": "tts-hub/tacotron2-en-ek1", "license": "apache 2.0",
                                  "description": "Tacotron2 model trained on M-AILABS dataset (speaker EK1)"}},
        },
        "multilingual": {"multi-dataset": {"xtts_v2": {"repo_id": "tts-hub/XTTS-v2", "license": "CPML",
                                                       "tos_required": True}}},
        "de": {"css10": {"vits": {"repo_id": "someone/else", "allow": ["a/*"], "license": "custom - see x"}}},
    },
}
OLD = {
    "tts_models": {
        "multilingual": {"multi-dataset": {"xtts_v2": {
            "hf_url": ["https://coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/model.pth",
                       "https://coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/config.json"], "license": "CPML"}}},
        "en": {"sam": {"tacotron-DDC": {"github_rls_url": "https://gateway.example.org/sam.zip",
                                        "license": "apache 2.0"}}},
    },
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def test_records_from_a_model_list() -> None:
    models = coqui_tts.records(json.dumps(CURRENT), json.dumps(OLD), "https://pypi.org/new", "https://pypi.org/old")
    by_id = {m.id: m for m in models}
    assert set(by_id) == {GLOW, "coqui-tts:tts_models/en/ljspeech/vits--neon", "coqui-tts:tts_models/en/vctk/vits",
                          "coqui-tts:tts_models/en/ek1/tacotron2", XTTS, "coqui-tts:tts_models/de/css10/vits",
                          "coqui-tts:tts_models/en/sam/tacotron-DDC"}  # a name only the old list has is kept
    glow = by_id[GLOW].to_json()
    assert glow["license"] == "MPL-2.0" and glow["datasets"] == ["dataset:dpc.ljspeech"]
    assert [d["prefix"] for d in glow["downloads"]] == ["url:https://example.org/v1/glow.zip"]
    assert glow["downloads"][0]["exact"] is True and glow["downloads"][0]["source"]["url"] == "https://pypi.org/new"
    # an address two entries name belongs to neither
    assert "downloads" not in by_id["coqui-tts:tts_models/en/vctk/vits"].to_json()
    assert by_id["coqui-tts:tts_models/en/vctk/vits"].datasets == ()  # VCTK: no dataset record here
    assert by_id["coqui-tts:tts_models/en/ek1/tacotron2"].datasets == ("dataset:dpc.m-ailabs",)  # by description
    xtts = by_id[XTTS].to_json()
    assert xtts["license"] == "cpml-1.0" and xtts["hf_hub_id"] == "tts-hub/XTTS-v2"
    assert xtts["distributed_via"] == "huggingface" and "distributed_via" not in glow
    assert xtts["aliases"] == ["hf:coqui/XTTS-v2"] and xtts["facts"]["tos_required"] is True
    assert xtts["facts"]["listed_in"] == ["coqui-tts 0.28.0", "TTS 0.22.0"]
    assert [(d["prefix"], d["exact"], d["source"]["url"]) for d in xtts["downloads"]] == [
        ("url:https://coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/", False, "https://pypi.org/old"),  # the folder
        ("url:https://huggingface.co/tts-hub/XTTS-v2/", False, "https://pypi.org/new")]  # the whole repository
    custom = by_id["coqui-tts:tts_models/de/css10/vits"].to_json()
    assert custom["license"] == "unknown" and custom["hf_hub_id"] is None  # a third party's repository, some files
    assert "downloads" not in custom
    assert custom["facts"]["license_stated"] == "custom - see x"


def test_catalogue_licences_and_datasets_are_records(kb: KnowledgeBase) -> None:
    doc = json.loads((GENERATED / "coqui_tts.json").read_text(encoding="utf-8"))
    assert doc["count"] == len(doc["models"]) >= 90
    for model in doc["models"]:
        assert kb.license(model["license"]) is not None, model["license"]
        for dataset in model["datasets"]:
            assert kb.artifact(dataset) is not None, dataset
    licences = {m["license"] for m in doc["models"]}
    assert {"MPL-2.0", "Apache-2.0", "CC-BY-NC-ND-4.0", "cpml-1.0"} <= licences


@pytest.mark.parametrize(("ref", "target", "licence"), [
    (XTTS, XTTS, "cpml-1.0"),
    ("hf:coqui/XTTS-v2", XTTS, "cpml-1.0"),
    ("hf:tts-hub/XTTS-v2", XTTS, "cpml-1.0"),
    ("url:https://coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/model.pth", XTTS, "cpml-1.0"),
    ("url:https://coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/dvae.pth", XTTS, "cpml-1.0"),
    ("url:https://huggingface.co/erogol/bark/tree/main//text_2.pt", BARK, "MIT"),
    ("url:https://github.com/coqui-ai/TTS/releases/download/v0.6.1_models/tts_models--en--ljspeech--glow-tts.zip",
     GLOW, "MPL-2.0"),
    (YOURTTS, YOURTTS, "CC-BY-NC-ND-4.0"),
    ("coqui-tts:tts_models/en/ljspeech/tacotron2-DDC", "coqui-tts:tts_models/en/ljspeech/tacotron2-DDC", "Apache-2.0"),
])
def test_names_and_addresses_resolve(kb: KnowledgeBase, ref: str, target: str, licence: str) -> None:
    artifact = kb.artifact(ref)
    assert artifact is not None and artifact.id == target and artifact.license == licence


def test_mpl_model_may_be_deployed_commercially() -> None:
    found = api.check(GLOW, "JP", "deploy", "commercial")
    layers = {f.layer.value: f.status.value for f in found.layers}
    assert layers["license"] == "allowed" and layers["contract"] == "allowed"
    assert found.verdict.value == "allowed"


@pytest.mark.parametrize("activity", ["deploy", "serve", "outputs", "finetune"])
def test_xtts_v2_under_cpml_is_not_commercial(activity: str) -> None:
    found = api.check(XTTS, "JP", activity, "commercial")
    layers = {f.layer.value: f.status.value for f in found.layers}
    assert found.verdict.value == "prohibited" and layers["license"] == "prohibited"


def test_xtts_v2_for_research_or_a_company_evaluation_is_not_prohibited() -> None:
    assert api.check(XTTS, "JP", "deploy", "research").verdict.value != "prohibited"
    evaluation = api.check(XTTS, "JP", "evaluate", "commercial")
    assert {f.layer.value: f.status.value for f in evaluation.layers}["license"] == "conditional"


@pytest.mark.network
def test_real_wheels_reproduce_the_committed_catalogue() -> None:
    extractor = next(e for e in EXTRACTORS if e.family == "coqui_tts")
    archive = SourceArchive.open(download(extractor.package, extractor.version, default_cache()))
    catalogue = extractor.run(archive, extractor.version)
    committed = json.loads((GENERATED / "coqui_tts.json").read_text(encoding="utf-8"))
    assert catalogue.to_json() == committed
