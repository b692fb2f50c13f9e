"""Integrity of the coverage data added for issue 11: release-URL families, Keras Hub presets, Ollama tags,
framework dataset names and the URL table entries that point at dataset records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from modelclear.catalog import KnowledgeBase
from modelclear.scan.urls import match_url
from modelclear.service import load_knowledge
from tools.extract import keras_hub

DATA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data"
URL_FAMILIES = ("detr", "dino", "detectron2_urls", "pytorch_model_urls", "midas", "simclr", "vit_augreg", "tfhub_use",
                "rfdetr", "easyocr_releases", "real_esrgan", "gfpgan", "google_bert_release",
                "simclr_tf2")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _family(name: str) -> dict:
    return yaml.safe_load((DATA / "models" / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", URL_FAMILIES)
def test_release_url_family_lists_only_its_own_addresses(name: str, kb: KnowledgeBase) -> None:
    doc = _family(name)
    prefix = doc["match_prefix"]
    assert prefix.startswith("url:") and prefix.count("/") >= 3, prefix
    for model in doc["models"]:
        assert model["id"].lower().startswith(prefix.lower()), model["id"]
        for alias in model.get("aliases", []):
            assert alias.startswith(("url:", "torchhub:")), alias
    made_up = kb.artifact(prefix + "some/other-file-1234.pth")
    assert made_up is not None and made_up.license == (doc["license"] or None)


def test_explicit_release_records_carry_their_training_data(kb: KnowledgeBase) -> None:
    detr = kb.artifact("url:https://dl.fbaipublicfiles.com/detr/detr-r50-e632da11.pth")
    assert detr is not None and detr.license == "Apache-2.0"
    assert {r.target for r in detr.upstream} >= {"dataset:coco", "dataset:imagenet-1k"}
    dino = kb.artifact("torchhub:facebookresearch/dino:dino_vitb16")  # an alias of the release URL
    assert dino is not None and dino.id.endswith("dino_vitbase16_pretrain.pth")
    old = kb.artifact("url:https://download.pytorch.org/models/resnet50-19c8e357.pth")
    assert old is not None and old.license is None and {r.target for r in old.upstream} == {"dataset:imagenet-1k"}


@pytest.mark.parametrize(("url", "expected"), [
    ("http://images.cocodataset.org/zips/train2017.zip", "dataset:coco"),
    ("http://images.cocodataset.org/annotations/annotations_trainval2017.zip", "dataset:coco"),
    ("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", "dataset:imdb-reviews"),
    ("https://hf.co/datasets/databricks/databricks-dolly-15k/resolve/main/databricks-dolly-15k.jsonl",
     "hf-dataset:databricks/databricks-dolly-15k"),
    ("https://hf.co/org/model/resolve/main/model.safetensors", "hf:org/model"),
    ("https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz", "dataset:tf-flowers"),
    ("http://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz", "dataset:oxford-iiit-pet"),
    ("https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz", "dataset:oxford-iiit-pet"),
    ("http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip", "dataset:tatoeba-spa-eng"),
    ("https://openaipublic.azureedge.net/clip/models/40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/"
     "ViT-B-32.pt", "open_clip:ViT-B-32/openai"),
    ("https://openaipublic.azureedge.net/clip/models/3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/"
     "ViT-L-14-336px.pt", "open_clip:ViT-L-14-336/openai"),
])
def test_url_table_maps_dataset_archives_and_short_hub_links(url: str, expected: str, kb: KnowledgeBase) -> None:
    found = match_url(url)
    assert found is not None and found.id == expected
    if not expected.startswith(("hf:", "hf-dataset:")):
        assert kb.artifact(expected) is not None


def test_url_table_leaves_other_cocodataset_pages_alone() -> None:
    assert match_url("https://cocodataset.org/#termsofuse") is None
    assert match_url("http://images.cocodataset.org/val2017/000000039769.jpg") is None  # a sample image, not the set


@pytest.mark.parametrize(("name", "record"), [
    ("detectron2-dataset:coco_2017_train", "dataset:coco"),
    ("detectron2-dataset:keypoints_coco_2017_val", "dataset:coco"),
    ("mmdet-dataset:CocoDataset", "dataset:coco"),
    ("detectron2-dataset:lvis_v1_train", "dataset:lvis"),
    ("mmseg-dataset:CityscapesDataset", "dataset:cityscapes"),
    ("detectron2-dataset:voc_2012_trainval", "dataset:pascal-voc"),
    ("mmseg-dataset:ADE20KDataset", "dataset:scene-parse-150"),
    ("detectron2-dataset:ade20k_sem_seg_train", "dataset:scene-parse-150"),
    ("mmdet-dataset:Objects365V2Dataset", "dataset:objects365"),
])
def test_framework_dataset_names_resolve_to_the_dataset(name: str, record: str, kb: KnowledgeBase) -> None:
    assert kb.canonical(name) == record


# --- Keras Hub -------------------------------------------------------------------------------------

_PRESETS = '''
backbone_presets = {
    "gemma3_1b": {"metadata": {"description": "1B Gemma3.", "params": 999, "path": "gemma3"},
                  "kaggle_handle": "kaggle://keras/gemma3/keras/gemma3_1b/3"},
    "llama3.1_8b": {"metadata": {"description": "Llama 3.1 8B", "params": 8, "path": "llama3"},
                    "kaggle_handle": "kaggle://keras/llama3/keras/llama3.1_8b/2"},
    "mystery_net": {"metadata": {"description": "?", "params": 1, "path": "x"},
                    "kaggle_handle": "kaggle://keras/mystery/keras/mystery_net/1"},
    "no_handle": {"metadata": {}},
}
'''


def test_keras_hub_extractor_reads_presets_and_chooses_the_origin_licence() -> None:
    table = keras_hub.presets(_PRESETS, "x_presets.py")
    assert set(table) == {"gemma3_1b", "llama3.1_8b", "mystery_net"}  # an entry without a handle is not a preset
    found = {name: ("folder", entry) for name, entry in table.items()}
    records = {r.id: r for r in keras_hub.records(found)}
    assert records["keras:gemma3_1b"].license == "gemma"
    assert records["keras:gemma3_1b"].facts["kaggle_model"] == "keras/gemma3"
    assert records["keras:gemma3_1b"].facts["params"] == 999
    assert records["keras:llama3.1_8b"].license == "llama3.1"  # the preset override wins over keras/llama3
    assert records["keras:mystery_net"].license == keras_hub.UNKNOWN


def test_keras_hub_licence_table_names_only_known_licences(kb: KnowledgeBase) -> None:
    ids = set(keras_hub.ORIGIN_LICENSES.values()) | {lid for _, lid in keras_hub.PRESET_OVERRIDES}
    missing = sorted(lid for lid in ids if lid is not None and kb.license(lid) is None)
    assert not missing, missing


def test_keras_hub_catalogue_is_generated_and_judged(kb: KnowledgeBase) -> None:
    doc = json.loads((DATA / "models" / "_generated" / "keras_hub.json").read_text(encoding="utf-8"))
    assert doc["family"] == "keras_hub" and doc["count"] == len(doc["models"]) >= 400
    by_id = {m["id"]: m for m in doc["models"]}
    assert by_id["keras:gemma3_instruct_4b"]["license"] == "gemma"
    assert by_id["keras:depth_anything_v2_small"]["license"] == "Apache-2.0"
    assert by_id["keras:qwen2.5_instruct_72b_en"]["license"] == "qwen"
    art = kb.artifact("keras:whisper_tiny_en")
    assert art is not None and art.license == "MIT" and art.distributed_via == "kaggle"
    # image presets converted from a named release: Keras Applications Xception (MIT), timm ResNets (Apache-2.0),
    # torchvision RetinaNet (no licence granted); each with the dataset it was trained on
    assert by_id["keras:xception_41_imagenet"]["license"] == "MIT"
    assert by_id["keras:resnet_50_imagenet"]["license"] == "Apache-2.0"
    assert by_id["keras:retinanet_resnet50_fpn_v2_coco"]["license"] is None
    assert by_id["keras:retinanet_resnet50_fpn_v2_coco"]["datasets"] == ["dataset:coco"]
    assert by_id["keras:xception_41_imagenet"]["datasets"] == ["dataset:imagenet-1k"]


# --- Ollama ----------------------------------------------------------------------------------------

OLLAMA = sorted((DATA / "models" / "ollama").glob("*.yaml"))


@pytest.mark.parametrize("path", OLLAMA, ids=[p.stem for p in OLLAMA])
def test_ollama_family_covers_its_tags(path: Path, kb: KnowledgeBase) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = path.stem
    assert doc["match_prefix"] == f"ollama:{name}:"
    assert doc["models"][0]["id"] == f"ollama:{name}"
    listed = {m["id"] for m in doc["models"]}
    for tag in ("latest-q4", "7b-instruct-q4_K_M"):
        art = kb.artifact(f"ollama:{name}:{tag}")
        assert art is not None and art.license == doc["license"], (name, tag)
    for model in doc["models"][1:]:
        art = kb.artifact(model["id"])
        assert art is not None and art.license == model["license"] != doc["license"]
    assert f"ollama:{name}" in listed and kb.artifact(f"ollama:{name}:latest") is not None  # ':latest' too


def test_ollama_tag_prefixes_do_not_capture_longer_names(kb: KnowledgeBase) -> None:
    art = kb.artifact("ollama:llama3.1:8b")
    assert art is not None and art.license == "llama3.1"  # not the llama3 family
    assert kb.artifact("ollama:llama3.2-vision:11b") is not None
    assert kb.artifact("ollama:llama3.2-vision:11b").license == "llama3.2"  # type: ignore[union-attr]
    assert kb.artifact("ollama:gemma2x:2b") is None  # an unknown name is not judged under gemma2


# --- Redistributed benchmark data and data archives ---------------------------------------------------------

def test_beir_archives_are_datasets_derived_from_their_originals(kb: KnowledgeBase) -> None:
    doc = _family("beir_datasets")
    assert doc["kind"] == "dataset" and doc["license"] is None  # BEIR grants no licence of its own
    for model in doc["models"]:
        art = kb.artifact(model["id"])
        assert art is not None and art.kind.value == "dataset", model["id"]
    msmarco = kb.artifact("url:https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/msmarco.zip")
    assert msmarco is not None and {r.target for r in msmarco.upstream} == {"dataset:ms-marco"}
    negatives = kb.artifact("url:https://sbert.net/datasets/msmarco-hard-negatives.jsonl.gz")
    assert negatives is not None and {r.target for r in negatives.upstream} == {"dataset:ms-marco"}


def test_glove_family_covers_the_archives_and_gensim_copies(kb: KnowledgeBase) -> None:
    for ref in ("url:http://nlp.stanford.edu/data/glove.6B.zip", "url:https://nlp.stanford.edu/data/glove.6B.zip",
                "gensim-data:glove-wiki-gigaword-100", "gensim-data:glove-twitter-25",
                "url:http://nlp.stanford.edu/data/glove.840B.300d.zip"):
        art = kb.artifact(ref)
        assert art is not None and art.license == "PDDL-1.0", ref
    other = kb.artifact("url:http://nlp.stanford.edu/data/glove.6B.50d-not-a-release.zip")  # the prefix vouches
    assert other is not None and other.license == "PDDL-1.0"


# --- timm retired names ----------------------------------------------------------------------------------

_TIMM_MODULE = '''
from ._registry import register_model_deprecations
register_model_deprecations(__name__, {
    'vit_base_resnet50_384': 'vit_base_r50_s16_384.orig_in21k_ft_in1k',
    'old_default': 'newnet',
    'lost_name': 'nowhere.tag',
})
'''


def test_timm_retired_names_become_aliases_of_the_tag_they_resolve_to(kb: KnowledgeBase) -> None:
    from tools.extract import timm
    from tools.extract._common import ModelRecord

    table = timm.deprecated_names(_TIMM_MODULE)
    assert table["vit_base_resnet50_384"] == "vit_base_r50_s16_384.orig_in21k_ft_in1k" and len(table) == 3
    models = [ModelRecord(id="timm:vit_base_r50_s16_384.orig_in21k_ft_in1k", name="x"),
              ModelRecord(id="timm:newnet.a1_in1k", name="y", aliases=("timm:newnet",))]
    out = {m.id: m.aliases for m in timm.add_deprecated_aliases(models, table)}
    assert out["timm:vit_base_r50_s16_384.orig_in21k_ft_in1k"] == ("timm:vit_base_resnet50_384",)
    assert out["timm:newnet.a1_in1k"] == ("timm:newnet", "timm:old_default")  # untagged: the default tag
    # the generated catalogue: MiDaS's old names resolve to the current tags and their licences
    for old, new in (("timm:swinv2_large_window12to24_192to384_22kft1k",
                      "timm:swinv2_large_window12to24_192to384.ms_in22k_ft_in1k"),
                     ("timm:vit_base_resnet50_384", "timm:vit_base_r50_s16_384.orig_in21k_ft_in1k")):
        assert kb.canonical(old) == new


def test_timm_release_assets_resolve_to_their_tag(kb: KnowledgeBase) -> None:
    url = "url:https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights/resnet50d_ra2-464e36ba.pth"
    assert kb.canonical(url) == "timm:resnet50d.ra2_in1k"
    # weights timm merely points to on another release's host stay with that release's records
    assert kb.canonical("url:https://download.pytorch.org/models/resnet50-19c8e357.pth") != "timm:resnet50.tv_in1k"
