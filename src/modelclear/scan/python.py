"""Python sources: every pretrained model and dataset the code loads, read from its syntax tree.

Nothing is imported or run. The scanner is a syntax walker plus data: a call is a *loader call*
when its callee, after import resolution (``import x as y``, ``from x import y as z``, attribute
chains, star-imports), matches an entry of the loader table (``data/loaders/*.yaml``, one file per
library, see :mod:`modelclear.scan.pyloaders`); the entry's id builder
(:mod:`modelclear.scan.pybuilders`) turns the call into ids. This module knows no library. The
argument that names the model is evaluated by :mod:`modelclear.scan.pyvalues` (constants, argparse
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
from collections.abc import Iterable, Mapping
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, budget_warning
from modelclear.scan.pybuilders import BUILDERS as BUILDERS  # re-exported: part of this module's API
from modelclear.scan.pybuilders import Site, _strings, build
from modelclear.scan.pybuilders import looks_local as looks_local  # re-exported: part of this module's API
from modelclear.scan.pyloaders import LoaderSpec, LoaderTable, load_table
from modelclear.scan.pyvalues import (
    Opaque,
    QName,
    Res,
    Resolver,
    Scope,
    build_index,
    expr_text,
    find_arg,
    has_star_args,
    index_constants,
)

#: Byte strings of which a Python file must contain one to be worth parsing (the walker reuses it).
PREFILTER: frozenset[bytes] = load_table().keywords
#: Larger sources are not parsed (the walker has its own, smaller limit).
MAX_SOURCE_CHARS = BUDGETS.python_source_chars

_IGNORE_RE = re.compile(r"\bmodelclear:\s*ignore\b")  # searched from a line's first "#" (linear)
_PREFILTER_BYTES_RE = re.compile(b"|".join(re.escape(k) for k in sorted(PREFILTER, key=len, reverse=True)))
_PREFILTER_STR_RE = re.compile("|".join(re.escape(k.decode()) for k in sorted(PREFILTER, key=len, reverse=True)))


# ------------------------------------------------------------------------------------------ scanning


def _gate_action(site: Site, resolver: Resolver) -> str:
    """``skip`` if a gate says the call loads nothing; ``low`` if a gate could not be evaluated."""
    outcome = "ref"
    for gate in site.spec.gates:
        node = find_arg(site.call, gate.arg.pos, gate.arg.kw)
        if node is None:
            if has_star_args(site.call):
                outcome = "low"
                continue
            if gate.missing == "skip":
                return "skip"
            continue
        res = resolver.resolve(node, site.scope)
        actions = set()
        for value in res.values:
            if value is None:
                actions.add(gate.none)
            elif isinstance(value, (Opaque, QName)):
                actions.add("low")
            elif not value:
                actions.add(gate.falsy)
            else:
                actions.add(gate.truthy)
        if res.unknown:
            actions.add("low")
        if actions == {"skip"}:
            return "skip"
        if "low" in actions or ("skip" in actions and len(actions) > 1):
            outcome = "low"
    return outcome


class FileBudget:
    """The work one file (a ``.py`` file, or every code cell of a notebook) may take: resolution
    steps, syntax-tree nodes and loader calls, shared by every piece of the file scanned (see
    :mod:`modelclear.scan.budget`)."""

    def __init__(self, steps: int | None = None, nodes: int | None = None, calls: int | None = None) -> None:
        self.steps = Meter(BUDGETS.resolve_steps_file if steps is None else steps, "resolution steps")
        self.nodes = Meter(BUDGETS.ast_nodes if nodes is None else nodes, "syntax-tree nodes")
        self.calls = Meter(BUDGETS.loader_calls if calls is None else calls, "loader calls")
        self.warned: set[str] = set()


class _ModuleScan:
    """The state of scanning one module: source lines, index, resolver, loader table."""

    def __init__(self, source: str, tree: ast.Module, path: str, ctx: ScanContext | None,
                 module_name: str, line_offset: int, budget: FileBudget | None = None) -> None:
        self.source = source
        self.lines = source.splitlines()
        self.path = path
        self.root = ctx.root if ctx is not None else None
        self.line_offset = line_offset
        self.table: LoaderTable = load_table()
        self.budget = budget if budget is not None else FileBudget()
        self.index, cut = build_index(tree, module_name, self.budget.nodes.left())
        self.budget.nodes.spend(self.index.nodes)
        #: Line (in the file) of the first statement left out for the node budget; 0 if none was.
        self.cut_line = cut + line_offset if cut else (0 if self.index.complete else line_offset + 1)
        if cut or not self.index.complete:
            self.budget.nodes.exhausted = True
        project = ctx.project_constants if ctx is not None else {}
        self.resolver = Resolver(self.index, project, self._is_loader, self.budget.steps)
        self._describing: set[int] = set()
        #: Line of the loader call during which the step budget ran out; 0 if it did not.
        self.exhausted_at = 0
        #: Line of the first loader call left out for the call budget; 0 if none was.
        self.calls_cut_at = 0

    def _dynamic_callees(self, func: ast.expr, scope: Scope | None) -> list[str]:
        """``models.__dict__[name]`` / ``getattr(models, name)``: the callee for each candidate name."""
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Attribute) \
                and func.value.attr == "__dict__":
            owner, key = func.value.value, func.slice
        elif isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr" \
                and len(func.args) >= 2:
            owner, key = func.args[0], func.args[1]
        else:
            return []
        base = self.resolver.call_qualname(owner)
        res = self.resolver.resolve(key, scope or self.index.module)
        return [f"{base}.{name}" for name in _strings(res) if name.isidentifier()]

    def _matches(self, call: ast.Call,
                 scope: Scope | None = None) -> list[tuple[LoaderSpec, dict[str, str], str, bool]]:
        func = call.func
        dynamic = self._dynamic_callees(func, scope)
        if dynamic:
            found: list[tuple[LoaderSpec, dict[str, str], str, bool]] = []
            for qualname in dynamic:
                found.extend((spec, groups, qualname, True) for spec, groups in self.table.candidates(qualname)[:1])
            return found
        plain = self.resolver.call_qualname(func)
        names: list[tuple[str, bool]] = []
        head = func
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(head, ast.Name) and head.id not in self.index.imports and head.id not in self.index.bound:
            names.extend((f"{star}.{plain}", False) for star in self.index.stars)
        names.append((plain, False))
        out: list[tuple[LoaderSpec, dict[str, str], str, bool]] = []
        for qualname, bare in names:
            for spec, groups in self.table.candidates(qualname):
                out.append((spec, groups, qualname, bare))
            if out:
                return out
        for qualname in self._aliased_callees(func, scope):
            out.extend((spec, groups, qualname, True) for spec, groups in self.table.candidates(qualname)[:1])
        if out:
            return out
        if isinstance(func, ast.Name) and func.id not in self.index.bound and func.id not in self.index.imports:
            for spec in self.table.bare.get(func.id, ()):
                out.append((spec, {}, func.id, True))
        return out

    def _aliased_callees(self, func: ast.expr, scope: Scope | None) -> list[str]:
        """Callees reached through a name or container holding a library callable.

        ``builder = keras.applications.Xception; builder(weights="imagenet")``,
        ``for arch in (models.resnet18, models.resnet50): arch(pretrained=True)`` and
        ``ARCHS[name](pretrained=True)`` / ``ARCHS.get(name)(...)`` call the library function the value names;
        ``bundle = torchaudio.pipelines.HUBERT_BASE; bundle.get_model()`` calls a method of a library object.
        """
        if isinstance(func, ast.Attribute):
            head = func.value
            if not (isinstance(head, ast.Name) and head.id not in self.index.imports
                    and self._alias_bound(head.id, scope or self.index.module)):
                return []
            owner = self.resolver.resolve(head, scope or self.index.module)
            return list(dict.fromkeys(f"{v.name}.{func.attr}" for v in owner.values if isinstance(v, QName)))
        if isinstance(func, ast.Name):
            if func.id in self.index.imports or not self._alias_bound(func.id, scope or self.index.module):
                return []
        elif not (isinstance(func, ast.Subscript) or (
                isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr == "get")):
            return []
        res = self.resolver.resolve(func, scope or self.index.module)
        return list(dict.fromkeys(v.name for v in res.values if isinstance(v, QName)))

    @staticmethod
    def _alias_bound(name: str, scope: Scope) -> bool:
        """Whether ``name`` is bound (in ``scope`` or an enclosing one) to a value that may be a callable."""
        current: Scope | None = scope
        while current is not None:
            for binding in current.assigns.get(name, ()):
                if binding[0] == "iter" or (binding[0] == "value" and isinstance(
                        binding[1], (ast.Attribute, ast.Name, ast.Subscript, ast.IfExp))):
                    return True
            current = current.parent
        return False

    def _is_loader(self, call: ast.Call, dotted: str) -> bool:
        return bool(self._matches(call))

    def describe_object(self, node: ast.expr, scope: Scope) -> str:
        """What a model object passed to a loader is: the id it was loaded from, when we can tell."""
        if isinstance(node, ast.Name):
            current: Scope | None = scope
            while current is not None:
                for binding in current.assigns.get(node.id, ()):
                    value = binding[1]
                    # `model = PeftModel.from_pretrained(model, ...)` rebinds the name it describes:
                    # a call already being described is skipped, not followed again.
                    if binding[0] == "value" and isinstance(value, ast.Call) and id(value) not in self._describing \
                            and self._matches(value):
                        self._describing.add(id(value))
                        try:
                            ids_found = [r.id or r.raw for r in self.references_for(value, binding[2])]
                        finally:
                            self._describing.discard(id(value))
                        if ids_found:
                            return ", ".join(dict.fromkeys(ids_found))
                current = current.parent
        return f"`{expr_text(node, 80)}`"

    def ignored(self, call: ast.Call) -> bool:
        """Whether the call carries a ``# modelclear: ignore`` comment."""
        for line in {call.lineno, getattr(call, "end_lineno", None) or call.lineno}:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            hash_at = text.find("#")
            if hash_at >= 0 and _IGNORE_RE.search(text, hash_at):
                return True
        return False

    def evidence(self, call: ast.Call) -> str:
        """The call's source text, whitespace collapsed and shortened."""
        end = getattr(call, "end_lineno", None) or call.lineno
        text = " ".join(" ".join(self.lines[call.lineno - 1:end][:6]).split())
        return text if len(text) <= 240 else text[:239] + "…"

    def references_for(self, call: ast.Call, scope: Scope) -> list[Reference]:
        """The references of one call (empty when it is not a loader call or loads nothing)."""
        matches = self._matches(call, scope)
        out: list[Reference] = []
        done: set[str] = set()
        for spec, groups, qualname, bare in matches:
            if qualname in done:
                continue
            done.add(qualname)
            out.extend(self._references(call, scope, spec, groups, qualname, bare))
        return out

    def _references(self, call: ast.Call, scope: Scope, spec: LoaderSpec, groups: Mapping[str, str],
                    qualname: str, bare: bool) -> list[Reference]:
        site = Site(self, call, scope, spec, groups, qualname, bare)
        gate = _gate_action(site, self.resolver)
        if gate == "skip":
            return []
        self._describing.add(id(call))  # a model object it rebinds (`m = Peft...(m, ...)`) is not itself
        try:
            hits = build(site)
        finally:
            self._describing.discard(id(call))
        arg_res = None
        out: list[Reference] = []
        seen: set[tuple[str | None, str]] = set()
        for hit in hits:
            local = hit.id is None and hit.note.startswith("local")
            key = (hit.id, hit.raw if local else "")
            if key in seen:
                continue
            seen.add(key)
            confidence = hit.confidence
            if not confidence:
                if arg_res is None:
                    arg_res = site.value(spec.arg) if spec.arg is not None else Res()
                    if arg_res is None:
                        arg_res = Res()
                indirect = arg_res.indirect or len(_strings(arg_res)) > 1 or site.indirect
                confidence = "high"
                if hit.id is None:
                    confidence = "low" if hit.note.startswith(("value not", "value built")) or "not known" in hit.note \
                        else "medium" if indirect else "high"
                elif indirect or bare:
                    confidence = "medium"
            if gate == "low":
                confidence = "low"
            note = hit.note
            if arg_res is not None and arg_res.indirect and hit.id is not None and arg_res.notes:
                note = "; ".join(x for x in (note, *arg_res.notes[:2]) if x)
            if hit.id is not None and confidence == "medium" and arg_res is not None and arg_res.indirect \
                    and spec.arg is not None:
                via = f"resolved from `{site.text(spec.arg)}`"
                note = "; ".join(x for x in (note, via) if x)
            out.append(Reference(
                raw=hit.raw,
                kind=hit.kind,
                id=hit.id,
                path=self.path,
                line=call.lineno + self.line_offset,
                column=call.col_offset + 1,
                evidence=self.evidence(call),
                confidence=confidence,
                loader=qualname if "?" not in qualname else (spec.patterns[0] if spec.patterns else qualname),
                note=note,
            ))
        return out

    def run(self) -> list[Reference]:
        """References of every loader call of the module, in source order.

        Once the file's step budget is used up, later calls are still reported, with their values
        left unresolved (:attr:`exhausted_at` says where that happened).
        """
        out: list[Reference] = []
        steps, calls = self.budget.steps, self.budget.calls
        for call, scope in sorted(self.index.calls, key=lambda item: (item[0].lineno, item[0].col_offset)):
            if self.ignored(call):
                continue
            fresh = not steps.exhausted
            found = self.references_for(call, scope)
            if found and not calls.spend():
                self.calls_cut_at = call.lineno + self.line_offset
                break
            out.extend(found)
            if fresh and steps.exhausted:
                self.exhausted_at = call.lineno + self.line_offset
        return out

    def budget_warnings(self) -> list[ScanWarning]:
        """A ``budget`` warning for each budget of the file that ran out here (once per file)."""
        out: list[ScanWarning] = []
        if self.cut_line and "nodes" not in self.budget.warned:
            self.budget.warned.add("nodes")
            out.append(budget_warning(
                self.path, f"more than {self.budget.nodes.limit:,} syntax-tree nodes: the code from line "
                           f"{self.cut_line} on was not analysed", line=self.cut_line))
        if self.calls_cut_at and "calls" not in self.budget.warned:
            self.budget.warned.add("calls")
            out.append(budget_warning(
                self.path, f"more than {self.budget.calls.limit:,} loader calls: the calls from line "
                           f"{self.calls_cut_at} on were not analysed", line=self.calls_cut_at))
        if self.exhausted_at and "steps" not in self.budget.warned:
            self.budget.warned.add("steps")
            out.append(budget_warning(
                self.path, f"resolution budget of {self.budget.steps.limit:,} steps used up at line "
                           f"{self.exhausted_at}: values of later loader calls are left unresolved",
                line=self.exhausted_at))
        return out


def _has_keyword(source: str) -> bool:
    return _PREFILTER_STR_RE.search(source) is not None


def _parse(source: str, path: str, line_offset: int) -> ast.Module | ScanWarning:
    try:
        return ast.parse(source)
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
    if len(source) > MAX_SOURCE_CHARS:
        return [ScanWarning(path, f"source larger than {MAX_SOURCE_CHARS} characters; not parsed", code="too-large")]
    if not _has_keyword(source):
        return []
    parsed = tree if tree is not None else _parse(source, path, line_offset)
    if isinstance(parsed, ScanWarning):
        return [parsed]
    if not module_name and path.endswith(".py"):
        module_name = module_name_for(path)
    try:
        scan = _ModuleScan(source, parsed, path, ctx, module_name, line_offset, budget)
        found: list[Reference | ScanWarning] = list(scan.run())
    except RecursionError:
        return [ScanWarning(path, "expression nesting too deep to analyse", code="too-deep")]
    found.extend(scan.budget_warnings())
    return found


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
        steps = Meter(BUDGETS.index_steps_file)
        consts = index_constants(index, steps)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return {}, ""
    notes = []
    if cut or not index.complete:
        notes.append(f"more than {BUDGETS.ast_nodes:,} syntax-tree nodes (from line {cut} on not indexed)")
    if steps.exhausted:
        notes.append(f"resolution budget of {steps.limit:,} steps used up")
    return consts, "; ".join(notes)


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

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References and warnings of one Python file. Never raises on bad input."""
        rel = _rel(path, ctx.root)
        if _PREFILTER_BYTES_RE.search(data) is None:
            return []
        source = decode_python(data)
        if source is None:
            return [ScanWarning(rel, "cannot decode as UTF-8 or its declared coding", code="encoding")]
        try:
            return scan_python_source(source, rel, ctx, 0, module_name_for(rel))
        except (RecursionError, MemoryError):
            return [ScanWarning(rel, "expression nesting too deep to analyse", code="too-deep")]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
