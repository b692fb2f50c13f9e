"""detectron2 YAML configs: ``MODEL.WEIGHTS`` and the dataset names of ``DATASETS.TRAIN`` / ``TEST``.

Run by :mod:`modelclear.scan.config` on every YAML document (:func:`read_detectron2`); a document
is read as a detectron2 (yacs) config only when its top level has ``MODEL`` or ``DATASETS`` next to
another detectron2 section (``_BASE_``, ``SOLVER``, ``INPUT``, ``DATASETS``, ``MODEL``). What the
names mean is data (``detectron2:`` in ``data/loaders/config_keys.yaml``, read from detectron2's
source):

* ``MODEL.WEIGHTS``: ``detectron2://PATH`` is ``https://dl.fbaipublicfiles.com/detectron2/PATH``;
  ``catalog://ImageNetPretrained/NAME`` and ``catalog://Caffe2Detectron/COCO/...`` are ModelCatalog
  entries (a name the catalog lacks is reported unresolved); an ``https://`` address is a ``url:``;
  a path is a local checkpoint (no id); an empty value loads nothing.
* ``DATASETS.TRAIN`` / ``TEST``: a tuple text (``("coco_2017_train",)``) or a list; names that
  detectron2 registers itself become ``detectron2-dataset:NAME``, other names are datasets the
  project registers (local references without id).

A config that inherits (``_BASE_: "Base-RCNN-FPN.yaml"``) is read for what it writes itself: the
base file is a config of the tree too, and each value is reported once, at the line that sets it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.config import Value, Walker, classify, config_data, looks_local
from modelclear.scan.configdoc import ConfigNode

_SECTIONS = frozenset({"_BASE_", "SOLVER", "INPUT", "DATASETS", "MODEL", "TEST", "DATALOADER", "OUTPUT_DIR"})
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")
_BARE = re.compile(r"^[A-Za-z0-9_.\-]+$")


@cache
def _table() -> tuple[Mapping[str, Any], tuple[re.Pattern[str], ...]]:
    data = dict(config_data()["detectron2"])
    return data, tuple(re.compile(p) for p in data["builtin_datasets"])


def read_detectron2(walker: Walker, doc: ConfigNode) -> None:
    """Report ``MODEL.WEIGHTS`` and ``DATASETS.TRAIN``/``TEST`` of a detectron2 YAML config."""
    top = doc.value
    if not isinstance(top, dict) or not ({"MODEL", "DATASETS"} & top.keys()):
        return
    if len(_SECTIONS & top.keys()) < 2:
        return
    model = top.get("MODEL")
    if model is not None and isinstance(model.value, dict):
        weights = model.value.get("WEIGHTS")
        if weights is not None:
            _weights(walker, weights)
    datasets = top.get("DATASETS")
    if datasets is not None and isinstance(datasets.value, dict):
        for key in ("TRAIN", "TEST"):
            node = datasets.value.get(key)
            if node is not None:
                _datasets(walker, key, node)


def weights_url(text: str) -> Value | None:
    """The id of a detectron2 checkpoint path (``detectron2://``, ``catalog://``, URL or local path)."""
    table, _ = _table()
    text = text.strip()
    if not text:
        return None
    for prefix, base in table["prefixes"].items():
        if text.startswith(prefix):
            return url_value(base + text[len(prefix):], f"expanded from {prefix}")
    if text.startswith("catalog://"):
        name = text[len("catalog://"):]
        path = None
        if name.startswith("ImageNetPretrained/"):
            path = table["catalog_imagenet"].get(name[len("ImageNetPretrained/"):])
        if path is None:
            return Value(None, Kind.MODEL, note=f"detectron2 ModelCatalog entry {name!r} not known", confidence="low")
        return url_value(f"{table['catalog_prefix']}/{path}", "detectron2 ModelCatalog")
    if re.match(r"^(https?|s3|gs)://", text):
        return url_value(text)
    if looks_local(text) or "/" in text:
        return Value(None, Kind.MODEL, note="local checkpoint", confidence="low")
    return None


def url_value(url: str, note: str = "") -> Value | None:
    """A download address as the shared weight-host table names it, else as ``url:``."""
    known = classify(url, "url", Kind.MODEL, strict=False) if url.startswith(("http://", "https://")) else None
    if known is not None and known.id is not None:
        return Value(known.id, known.kind, note=note)
    ref = ids.try_parse(f"url:{url}")
    return Value(ref.id, Kind.MODEL, note=note) if ref is not None else None


def _weights(walker: Walker, node: ConfigNode) -> None:
    text = walker.string(node)
    if text is None:
        return
    value = weights_url(text)
    if value is not None:
        walker.consumed.add(id(node))
        walker.emit(text, value, node, "config:detectron2-weights", "medium")


def _names(walker: Walker, node: ConfigNode) -> list[tuple[str, ConfigNode]]:
    if isinstance(node.value, list):
        out: list[tuple[str, ConfigNode]] = []
        for item in node.value:
            text = walker.string(item)
            if text and _BARE.match(text.strip()):
                out.append((text.strip(), item))
        return out
    text = walker.string(node)
    if not text:
        return []
    quoted = _QUOTED.findall(text)
    if quoted:
        return [(q.strip(), node) for q in quoted if _BARE.match(q.strip())]
    text = text.strip().strip("()[]").strip().rstrip(",").strip()
    return [(text, node)] if _BARE.match(text) else []


def _datasets(walker: Walker, key: str, node: ConfigNode) -> None:
    _, builtin = _table()
    for name, at in _names(walker, node):
        walker.consumed.add(id(at))
        if any(p.fullmatch(name) for p in builtin):
            ref = ids.try_parse(f"detectron2-dataset:{name}")
            if ref is not None:
                walker.emit(name, Value(ref.id, Kind.DATASET), at, f"config:detectron2-datasets-{key.lower()}",
                            "medium", note="dataset registered by detectron2")
            continue
        walker.emit(name, Value(None, Kind.DATASET, note="dataset registered by the project", confidence="low"),
                    at, f"config:detectron2-datasets-{key.lower()}", "low")
