"""Local dataset folders whose identity is clear from their names (issue 10, item 8).

Research code trains on ``data/coco/annotations/instances_train2017.json`` or an ImageFolder over
``imagenet/train``: the folder is on disk, but its published layout says which dataset it holds. After
the scan, :func:`find_local_datasets` reads the project's Python and config files that match the
signature table's needles (``data/loaders/dataset_folders.yaml``: plain lower-case texts, searched as one
trie in the lower-cased file, since the signatures' own expressions over every file would cost too much)
and reports each path that matches a signature as that dataset, confidence ``low``, with the string as evidence:

* in Python, string literals (and the literal parts of f-strings) without whitespace, never a
  docstring, a comment, a message (``print``/logging/``warn`` arguments, ``help=``, an exception or an
  ``assert`` message);
* in YAML / JSON / TOML / INI configs, the value of a ``key: value`` or ``key = value`` line (never a
  comment line, never the key).

A signature marked ``alone`` counts in a string without a slash (``root / "train2017"``); the others
only in a path, so that a dataset's bare name used as an option is never a finding. One reference per
file and dataset (the first line). Bounded by file count and bytes; nothing is fetched or imported.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from modelclear.model import Kind, Reference

#: Files read (after the size and suffix filter).
MAX_FILES = 5_000
#: Bytes of one file read.
MAX_BYTES = 1_000_000
#: References added per file.
MAX_PER_FILE = 50

_PY = ".py"
_CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".toml", ".cfg", ".ini"})
#: Calls whose string arguments are messages, not paths.
_MESSAGE_CALLS = frozenset({"print", "warn", "warning", "info", "debug", "error", "exception", "critical", "log",
                            "echo", "secho", "write", "fail", "skip", "set_description", "add_text"})
_MESSAGE_KWARGS = frozenset({"help", "description", "epilog", "msg", "message", "usage", "title", "desc"})
_CONFIG_VALUE = re.compile(r"""^\s*-?\s*["']?[\w.\-]+["']?\s*[:=]\s*(.+)$""")
_SPLIT = re.compile(r"""[\s,\[\]{}()"'`]+""")


@dataclass(frozen=True)
class _Signature:
    id: str
    pattern: re.Pattern[str]
    alone: bool
    note: str


@cache
def _table() -> tuple[re.Pattern[bytes] | None, tuple[_Signature, ...]]:
    from modelclear.loaderdata import documents
    from modelclear.scan.walk import keyword_pattern

    doc = documents().get("dataset_folders")
    if not doc:
        return None, ()
    raw_needles = doc.get("needles")
    raw = doc.get("signatures")
    sigs: list[_Signature] = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("pattern"), str):
            sigs.append(_Signature(entry["id"], re.compile(entry["pattern"]), bool(entry.get("alone")),
                                   str(entry.get("note", ""))))
    needles = tuple(n.lower().encode() for n in raw_needles if isinstance(n, str) and n) \
        if isinstance(raw_needles, list) else ()
    if not needles or not sigs:
        return None, ()
    return keyword_pattern(needles), tuple(sigs)


def match_path(text: str) -> tuple[str, str] | None:
    """The (dataset id, signature note) a path string names, or None (whitespace or no signature)."""
    _needle, sigs = _table()
    if not text or len(text) > 1000 or any(c.isspace() for c in text):
        return None
    path = text.replace("\\", "/")
    has_slash = "/" in path
    for sig in sigs:
        if (has_slash or sig.alone) and sig.pattern.search(path):
            return sig.id, sig.note
    return None


def _func_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _python_strings(tree: ast.AST) -> Iterator[tuple[int, int, str]]:
    """(line, column, text) of the string literals of a module that may be paths and name a dataset
    (:func:`match_path`; the others would be dropped by the caller).

    The literals that match are found first; only when there are some is the module walked again for
    the messages and docstrings to leave out (most files that hold a needle name no dataset path).
    """
    matching: list[tuple[ast.Constant, str]] = []
    for node in _nodes(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and match_path(node.value) is not None:
            matching.append((node, node.value))
    if not matching:
        return
    skip: set[int] = set()

    def mark(node: ast.AST) -> None:
        for sub in ast.walk(node):
            skip.add(id(sub))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # docstring
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a bare string statement is prose
        elif isinstance(node, ast.Call):
            if _func_name(node.func) in _MESSAGE_CALLS:
                mark(node)
            for kw in node.keywords:
                if kw.arg in _MESSAGE_KWARGS:
                    mark(kw.value)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            mark(node.exc)
        elif isinstance(node, ast.Assert) and node.msg is not None:
            mark(node.msg)
    for constant, value in matching:
        if id(constant) not in skip:
            yield constant.lineno, constant.col_offset, value


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` (as :func:`ast.walk`, in another order, without a generator per node)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))


def _config_strings(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, token) of the values of a config file's ``key: value`` lines."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith(("#", ";", "//")):
            continue
        m = _CONFIG_VALUE.match(line)
        if m is None:
            continue
        value = m.group(1)
        if " #" in value:
            value = value.split(" #", 1)[0]
        start = m.start(1)
        for token in _SPLIT.split(value):
            if token:
                yield number, start + max(value.find(token), 0), token


def _read(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None  # a symbolic link (O_NOFOLLOW), gone, or unreadable
    try:
        return os.read(fd, MAX_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)


def find_local_datasets(refs: Sequence[Reference], files: Sequence[tuple[str, str, int]]) -> list[Reference]:
    """References for local dataset folders and files named as a known dataset lays them out.

    ``files`` are the scanned files (absolute path, project-relative path, size); ``refs`` the scan's
    references so far (a place already reported with the same id is not reported again).
    """
    needles, _sigs = _table()
    if needles is None:
        return []
    taken = {(r.path, r.line, r.id) for r in refs}
    out: list[Reference] = []
    read = 0
    for path, rel, size in files:
        name = rel.rsplit("/", 1)[-1].lower()
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        if size > MAX_BYTES or not (suffix == _PY or suffix in _CONFIG_SUFFIXES):
            continue
        if read >= MAX_FILES:
            break
        read += 1
        data = _read(path)
        if not data:
            continue
        if needles.search(data.lower()) is None:
            continue
        text = data.decode("utf-8", errors="replace")
        if suffix == _PY:
            try:
                strings: Iterator[tuple[int, int, str]] = _python_strings(ast.parse(text))
                lines = text.splitlines()
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
        else:
            strings = _config_strings(text)
            lines = text.splitlines()
        seen: set[str] = set()
        try:
            for number, column, value in sorted(strings):
                found = match_path(value)
                if found is None or found[0] in seen:
                    continue
                dataset_id, note = found
                seen.add(dataset_id)
                if (rel, number, dataset_id) in taken:
                    continue
                taken.add((rel, number, dataset_id))
                evidence = lines[number - 1].strip()[:300] if 0 < number <= len(lines) else value[:300]
                out.append(Reference(
                    raw=value[:300], kind=Kind.DATASET, id=dataset_id, path=rel, line=number, column=column + 1,
                    evidence=evidence, confidence="low", loader="local-dataset",
                    note=f"local dataset path {value[:200]!r}: {note}"))
                if len(seen) >= MAX_PER_FILE:
                    break
        except RecursionError:
            continue
    return out
