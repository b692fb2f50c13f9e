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

A registry kept in another project module (``from .config import MODELS`` ... ``load(MODELS[name])``) is
handled after the whole scan by :func:`move_to_imported_registries`: a value of a call over a registry that
a module the loading file imports holds as an entry, in a table the loading file names, is reported at that
entry's line in that module. The evaluator (:mod:`modelclear.scan.pyeval`) gives ``MODELS[size]`` every
entry when ``size`` is a parameter no call of the module passes (its default is one choice of the caller's).

Each entry gets at most :data:`MAX_LINES_PER_VALUE` lines; the literal index is built once per module,
only when a call has several ids, and only over the top-level statements whose text holds one of
their values (at most :data:`MAX_CANDIDATE_LINES` lines are looked at).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from modelclear.model import Reference
from modelclear.scan.pyindex import Param, Scope
from modelclear.scan.pyvalues import Res
from modelclear.scan.urls import HEX_DIGEST
from modelclear.scan.walk import decode_text, read_head

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
    return isinstance(node, ast.ClassDef) and _enum_node(node)


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


#: Gradio input components whose ``choices`` (keyword, or first positional argument) the user picks one of.
_CHOICE_COMPONENTS = frozenset({"Dropdown", "Radio"})
#: Most callback registrations of a module read for the components they pass.
MAX_UI_CALLBACKS = 256


def ui_choices(resolver: Resolver, param: Param, depth: int) -> Res | None:
    """The choices of a Gradio dropdown or radio a callback receives as ``param`` (issue 10, cause 2).

    ``btn.click(load_chat_model, inputs=[dropdown])`` with ``dropdown = gr.Dropdown(choices=MODELS)`` and
    ``gr.Interface(fn=summarize, inputs=["text", gr.Radio([...])])`` call the function with the entry the user
    picks, so each choice is a value of the parameter at that input's position, whatever the app loads at
    start. Only in a module that imports gradio; None when no registration gives the parameter a component."""
    index = resolver.index
    if param.method or param.position is None or param.func == "<lambda>" or not any(
            str(target).split(".", 1)[0] == "gradio" for target in index.imports.values()):
        return None
    callbacks: dict[str, list[tuple[ast.expr, Scope]]] | None = getattr(resolver, "_ui_callbacks", None)
    if callbacks is None:
        callbacks = {}
        for call, scope in index.calls:
            inputs = next((k.value for k in call.keywords if k.arg == "inputs"), None)
            fn = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "fn"), None)
            if inputs is not None and isinstance(fn, ast.Name) and len(callbacks) < MAX_UI_CALLBACKS:
                callbacks.setdefault(fn.id, []).append((inputs, scope))
        resolver._ui_callbacks = callbacks  # type: ignore[attr-defined]
    out: Res | None = None
    for inputs, scope in callbacks.get(param.func, ()):
        items = inputs.elts if isinstance(inputs, (ast.List, ast.Tuple)) else [inputs]
        if param.position >= len(items):
            continue
        for component in _components(items[param.position], scope):
            choices = next((k.value for k in component.keywords if k.arg == "choices"),
                           component.args[0] if component.args else None)
            if choices is not None:
                found = resolver.iterate(resolver.resolve(choices, scope, depth))
                out = found if out is None else out.add(found)
    return out


def _components(node: ast.expr, scope: Scope) -> list[ast.Call]:
    """The choice components ``node`` is: a ``gr.Dropdown(...)`` call, or a name bound to one in ``scope`` or a
    scope around it."""
    if isinstance(node, ast.Call):
        return [node] if _call_name(node.func) in _CHOICE_COMPONENTS else []
    if not isinstance(node, ast.Name):
        return []
    current: Scope | None = scope
    while current is not None:
        bindings = current.assigns.get(node.id)
        if bindings:
            return [b[1] for b in bindings if b[0] == "value" and isinstance(b[1], ast.Call)
                    and _call_name(b[1].func) in _CHOICE_COMPONENTS]
        current = current.parent
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

    def __init__(self, tree: ast.Module, source: str, values: Iterable[str], enums_only: bool = False) -> None:
        self.by_value: dict[str, list[int]] = {}
        #: class-level assignments count only in an ``Enum`` (a registry kept in another module: a config
        #: class's field defaults are its settings, not a list of choices)
        self.enums_only = enums_only
        #: the names the top-level statement holding each entry line binds (``MODELS`` of ``MODELS = {...}``)
        self.owners: dict[int, frozenset[str]] = {}
        self._owner: frozenset[str] = frozenset()
        #: (first line, last line) of the functions among the statements walked.
        self.functions: list[tuple[int, int]] = []
        starts = [0]
        for text in source.split("\n"):
            starts.append(starts[-1] + len(text) + 1)
        #: the keys a table's value is written under (``"decoder"`` of ``MODELS = {"decoder": "https://..."}``;
        #: not a field of a record nested in a table, ``"url"``)
        self.names: dict[str, set[str]] = {}
        self._table: ast.AST | None = None
        #: entries that are keys of a checksum table (``{url: sha256}``): used only when a value has no other entry
        self._weak: dict[str, list[int]] = {}
        #: the module's top-level string constants (``ROOT = "https://..."``), read when an entry is built
        self._consts: dict[str, str] | None = None
        self._tree = tree
        lines: set[int] = set()
        for value in values:
            needles = [f'"{value}"', f"'{value}'"]
            tail = _last_segment(value) if "/" in value else ""
            if len(tail) >= 4:  # a value built from a base constant (`f"{ROOT}/v1/model.pth"`) ends a literal so
                needles += [f'{tail}"', f"{tail}'"]
            for quoted in needles:
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
                self._owner = _bound_names(stmt)
                self._table = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
                if self._owner and all(name.startswith("__") and name.endswith("__") for name in self._owner):
                    continue  # `__all__ = [...]` lists the module's exported names, never artifacts
                self._walk(stmt)

    def _add(self, node: ast.expr, weak: bool = False) -> str | None:
        value = node.value if isinstance(node, ast.Constant) else self._built(node)
        if not (isinstance(value, str) and value.strip()):
            return None
        lines = (self._weak if weak else self.by_value).setdefault(value, [])
        if node.lineno not in lines:
            lines.append(node.lineno)
        self.owners[node.lineno] = self.owners.get(node.lineno, frozenset()) | self._owner
        return value

    def _built(self, node: ast.expr) -> str | None:
        """The string an entry builds from literals and the module's string constants (``f"{ROOT}/x.pth"``,
        ``ROOT + "/x.pth"``, ``.format``, ``%``), else None."""
        if not isinstance(node, (ast.JoinedStr, ast.BinOp, ast.Call)):
            return None
        if self._consts is None:
            self._consts = _string_constants(self._tree)
        return _fold(node, self._consts)

    def _walk(self, tree: ast.AST) -> None:
        stack: list[tuple[ast.AST, bool]] = [(tree, False)]
        while stack:
            node, in_container = stack.pop()
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                for elt in node.elts:
                    self._add(elt)
            elif isinstance(node, ast.Dict):
                # `{url: "<sha256>"}` checks downloads: its keys are entries only of a value written nowhere else
                weak = bool(node.values) and all(_digest(v) for v in node.values)
                for part in node.keys:
                    if part is not None:
                        self._add(part, weak)
                for key, part in zip(node.keys, node.values, strict=True):
                    value = self._add(part)
                    if value is not None and node is self._table and isinstance(key, ast.Constant) and \
                            isinstance(key.value, str):
                        self.names.setdefault(value, set()).add(key.value)
            elif isinstance(node, ast.ClassDef) and (not self.enums_only or _enum_node(node)):
                for stmt in node.body:
                    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                        self._add(stmt.value)
            elif isinstance(node, ast.Call) and (in_container or _call_name(node.func) == "dict"):
                # a record built in a container, or a table written `dict(openai="https://...", ...)`
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
        found = self.by_value.get(value) or self._weak.get(value, [])
        if near is None or len(found) <= 1:
            return found[:MAX_LINES_PER_VALUE]
        spans = [span for span in self.functions if span[0] <= near <= span[1]]
        if spans:
            first, last = min(spans, key=lambda span: span[1] - span[0])
            local = [line for line in found if first <= line <= last]
            if local:
                found = local
        return sorted(found, key=lambda line: (abs(line - near), line))[:MAX_LINES_PER_VALUE]


#: Most characters of a string built from constants (an f-string entry of a registry).
MAX_BUILT = 2048


def _digest(node: ast.expr | None) -> bool:
    """Whether ``node`` is a literal hex digest (MD5, SHA-1, SHA-256, SHA-512)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(HEX_DIGEST.fullmatch(node.value))


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """The module's top-level ``NAME = "text"`` constants (assigned once; later ones may use earlier ones)."""
    out: dict[str, str] = {}
    twice: set[str] = set()
    for stmt in tree.body:
        if not (isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None):
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id in out or target.id in twice:
                twice.add(target.id)
                out.pop(target.id, None)
                continue
            value = stmt.value.value if isinstance(stmt.value, ast.Constant) else _fold(stmt.value, out)
            if isinstance(value, str):
                out[target.id] = value
    return out


def _fold(node: ast.expr, consts: Mapping[str, str]) -> str | None:
    """``node`` as a string when it is built only of string literals and ``consts`` (f-string parts without a
    format, ``+``, ``"%s/x" % A``, ``"{}/x".format(A)``), else None; at most :data:`MAX_BUILT` characters."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    parts: list[str] = []
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.conversion not in (-1, 115) or part.format_spec is not None:
                    return None
                text = _fold(part.value, consts)
            else:
                text = _fold(part, consts)
            if text is None:
                return None
            parts.append(text)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fold(node.left, consts), _fold(node.right, consts)
        if left is None or right is None:
            return None
        parts = [left, right]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # "%s/x.pth" % ROOT
        template = _fold(node.left, consts)
        items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        args = [_fold(item, consts) for item in items]
        if template is None or None in args or template.count("%s") != len(args) or template.count("%") != len(args):
            return None
        parts = [template % tuple(args)]
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
          and not node.keywords):  # "{}/x.pth".format(ROOT)
        template = _fold(node.func.value, consts)
        args = [_fold(arg, consts) for arg in node.args]
        if template is None or None in args or template.count("{}") != len(args) or \
                template.count("{") != len(args):
            return None
        parts = [template.format(*args)]
    else:
        return None
    out = "".join(parts)
    return out if len(out) <= MAX_BUILT else None


def _bound_names(stmt: ast.stmt) -> frozenset[str]:
    """Names a top-level statement binds (assignment targets, a class or function name)."""
    if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return frozenset({stmt.name})
    targets: list[ast.expr] = list(stmt.targets) if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else []
    return frozenset(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))


def _enum_node(node: ast.ClassDef) -> bool:
    for base in node.bases:
        text = base.id if isinstance(base, ast.Name) else (
            f"{base.value.id}.{base.attr}" if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name)
            else "")
        if text in ENUM_BASES:
            return True
    return False


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


# --------------------------------------------------------------------------------------------------
# Registries kept in another module of the project

#: Project modules read for registry entries in one scan (each at most once).
MAX_REGISTRY_MODULES = 64
#: Bytes read of one such module.
MAX_REGISTRY_BYTES = 1_000_000
#: Imports of one loading module looked at.
MAX_IMPORTS = 64

_WORD_RE = re.compile(r"[A-Za-z_]\w*")
_IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([\w*, \t()]+)|import[ \t]+([\w.]+))",
                        re.MULTILINE)


def _module_table(rels: Iterable[str]) -> dict[str, list[str]]:
    """Dotted module name (and every dotted suffix of it) -> the project's .py files of that name."""
    table: dict[str, list[str]] = {}
    for rel in sorted(rels, key=lambda r: (r.count("/"), r)):
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or not all(p.isidentifier() for p in parts):
            continue
        for start in range(len(parts)):
            table.setdefault(".".join(parts[start:]), []).append(rel)
    return table


def _imported_modules(rel: str, source: str, table: Mapping[str, list[str]]) -> list[str]:
    """Project files ``rel`` imports (``from pkg.config import X``, ``from .config import X``,
    ``from . import config``, ``import pkg.config``), in source order, at most :data:`MAX_IMPORTS`."""
    package = rel.rsplit("/", 1)[0].replace("/", ".") if "/" in rel else ""
    out: list[str] = []
    for match in _IMPORT_RE.finditer(source):
        module, names, plain = match.group(1), match.group(2), match.group(3)
        candidates: list[str] = []
        if plain:
            candidates.append(plain)
        elif module is not None:
            dots = len(module) - len(module.lstrip("."))
            base = module[dots:]
            if dots:
                parent = package.split(".") if package else []
                parent = parent[:len(parent) - (dots - 1)] if dots > 1 else parent
                base = ".".join([*parent, base] if base else parent)
            candidates.append(base)
            for name in re.split(r"[\s,()]+", names or ""):
                if name.isidentifier():
                    candidates.append(f"{base}.{name}" if base else name)
        for dotted in candidates:
            for found in table.get(dotted, [])[:1]:
                if found != rel and found not in out:
                    out.append(found)
        if len(out) >= MAX_IMPORTS:
            break
    return out


#: How many steps from a name the loading module uses to the table it reads (accessor -> table -> sub-table).
MAX_ACCESSOR_STEPS = 3


def _top_level_reads(tree: ast.Module) -> dict[str, frozenset[str]]:
    """For each top-level accessor function (one that returns a value) and assignment of a module, the names
    its body or value reads. A function that returns nothing (``download_pretrain_weights(name)`` looking
    ``HOSTED_MODELS[name]`` up and downloading it) is the load itself, not an accessor: its table's values
    stay at the call, where the name passed to it was chosen."""
    out: dict[str, frozenset[str]] = {}
    for stmt in tree.body:
        body: list[ast.AST]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not any(isinstance(n, ast.Return) and n.value is not None and not (
                    isinstance(n.value, ast.Constant) and n.value.value is None) for n in ast.walk(stmt)):
                continue
            bound, body = frozenset({stmt.name}), list(stmt.body)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            bound, body = _bound_names(stmt), [stmt.value]
        else:
            continue
        read = frozenset(n.id for part in body for n in ast.walk(part)
                         if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        for name in bound:
            out[name] = out.get(name, frozenset()) | read
    return out


def _reached_names(words: frozenset[str], reads: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """``words`` and the module-level names reached from them through ``reads`` (a few steps)."""
    reached = set(words)
    frontier = {w for w in words if w in reads}
    for _ in range(MAX_ACCESSOR_STEPS):
        following = {n for name in frontier for n in reads[name] if n not in reached}
        reached |= following
        frontier = {n for n in following if n in reads}
        if not frontier:
            break
    return frozenset(reached)


def move_to_imported_registries(refs: list[Reference], files: Sequence[tuple[str, str, int]]) -> list[Reference]:
    """``refs`` with each value of a Python load call over a registry that another project module holds
    (``from .config import MODELS`` ... ``load(MODELS[name]["url"])``) reported at the entry's line in
    that module, like :func:`with_registry_entries` does for the loading module's own registries.

    A call is over a registry when its references carry two or more ids; a value is moved when the
    modules the loading file imports hold it as a registry entry (a string literal in a list, tuple,
    set or dict, a class attribute, an argument of a record built in a container). ``files``:
    (path, relative path, size) of the scanned files. At most :data:`MAX_REGISTRY_MODULES` modules are
    read, each once, at most :data:`MAX_REGISTRY_BYTES` each.
    """
    by_site: dict[tuple[str, int, int], list[int]] = {}
    for index, ref in enumerate(refs):
        if ref.id is None or not ref.path.endswith(".py") or "registry entry" in ref.note:
            continue
        by_site.setdefault((ref.path, ref.line, ref.column), []).append(index)
    sites = [(key, found) for key, found in sorted(by_site.items()) if len({refs[i].id for i in found}) >= 2]
    if not sites:
        return refs
    paths = {rel: (path, size) for path, rel, size in files if rel.endswith(".py")}
    table = _module_table(paths)
    sources: dict[str, str | None] = {}

    def source_of(rel: str) -> str | None:
        if rel not in sources:
            if len(sources) >= MAX_REGISTRY_MODULES or rel not in paths or paths[rel][1] > MAX_REGISTRY_BYTES:
                return None
            try:
                sources[rel] = decode_text(read_head(Path(paths[rel][0]), MAX_REGISTRY_BYTES), python=True)
            except OSError:
                sources[rel] = None
        return sources[rel]

    # which imported modules each site may read its values from, and the values looked for in each
    wanted: dict[str, set[str]] = {}
    # (ref index, keys, imported modules, the words of the loading module)
    plans: list[tuple[int, list[str], list[str], frozenset[str]]] = []
    for (path, _line, _column), found in sites:
        text = source_of(path)
        if text is None:
            continue
        imported = _imported_modules(path, text, table)
        if not imported:
            continue
        words = frozenset(_WORD_RE.findall(text))
        site_refs = [refs[i] for i in found]
        for i in found:
            keys = _entry_keys(refs[i].raw, site_refs)
            if any(f'"{k}"' in refs[i].evidence or f"'{k}'" in refs[i].evidence for k in keys):
                continue  # written at the call (`Top2Vec(docs, embedding_model="...")`): chosen there
            plans.append((i, keys, imported, words))
            for rel in imported:
                wanted.setdefault(rel, set()).update(keys)
    indexes: dict[str, EntryIndex] = {}
    readers: dict[str, dict[str, frozenset[str]]] = {}
    for rel, values in sorted(wanted.items()):
        text = source_of(rel)
        if text is None or not any(f'"{v}"' in text or f"'{v}'" in text for v in values):
            continue  # none of the values is written there: not parsed
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        indexes[rel] = EntryIndex(tree, text, values, enums_only=True)
        readers[rel] = _top_level_reads(tree)
    moved: set[int] = set()
    added: list[Reference] = []
    seen: set[tuple[str, int, str]] = set()
    for i, keys, imported, words in plans:
        ref = refs[i]
        for rel in imported:
            entries = indexes.get(rel)
            if entries is None:
                continue
            # only a registry the loading module names (`from .config import MODELS` ... `MODELS[name]`, or
            # through `import *`), or reads through an accessor of that module (`get_pretrained_url(name, tag)`
            # returning `_PRETRAINED[name][tag]`, a table of tables): a value that merely also appears in a
            # table it never reads stays at the call
            named = _reached_names(words, readers.get(rel, {}))
            at: list[int] = next((found for found in (
                [n for n in entries.lines(k) if entries.owners.get(n, frozenset()) & named] for k in keys) if found),
                [])
            if not at:
                continue
            if any(f'"{name}"' in ref.evidence or f"'{name}'" in ref.evidence
                   for k in keys for name in entries.names.get(k, ())):
                break  # `load_model("decoder")` names the entry's key: this call chose it (with its config, ...)
            moved.add(i)
            for line in at:
                if (rel, line, ref.id or "") in seen:
                    continue
                seen.add((rel, line, ref.id or ""))
                note = "; ".join(x for x in (ref.note, f"registry entry; loaded at {ref.path}:{ref.line}") if x)
                added.append(replace(ref, path=rel, line=line, column=1, confidence="medium", note=note))
            break
    if not added:
        return refs
    return [r for index, r in enumerate(refs) if index not in moved] + added
