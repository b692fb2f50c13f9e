"""Reader of a mergekit YAML config (``models:``/``slices:``, ``base_model:``, ``merge_method``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelclear.catalog.localmodel.draft import _Draft
from modelclear.catalog.localmodel.names import _clean
from modelclear.catalog.localmodel.records import (
    MAX_LINKS,
    Evidence,
)


def _is_merge_config(doc: object) -> bool:
    return isinstance(doc, dict) and ("merge_method" in doc or
                                      (isinstance(doc.get("models"), list) and "base_model" in doc) or
                                      isinstance(doc.get("slices"), list))


def _read_merge(d: _Draft, path: Path, doc: Any = None) -> None:
    doc = d.files.yaml(path) if doc is None else doc
    if not _is_merge_config(doc):
        return
    rel = d.files.rel(path)
    d.formats.append("mergekit")
    method = _clean(doc.get("merge_method")) or "unknown"
    d.facts["merge_method"] = method
    d.relations.append((2, "merge", Evidence(rel, "merge_method", method)))
    entries: list[tuple[object, str]] = []
    for i, item in enumerate(doc.get("models") or [] if isinstance(doc.get("models"), list) else []):
        entries.append((item.get("model") if isinstance(item, dict) else item, f"models[{i}].model"))
    slices = doc.get("slices") if isinstance(doc.get("slices"), list) else []
    for i, piece in enumerate(slices[:MAX_LINKS]):
        sources = piece.get("sources") if isinstance(piece, dict) else None
        for j, src in enumerate(sources[:MAX_LINKS] if isinstance(sources, list) else []):
            if isinstance(src, dict):
                entries.append((src.get("model"), f"slices[{i}].sources[{j}].model"))
    entries.append((doc.get("base_model"), "base_model"))
    for raw, key in entries:
        if isinstance(raw, dict):  # mergekit's long form: {model: NAME, lora: ...}
            raw = raw.get("model")
        if isinstance(raw, str) and "+" in raw:  # NAME+LORA: a model with a LoRA applied
            raw = raw.split("+", 1)[0]
        d.base(raw, Evidence(rel, key))
