"""Reading a model folder or file: each of its files handed to the reader of its kind."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from modelclear.catalog.localmodel.card import _read_adapter, _read_card, _read_config
from modelclear.catalog.localmodel.draft import _Draft, _finish
from modelclear.catalog.localmodel.files import _Files
from modelclear.catalog.localmodel.gguf import _read_gguf
from modelclear.catalog.localmodel.lora import _read_safetensors
from modelclear.catalog.localmodel.merge import _read_merge
from modelclear.catalog.localmodel.onnxmeta import _read_onnx
from modelclear.catalog.localmodel.records import (
    MAX_ENTRIES,
    MAX_WEIGHT_FILES,
    SCHEME,
    WEIGHT_SUFFIXES,
    YAML_SUFFIXES,
    LocalRecord,
    _table,
)


def _read_folder(d: _Draft, folder: Path) -> None:
    try:
        with os.scandir(folder) as it:
            names = []
            for i, entry in enumerate(it):
                if i >= MAX_ENTRIES:
                    d.files.warnings.append(f"{d.files.rel(folder)}: more than {MAX_ENTRIES} entries; "
                                            "the rest not looked at")
                    break
                names.append(entry.name)
    except OSError as exc:
        d.files.warnings.append(f"{d.files.rel(folder)}: cannot list ({exc.strerror or type(exc).__name__})")
        return
    names.sort()
    lower = {n.lower(): n for n in names}
    if "readme.md" in lower:
        _read_card(d, folder / lower["readme.md"])
    if "config.json" in lower:
        _read_config(d, folder / lower["config.json"])
    if "adapter_config.json" in lower:
        _read_adapter(d, folder / lower["adapter_config.json"])
    for merge_name in _table().get("mergekit_files") or ():
        if merge_name in lower:
            _read_merge(d, folder / lower[merge_name])
            break
    weights = [n for n in names if n.lower().endswith(WEIGHT_SUFFIXES)][:MAX_WEIGHT_FILES]
    for name in weights:
        _read_file(d, folder / name)


def _read_file(d: _Draft, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        _read_safetensors(d, path)
    elif suffix == ".gguf":
        _read_gguf(d, path)
    elif suffix == ".onnx":
        _read_onnx(d, path)
    elif suffix in YAML_SUFFIXES:
        _read_merge(d, path)
    elif path.name.lower() == "readme.md":
        _read_card(d, path)
    elif path.name.lower() == "adapter_config.json":
        _read_adapter(d, path)
    elif path.name.lower() == "config.json":
        _read_config(d, path)


def read_local(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> LocalRecord:
    """The record of the model folder or file at ``path`` (inside ``root``); never raises.

    ``record.found`` is false when nothing there makes it a model artifact.
    """
    files = _Files(Path(root))
    target = Path(path)
    rel = files.rel(target)
    d = _Draft(files=files, here=target if target.is_dir() else target.parent)
    real = files.inside(target)
    if real is not None:
        if os.path.isdir(real):
            _read_folder(d, target)
        elif os.path.isfile(real):
            _read_file(d, target)
        else:
            files.warnings.append(f"{rel}: not a file or folder")
    record = _finish(d, f"{SCHEME}:{rel}", rel)
    return replace(record, label=Path(os.path.abspath(root)).name or rel) if rel == "." else record
