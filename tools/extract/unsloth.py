"""Unsloth's re-uploads: the table in ``unsloth/models/mapper.py`` (``unsloth`` wheel).

Unsloth re-uploads open-weights models under its own Hub organisation: 4-bit bitsandbytes quantisations
(``unsloth/llama-3-8b-bnb-4bit``), 16-bit copies (``unsloth/llama-3-8b``) and FP8 quantisations. Its
library maps each re-upload to the model it was made from in ``__INT_TO_FLOAT_MAPPER``: a key (the 4-bit
repository) and a tuple of the repositories with the same weights, one of which is the original outside
the ``unsloth/`` organisation (``meta-llama/Meta-Llama-3-8B``); an entry may instead be a mapping with
``"16"`` (that tuple) and ``"8"`` (the FP8 repositories). The table is the uploader's own statement of
what each re-upload is, read here with :mod:`ast` (never imported).

A quantisation or copy of a model is that model's weights: it carries the original's licence. Each
re-upload becomes a record ``hf:unsloth/...`` whose base is the original (relation ``quantized``; for a
16-bit copy, the weights converted but not trained, ``quantized`` is the nearest relation the schema has)
and whose licence is the original's licence as the knowledge base records it when the catalogue is
generated. A re-upload whose original the knowledge base does not hold (or holds without a licence) is
left out: its record could say nothing the reader does not already see as unknown, and every base of a
record must be known (tests/test_knowledge.py). ``scripts/extract_models.py unsloth`` writes the catalogue
(run it after the originals' records change: the licences are copied from them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Any

from ._archive import SourceArchive
from ._common import BaseModel, Catalogue, ModelRecord, check_unique

PACKAGE = "unsloth"
VERSION = "2026.10.9"
FAMILY = "unsloth"
SOURCE = "unsloth/models/mapper.py"
TABLE = "__INT_TO_FLOAT_MAPPER"
ORG = "unsloth/"


def mapper_table(source: str) -> dict[str, Any]:
    """The literal ``__INT_TO_FLOAT_MAPPER`` dict of ``mapper.py``."""
    for node in ast.parse(source, SOURCE).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == TABLE for t in node.targets):
            table = ast.literal_eval(node.value)
            if isinstance(table, dict):
                return table
    raise ValueError(f"{SOURCE}: no literal {TABLE}")


def _names(value: Any) -> tuple[list[str], list[str]]:
    """The repositories of one entry: (the 16-bit tuple's names, the FP8 names)."""
    if isinstance(value, dict):
        sixteen, eight = value.get("16") or (), value.get("8") or ()
    else:
        sixteen, eight = value or (), ()
    return [str(v) for v in sixteen if v], [str(v) for v in eight if v]


def reuploads(table: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(re-upload, original) for every ``unsloth/`` repository of the table whose original is named once."""
    for key, value in table.items():
        sixteen, eight = _names(value)
        originals = {n.lower(): n for n in sixteen if not n.startswith(ORG)}
        if len(originals) != 1:
            originals = {n.lower(): n for n in [*sixteen, *eight] if not n.startswith(ORG)}
        if len(originals) != 1:
            continue
        original = next(iter(originals.values()))
        for name in dict.fromkeys([str(key), *sixteen, *eight]):
            if name.startswith(ORG):
                yield name, original


def _kind(name: str) -> str:
    low = name.lower()
    if "bnb-4bit" in low:
        return "bitsandbytes 4-bit"
    if "fp8" in low:
        return "FP8"
    return "16-bit copy"


def records(pairs: Sequence[tuple[str, str]], licence_of: dict[str, str | None]) -> tuple[list[ModelRecord], int]:
    """One record per re-upload whose original has a known licence; and how many were left out."""
    out: dict[str, ModelRecord] = {}
    skipped: set[str] = set()
    for name, original in pairs:
        key = name.lower()
        licence = licence_of.get(f"hf:{original}")
        if key in out:
            continue
        if not licence or licence == "unknown":
            skipped.add(key)
            continue
        skipped.discard(key)
        out[key] = ModelRecord(
            id=f"hf:{name}",
            name=f"{original} ({_kind(name)}, Unsloth re-upload)",
            base_models=(BaseModel(f"hf:{original}", "quantized"),),
            license=licence,
            facts={"quantized": _kind(name), "reupload_of": original},
            url=f"https://huggingface.co/{name}",
        )
    models = sorted(out.values(), key=lambda m: m.id.lower())
    check_unique(models)
    return models, len(skipped)


def base_licences(originals: Sequence[str]) -> dict[str, str | None]:
    """The licence the knowledge base records for each original (``None`` when it holds no record)."""
    from modelclear.catalog import KnowledgeBase

    kb = KnowledgeBase.load()
    found: dict[str, str | None] = {}
    for name in originals:
        artifact = kb.artifact(f"hf:{name}")
        found[f"hf:{name}"] = artifact.license if artifact is not None else None
    return found


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """The re-uploads of ``unsloth==version`` whose original the knowledge base knows, as a catalogue."""
    pairs = list(reuploads(mapper_table(archive.read(SOURCE))))
    models, _skipped = records(pairs, base_licences(sorted({o for _, o in pairs})))
    return Catalogue(FAMILY, PACKAGE, version, tuple(models), (SOURCE,))
