"""Scans: which references are your own models (giving them ``local:`` ids)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from modelclear import ids
from modelclear.catalog.localmodel.artifact import LocalSource
from modelclear.catalog.localmodel.records import (
    SCHEME,
)
from modelclear.catalog.localmodel.scripts import link_training_scripts
from modelclear.model import ArtifactRef, Kind

#: Loaders of scan references (with no id) that a local model artifact's own files give.
_SELF_LOADERS = ("model-card", "safetensors", "gguf", "mergekit", "onnx")
#: Files that make their folder a model folder (the folder, not the file, is then the artifact).
_FOLDER_FILES = ("readme.md", "config.json", "adapter_config.json", "mergekit_config.yml", "mergekit_config.yaml")


def _pipeline_folder(root: Path, rel: Path) -> str | None:
    """The nearest folder above ``rel`` (at most 3 levels) holding a diffusers ``model_index.json``."""
    for parent in list(rel.parents)[:3]:
        if parent.as_posix() not in ("", ".") and os.path.isfile(root / parent / "model_index.json"):
            return parent.as_posix()
    return None


def _artifact_path(root: Path, file_rel: str) -> str:
    """The artifact a file of a scan belongs to: its folder when that is a model folder, else the file.

    The components of a diffusers pipeline (``unet/``, ``vae/``… under a ``model_index.json``) belong
    to the pipeline's folder.
    """
    rel = Path(file_rel)
    pipeline = _pipeline_folder(root, rel)
    if pipeline is not None:
        return pipeline
    name = rel.name.lower()
    if name in _FOLDER_FILES:
        return rel.parent.as_posix() or "."
    folder = root / rel.parent
    try:
        names = {n.lower() for n in os.listdir(folder)} if rel.parent.as_posix() not in ("", ".") else set()
    except OSError:
        names = set()
    if names & set(_FOLDER_FILES) - {"readme.md"}:
        return rel.parent.as_posix()
    return rel.as_posix()


def attach_local(source: LocalSource, references: Iterable[Any]) -> list[Any]:
    """The scan's references with your own models given ``local:`` ids (a scan's step before the catalog).

    A reference without an id that a model folder's card or a weight file's header gave (the folder or
    file itself) gets the id of its artifact; a model folder known only through references to its bases
    (an adapter's ``adapter_config.json``, a saved ``config.json``) gets one reference of its own, added
    after the others. Folders and files whose files make no model artifact keep their references as
    they were.
    """
    from modelclear.model import Reference

    out: list[Any] = []
    covered: set[str] = set()
    extra: dict[str, Any] = {}
    for ref in references:
        path = getattr(ref, "path", "")
        if not path or os.path.isabs(path) or path.startswith("~"):  # not a file of the scanned tree
            out.append(ref)
            continue
        name = Path(path).name.lower()
        self_ref = ref.id is None and ref.kind is Kind.MODEL and (
            ref.loader in _SELF_LOADERS or name in ("adapter_config.json", "config.json"))
        related = name in ("adapter_config.json", "config.json") or ref.loader.startswith("mergekit")
        if not (self_ref or related):
            out.append(ref)
            continue
        rel = _artifact_path(source.root, path)
        local_id = f"{SCHEME}:{rel}"
        if ids.try_parse(local_id) is None or source.lookup(ArtifactRef(kind=Kind.MODEL, id=local_id)) is None:
            out.append(ref)
            continue
        if self_ref:
            covered.add(local_id.lower())
            out.append(replace(ref, id=local_id, kind=Kind.MODEL))
            continue
        out.append(ref)
        if local_id.lower() not in extra:
            record = source.records[local_id.lower()]
            extra[local_id.lower()] = Reference(
                raw=rel, kind=Kind.MODEL, id=local_id, path=path, line=0, evidence=f"{path}", confidence="medium",
                loader="local-model", note=f"your own model ({record.relation}; read from {', '.join(record.formats)})")
    out.extend(ref for key, ref in extra.items() if key not in covered)
    link_training_scripts(source, out)
    return out
