"""Constants, the loader table and the record types of local artifacts (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from modelclear import loaderdata
from modelclear.catalog.hfcard import MAX_CARD_BYTES, CardData
from modelclear.catalog.localpath import SCHEME as SCHEME
from modelclear.catalog.localpath import WEIGHT_SUFFIXES as WEIGHT_SUFFIXES
from modelclear.catalog.localpath import YAML_SUFFIXES as YAML_SUFFIXES

#: Bytes read at most from a card, a JSON config or a YAML merge config.
FILE_BYTES = MAX_CARD_BYTES
#: Bytes read at most from the start of a weight file (its header).
HEAD_BYTES = 8 * 1024 * 1024
#: Entries of a model folder looked at, at most.
MAX_ENTRIES = 2000
#: Weight files of one folder whose headers are read, at most.
MAX_WEIGHT_FILES = 8
#: Bases and datasets kept per artifact, at most.
MAX_LINKS = 64

#: ``quantization_config.quant_method`` values are quantisations whatever they are called.
_RELATIONS = ("finetune", "adapter", "merge", "quantized", "distill")


@cache
def _table() -> Mapping[str, Any]:
    return loaderdata.documents().get("local_models", {})


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: a file (relative to the root, ``/``-separated) and the key in it."""

    file: str
    key: str
    value: str = ""

    def text(self) -> str:
        """``file: key = value`` for a report."""
        return f"{self.file}: {self.key}" + (f" = {self.value[:200]}" if self.value else "")


@dataclass(frozen=True)
class Link:
    """A base model or training dataset named by the artifact's files."""

    raw: str
    target: str | None  # the id it resolves to; ``None`` when it names nothing we can look up
    evidence: Evidence
    relation: str = ""  # for a base: how the artifact derives from it (set on the record)


@dataclass(frozen=True)
class LocalRecord:
    """What a local artifact's own files say (see the module docstring)."""

    id: str
    path: str
    formats: tuple[str, ...] = ()  # model-card, config, peft-adapter, quantization-config, mergekit, lora, gguf, onnx
    relation: str = "finetune"
    relation_evidence: Evidence | None = None
    license: str | None = None
    license_evidence: Evidence | None = None
    card: CardData | None = None
    bases: tuple[Link, ...] = ()
    datasets: tuple[Link, ...] = ()
    name: str | None = None
    facts: Mapping[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: How reports name it: its path, or the root folder's own name when it is the root (``.``).
    label: str = ""

    @property
    def found(self) -> bool:
        """Whether anything was read that makes this a model artifact."""
        return bool(self.formats)
