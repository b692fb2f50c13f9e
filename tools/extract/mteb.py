"""MTEB's model registry: every ``ModelMeta(...)`` in ``mteb/models/model_implementations/*.py`` (``mteb`` wheel).

The Massive Text Embedding Benchmark describes each model it evaluates with a ``ModelMeta``: its Hub
name (``BAAI/bge-small-en-v1.5``), whether its weights are open, its licence (the Hub card's licence
tag, an SPDX-style id, or a link to the model's own licence file), the model it was adapted from, the
revision it evaluated, its type (dense embedder, cross-encoder, late interaction) and modalities.

Only models with open weights whose name is a Hub repository (``ORG/NAME``) and whose reference is
that repository's Hub page (or absent) become records (``hf:ORG/NAME``): API models are not on the
Hub. The licence is MTEB's field, a secondary source (the benchmark's maintainers copy it from the
card; it is not read from each card here), so the family file ``data/models/mteb.yaml`` grades it
``S``; a licence given only as a link is mapped in :data:`LICENSE_LINKS` when the link names a licence
this knowledge base records, and is ``unknown`` otherwise, as are ``not specified`` and ``multiple``.
``adapted_from`` becomes a fine-tune base when that base is in the catalogue too or among
:data:`KNOWN_BASES`, else the fact ``adapted_from``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator, OpaqueCall
from ._common import BaseModel, Catalogue, ModelRecord, check_unique, spdx_key

PACKAGE = "mteb"
FAMILY = "mteb"
FILES_GLOB = "mteb/models/model_implementations/*.py"
UNKNOWN = "unknown"
_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")

#: Licence links (as MTEB writes them) that name a licence this knowledge base records.
LICENSE_LINKS: dict[str, str] = {
    "https://ai.google.dev/gemma/terms": "gemma",
    "https://ai.meta.com/resources/models-and-libraries/dinov3-license/": "dinov3-license",
    "https://huggingface.co/spaces/bigscience/license": "bigscience-bloom-rail-1.0",
    "https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license/":
        "nvidia-open-model-license",
    "https://cdla.dev/permissive-2-0/": "CDLA-Permissive-2.0",
    "http://opendatacommons.org/licenses/odbl/1.0/": "ODbL-1.0",
}

#: Licence ids MTEB writes in another spelling than this knowledge base's.
LICENSE_IDS: dict[str, str] = {
    "gemma": "gemma", "llama2": "llama2", "llama3": "llama3", "llama3.1": "llama3.1", "llama3.2": "llama3.2",
    "llama3.3": "llama3.3", "llama4": "llama4", "openrail": "openrail", "openrail++": "openrail++",
    "creativeml-openrail-m": "CreativeML-OpenRAIL-M", "bigscience-openrail-m": "bigscience-openrail-m",
    "bigscience-bloom-rail-1.0": "bigscience-bloom-rail-1.0", "bigcode-openrail-m": "bigcode-openrail-m",
    "openmdw-1.0": "OpenMDW-1.0", "gpl-3.0": "GPL-3.0-only", "gpl-2.0": "GPL-2.0-only", "lgpl-3.0": "LGPL-3.0-only",
    "agpl-3.0": "AGPL-3.0-only", "odc-by": "ODC-By-1.0", "odbl": "ODbL-1.0", "pddl": "PDDL-1.0",
}

_UNDETERMINED = {"not specified", "multiple", "unknown", "other", ""}

#: Bases outside MTEB's registry that the reviewed knowledge base holds records for (checked when this
#: catalogue was generated; tests/test_knowledge.py fails on any base it does not know). A model adapted
#: from one of them gets it as a fine-tune base, so the base's terms (Gemma, Llama, BLOOM RAIL ...) are judged.
KNOWN_BASES = frozenset({
    "Qwen/Qwen3-0.6B", "Qwen/Qwen3-4B", "Qwen/Qwen3-1.7B", "Qwen/Qwen2.5-0.5B", "Qwen/Qwen2.5-1.5B",
    "Qwen/Qwen2.5-VL-7B-Instruct", "Qwen/Qwen2-VL-7B-Instruct", "mistralai/Mistral-7B-v0.1", "google/gemma-3-1b-it",
    "google/gemma-2b", "google/gemma-2-2b-it", "meta-llama/Llama-3.2-11B-Vision", "meta-llama/Llama-3.2-1B",
    "bigscience/bloom-1b1", "bigscience/bloom-3b", "bigscience/bloom-560m", "bigscience/bloom-7b1",
    "llava-hf/llava-onevision-qwen2-7b-ov-hf", "tohoku-nlp/bert-base-japanese-v3",
    "tohoku-nlp/bert-large-japanese-v2", "distilbert/distilbert-base-uncased",
    "google-bert/bert-base-multilingual-cased", "google-bert/bert-base-uncased",
    "google-bert/bert-large-uncased-whole-word-masking", "google-t5/t5-base", "google-t5/t5-small",
    "nreimers/MiniLM-L6-H384-uncased", "microsoft/mpnet-base",
})


def license_id(raw: Any) -> str:
    """The licence id recorded for MTEB's ``license`` value (``unknown`` when it names none this base records)."""
    if not isinstance(raw, str):
        return UNKNOWN
    text = raw.strip()
    if text.lower() in _UNDETERMINED:
        return UNKNOWN
    if text.startswith(("http://", "https://")):
        return LICENSE_LINKS.get(text, UNKNOWN)
    if text.lower() in LICENSE_IDS:
        return LICENSE_IDS[text.lower()]
    return spdx_key(text) or UNKNOWN


def _walk(value: Any, depth: int = 0) -> Iterator[OpaqueCall]:
    """Every ``ModelMeta(...)`` call in an evaluated value (module variables, lists and dicts of them)."""
    if depth > 6:
        return
    if isinstance(value, OpaqueCall):
        if value.name.rsplit(".", 1)[-1] == "ModelMeta":
            yield value
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item, depth + 1)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _walk(item, depth + 1)


def metas(source: str, filename: str) -> list[dict[str, Any]]:
    """The keyword arguments of every ``ModelMeta`` the module defines (in definition order, no repeats)."""
    env = ModuleEvaluator.from_source(source, filename).env
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for value in env.values():
        for call in _walk(value):
            if id(call) not in seen:
                seen.add(id(call))
                out.append(call.kw)
    return out


def _is_hub_model(meta: dict[str, Any]) -> bool:
    name = meta.get("name")
    if not isinstance(name, str) or not _REPO.match(name) or meta.get("open_weights") is not True:
        return False
    if name.split("/", 1)[0].lower() == "mteb":  # the benchmark's own baselines (random, BM25), not Hub models
        return False
    reference = meta.get("reference")
    if reference is None:
        return True
    if not isinstance(reference, str):
        return False
    page = reference.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return page.lower() == f"https://huggingface.co/{name}".lower()


def _facts(meta: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {"generative": False}
    types = meta.get("model_type")
    if isinstance(types, list) and all(isinstance(t, str) for t in types) and types:
        facts["mteb_model_type"] = sorted(types)
        facts["task"] = "text-ranking" if "cross-encoder" in types else "sentence-similarity"
    else:
        facts["task"] = "sentence-similarity"
    modalities = meta.get("modalities")
    if isinstance(modalities, list) and all(isinstance(m, str) for m in modalities) and modalities:
        facts["modalities"] = sorted(modalities)
        facts["multimodal"] = len(modalities) > 1
    base = meta.get("adapted_from")
    if isinstance(base, str) and _REPO.match(base):
        facts["adapted_from"] = base
    for key, fact in (("n_parameters", "params"), ("revision", "revision"), ("release_date", "release_date")):
        value = meta.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool):
            facts[fact] = value
    raw = meta.get("license")
    if isinstance(raw, str) and raw.strip():
        facts["mteb_license"] = raw.strip()
    return facts


def _with_base(model: ModelRecord, catalogue: dict[str, ModelRecord]) -> ModelRecord:
    """``model`` with its ``adapted_from`` as a fine-tune base when the catalogue holds that model too or it is one
    of :data:`KNOWN_BASES` (another base stays the fact ``adapted_from``: the knowledge base must know every
    upstream it names)."""
    base = model.facts.get("adapted_from")
    if not isinstance(base, str) or base.lower() == model.id[3:].lower():
        return model
    if base.lower() in catalogue:
        return dataclasses.replace(model, base_models=(BaseModel(catalogue[base.lower()].id, "finetune"),))
    if base in KNOWN_BASES:
        return dataclasses.replace(model, base_models=(BaseModel(f"hf:{base}", "finetune"),))
    return model


def records(found: list[dict[str, Any]]) -> list[ModelRecord]:
    """One record per Hub model (``hf:ORG/NAME``); a name defined twice keeps its first definition."""
    out: dict[str, ModelRecord] = {}
    for meta in found:
        if not _is_hub_model(meta):
            continue
        name = str(meta["name"])
        key = name.lower()
        if key in out:
            continue
        out[key] = ModelRecord(id=f"hf:{name}", name=f"{name} (as MTEB describes it)", license=license_id(
            meta.get("license")), facts=_facts(meta), url=f"https://huggingface.co/{name}")
    models = [_with_base(m, out) for m in sorted(out.values(), key=lambda m: m.id)]
    check_unique(models)
    return models


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every open-weights Hub model in the model registry of the mteb wheel in ``archive``."""
    found: list[dict[str, Any]] = []
    files = sorted(archive.glob(FILES_GLOB))
    for member in files:
        found += metas(archive.read(member), archive.inner(member))
    return Catalogue(FAMILY, PACKAGE, version, tuple(records(found)), tuple(archive.inner(m) for m in files))
