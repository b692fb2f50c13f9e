"""Python sources: every pretrained model and dataset the code loads, read from its syntax tree.

Nothing is imported or run. The scanner is a syntax walker plus data: a call is a *loader call*
when its callee, after import resolution (``import x as y``, ``from x import y as z``, attribute
chains, star-imports), matches an entry of the loader table (``data/loaders/*.yaml``, one file per
library, see :mod:`modelclear.scan.pyloaders`); the entry's id builder
(:mod:`modelclear.scan.builders`) turns the call into ids (:mod:`modelclear.scan.pymodule` holds the
per-module scan). This module knows no library. The
argument that names the model is evaluated by :mod:`modelclear.scan.pyresolve` (constants, argparse
defaults, dataclass fields, environment defaults, f-strings, project constants...). Then:

* a known value becomes a :class:`~modelclear.model.Reference` with a canonical id; confidence is
  ``high`` for a literal at the call, ``medium`` when the value came through names, several
  candidates, a task's default model or a bare (unimported) callee, ``low`` when a gate such as
  ``pretrained=`` could not be evaluated or the value is an object built at run time;
* a local path (``./out``, ``runs/exp/best.pt``) is a reference with ``id=None`` and note
  ``local path``;
* an unknown value is still reported: ``id=None``, ``raw`` the expression text, and a note that
  says what was missing (a command-line option without default, an environment variable...).

Not references: ``pretrained=False``, ``weights=None``, a ``.yaml`` model config of ultralytics,
``load_dataset("csv"|"json"|"parquet"|"imagefolder"|...)`` (a packaged builder reading the user's
own files), and anything outside a loader call (docstrings, comments, ``print``/logging text,
argparse ``help=``). A ``# modelclear: ignore`` comment on the first or last line of a call
suppresses it. OpenAI CLIP names map to the OpenCLIP id of the same weights
(``clip.load("ViT-B/32")`` -> ``open_clip:ViT-B-32/openai``).

Columns are 1-based. A notebook scanner calls :func:`scan_python_source` once per code cell with
``line_offset``; names bound in another cell are not visible there, so well-known loader names
(``pipeline``, ``SentenceTransformer``, ``load_dataset``...) also match unbound, at ``medium``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, recursion_headroom
from modelclear.scan.pyconsts import LazyConstants
from modelclear.scan.pyexports import index_constants
from modelclear.scan.pyindex import ModuleIndex, build_index
from modelclear.scan.pyloaders import keywords_hit, load_table
from modelclear.scan.pymodule import ModuleScan
from modelclear.scan.pyparse import ParseCache
from modelclear.scan.pyreach import LoaderReach
from modelclear.scan.pywrappers import WRAPPERS
from modelclear.scan.walk import decode_text, keyword_pattern, rel_path

#: Byte strings of which a Python file must contain one to be worth parsing (the walker reuses it).
PREFILTER: frozenset[bytes] = load_table().keywords
#: Larger sources are not parsed (the walker has its own, smaller limit).
MAX_SOURCE_CHARS = BUDGETS.python_source_chars

_PREFILTER_BYTES_RE = keyword_pattern(PREFILTER)
#: One search for any word of :data:`PREFILTER` (``any(word in data for word in PREFILTER)`` in one pass).
PREFILTER_RE = _PREFILTER_BYTES_RE
#: Per scanned root, what its project modules reach (see :meth:`PythonScanner.reaches`).
_REACH: dict[Path, LoaderReach] = {}


# ------------------------------------------------------------------------------------------ scanning


class FileBudget:
    """The work one file (a ``.py`` file, or every code cell of a notebook) may take: resolution
    steps, syntax-tree nodes and loader calls, shared by every piece of the file scanned (see
    :mod:`modelclear.scan.budget`)."""

    def __init__(self, steps: int | None = None, nodes: int | None = None, calls: int | None = None) -> None:
        self.steps = Meter(BUDGETS.resolve_steps_file if steps is None else steps, "resolution steps")
        self.nodes = Meter(BUDGETS.ast_nodes if nodes is None else nodes, "syntax-tree nodes")
        self.calls = Meter(BUDGETS.loader_calls if calls is None else calls, "loader calls")
        self.warned: set[str] = set()



def _has_keyword(source: str) -> bool:
    return _PREFILTER_BYTES_RE.search(source.encode("utf-8", "surrogatepass")) is not None


def _parse(source: str, path: str, line_offset: int, parses: ParseCache | None = None,
           key: str = "") -> ast.Module | ScanWarning:
    """The tree of ``source`` (from ``parses`` when given, under ``key``), or a warning naming ``path``."""
    try:
        return parses.parse(key, source) if parses is not None else ast.parse(source)
    except SyntaxError as exc:
        line = (exc.lineno or 0) + line_offset
        hint = " (Python 2 code?)" if re.search(r"^[ \t]*print[ \t]+[^(=\s]", source, re.MULTILINE) else ""
        return ScanWarning(path, f"syntax error: {exc.msg}{hint}", code="syntax-error", line=line)
    except (ValueError, TypeError) as exc:  # NUL bytes
        return ScanWarning(path, f"cannot parse: {exc}", code="malformed")
    except (RecursionError, MemoryError):
        return ScanWarning(path, "expression nesting too deep to parse", code="too-deep")


def scan_python_source(source: str, path: str, ctx: ScanContext, line_offset: int = 0,
                       module_name: str = "", budget: FileBudget | None = None,
                       tree: ast.Module | None = None) -> list[Reference | ScanWarning]:
    """References (and warnings) of one Python source text; ``line_offset`` is added to every line.

    ``module_name`` (dotted) lets relative imports reach project constants; the scanner derives it
    from the path when not given. ``budget`` is the work the file may take (a notebook passes one
    budget for all its cells); when it runs out, what was found is kept and a ``budget`` warning
    names the file. ``tree``, when given, is ``source`` already parsed (it is not parsed again).
    """
    found, scan = _scan_source(source, path, ctx, line_offset, module_name, budget, tree)
    if scan is not None:
        scan.dispose()
    return found


def _scan_source(source: str, path: str, ctx: ScanContext, line_offset: int, module_name: str,
                 budget: FileBudget | None, tree: ast.Module | None,
                 checked: bool = False) -> tuple[list[Reference | ScanWarning], ModuleScan | None]:
    """:func:`scan_python_source`, and the module's scan state when it got that far (``checked``: the
    caller has already decided the source is worth parsing)."""
    if len(source) > MAX_SOURCE_CHARS:
        return [ScanWarning(path, f"source larger than {MAX_SOURCE_CHARS} characters; not parsed",
                            code="too-large")], None
    if not checked and not _has_keyword(source) and not keywords_hit(ctx.loaders,
                                                                     source.encode("utf-8", "surrogatepass")):
        return [], None
    parsed = tree if tree is not None else _parse(source, path, line_offset)
    if isinstance(parsed, ScanWarning):
        return [parsed], None
    if not module_name and path.endswith(".py"):
        module_name = module_name_for(path)
    try:
        scan = ModuleScan(source, parsed, path, ctx, module_name, line_offset,
                          budget if budget is not None else FileBudget())
        found: list[Reference | ScanWarning] = list(scan.run())
    except RecursionError:
        return [ScanWarning(path, "expression nesting too deep to analyse", code="too-deep")], None
    found.extend(scan.budget_warnings())
    return found, scan


def module_name_for(rel_path: str) -> str:
    """Dotted module name of a project-relative ``.py`` path (``src/`` layouts drop the ``src.``)."""
    parts = [p for p in rel_path.replace("\\", "/").split("/") if p and p != "."]
    if not parts:
        return ""
    parts[-1] = re.sub(r"\.pyw?$", "", parts[-1])
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    return ".".join(parts)


def decode_python(data: bytes) -> str | None:
    """Source text of a Python file: its PEP 263 coding cookie, else UTF-8 (BOM allowed); None if undecodable."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def collect_module_constants(source: str, module_name: str) -> dict[str, object]:
    """Constants one module defines, for the project-wide index ``ScanContext.project_constants``.

    Keys: ``NAME`` (module constant), ``Class.ATTR`` (class attribute or dataclass field default) and
    ``.attr`` (an attribute any object may carry in this module: argparse option defaults, dataclass
    fields, ``x.attr = ...``). Values: ``str``/``int``/``float``/``bool``/``None``, tuples and dicts
    of those, :class:`~modelclear.scan.pyvalues.QName` (an imported name),
    :class:`~modelclear.scan.pyvalues.OneOf` (several candidates) or
    :class:`~modelclear.scan.pyvalues.UnknownValue` (for ``.attr`` keys: declared, value unknown).
    All are frozen, picklable values. Unparsable sources give ``{}``.
    """
    return index_module(source, module_name)[0]


def index_module(source: str, module_name: str) -> tuple[dict[str, object], str]:
    """:func:`collect_module_constants` within the index budgets, and "" or why it stopped early.

    When a budget (syntax-tree nodes, resolution steps) runs out, the constants worked out so far
    are kept and the note says which budget it was.
    """
    if len(source) > MAX_SOURCE_CHARS:  # not indexed; the scan pass reports the file as too large
        return {}, ""
    try:
        tree = ast.parse(source)
        index, cut = build_index(tree, module_name, BUDGETS.ast_nodes)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return {}, ""
    try:
        return _exports(index, cut)
    except (ValueError, TypeError, RecursionError, MemoryError):
        return {}, ""
    finally:
        index.dispose()  # freed now by reference counting, not by a full collection


def _exports(index: ModuleIndex, cut: int) -> tuple[dict[str, object], str]:
    """Constants of an indexed module (see :func:`index_module`) and why indexing stopped early, if it did."""
    steps = Meter(BUDGETS.index_steps_file)
    consts = index_constants(index, steps)
    notes = []
    if cut or not index.complete:
        notes.append(f"more than {BUDGETS.ast_nodes:,} syntax-tree nodes (from line {cut} on not indexed)")
    if steps.exhausted:
        notes.append(f"resolution budget of {steps.limit:,} steps used up")
    return consts, "; ".join(notes)


def _offer_exports(lazy: LazyConstants, rel: str, data: bytes, source: str, scan: ModuleScan) -> None:
    """Give the project index this module's constants from the tree the scan already parsed.

    Only when the index would have read the same text (it decodes UTF-8 first, the scan the declared
    coding first) and built the same index (same module name, same node budget), so the constants are
    those the index would compute itself.
    """
    if scan.module_name != module_name_for(rel) or not (data.isascii() or decode_text(data, python=True) == source):
        return

    def compute() -> tuple[dict[str, object], str]:
        try:
            with recursion_headroom(BUDGETS.recursion_headroom):
                return _exports(scan.index, scan.index_cut)
        except (ValueError, TypeError, RecursionError, MemoryError):
            return {}, ""

    lazy.offer(rel, compute)


class PythonScanner:
    """The :class:`~modelclear.scan.base.Scanner` for ``.py`` files.

    Besides ``accepts`` and ``scan`` it offers what the runner needs for the project-wide constant
    index, so the runner never reaches into this module: :attr:`prefilter`, :meth:`module_name` and
    :meth:`index_source`.
    """

    name = "python"
    #: Byte strings of which a file must contain one to be handed to :meth:`scan` (the loader keywords).
    prefilter: frozenset[bytes] = PREFILTER

    def module_name(self, rel: str) -> str:
        """The dotted module name of a project-relative path (what imports of it are matched against)."""
        return module_name_for(rel)

    def index_source(self, source: str, module_name: str) -> tuple[dict[str, object], str]:
        """Constants the module defines, for the project-wide index, and "" or why indexing stopped early."""
        return index_module(source, module_name)

    def accepts(self, path: Path) -> bool:
        """Python source files (``.py``, ``.pyw``)."""
        return path.suffix.lower() in (".py", ".pyw")

    def reaches(self, path: Path, data: bytes, ctx: ScanContext) -> bool:
        """Whether a file the prefilter skips imports a project module that holds a loader (see
        :mod:`modelclear.scan.pyreach`): its calls of the project's own wrappers are loads."""
        reach = _REACH.get(ctx.root)
        if reach is None:
            def has_keyword(text: bytes) -> bool:
                return _PREFILTER_BYTES_RE.search(text) is not None or keywords_hit(ctx.loaders, text)

            reach = _REACH[ctx.root] = LoaderReach(ctx.root, has_keyword)
            while len(_REACH) > 4:
                del _REACH[next(iter(_REACH))]
        return reach.file_reaches(path, data)

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References and warnings of one Python file. Never raises on bad input."""
        rel = rel_path(path, ctx.root)
        if (_PREFILTER_BYTES_RE.search(data) is None and not keywords_hit(ctx.loaders, data)
                and not self.reaches(path, data, ctx)):
            return []
        source = decode_python(data)
        if source is None:
            return [ScanWarning(rel, "cannot decode as UTF-8 or its declared coding", code="encoding")]
        tree: ast.Module | None = None
        if len(source) <= MAX_SOURCE_CHARS and ctx.parses is not None:  # parsed once, shared with the URL scanner
            kept = WRAPPERS.kept_tree(ctx, module_name_for(rel), rel, source)
            if kept is not None:  # loaded earlier for its wrappers: that tree, not a second parse
                ctx.parses.offer(str(path), source, kept)
            parsed = _parse(source, rel, 0, ctx.parses, str(path))
            if isinstance(parsed, ScanWarning):
                return [parsed]
            tree = parsed
        try:
            found, scan = _scan_source(source, rel, ctx, 0, module_name_for(rel), None, tree, checked=True)
        except (RecursionError, MemoryError):
            return [ScanWarning(rel, "expression nesting too deep to analyse", code="too-deep")]
        if scan is not None:
            if isinstance(ctx.project_constants, LazyConstants):
                _offer_exports(ctx.project_constants, rel, data, source, scan)
            scan.dispose()  # freed now by reference counting, not by a full collection
        return found
