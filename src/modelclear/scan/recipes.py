"""Training recipes: the dataset lists and mixers of fine-tuning configs, LLaMA-Factory dataset names, NeMo.

Read from ``data/loaders/config_keys.yaml`` (``recipes:`` and ``nemo:``), on the document trees of
:mod:`modelclear.scan.configdoc`, by :func:`read_recipe`, which :mod:`modelclear.scan.config` runs
on every YAML / JSON / TOML document before its key rules:

* **dataset lists** (``dataset_lists``, at any depth): alignment-handbook
  ``dataset_mixture: {datasets: [{id: ORG/NAME, ...}]}``, axolotl ``datasets: [{path: ORG/NAME, type:
  alpaca}]``, or plain lists of ids. Each entry is a ``hf-dataset:`` reference at its own line; an
  entry whose value is a local path (or that loads ``data_files`` / a ``ds_type``) is a local
  reference without id. A bare word is not taken for a Hub id (it is the ``type`` or a builder name).
* **mixers** (``dataset_mixer: {ORG/NAME: 0.5}``): each key whose value is a number.
* **LLaMA-Factory** (a top-level ``dataset: a,b`` next to ``stage: sft`` / ``dpo``...): each name is
  looked up in ``<dataset_dir>/dataset_info.json`` inside the scanned tree (read as data, at most
  ``BUDGETS.hydra_root_bytes``): ``hf_hub_url`` -> ``hf-dataset:``, ``ms_hub_url`` alone -> the
  ModelScope address, ``file_name`` -> a local reference. A name the file does not define, or a
  recipe whose ``dataset_info.json`` is not in the tree, gives an unresolved reference.
* **NeMo diarization** (``diarizer.{vad,speaker_embeddings,msdd_model,asr}.model_path``): a bare
  name is a NeMo pretrained model (``nemo:NAME``), ``ORG/NAME`` a Hub id, a path a local model.

The project's own outputs (``output_dir``, ``hub_model_id``) are never references.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.budget import BUDGETS
from modelclear.scan.config import Value, Walker, classify, config_data, looks_local
from modelclear.scan.configdoc import ConfigNode, ParseLimits, nodes, parse_documents
from modelclear.scan.walk import inside_root

#: ``datasets.load_dataset`` builder names: with ``data_files`` they load local files.
_BUILDERS = frozenset({"json", "csv", "parquet", "text", "arrow", "imagefolder", "audiofolder", "webdataset",
                       "pandas", "sql"})
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@cache
def _table() -> Mapping[str, Any]:
    return dict(config_data()["recipes"])


def read_recipe(walker: Walker, doc: ConfigNode) -> None:
    """Report the datasets of recipe lists and mixers, LLaMA-Factory names and NeMo model names in ``doc``."""
    table = _table()
    lists, mixers = set(table["dataset_lists"]), set(table["mixers"])
    for mapping in _mappings(doc):
        for key, child in mapping.items():
            if key in lists and isinstance(child.value, list):
                _dataset_list(walker, key, child.value)
            elif key in mixers and isinstance(child.value, dict):
                _mixer(walker, key, child.value)
    if isinstance(doc.value, dict):
        _llamafactory(walker, doc.value)
        _nemo(walker, doc.value)


def _mappings(root: ConfigNode) -> Iterator[dict[str, ConfigNode]]:
    """Every mapping in the tree (the tree is already bounded by the parse budget)."""
    for node in nodes(root):
        if isinstance(node.value, dict):
            yield node.value


def _dataset_value(walker: Walker, node: ConfigNode, loader: str, local_ok: bool) -> None:
    text = walker.string(node)
    if text is None:
        return
    walker.consumed.add(id(node))
    if local_ok and (looks_local(text) or text.strip().lower() in _BUILDERS):
        walker.emit(text, Value(None, Kind.DATASET, note="local dataset files", confidence="low"), node,
                    loader, "low")
        return
    value = classify(text, "hf-dataset", Kind.DATASET, strict=True)
    if value is not None:
        walker.emit(text, value, node, loader, "medium")


def _dataset_list(walker: Walker, key: str, items: list[ConfigNode]) -> None:
    item_keys = _table()["item_keys"]
    loader = f"config:{key}"
    for item in items:
        if isinstance(item.value, str):
            _dataset_value(walker, item, loader, local_ok=False)
        elif isinstance(item.value, dict):
            entry = item.value
            local = any(k in entry for k in ("data_files", "ds_type"))
            for name in item_keys:
                node = entry.get(name)
                if node is None or not isinstance(node.value, str):
                    continue
                if local:
                    walker.consumed.add(id(node))
                    walker.emit(node.value, Value(None, Kind.DATASET, note="local dataset files (data_files)",
                                                  confidence="low"), node, loader, "low")
                else:
                    _dataset_value(walker, node, loader, local_ok=True)
                break


def _mixer(walker: Walker, key: str, mapping: dict[str, ConfigNode]) -> None:
    """``{dataset id: fraction}``; a mapping with a ``datasets`` key holds a dataset list (read as one)."""
    if "datasets" in mapping:
        return
    for name, node in mapping.items():
        if isinstance(node.value, dict | list) or not (node.value == 0 or _NUMBER.match(str(node.value))):
            continue
        value = classify(name, "hf-dataset", Kind.DATASET, strict=True)
        if value is not None:
            walker.emit(name, value, node, f"config:{key}", "medium")


# --------------------------------------------------------------------------------------------------
# LLaMA-Factory


@lru_cache(maxsize=64)
def _dataset_info(path: str, root: str) -> dict[str, ConfigNode] | None:
    """The entries of a ``dataset_info.json`` inside ``root`` (None: absent, too large or malformed)."""
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size > BUDGETS.hydra_root_bytes or not inside_root(file, Path(root)):
            return None
        text = file.read_text(encoding="utf-8")
        docs = parse_documents(text, ".json", ParseLimits())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not docs or not isinstance(docs[0].value, dict):
        return None
    return docs[0].value


def _info_file(walker: Walker, top: dict[str, ConfigNode]) -> tuple[dict[str, ConfigNode] | None, str]:
    """The dataset_info.json entries for this recipe and how the directory was found."""
    conf = _table()["llamafactory"]
    node = top.get(conf["dir_key"])
    folder = walker.string(node) if node is not None else None
    folder = (folder or conf["default_dir"]).strip()
    if folder == "ONLINE":
        return None, "ONLINE"
    if walker.ctx_root is None or folder.startswith(("/", "REMOTE:", "~")) or "${" in folder:
        return None, folder
    root = walker.ctx_root
    for base in (root, walker.path.parent):
        candidate = os.path.normpath(base / folder / conf["info_file"])
        info = _dataset_info(candidate, str(root))
        if info is not None:
            return info, folder
    return None, folder


def _llamafactory(walker: Walker, top: dict[str, ConfigNode]) -> None:
    conf = _table()["llamafactory"]
    stage = top.get(conf["stage_key"])
    if stage is None or not isinstance(stage.value, str) or stage.value.strip() not in conf["stages"]:
        return
    for key in conf["name_keys"]:
        node = top.get(key)
        text = walker.string(node) if node is not None else None
        if node is None or text is None or "${" in text:
            continue
        walker.consumed.add(id(node))
        info, folder = _info_file(walker, top)
        for name in (n.strip() for n in text.split(",")):
            if name:
                _llamafactory_name(walker, node, name, info, folder)


def _llamafactory_name(walker: Walker, node: ConfigNode, name: str, info: dict[str, ConfigNode] | None,
                       folder: str) -> None:
    loader = "config:llamafactory"
    if folder == "ONLINE":
        value = classify(name, "hf-dataset", Kind.DATASET, strict=False)
        if value is not None:
            walker.emit(name, value, node, loader, "medium", note="dataset_dir ONLINE: a Hub dataset")
        return
    entry = info.get(name) if info is not None else None
    if entry is None or not isinstance(entry.value, dict):
        where = f"{folder}/dataset_info.json" if info is not None else f"{folder}/dataset_info.json (not in the tree)"
        walker.emit(name, Value(None, Kind.DATASET, note=f"LLaMA-Factory dataset {name!r}; not defined in {where}",
                                confidence="low"), node, loader, "low")
        return
    fields = {k: v.value for k, v in entry.value.items() if isinstance(v.value, str)}
    note = f"LLaMA-Factory dataset {name!r} ({folder}/dataset_info.json)"
    if "hf_hub_url" in fields:
        value = classify(fields["hf_hub_url"], "hf-dataset", Kind.DATASET, strict=False)
    elif "ms_hub_url" in fields:
        url = _table()["llamafactory"]["modelscope_url"].format(name=fields["ms_hub_url"])
        ref = ids.try_parse(f"url:{url}")
        value = Value(ref.id, Kind.DATASET, note="ModelScope dataset") if ref is not None else None
    elif "file_name" in fields or "cloud_file_name" in fields:
        file = fields.get("file_name") or fields.get("cloud_file_name", "")
        value = Value(None, Kind.DATASET, note=f"local file {file}", confidence="low")
    else:
        value = Value(None, Kind.DATASET, note="no Hub id or file in its entry", confidence="low")
    if value is not None:
        walker.emit(name, value, node, loader, "medium", note=note)


# --------------------------------------------------------------------------------------------------
# NeMo


def _nemo(walker: Walker, top: dict[str, ConfigNode]) -> None:
    conf = config_data()["nemo"]
    root = top.get(conf["root"])
    if root is None or not isinstance(root.value, dict):
        return
    for module in conf["modules"]:
        section = root.value.get(module)
        if section is None or not isinstance(section.value, dict):
            continue
        node = section.value.get(conf["key"])
        text = walker.string(node) if node is not None else None
        if node is None or text is None:
            continue
        walker.consumed.add(id(node))
        loader = f"config:nemo-{module}"
        if "/" in text.strip() and not looks_local(text):
            value = classify(text, "hf", Kind.MODEL, strict=True)
        elif looks_local(text) or text.strip().startswith("$"):
            value = classify(text, "hf", Kind.MODEL, strict=False)
        else:
            ref = ids.try_parse(f"nemo:{text.strip()}")
            value = Value(ref.id, Kind.MODEL) if ref is not None else None
        if value is not None:
            walker.emit(text, value, node, loader, "medium", note="NeMo pretrained model name" if
                        value.id and value.id.startswith("nemo:") else "")
