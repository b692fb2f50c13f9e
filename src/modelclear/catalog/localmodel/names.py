"""Resolving the base-model and dataset names a local artifact's files give to catalogued ids."""

from __future__ import annotations

import os
import re
from pathlib import Path

from modelclear import ids
from modelclear.catalog.localmodel.files import _Files
from modelclear.catalog.localmodel.records import (
    SCHEME,
    _table,
)
from modelclear.catalog.localpath import looks_local

_HUB_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/(datasets/)?([\w.\-]+(?:/[\w.\-]+)?)/?(?:tree/.*|resolve/.*)?$")
_HF_CACHE_PATH = re.compile(r"(?:^|/)(models|datasets)--([A-Za-z0-9][\w.\-]*)--([A-Za-z0-9][\w.\-]*)(?:/|$)")
_HUB_NAME = re.compile(r"[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*")


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and len(value) <= 1000 and not any(c in value for c in "\n\r\0") else None


_looks_local = looks_local


def resolve_name(raw: str, here: Path, files: _Files, scheme: str = "hf") -> str | None:
    """The id a base-model (or, with ``scheme='hf-dataset'``, a dataset) name in a local file stands for.

    A folder or file that exists inside the root (relative to the naming file's folder ``here``, or to
    the root) becomes a ``local:`` id, as the libraries that read these names look on disk first; a
    LoRA base version of the ``lora_base_models`` table becomes the model it names; a Hub name or
    address becomes ``hf:``/``hf-dataset:``; a path that is missing or leads out of the root, ``None``.
    """
    raw = raw.strip()
    if scheme == "hf":
        mapped = (_table().get("lora_base_models") or {}).get(raw)
        if isinstance(mapped, str):
            return mapped
    hub = _HUB_URL.match(raw)
    if hub:
        ref = ids.try_parse(("hf-dataset:" if hub.group(1) or scheme == "hf-dataset" else "hf:") + hub.group(2))
        return ref.id if ref else None
    if "://" in raw:
        try:
            from modelclear.scan.urls import match_url

            found = match_url(raw)
        except ImportError:  # pragma: no cover - the scan package ships with the catalog
            found = None
        return found.id if found is not None else None
    if not raw.startswith("~"):
        candidates = [Path(raw)] if os.path.isabs(raw) else [here / raw, files.root_given / raw]
        for candidate in candidates:
            if os.path.lexists(candidate):
                if files.inside(candidate) is None:
                    return None
                return f"{SCHEME}:{files.rel(candidate)}"
    cached = _HF_CACHE_PATH.search(raw.replace("\\", "/"))
    if cached:  # a snapshot in the Hugging Face cache of the machine that wrote the file names its repo
        ref = ids.try_parse(f"{'hf-dataset' if cached.group(1) == 'datasets' else 'hf'}:{cached.group(2)}/"
                            f"{cached.group(3)}")
        return ref.id if ref is not None else None
    if _looks_local(raw):
        files.warnings.append(f"{raw[:200]}: a local path (of the machine that wrote the file) not found under the "
                              "root; what it names is unknown")
        return None
    if ":" in raw:
        ref = ids.try_parse(raw)
        return ref.id if ref is not None else None
    ref = ids.try_parse(f"{scheme}:{raw}")
    return ref.id if ref is not None else None
