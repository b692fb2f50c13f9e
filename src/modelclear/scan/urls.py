"""Download addresses of pretrained weights on well-known hosts, found in any text file.

The hosts are data (``data/loaders/weight_urls.yaml``). An address maps to the best id we can give
it: the Hub repo for a ``huggingface.co/ORG/NAME/resolve/...`` file, the model a knowledge-base
record lists under ``url:``, else ``url:<address>``.

In Python (and notebook code) only string literals count: an address in a comment, a docstring, a
``print``/logging call or an argparse ``help=`` text is documentation, not something the code loads.
In other text files (shell scripts, YAML, Dockerfiles...) comment lines are skipped. Markup
documentation (Markdown, reStructuredText, HTML) is not read for addresses at all.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from modelclear import ids, loaderdata
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.placeholders import review_references
from modelclear.scan.walk import decode_text

#: File suffixes (lower case) read for weight addresses.
TEXT_SUFFIXES = frozenset({
    ".py", ".pyw", ".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".cmd", ".yaml", ".yml", ".json",
    ".jsonc", ".toml", ".cfg", ".ini", ".conf", ".txt", ".env", ".mk", ".r", ".jl", ".lua", ".js",
    ".ts", ".mjs", ".go", ".rs", ".java", ".kt", ".scala", ".swift", ".c", ".cc", ".cpp", ".h", ".hpp",
})
#: Files without a suffix that are still text worth reading.
TEXT_NAMES = frozenset({"dockerfile", "makefile", "justfile", "procfile", "containerfile", ".env"})

_URL_RE = re.compile(r"""https?://[^\s'"<>`()\[\]{},;\\|^]+""")
_TRAILING_COMMENT = re.compile(r"(^|\s)#")
_TRAILING = ".:!?*"
_COMMENT_PREFIXES = ("#", "//", ";", "--", "REM ", "rem ", "::")


@dataclass(frozen=True)
class WeightHost:
    """One known host: the address pattern, the id template (``None``: ``url:``), kind and note."""

    pattern: re.Pattern[str]
    id_template: str | None
    kind: Kind
    note: str


@dataclass(frozen=True)
class UrlMatch:
    """What an address resolves to."""

    url: str
    id: str
    kind: Kind
    note: str


@cache
def hosts() -> tuple[tuple[WeightHost, ...], frozenset[bytes]]:
    """The known hosts and the byte strings of the prefilter, from ``weight_urls.yaml``."""
    table = tuple(WeightHost(pattern, template, Kind(kind), note)
                  for pattern, template, kind, note in loaderdata.weight_hosts())
    prefilter = loaderdata.documents()["weight_urls"]["prefilter"]
    return table, frozenset(str(p).encode() for p in prefilter)  # type: ignore[attr-defined]


@cache
def _file_types() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The weight and data file suffixes of ``file_types.yaml`` (lower case, with their dot)."""
    doc = loaderdata.documents().get("file_types") or {}

    def suffixes(key: str) -> tuple[str, ...]:
        raw = doc.get(key)
        return tuple(str(s).lower() for s in raw if s) if isinstance(raw, list) else ()

    return suffixes("weights"), suffixes("data")


def weight_suffixes() -> tuple[str, ...]:
    """The weight file suffixes of ``file_types.yaml`` (lower case, with their dot)."""
    return _file_types()[0]


def file_kind(name: str) -> Kind | None:
    """What a downloaded file's name says it is: MODEL (weights), DATASET (archive or data file) or None.

    One table (``file_types.yaml``) for shell downloads and Python's generic HTTP fetches; weight suffixes
    are matched first, so ``x.pth.tar`` is weights.
    """
    weights, data = _file_types()
    lower = name.lower()
    if lower.endswith(weights):
        return Kind.MODEL
    if lower.endswith(data):
        return Kind.DATASET
    return None


@cache
def _catalog_urls() -> dict[str, str]:
    """Address -> model id, from every bundled model record that lists a ``url:``."""
    out: dict[str, str] = {}
    base = resources.files("modelclear.data").joinpath("models")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def visit(node: object) -> None:
        for child in node.iterdir():  # type: ignore[attr-defined]
            if child.is_dir():
                visit(child)
            elif child.name.endswith((".yaml", ".yml")):
                try:
                    doc = yaml.load(child.read_text(encoding="utf-8"), Loader=loader)  # a safe loader
                except (yaml.YAMLError, OSError, UnicodeDecodeError):
                    continue
                if not isinstance(doc, dict):
                    continue
                records = doc["models"] if isinstance(doc.get("models"), list) else [doc]
                for rec in records:
                    if isinstance(rec, dict) and isinstance(rec.get("url"), str) and isinstance(rec.get("id"), str):
                        out.setdefault(rec["url"].strip(), rec["id"])

    with contextlib.suppress(OSError):
        visit(base)
    return out


def catalog_urls() -> dict[str, str]:
    """Address -> model id of the bundled model records (YAML) that list a ``url:``."""
    return _catalog_urls()


def clean_url(url: str) -> str:
    """An address without trailing punctuation picked up from the surrounding text."""
    return url.rstrip(_TRAILING)


def match_url(url: str) -> UrlMatch | None:
    """The id a weight address of a known host stands for, or ``None`` for other addresses."""
    url = clean_url(url.strip())
    table, _ = hosts()
    for host in table:
        m = host.pattern.search(url)
        if m is None:
            continue
        if host.id_template:
            ref = ids.try_parse(host.id_template.format(**m.groupdict()))
            if ref is not None:
                return UrlMatch(url, ref.id, host.kind, host.note)
        known = _catalog_urls().get(url.split("?", 1)[0])
        if known:
            return UrlMatch(url, known, host.kind, host.note)
        ref = ids.try_parse("url:" + url)
        if ref is None:
            return None
        return UrlMatch(url, ref.id, host.kind, host.note)
    return None


def canonical_id(artifact_id: str) -> str:
    """A ``url:`` id mapped to the better id its address stands for; any other id unchanged."""
    if not artifact_id.startswith("url:"):
        return artifact_id
    m = match_url(artifact_id[4:])
    return m.id if m is not None else artifact_id


# --------------------------------------------------------------------------------------------------
# Finding addresses

_LOG_FUNCS = frozenset({"print", "warn", "warning", "info", "debug", "error", "exception", "critical", "log",
                        "echo", "secho"})


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def python_strings(tree: ast.AST) -> Iterator[tuple[ast.Constant, int]]:
    """String literals that are code, not documentation: (node, line), skipping docstrings and other
    bare string statements, arguments of print/logging calls and argparse ``help=`` texts.

    One iterative pass over the tree (linear in its size, no recursion), in source order.
    """
    found: list[tuple[ast.Constant, int]] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    pop, push, node_type = stack.pop, stack.append, ast.AST
    while stack:
        node, skipped = pop()
        if isinstance(node, ast.Constant):
            if not skipped and isinstance(node.value, str) and "://" in node.value:
                found.append((node, node.lineno))
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring or another bare string statement documents, it does not load
        if (isinstance(node, ast.Call) and _call_name(node) in _LOG_FUNCS) or (
                isinstance(node, ast.keyword) and node.arg in _DOC_KEYWORDS):
            skipped = True
        # the children in ast.iter_child_nodes order, without its two generators per node; nodes without
        # fields (contexts, operators) hold no string and are not pushed
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                if value._fields:
                    push((value, skipped))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type) and item._fields:
                        push((item, skipped))
    found.sort(key=lambda item: (item[1], item[0].col_offset))
    return iter(found)


_DOC_KEYWORDS = frozenset({"help", "description", "epilog", "usage"})


def urls_in_python(source: str, tree: ast.AST | None = None) -> list[tuple[int, int, str]]:
    """(line, column, address) of every weight address in a string literal of ``source``.

    Raises ``SyntaxError`` when ``source`` does not parse and no ``tree`` is given.
    """
    if tree is None:
        tree = ast.parse(source)
    found: list[tuple[int, int, str]] = []
    nodes: list[ast.Constant] = []
    for node, line in python_strings(tree):
        if not isinstance(node.value, str):  # never: python_strings yields string constants only
            continue
        for m in _URL_RE.finditer(node.value):
            found.append((line, node.col_offset, clean_url(m.group(0))))
            nodes.append(node)
    if len({url for _, _, url in found}) < len(found):
        checks = _checksum_keys(tree)
        if checks:
            # `URL_HASHES = {url: "<sha256>"}` checks a download the module names elsewhere: not another load
            elsewhere = {url for (_, _, url), node in zip(found, nodes, strict=True) if id(node) not in checks}
            found = [item for item, node in zip(found, nodes, strict=True)
                     if id(node) not in checks or item[2] not in elsewhere]
    return found


#: A hex digest (MD5, SHA-1, SHA-256, SHA-512): the values of a checksum table.
HEX_DIGEST = re.compile(r"(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})")


def _checksum_keys(tree: ast.AST) -> set[int]:
    """``id`` of the string keys of every dict literal whose values are all hex digests (a checksum table)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.values and all(
                isinstance(v, ast.Constant) and isinstance(v.value, str) and HEX_DIGEST.fullmatch(v.value)
                for v in node.values):
            out.update(id(k) for k in node.keys if isinstance(k, ast.Constant))
    return out


def urls_in_text(text: str) -> list[tuple[int, int, str]]:
    """(line, column, address) of every address in ``text`` outside comment lines."""
    found: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "://" not in line:
            continue
        stripped = line.lstrip()
        if stripped.startswith(_COMMENT_PREFIXES):
            continue
        comment = _TRAILING_COMMENT.search(line)  # once per line, not once per address
        cut = comment.end() - 1 if comment is not None else len(line)
        for m in _URL_RE.finditer(line):
            if cut < m.start():  # after a trailing shell/YAML comment
                break
            found.append((number, m.start(), clean_url(m.group(0))))
    return found


def references(found: Iterable[tuple[int, int, str]], lines: list[str], path: str,
               line_offset: int = 0) -> Iterator[Reference]:
    """References for the addresses of known hosts among ``found``."""
    evidence_of: dict[int, str] = {}  # one line may hold many addresses: its evidence is cut once
    for line, col, url in found:
        m = match_url(url)
        if m is None:
            continue
        evidence = evidence_of.get(line)
        if evidence is None:
            evidence = evidence_of[line] = (lines[line - 1].strip() if 0 < line <= len(lines) else url)[:300]
        yield Reference(raw=url, kind=m.kind, id=m.id, path=path, line=line + line_offset, column=col,
                        evidence=evidence, confidence="medium", loader="url", note=m.note)


class UrlScanner:
    """Weight addresses of known hosts in text files (see the module docstring)."""

    name = "urls"

    @property
    def prefilter(self) -> frozenset[bytes]:
        """Byte strings one of which a file must contain."""
        return hosts()[1]

    def accepts(self, path: Path) -> bool:
        """Text files by suffix or well-known name; not notebooks (their scanner handles them)."""
        name = path.name.lower()
        return path.suffix.lower() in TEXT_SUFFIXES or name in TEXT_NAMES or name.startswith("dockerfile")

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """Addresses in one file; undecodable files are left to the other scanners' warnings."""
        is_py = path.suffix.lower() in (".py", ".pyw")
        text = decode_text(data, python=is_py)
        if text is None:
            return []
        found: list[tuple[int, int, str]]
        if is_py:
            try:
                # the tree the Python scanner parsed from the same text, when it did (parsed once)
                found = urls_in_python(text, ctx.parses.parse(str(path), text) if ctx.parses is not None else None)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                found = [f for f in urls_in_text(text)]
        else:
            found = urls_in_text(text)
        if not found:
            return []
        return review_references(references(found, text.splitlines(), path.name), path, ctx.root)
