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
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from modelclear.model import Kind, Reference
from modelclear.scan.pyparse import ParseCache, nodes
from modelclear.scan.walk import read_head_or_none

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
    for node in nodes(tree):
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


#: The strings of one file this pass reads: (line, column, text, evidence), sorted.
Entries = tuple[tuple[int, int, str, str], ...]


def _suffix(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1].lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _entries(strings: Iterator[tuple[int, int, str]], text: str) -> Entries:
    """The strings with the evidence line of each, sorted (nothing when the walk nests too deeply)."""
    lines = text.splitlines()
    try:
        return tuple(sorted((number, column, value,
                             lines[number - 1].strip()[:300] if 0 < number <= len(lines) else value[:300])
                            for number, column, value in strings))
    except RecursionError:
        return ()


def strings_from_scan(rel: str, size: int, data: bytes, parses: ParseCache, key: str) -> Entries | None:
    """What :func:`find_local_datasets` would read in the Python file ``rel`` (``data``, its whole content),
    worked out from the syntax tree the scan keeps for it in ``parses`` (under ``key``) while the file is
    being scanned, so that the pass after the scan does not read and parse the file again.

    None when this cannot be done the same way (not a ``.py`` file of this pass, not read whole, or no tree
    kept for exactly the text this pass decodes): the pass then reads the file itself.
    """
    needles, _sigs = _table()
    if needles is None or _suffix(rel) != _PY or size > MAX_BYTES or len(data) != size:
        return None
    if needles.search(data.lower()) is None:
        return ()
    text = data.decode("utf-8", errors="replace")
    tree = parses.kept(key, text)
    if tree is None:
        return None
    return _entries(_python_strings(tree), text)


def find_local_datasets(refs: Sequence[Reference], files: Sequence[tuple[str, str, int]],
                        scanned: Mapping[str, Entries] | None = None) -> list[Reference]:
    """References for local dataset folders and files named as a known dataset lays them out.

    ``files`` are the scanned files (absolute path, project-relative path, size); ``refs`` the scan's
    references so far (a place already reported with the same id is not reported again); ``scanned``, by
    relative path, what :func:`strings_from_scan` worked out during the scan (those files are not read again).
    """
    needles, _sigs = _table()
    if needles is None:
        return []
    taken = {(r.path, r.line, r.id) for r in refs}
    out: list[Reference] = []
    read = 0
    for path, rel, size in files:
        suffix = _suffix(rel)
        if size > MAX_BYTES or not (suffix == _PY or suffix in _CONFIG_SUFFIXES):
            continue
        if read >= MAX_FILES:
            break
        read += 1
        entries = scanned.get(rel) if scanned is not None and suffix == _PY else None
        if entries is None:
            entries = _read_entries(path, suffix, needles)
        seen: set[str] = set()
        for number, column, value, evidence in entries:
            found = match_path(value)
            if found is None or found[0] in seen:
                continue
            dataset_id, note = found
            seen.add(dataset_id)
            if (rel, number, dataset_id) in taken:
                continue
            taken.add((rel, number, dataset_id))
            out.append(Reference(
                raw=value[:300], kind=Kind.DATASET, id=dataset_id, path=rel, line=number, column=column + 1,
                evidence=evidence, confidence="low", loader="local-dataset",
                note=f"local dataset path {value[:200]!r}: {note}"))
            if len(seen) >= MAX_PER_FILE:
                break
    return out


def _read_entries(path: str, suffix: str, needles: re.Pattern[bytes]) -> Entries:
    """The strings of one file, read from disk (nothing when it is empty, holds no needle or does not parse)."""
    data = read_head_or_none(path, MAX_BYTES)
    if not data or needles.search(data.lower()) is None:
        return ()
    text = data.decode("utf-8", errors="replace")
    if suffix == _PY:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return ()
        return _entries(_python_strings(tree), text)
    return _entries(_config_strings(text), text)
