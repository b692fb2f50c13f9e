"""Registries of model and dataset ids in a module: each entry is a reference at its own line (issue 10, cause 2).

Code that can load one of several artifacts keeps their ids in a registry: an ``Enum`` whose members
are Hub ids, a dict from a short name to an id or URL, a list or tuple of names, a list of records
(``ModelInfo(name=..., url=...)``, dicts with an ``"id"`` key), an argparse ``choices=[...]``. The
resolver already gives the loader call every candidate (:mod:`modelclear.scan.pyresolve`); a reader,
and the labelling conventions, look for each entry where it is written. So, after a module's loader
calls are scanned:

* a loader call whose references carry **two or more ids** is a call over a registry; each of its
  values that is a string literal of the module in a registry (an element of a list/tuple/set, a key
  or value of a dict, a class-level assignment such as an ``Enum`` member, an argument of a record
  built inside a container, an argparse ``choices`` element) is reported at the entry's line instead
  of the call's (entries within :data:`NEAR` lines of the call stay at the call). The moved
  reference keeps the call's evidence and says ``registry entry; loaded at line N``;
* values that name a way to start rather than an artifact (:data:`PLACEHOLDERS`: ``scratch``,
  ``resume``, ``random``...) are never ids, whichever path led to them;
* a parameter annotated ``Literal["org/a", "org/b"]`` may take each of its strings
  (:func:`literal_choices`, read by the resolver), and so may an argparse option with ``choices``;
* :func:`enum_class` and :func:`enum_members` tell the resolver which classes are enumerations, so
  that ``Models[name].value``, ``Models.small.value`` and ``[m.value for m in Models]`` are the
  members' values.

Each entry gets at most :data:`MAX_LINES_PER_VALUE` lines; the literal index is built once per module,
only when a call has several ids, and only over the top-level statements whose text holds one of
their values (at most :data:`MAX_CANDIDATE_LINES` lines are looked at).
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from modelclear.model import Reference
from modelclear.scan.pyindex import Param, Scope
from modelclear.scan.pyvalues import Res

if TYPE_CHECKING:
    from modelclear.scan.pyresolve import Resolver

#: Most lines of a module searched for entries (the text search stops there).
MAX_CANDIDATE_LINES = 4096
#: Most entry lines reported for one value.
MAX_LINES_PER_VALUE = 3
#: Entries this close to the loader call are not repeated (the call's own reference is next to them).
NEAR = 2
#: Values that name a way to start, not an artifact (``choices=["scratch", "resume", "org/model"]``):
#: a loader call never reports them as ids (issue 10, precision).
PLACEHOLDERS = frozenset({"scratch", "from_scratch", "from-scratch", "resume", "random", "none", "null", "custom",
                          "auto", "new", "init", "finetune", "fine-tune", "continue", "last", "latest", "best"})
#: Most strings read from one ``Literal[...]`` annotation.
MAX_LITERAL = 64
#: Base classes that make a class an enumeration.
ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "enum.Enum", "enum.StrEnum", "enum.IntEnum"})

_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict)


def enum_class(scope: Scope) -> bool:
    """Whether a class scope is an ``Enum`` (its bases name ``Enum``, ``StrEnum`` or ``IntEnum``)."""
    node = scope.node
    if not isinstance(node, ast.ClassDef):
        return False
    for base in node.bases:
        text = base.id if isinstance(base, ast.Name) else (
            f"{base.value.id}.{base.attr}" if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name)
            else "")
        if text in ENUM_BASES:
            return True
    return False


def enum_members(scope: Scope) -> list[str]:
    """Names of the members of an ``Enum`` class scope, in source order (plain ``NAME = value`` lines)."""
    node = scope.node
    out: list[str] = []
    if not isinstance(node, ast.ClassDef):
        return out
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if not name.startswith("_"):
                out.append(name)
    return out


def enum_values(resolver: Resolver, cls: Scope, keys: Res | None, depth: int) -> Res:
    """Values of an ``Enum``'s members: those named by ``keys`` when they are known, else all of them."""
    members = enum_members(cls)
    wanted = [k for k in keys.values if isinstance(k, str) and k in members] if keys is not None else []
    chosen = wanted if keys is not None and not keys.unknown and wanted else members
    out = Res(indirect=True)
    attrs = resolver.index.class_attrs.get(id(cls), {})
    for name in chosen:
        for binding in attrs.get(name, ()):
            out.add(resolver.binding(binding, depth))
    return out


def literal_choices(param: Param) -> list[str]:
    """The strings of a parameter annotated ``Literal["a", "b"]`` (or ``Optional``/``|`` of one), else []."""
    for binding in param.outer.assigns.get(param.func, ()):
        node = binding[1]
        if binding[0] != "def" or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.arg == param.name and arg.annotation is not None:
                return _literal_strings(arg.annotation)
    return []


def parametrized(param: Param) -> tuple[ast.expr, int, int] | None:
    """For a parameter of a test function decorated ``@pytest.mark.parametrize("name", values)`` (also
    ``"a,b"`` / ``("a", "b")`` with tuples of values): the values expression, the parameter's position
    among the names, and how many names there are."""
    for binding in param.outer.assigns.get(param.func, ()):
        node = binding[1]
        if binding[0] != "def" or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and _call_name(deco.func) == "parametrize" and len(deco.args) >= 2):
                continue
            names_node = deco.args[0]
            if isinstance(names_node, ast.Constant) and isinstance(names_node.value, str):
                names = [n.strip() for n in names_node.value.split(",") if n.strip()]
            elif isinstance(names_node, (ast.List, ast.Tuple)):
                names = [e.value for e in names_node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            else:
                continue
            if param.name in names:
                return deco.args[1], names.index(param.name), len(names)
    return None


def _literal_strings(node: ast.expr) -> list[str]:
    out: list[str] = []
    stack = [node]
    while stack and len(out) < MAX_LITERAL:
        current = stack.pop()
        if isinstance(current, ast.BinOp):  # Literal[...] | None
            stack.extend((current.right, current.left))
        elif isinstance(current, ast.Subscript):
            head = current.value
            name = head.attr if isinstance(head, ast.Attribute) else head.id if isinstance(head, ast.Name) else ""
            parts = current.slice.elts if isinstance(current.slice, ast.Tuple) else [current.slice]
            if name == "Literal":
                out.extend(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
            elif name in ("Optional", "Union"):
                stack.extend(reversed(parts))
    return out[:MAX_LITERAL]


class EntryIndex:
    """The string literals of one module that are registry entries, by value.

    Only the top-level statements whose text holds one of ``values`` quoted are walked (the text is
    searched first), so the cost follows the registries, not the module's size.
    """

    def __init__(self, tree: ast.Module, source: str, values: Iterable[str]) -> None:
        self.by_value: dict[str, list[int]] = {}
        #: (first line, last line) of the functions among the statements walked.
        self.functions: list[tuple[int, int]] = []
        starts = [0]
        for text in source.split("\n"):
            starts.append(starts[-1] + len(text) + 1)
        lines: set[int] = set()
        for value in values:
            for quoted in (f'"{value}"', f"'{value}'"):
                at = source.find(quoted)
                while at >= 0 and len(lines) < MAX_CANDIDATE_LINES:
                    lines.add(bisect.bisect_right(starts, at))
                    at = source.find(quoted, at + 1)
        if not lines:
            return
        ordered = sorted(lines)
        for stmt in tree.body:
            end = getattr(stmt, "end_lineno", None) or stmt.lineno
            first = bisect.bisect_left(ordered, stmt.lineno)
            if first < len(ordered) and ordered[first] <= end:
                self._walk(stmt)

    def _add(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
            lines = self.by_value.setdefault(node.value, [])
            if node.lineno not in lines:
                lines.append(node.lineno)

    def _walk(self, tree: ast.AST) -> None:
        stack: list[tuple[ast.AST, bool]] = [(tree, False)]
        while stack:
            node, in_container = stack.pop()
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                for elt in node.elts:
                    self._add(elt)
            elif isinstance(node, ast.Dict):
                for part in (*node.keys, *node.values):
                    if part is not None:
                        self._add(part)
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                        self._add(stmt.value)
            elif isinstance(node, ast.Call) and in_container:
                for arg in (*node.args, *(k.value for k in node.keywords)):
                    self._add(arg)
            elif isinstance(node, ast.Call) and _call_name(node.func) == "add_argument":
                for kw in node.keywords:
                    if kw.arg == "choices" and isinstance(kw.value, _CONTAINERS):
                        stack.append((kw.value, True))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.append((node.lineno, getattr(node, "end_lineno", None) or node.lineno))
            inside = in_container or isinstance(node, _CONTAINERS)
            for child in ast.iter_child_nodes(node):
                stack.append((child, inside))

    def lines(self, value: str, near: int | None = None) -> list[int]:
        """Lines of the entries whose value is ``value`` (at most :data:`MAX_LINES_PER_VALUE`): with ``near``
        (the load's line in the module), only those in the innermost function holding the load when it
        holds any (a value written in several functions' registries, each passed to its own load), the
        nearest first."""
        found = self.by_value.get(value, [])
        if near is None or len(found) <= 1:
            return found[:MAX_LINES_PER_VALUE]
        spans = [span for span in self.functions if span[0] <= near <= span[1]]
        if spans:
            first, last = min(spans, key=lambda span: span[1] - span[0])
            local = [line for line in found if first <= line <= last]
            if local:
                found = local
        return sorted(found, key=lambda line: (abs(line - near), line))[:MAX_LINES_PER_VALUE]


def _entry_keys(raw: str, site_refs: list[Reference]) -> list[str]:
    """The registry values ``raw`` may have been built from: itself, then its last path segment with and
    without its file suffix (``f"{BASE}/{name}.zip"`` over a list of names), when no other value of the
    call ends the same way."""
    keys = [raw]
    if "/" not in raw and raw.count(".") >= 2:  # torchaudio.pipelines.<BUNDLE>.get_model: the part that differs
        others = [r.raw.split(".") for r in site_refs if r.raw != raw]
        distinct = [p for p in raw.split(".") if p.isidentifier() and others and all(p not in o for o in others)]
        if len(distinct) == 1:
            keys.append(distinct[0])
    segment = _last_segment(raw)
    if segment and segment != raw:
        for part in (segment, segment.split(".", 1)[0]):
            if part and part not in keys and sum(1 for r in site_refs if _last_segment(r.raw).startswith(part)) == 1:
                keys.append(part)
    return keys


def _last_segment(raw: str) -> str:
    return raw.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _call_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def with_registry_entries(refs: list[Reference], tree: ast.Module, source: str,
                          line_offset: int) -> list[Reference]:
    """``refs`` without placeholder values, and each value of a call over a registry moved to its entries' lines.

    A value with no entry line found (or only entries next to the call) stays at the call.
    """
    refs = [r for r in refs if r.id is None or r.raw.strip().lower() not in PLACEHOLDERS]
    by_site: dict[tuple[str, int, int], list[Reference]] = {}
    for ref in refs:
        if ref.id is not None:
            # one call, whatever callee each value chose (torchaudio.pipelines.__dict__[name] names one per bundle)
            by_site.setdefault((ref.path, ref.line, ref.column), []).append(ref)
    sites = [(line, site_refs) for (_, line, _), site_refs in sorted(by_site.items())
             if len({r.id for r in site_refs}) >= 2]
    if not sites:
        return refs
    keys = {id(r): _entry_keys(r.raw, site_refs) for _, site_refs in sites for r in site_refs}
    index = EntryIndex(tree, source, {k for found in keys.values() for k in found})
    added: list[Reference] = []
    moved: set[int] = set()
    seen: set[tuple[str, int]] = set()
    for line, site_refs in sites:
        for ref in site_refs:
            entry_lines = next((found for found in (index.lines(k, line - line_offset) for k in keys[id(ref)])
                                if found), [])
            for entry_line in entry_lines:
                at = entry_line + line_offset
                if abs(at - line) <= NEAR:
                    continue
                moved.add(id(ref))
                if (ref.id or "", at) in seen:
                    continue
                seen.add((ref.id or "", at))
                note = "; ".join(x for x in (ref.note, f"registry entry; loaded at line {line}") if x)
                added.append(replace(ref, line=at, column=1, confidence="medium", note=note))
    if not added:
        return refs
    return [r for r in refs if id(r) not in moved] + added
