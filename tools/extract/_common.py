"""Shared pieces of the model-family extractors: the record they emit and the catalogue file."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from license_expression import get_spdx_licensing

GENERATOR = "scripts/extract_models.py"


@dataclass(frozen=True)
class BaseModel:
    """An upstream model of an extracted model, and how it was derived."""

    target: str
    relation: str  # finetune | adapter | merge | quantized | distill

    def to_json(self) -> dict[str, str]:
        """The JSON form used in the catalogue."""
        return {"target": self.target, "relation": self.relation}


@dataclass(frozen=True)
class ModelRecord:
    """One pretrained model found in a library's source."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    base_models: tuple[BaseModel, ...] = ()
    license: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    url: str | None = None
    hf_hub_id: str | None = None
    kind: str = "model"  # model | package

    def to_json(self) -> dict[str, Any]:
        """The JSON form used in the catalogue (keys and lists in a stable order)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "aliases": sorted(set(self.aliases) - {self.id}),
            "datasets": sorted(set(self.datasets)),
            "base_models": [b.to_json() for b in sorted(set(self.base_models), key=lambda b: (b.target, b.relation))],
            "license": self.license,
            "facts": {k: self.facts[k] for k in sorted(self.facts)},
            "url": self.url,
            "hf_hub_id": self.hf_hub_id,
        }


@dataclass(frozen=True)
class Catalogue:
    """The models of one family as extracted from one pinned package release."""

    family: str
    package: str
    version: str
    models: tuple[ModelRecord, ...]
    files: tuple[str, ...] = ()  # archive members read (for the record)

    def to_json(self) -> dict[str, Any]:
        """The JSON document written to ``data/models/_generated/<family>.json``."""
        return {
            "family": self.family,
            "generator": GENERATOR,
            "package": self.package,
            "version": self.version,
            "count": len(self.models),
            "models": [m.to_json() for m in sorted(self.models, key=lambda m: m.id)],
        }

    def write(self, directory: Path) -> Path:
        """Write the catalogue as deterministic JSON; return the path."""
        check_unique(self.models)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.family}.json"
        text = json.dumps(self.to_json(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"
        path.write_text(text, encoding="utf-8")
        return path


def check_unique(models: Iterable[ModelRecord]) -> None:
    """Raise ``ValueError`` if two records share an id, or an alias names two models."""
    seen: dict[str, str] = {}
    for model in models:
        for name in (model.id, *model.aliases):
            key = name.lower()
            if key in seen and seen[key] != model.id:
                raise ValueError(f"{name} names both {seen[key]} and {model.id}")
            if name == model.id and key in seen:
                raise ValueError(f"duplicate id {model.id}")
            seen[key] = model.id


_SPDX = get_spdx_licensing()


def normalize_license(raw: str | None) -> str | None:
    """An SPDX id in its canonical spelling when ``raw`` is one, else ``raw`` itself (``None`` for unknown)."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not text or text.lower() in {"unknown", "none", "other"}:
        return None
    symbol = _SPDX.known_symbols_lowercase.get(text.lower())
    return str(symbol.key) if symbol is not None else text


def spdx_key(raw: str) -> str | None:
    """The canonical SPDX id of ``raw`` when the SPDX licence list knows it, else ``None``."""
    symbol = _SPDX.known_symbols_lowercase.get(raw.strip().lower())
    return str(symbol.key) if symbol is not None else None


def datasets_from_tokens(tokens: Iterable[str], table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Dataset ids for the tokens (and adjacent token pairs ``a_b``) that ``table`` knows, without repeats."""
    words = [t.lower() for t in tokens]
    keys = [*words, *(f"{a}_{b}" for a, b in itertools.pairwise(words))]
    out: list[str] = []
    for token in keys:
        for dataset in table.get(token, ()):
            if dataset not in out:
                out.append(dataset)
    return tuple(out)


def tokens(tag: str) -> list[str]:
    """Split a pretrained tag such as ``augreg_in21k_ft_in1k`` into its ``_``/``-``/``.`` separated tokens."""
    return [t for t in re.split(r"[_\-.]+", tag.strip("*").lower()) if t]



def git_show(git_dir: Path, *args: str) -> str:
    """The text output of ``git --git-dir GIT_DIR ARGS`` (extractors that read a repository snapshot)."""
    import subprocess

    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True,
                          text=True).stdout


def git_dir_of(path: Path) -> Path:
    """The git directory of a clone (its ``.git``) or of a bare snapshot (itself)."""
    return path / ".git" if (path / ".git").exists() else path


def dumps_models(doc: dict[str, Any]) -> str:
    """A catalogue document as committed: its head on one line, then one model per line (reviewable diffs)."""
    head = {k: v for k, v in doc.items() if k != "models"}
    text = json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1]
    models = ",\n".join(json.dumps(m, ensure_ascii=False, sort_keys=True) for m in doc["models"])
    return f'{text}, "models": [\n{models}\n]}}\n'


def write_or_check(out: Path, text: str, check: bool, summary: str) -> int:
    """Write ``text`` to ``out`` (printing ``summary``), or with ``check`` compare it; the exit code."""
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        print("up to date" if current == text else f"out of date: {out}")
        return 0 if current == text else 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(summary)
    return 0
