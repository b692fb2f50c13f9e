"""Checks the hand-reviewed dataset records in ``src/modelclear/data/datasets/*.yaml``.

The format is ``docs/knowledge-format.md`` (``datasets/<name>.yaml``). The files are read as data
(``yaml.safe_load``) so a broken file is caught before the engine sees it; one test also loads
them through the knowledge base to check that ids and aliases resolve as users type them.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import ids
from modelclear.catalog import KnowledgeBase
from modelclear.catalog.records import build_artifact
from modelclear.model import Kind

DATA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data"
DATASETS = DATA / "datasets"
LICENSES = DATA / "licenses"

REQUIRED = ("id", "kind", "name", "aliases", "publisher", "license", "terms", "distributed_via", "gated",
            "facts", "notes", "sources")
CONTENT_OWNERS = frozenset({"publisher", "third-party", "mixed"})
CONFIDENCES = frozenset({"V", "S", "U"})
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

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


def _is_local_text(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("en"), str) and bool(value["en"].strip())
        and isinstance(value.get("ja"), str) and bool(JAPANESE.search(value["ja"]))
    )


def _license_ids() -> set[str]:
    known: set[str] = set()
    for path in LICENSES.glob("*.yaml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(record, Mapping) and isinstance(record.get("id"), str):
            known.add(record["id"].lower())
    return known


def record_problems(name: str, record: Any) -> list[str]:
    """What is wrong with one dataset record (empty when it follows the format)."""
    if not isinstance(record, Mapping):
        return [f"{name}: not a mapping"]
    problems = [f"{name}: missing {key!r}" for key in REQUIRED if key not in record]
    rid = record.get("id")
    ref = ids.try_parse(rid) if isinstance(rid, str) else None
    if ref is None or ref.id != rid or ref.scheme != "dataset":
        problems.append(f"{name}: id {rid!r} is not a canonical dataset: id")
    elif name != rid.removeprefix("dataset:") + ".yaml":
        problems.append(f"{name}: file name does not match id {rid!r}")
    if record.get("kind") != "dataset":
        problems.append(f"{name}: kind must be 'dataset'")
    for alias in record.get("aliases") or []:
        if not isinstance(alias, str) or not alias.strip():
            problems.append(f"{name}: empty alias")
        elif re.match(r"^[a-z][a-z0-9_-]*:", alias) and alias.split(":", 1)[0] in ids.SCHEMES:
            parsed = ids.try_parse(alias)
            if parsed is None or parsed.kind is not Kind.DATASET or parsed.id != alias:
                problems.append(f"{name}: alias {alias!r} is not a canonical dataset id")
    if not isinstance(record.get("terms"), list):
        problems.append(f"{name}: terms must be a list")
    facts = record.get("facts")
    if not isinstance(facts, Mapping):
        problems.append(f"{name}: facts must be a mapping")
    else:
        if facts.get("content_owner") not in CONTENT_OWNERS:
            problems.append(f"{name}: facts.content_owner {facts.get('content_owner')!r}")
        for key in ("content_license", "commercial", "commercial_ml_license_available", "technical_measures"):
            if key not in facts:
                problems.append(f"{name}: facts.{key} missing")
        if facts.get("commercial") not in (True, False, None, "per-item"):
            problems.append(f"{name}: facts.commercial must be true, false, null or per-item")
        withdrawn = facts.get("withdrawn")
        if withdrawn is not None:
            if not _is_local_text(withdrawn.get("summary") if isinstance(withdrawn, Mapping) else None):
                problems.append(f"{name}: facts.withdrawn needs a bilingual summary")
            elif "date" in withdrawn and not isinstance(withdrawn["date"], dt.date):
                problems.append(f"{name}: facts.withdrawn.date must be an ISO date")
    for i, rel in enumerate(record.get("upstream") or []):
        if not isinstance(rel, Mapping) or rel.get("relation") != "derived_from" or not rel.get("target"):
            problems.append(f"{name}: upstream[{i}] needs a target and relation derived_from")
    notes = record.get("notes")
    if not isinstance(notes, list) or not notes or not all(_is_local_text(n) for n in notes):
        problems.append(f"{name}: notes must be a non-empty list of {{en, ja}} texts")
    sources = record.get("sources")
    if not isinstance(sources, list) or not sources:
        problems.append(f"{name}: no sources")
    else:
        for i, src in enumerate(sources):
            where = f"{name}: sources[{i}]"
            if not isinstance(src, Mapping) or not str(src.get("url", "")).startswith(("http://", "https://")):
                problems.append(f"{where} needs an http(s) url")
                continue
            if not isinstance(src.get("checked"), dt.date):
                problems.append(f"{where}.checked must be an ISO date")
            if src.get("confidence") not in CONFIDENCES:
                problems.append(f"{where}.confidence must be V, S or U")
    return problems


@pytest.mark.parametrize("name", sorted(_records()))
def test_record_follows_format(name: str) -> None:
    """Each hand-reviewed file has the required fields, sources and both languages."""
    assert record_problems(name, _records()[name]) == []
    build_artifact(_records()[name], name)  # the engine's own loader accepts it


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda r: r.pop("sources"), "missing 'sources'"),
        (lambda r: r["sources"][0].update(confidence="X"), "confidence must be V, S or U"),
        (lambda r: r["sources"][0].update(checked="yesterday"), "checked must be an ISO date"),
        (lambda r: r["notes"][0].update(ja=""), "notes must be a non-empty list"),
        (lambda r: r["notes"][0].update(ja="English only"), "notes must be a non-empty list"),
        (lambda r: r.update(id="dataset:Bad Name"), "is not a canonical dataset: id"),
        (lambda r: r.update(id="dataset:other"), "file name does not match"),
        (lambda r: r["aliases"].append("hf:bert-base-uncased"), "is not a canonical dataset id"),
        (lambda r: r["facts"].update(content_owner="nobody"), "facts.content_owner"),
        (lambda r: r["facts"].update(commercial="maybe"), "facts.commercial must be"),
        (lambda r: r["facts"].update(withdrawn={"date": "2020"}), "withdrawn needs a bilingual summary"),
        (lambda r: r.update(upstream=[{"target": "dataset:coco"}]), "relation derived_from"),
    ],
)
def test_checker_rejects_broken_records(mutate: Any, problem: str) -> None:
    """The format check is not vacuous: each kind of breakage is reported."""
    record = copy.deepcopy(_records()["mnist.yaml"])
    mutate(record)
    assert any(problem in p for p in record_problems("mnist.yaml", record)), problem


def test_every_expected_dataset_is_reviewed() -> None:
    """Every §3 dataset and every commonly named training set has a hand-reviewed record."""
    have = {r["id"] for r in _records().values()}
    assert sorted(EXPECTED_IDS - have) == []
    assert len(have) >= 80


def test_ids_and_aliases_are_unique() -> None:
    """No id or alias (case-insensitively) is claimed by two hand-reviewed records."""
    owner: dict[str, str] = {}
    clashes = []
    for name, record in _records().items():
        for label in {str(n).strip().lower() for n in [record["id"], *record["aliases"]]}:
            if label in owner and owner[label] != name:
                clashes.append(f"{label!r}: {owner[label]} and {name}")
            owner.setdefault(label, name)
    assert clashes == []


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
