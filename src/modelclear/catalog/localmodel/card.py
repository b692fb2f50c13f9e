"""Readers of a model folder's ``README.md`` card, ``config.json`` and PEFT ``adapter_config.json``."""

from __future__ import annotations

from pathlib import Path

from modelclear.catalog.hfcard import parse_card
from modelclear.catalog.localmodel.draft import _Draft
from modelclear.catalog.localmodel.names import _clean, _looks_local
from modelclear.catalog.localmodel.records import (
    Evidence,
)


def _read_card(d: _Draft, path: Path) -> None:
    text = d.files.text(path)
    if text is None:
        return
    card = parse_card(text)
    rel = d.files.rel(path)
    d.files.warnings.extend(f"{rel}: {w}" for w in card.warnings if w != "card has no YAML front matter")
    if not card.has_front_matter:
        return
    d.card = card
    d.formats.append("model-card")
    if card.license:
        d.license(card.license, Evidence(rel, "license"))
    for base in card.base_models:
        d.base(base, Evidence(rel, "base_model"))
    for dataset in card.datasets:
        d.dataset(dataset, Evidence(rel, "datasets"))
    if card.base_model_relation:
        relation = card.base_model_relation
        d.relations.append((0, relation, Evidence(rel, "base_model_relation", relation)))
    if card.pipeline_tag:
        from modelclear.catalog.hfrecord import GENERATIVE_PIPELINE_TAGS

        d.facts["task"] = card.pipeline_tag
        d.facts["generative"] = card.pipeline_tag in GENERATIVE_PIPELINE_TAGS


def _read_config(d: _Draft, path: Path) -> None:
    doc = d.files.json(path)
    if not doc:
        return
    rel = d.files.rel(path)
    d.formats.append("config")
    quant = doc.get("quantization_config")
    if isinstance(quant, dict):
        method = _clean(quant.get("quant_method")) or "unknown"
        d.formats.append("quantization-config")
        d.facts["quantization"] = method
        d.relations.append((3, "quantized", Evidence(rel, "quantization_config.quant_method", method)))
    name = _clean(doc.get("_name_or_path"))
    if name and not _looks_local(name):
        d.base(name, Evidence(rel, "_name_or_path"))


def _read_adapter(d: _Draft, path: Path) -> None:
    doc = d.files.json(path)
    if not doc:
        return
    rel = d.files.rel(path)
    d.formats.append("peft-adapter")
    peft = _clean(doc.get("peft_type")) or "PEFT"
    d.facts["peft_type"] = peft
    d.relations.append((1, "adapter", Evidence(rel, "peft_type", peft)))
    d.base(doc.get("base_model_name_or_path"), Evidence(rel, "base_model_name_or_path"))
