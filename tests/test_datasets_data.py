"""Checks the hand-reviewed dataset records in ``src/modelclear/data/datasets/*.yaml``.

The format (``docs/knowledge-format.md``, ``datasets/<name>.yaml``: required fields, canonical ids,
bilingual notes, sourced facts, unique ids and aliases) is the knowledge schema's, checked by
``tests/test_knowledge_schema.py``. These tests check what the records say: every expected dataset is
reviewed, references resolve, the key facts are encoded as the legal facts state them, and the names
users type reach the reviewed records through the knowledge base.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from modelclear import ids
from modelclear.catalog import KnowledgeBase

DATA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data"
DATASETS = DATA / "datasets"
LICENSES = DATA / "licenses"

# Every dataset row of the legal facts (§3), plus the datasets model cards commonly name (issue 3).
_EXPECTED_NAMES = """
    imagenet-1k imagenet-21k coco open-images cifar-10 cifar-100 mnist fashion-mnist svhn places365
    celeba lfw vggface2 ms-celeb-1m yfcc100m laion-400m laion-5b laion-2b-en re-laion-5b
    conceptual-captions visual-genome kinetics-400 kinetics-600 kinetics-700 ade20k scene-parse-150
    cityscapes kitti nuscenes pascal-voc jft-300m jft-3b ig-3.5b the-pile books3 c4 common-crawl
    wikipedia bookcorpus openwebtext oscar redpajama squad glue librispeech common-voice audioset
    ms-marco sa-1b webtext lvd-142m datacomp-1b commonpool yfcc-15m cc12m laion-aesthetics refinedweb
    s2orc natural-questions snli multinli quora-question-pairs stackexchange reddit-comments flickr30k
    openai-clip-webimagetext whisper-680k objects365 lvis sbu-captions coyo-700m dolma fineweb the-stack
    slimpajama ultrachat alpaca sharegpt openassistant-oasst1 dolly-15k anthropic-hh-rlhf
    imdb-reviews reuters-21578 boston-housing
"""
EXPECTED_IDS = frozenset("dataset:" + name for name in _EXPECTED_NAMES.split())

# Names the ecosystem loads datasets by, and the hand-reviewed record each must reach.
ALIASES = {
    "keras-dataset:mnist": "dataset:mnist",
    "keras-dataset:cifar10": "dataset:cifar-10",
    "keras-dataset:cifar100": "dataset:cifar-100",
    "keras-dataset:fashion_mnist": "dataset:fashion-mnist",
    "keras-dataset:imdb": "dataset:imdb-reviews",
    "keras-dataset:reuters": "dataset:reuters-21578",
    "keras-dataset:boston_housing": "dataset:boston-housing",
    "torchvision-dataset:MNIST": "dataset:mnist",
    "torchvision-dataset:CIFAR10": "dataset:cifar-10",
    "torchvision-dataset:CocoDetection": "dataset:coco",
    "torchvision-dataset:CelebA": "dataset:celeba",
    "torchvision-dataset:Cityscapes": "dataset:cityscapes",
    "torchvision-dataset:Kinetics": "dataset:kinetics-400",
    "torchvision-dataset:VOCDetection": "dataset:pascal-voc",
    "tfds:mnist": "dataset:mnist",
    "tfds:c4": "dataset:c4",
    "tfds:imagenet2012": "dataset:imagenet-1k",
    "hf-dataset:mnist": "dataset:mnist",
    "hf-dataset:ylecun/mnist": "dataset:mnist",
    "hf-dataset:ILSVRC/imagenet-1k": "dataset:imagenet-1k",
    "hf-dataset:allenai/c4": "dataset:c4",
    "hf-dataset:microsoft/ms_marco": "dataset:ms-marco",
    "hf-dataset:tatsu-lab/alpaca": "dataset:alpaca",
    "in1k": "dataset:imagenet-1k",
    "in21k": "dataset:imagenet-21k",
    "in22k": "dataset:imagenet-21k",
    "laion2b": "dataset:laion-2b-en",
    "laion400m": "dataset:laion-400m",
    "datacompxl": "dataset:datacomp-1b",
    "commonpool": "dataset:commonpool",
    "openai": "dataset:openai-clip-webimagetext",
    "yfcc15m": "dataset:yfcc-15m",
    "cc12m": "dataset:cc12m",
}


@lru_cache(maxsize=1)
def _records() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(DATASETS.glob("*.yaml")):
        out[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


def _license_ids() -> set[str]:
    known: set[str] = set()
    for path in LICENSES.glob("*.yaml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(record, Mapping) and isinstance(record.get("id"), str):
            known.add(record["id"].lower())
    return known


def test_every_expected_dataset_is_reviewed() -> None:
    """Every §3 dataset and every commonly named training set has a hand-reviewed record."""
    have = {r["id"] for r in _records().values()}
    assert sorted(EXPECTED_IDS - have) == []
    assert len(have) >= 80


def test_references_resolve() -> None:
    """Terms and licences name existing licence records; upstream targets name reviewed datasets."""
    licenses = _license_ids()
    have = {r["id"] for r in _records().values()}
    missing = []
    for name, record in _records().items():
        for term in record["terms"]:
            if term.lower() not in licenses:
                missing.append(f"{name}: terms {term!r}")
        for rel in record.get("upstream") or []:
            if rel["target"] not in have:
                missing.append(f"{name}: upstream {rel['target']!r}")
    assert missing == []


def test_terms_files_for_datasets_exist_and_are_terms() -> None:
    """The terms-of-access records the datasets rely on are kind: terms with their acceptance."""
    expected = {
        "ms-marco-terms": "notice", "svhn-terms": "notice", "coco-terms": "notice", "laion-terms": "notice",
        "bookcorpus-terms": "notice", "common-crawl-terms": "notice", "celeba-terms": "registration",
        "cityscapes-terms": "registration", "nuscenes-terms": "registration", "places365-terms": "registration",
        "vggface2-terms": "registration", "ms-celeb-1m-terms": "notice", "the-stack-terms": "click-through",
    }
    for lid, acceptance in expected.items():
        record = yaml.safe_load((LICENSES / f"{lid}.yaml").read_text(encoding="utf-8"))
        assert record["id"] == lid
        assert record["kind"] == "terms"
        assert record["acceptance"] == acceptance, lid
        assert record["yields_to_exceptions"] is False, lid
    assert not (LICENSES / "kitti-terms.yaml").exists()  # KITTI is a CC licence, not a contract


def _by_id() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in _records().values()}


def test_encoded_facts() -> None:
    """The facts that matter most downstream are encoded as the legal facts state them."""
    r = _by_id()
    mnist = r["dataset:mnist"]
    assert (mnist["license"], mnist["facts"]["card_license"]) == ("CC-BY-SA-3.0", "MIT")
    assert r["dataset:laion-5b"]["facts"]["withdrawn"]["date"] == dt.date(2023, 12, 20)
    assert r["dataset:ms-celeb-1m"]["facts"]["withdrawn"]["date"] == dt.date(2019, 6, 6)
    books3 = r["dataset:books3"]["facts"]
    assert books3["pirated_content"] is True and books3["card_license"] == "MIT" and "withdrawn" in books3
    assert r["dataset:the-pile"]["facts"]["pirated_content"] is True
    for rid in ("dataset:cityscapes", "dataset:nuscenes"):
        assert r[rid]["facts"]["commercial_ml_license_available"] is True, rid
    assert r["dataset:kitti"]["license"] == "CC-BY-NC-SA-3.0" and r["dataset:kitti"]["terms"] == []
    assert r["dataset:ms-marco"]["terms"] == ["ms-marco-terms"]
    assert r["dataset:sa-1b"]["license"] == "sa-1b-research-license"
    assert r["dataset:c4"]["license"] == "ODC-By-1.0" and "common-crawl-terms" in r["dataset:c4"]["terms"]
    assert r["dataset:imagenet-21k"]["terms"] == ["imagenet-terms"]
    assert r["dataset:alpaca"]["facts"]["generated_by"]
    for rid in ("dataset:jft-300m", "dataset:jft-3b", "dataset:webtext", "dataset:lvd-142m",
                "dataset:openai-clip-webimagetext", "dataset:whisper-680k"):
        assert r[rid]["facts"]["private"] is True, rid


def test_uncertain_facts_keep_their_grade() -> None:
    """Rows the legal facts grade [U] carry no source stronger than U for that claim."""
    r = _by_id()
    for rid in ("dataset:imagenet-21k", "dataset:places365", "dataset:redpajama", "dataset:jft-300m"):
        assert {s["confidence"] for s in r[rid]["sources"]} == {"U"}, rid
    graded_u = [rid for rid, rec in r.items() if rec["facts"].get("license_confidence") == "U"]
    assert {"dataset:laion-400m", "dataset:laion-5b", "dataset:kinetics-400", "dataset:squad"} <= set(graded_u)
    for rid in graded_u:  # a [U] licence is only "reported": it must never stand as the licence itself
        assert r[rid]["license"] is None, rid


def test_aliases_resolve_through_the_knowledge_base(tmp_path: Path) -> None:
    """Names used by keras, torchvision, tfds, HF and weight tags reach the reviewed records,
    and hand-reviewed records win over imported ones."""
    shutil.copytree(DATASETS, tmp_path / "datasets")
    kb = KnowledgeBase.load(tmp_path, use_cache=False)
    wrong = {}
    for alias, rid in ALIASES.items():
        ref = ids.try_parse(alias)
        typed = ref.id if ref is not None and ":" in alias else alias
        got = kb.canonical(typed)
        if got != rid:
            wrong[alias] = got
    assert wrong == {}
