"""OpenMMLab Python configs (mmdet, mmseg, mmpretrain...): checkpoints, dataset types and ``_base_`` files.

An OpenMMLab config is a ``.py`` file of top-level assignments (``model = dict(...)``,
``dataset_type = 'CocoDataset'``, ``_base_ = [...]``) that mmengine executes; this scanner reads
it as a syntax tree, never running it, and only when it looks like one: every top-level statement
is an assignment, an import, a docstring, a ``with read_base():`` block or a ``name.update(...)``,
and one of them assigns a config name (``_base_``, ``model``, ``dataset_type``, ``load_from``...).
The Python scanner reads the same file for loader calls; this one adds what only the config
convention says:

* ``load_from = X``, ``dict(type='Pretrained', checkpoint=X)`` (``init_cfg``) and ``pretrained=X``:
  ``X`` is a string literal or a top-level string constant; ``torchvision://NAME``,
  ``open-mmlab://NAME`` (and its deprecated names) and ``mmcls://NAME`` are resolved to the download
  address mmengine uses (tables in ``openmmlab:`` of ``data/loaders/config_keys.yaml``), a URL is a
  ``url:``, a path is a local checkpoint (no id), ``None`` loads nothing.
* ``dataset_type = 'CocoDataset'`` and ``dict(type='CocoDataset', ...)`` (or the class imported from
  ``mmdet``/``mmseg`` in a new-style config): a dataset class of mmdet or mmseg (``mmdet-dataset:`` /
  ``mmseg-dataset:``; a class both define is mmseg's when the config has segmentation keys). A class
  neither lists is the project's own (a local reference).
* ``_base_`` entries (and ``from .._base_.datasets.x import *`` under ``read_base()``): each base
  file inside the scanned tree is read (at most ``BUDGETS.include_depth`` levels and
  ``BUDGETS.include_bytes`` per file, never through a link out of the tree); the dataset it
  configures, directly or through its own bases, is reported at the entry's line, unless this file
  sets its own dataset type. Bases are followed breadth first, each file once, at most
  :data:`MAX_BASE_FILES` per config (past that: a ``budget`` warning).

Bounded by ``BUDGETS.python_source_chars`` and ``BUDGETS.ast_nodes`` per file; a file over them is
left to the Python scanner (which reports it) and a syntax error is that scanner's to report too.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, budget_warning
from modelclear.scan.config import Value, config_data, looks_local
from modelclear.scan.detectron2cfg import url_value
from modelclear.scan.pyparse import ParseCache
from modelclear.scan.walk import decode_text, inside_root

#: Top-level names of which an OpenMMLab config assigns at least one.
_CONFIG_NAMES = frozenset({"_base_", "model", "dataset_type", "load_from", "data", "data_root", "train_dataloader",
                           "train_pipeline", "optimizer", "optim_wrapper", "runner", "train_cfg", "default_scope"})
_DATASET_CLASS = re.compile(r"^[A-Za-z][A-Za-z0-9_]*Dataset(_v\d+|\d+)?$")


@cache
def _table() -> Mapping[str, Any]:
    return dict(config_data()["openmmlab"])


def checkpoint_value(text: str) -> Value | None:
    """The id of an OpenMMLab checkpoint string (``torchvision://``, ``open-mmlab://``, URL or path)."""
    table = _table()
    text = text.strip()
    if not text or text.lower() == "none":
        return None
    for prefix, family in table["schemes"].items():
        if text.startswith(prefix):
            name = text[len(prefix):]
            if family == "open-mmlab":
                name = table["deprecated"].get(name, name)
            url = table[family].get(name)
            if url is None:
                return Value(None, Kind.MODEL, note=f"{prefix}{name} is not in mmengine's table", confidence="low")
            return url_value(url, f"{prefix}{name} as mmengine resolves it")
    if re.match(r"^(https?|s3|gs)://", text):
        return url_value(text)
    if looks_local(text) or "/" in text:
        return Value(None, Kind.MODEL, note="local checkpoint", confidence="low")
    return None


def dataset_id(name: str, text: str) -> Value | None:
    """The id of a dataset class name, read in mmdet or mmseg (``text`` decides a shared name)."""
    table = _table()
    if name in table["generic"] or not _DATASET_CLASS.match(name):
        return None
    det, seg = name in table["datasets"]["mmdet"], name in table["datasets"]["mmseg"]
    if det and seg:
        scheme = "mmseg-dataset" if any(s in text for s in table["seg_signals"]) else "mmdet-dataset"
    elif det or seg:
        scheme = "mmdet-dataset" if det else "mmseg-dataset"
    else:
        return Value(None, Kind.DATASET, note=f"dataset class {name} of the project or another library",
                     confidence="low")
    ref = ids.try_parse(f"{scheme}:{name}")
    return Value(ref.id, Kind.DATASET) if ref is not None else None


# --------------------------------------------------------------------------------------------------
# Reading one config module


@dataclass
class _Found:
    value: Value
    raw: str
    line: int
    column: int
    loader: str
    note: str = ""


def _str(node: ast.AST | None, consts: Mapping[str, str]) -> tuple[str, str] | None:
    """(value, name it came through or "") of a string literal or a top-level string constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, ""
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id], node.id
    return None


def is_config(tree: ast.Module) -> bool:
    """Whether a module has the shape of an OpenMMLab config (see the module docstring)."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign | ast.Import | ast.ImportFrom) or \
                (isinstance(stmt, ast.Expr) and (isinstance(stmt.value, ast.Constant) or _update_call(stmt.value))):
            continue
        elif isinstance(stmt, ast.With) and _read_base(stmt):
            names.add("_base_")
        else:
            return False
    return bool(names & _CONFIG_NAMES)


def _update_call(expr: ast.expr) -> bool:
    """``name.update(...)`` / ``name.merge(...)``: how new-style configs change an inherited value."""
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and \
        isinstance(expr.func.value, ast.Name) and expr.func.attr in ("update", "merge", "append", "extend")


def _read_base(stmt: ast.With) -> bool:
    """Whether a ``with`` statement is mmengine's ``with read_base():``."""
    for item in stmt.items:
        call = item.context_expr
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "read_base":
                return True
    return False


def _assigned(stmt: ast.stmt, name: str) -> ast.expr | None:
    """The value ``stmt`` assigns to the top-level ``name``, if it does."""
    if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
        return stmt.value
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value.value
    return out


def _pairs(node: ast.AST) -> dict[str, ast.expr] | None:
    """The keyword pairs of a ``dict(...)`` call or a ``{...}`` literal with string keys."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {k.arg: k.value for k in node.keywords if k.arg is not None}
    if isinstance(node, ast.Dict):
        return {k.value: v for k, v in zip(node.keys, node.values, strict=False)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return None


def _checkpoints(tree: ast.Module, consts: Mapping[str, str], nodes: Iterable[ast.AST]) -> Iterator[_Found]:
    for stmt in tree.body:
        value = _assigned(stmt, "load_from")
        if value is not None:
            yield from _checkpoint(value, consts, "openmmlab:load_from")
    for node in nodes:
        pairs = _pairs(node)
        if not pairs:
            continue
        kind = pairs.get("type")
        if "checkpoint" in pairs and isinstance(kind, ast.Constant) and kind.value == "Pretrained":
            yield from _checkpoint(pairs["checkpoint"], consts, "openmmlab:init_cfg")
        if "pretrained" in pairs:
            yield from _checkpoint(pairs["pretrained"], consts, "openmmlab:pretrained")


def _checkpoint(node: ast.expr, consts: Mapping[str, str], loader: str) -> Iterator[_Found]:
    found = _str(node, consts)
    if found is None:
        return
    value = checkpoint_value(found[0])
    if value is not None:
        note = f"through {found[1]}" if found[1] else ""
        yield _Found(value, found[0], node.lineno, node.col_offset, loader, note)


def _imported_classes(tree: ast.Module) -> dict[str, str]:
    """Top-level ``from mmdet.datasets import CocoDataset`` names -> their framework (mmdet / mmseg)."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
            framework = stmt.module.split(".", 1)[0]
            if framework in ("mmdet", "mmseg"):
                out.update({alias.asname or alias.name: framework for alias in stmt.names})
    return out


def _class_name(node: ast.AST | None, imported: Mapping[str, str], text: str) -> tuple[str, Value] | None:
    """(name, id) of a dataset class given as a string literal or as a class imported from mmdet/mmseg."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        value = dataset_id(node.value, text)
        return (node.value, value) if value is not None else None
    if isinstance(node, ast.Name) and node.id in imported:  # new-style (pure Python) configs
        value = dataset_id(node.id, text)
        if value is None or value.id is None:
            return None
        ref = ids.try_parse(f"{imported[node.id]}-dataset:{node.id}")
        return (node.id, Value(ref.id, Kind.DATASET)) if ref is not None else None
    return None


def _datasets(tree: ast.Module, consts: Mapping[str, str], nodes: Iterable[ast.AST], text: str) -> list[_Found]:
    """``dataset_type = X`` and ``dict(type=X)`` of a known dataset class (``consts`` is unused: a
    dataset type given through another constant is reported where that constant is assigned)."""
    out: list[_Found] = []
    imported = _imported_classes(tree)
    for stmt in tree.body:
        assigned = _assigned(stmt, "dataset_type")
        found = _class_name(assigned, imported, text)
        if assigned is not None and found is not None:
            out.append(_Found(found[1], found[0], assigned.lineno, assigned.col_offset, "openmmlab:dataset_type"))
    table = _table()
    known = {*table["datasets"]["mmdet"], *table["datasets"]["mmseg"]}
    for node in nodes:
        pairs = _pairs(node)
        kind = pairs.get("type") if pairs else None
        name = kind.value if isinstance(kind, ast.Constant) else kind.id if isinstance(kind, ast.Name) else None
        if kind is None or name not in known:
            continue
        found = _class_name(kind, imported, text)
        if found is not None:
            out.append(_Found(found[1], found[0], kind.lineno, kind.col_offset, "openmmlab:dataset"))
    return out


def _base_entries(tree: ast.Module) -> Iterator[tuple[str, ast.expr | ast.stmt]]:
    """(relative file path, node) of each ``_base_`` entry and ``read_base()`` import."""
    for stmt in tree.body:
        value = _assigned(stmt, "_base_")
        if value is not None:
            items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            for item in items:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield item.value, item
        elif isinstance(stmt, ast.With) and _read_base(stmt):
            for inner in stmt.body:
                if isinstance(inner, ast.ImportFrom) and inner.level > 0 and inner.module:
                    rel = "../" * (inner.level - 1) + inner.module.replace(".", "/") + ".py"
                    yield rel, inner


def _parse(text: str, parses: ParseCache | None = None, key: str = "") -> tuple[ast.Module | None, list[ast.AST]]:
    """The module and its nodes, or None when it cannot be parsed or exceeds the node budget (the tree from
    ``parses`` under ``key`` when given: the one the Python scanner parsed from the same text, if it did)."""
    if len(text) > BUDGETS.python_source_chars:
        return None, []
    try:
        tree = parses.parse(key, text) if parses is not None else ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, []
    nodes: list[ast.AST] = []
    for node in ast.walk(tree):
        nodes.append(node)
        if len(nodes) > BUDGETS.ast_nodes:
            return None, []
    return tree, nodes


#: Base files read at most while following the ``_base_`` entries of one config (all entries together).
MAX_BASE_FILES = 64


@lru_cache(maxsize=256)
def _base_info(path: str, root: str) -> tuple[Value | None, tuple[str, ...]] | None:
    """The dataset a config file sets itself and the paths of its bases (None: not a readable config)."""
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size > BUDGETS.include_bytes or not inside_root(file, Path(root)):
            return None
        text = decode_text(file.read_bytes(), python=True)
    except OSError:
        return None
    tree, nodes = _parse(text) if text is not None else (None, [])
    if tree is None or text is None or not is_config(tree):
        return None
    own = [f for f in _datasets(tree, {}, nodes, text) if f.value.id is not None]
    bases = tuple(os.path.normpath(file.parent / rel) for rel, _node in _base_entries(tree) if "::" not in rel
                  and not rel.startswith("/"))
    return (own[0].value if own else None), bases


def _base_dataset(path: str, root: str, budget: Meter) -> tuple[Value, str] | None:
    """The dataset a base file configures, itself or through its bases (breadth first, each file once,
    at most ``BUDGETS.include_depth`` levels; ``budget`` counts the files read)."""
    seen: set[str] = set()
    level = [path]
    for _depth in range(BUDGETS.include_depth + 1):
        following: list[str] = []
        for current in level:
            if current in seen or not budget.spend():
                continue
            seen.add(current)
            info = _base_info(current, root)
            if info is None:
                continue
            if info[0] is not None:
                return info[0], Path(current).name
            following.extend(info[1])
        level = following
        if not level:
            break
    return None


class OpenMMLabScanner:
    """Checkpoints, dataset types and ``_base_`` datasets of OpenMMLab Python configs."""

    name = "openmmlab"
    #: A config names at least one of these.
    prefilter = frozenset({b"_base_", b"load_from", b"init_cfg", b"dataset_type", b"read_base"})

    def accepts(self, path: Path) -> bool:
        """``.py`` files."""
        return path.suffix.lower() == ".py"

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References of one config module; any other Python file gives nothing."""
        text = decode_text(data, python=True)
        if text is None:
            return []
        tree, nodes = _parse(text, ctx.parses, str(path))
        if tree is None:
            if len(text) > BUDGETS.python_source_chars:
                return [budget_warning(path.name, "too large to read as an OpenMMLab config")]
            return []
        if not is_config(tree):
            return []
        consts = _constants(tree)
        found = list(_checkpoints(tree, consts, nodes))
        own = _datasets(tree, consts, nodes, text)
        found.extend(own)
        warnings: list[ScanWarning] = []
        if not own and path.is_absolute():
            inherited, ran_out = self._inherited(path, tree, ctx)
            found.extend(inherited)
            if ran_out:
                warnings.append(budget_warning(path.name, f"more than {MAX_BASE_FILES} _base_ files to follow; "
                                                          "the rest were not read"))
        lines = text.splitlines()
        refs = [Reference(raw=f.raw, kind=f.value.kind, id=f.value.id, path=path.name, line=f.line, column=f.column,
                          evidence=lines[f.line - 1].strip()[:300] if 0 < f.line <= len(lines) else "",
                          confidence="medium" if f.value.id else f.value.confidence, loader=f.loader,
                          note="; ".join(n for n in (f.value.note, f.note) if n)) for f in found]
        return [*warnings, *refs]

    def _inherited(self, path: Path, tree: ast.Module, ctx: ScanContext) -> tuple[list[_Found], bool]:
        root = str(os.path.abspath(ctx.root))
        out: list[_Found] = []
        budget = Meter(MAX_BASE_FILES, "base files")
        for rel, node in _base_entries(tree):
            if rel.startswith(("/", "mmdet::", "mmseg::")) or "::" in rel:
                continue
            base = _base_dataset(os.path.normpath(path.parent / rel), root, budget)
            if base is not None:
                value, name = base
                out.append(_Found(value, rel, node.lineno, node.col_offset, "openmmlab:_base_", f"dataset of {name}"))
        return out, budget.exhausted
