"""What a Python expression may evaluate to, worked out from the syntax tree alone.

The scanner never imports or runs scanned code. Instead, :class:`ModuleIndex` records, for one module,
every binding of every name (assignments, loop targets, parameters with their defaults and the
arguments of the module's own calls, imports), class and dataclass fields, ``self.x = ...``,
argparse options, click options and the ``return`` values of local functions. :class:`Resolver` then
evaluates an expression to the set of constant values it may take:

* literals, f-strings, ``+`` / ``%`` / ``str.format`` / ``"/".join`` / ``os.path.join`` / ``Path``;
* module, class and local constants (flow-insensitive: every assignment is a candidate);
* function default arguments and the arguments the module passes to its own functions;
* argparse ``default=`` (``args.model_name_or_path``), dataclass / pydantic / attrs fields
  (``model_args.model_name_or_path``), click / typer option defaults;
* ``os.environ.get(k, default)`` / ``os.getenv``;
* subscripts of literal dicts and lists, ``dict.get``, iteration over literal containers;
* names imported from other modules of the project (``ScanContext.project_constants``, built with
  :func:`collect_module_constants`).

Whatever cannot be worked out is returned as *unknown* (with the expression text), never dropped.
"""

from __future__ import annotations

import ast
import bisect
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import cast

from modelclear.scan.budget import BUDGETS, Meter

#: Most candidates kept for one expression (cartesian products of f-strings are cut here).
MAX_CANDIDATES = BUDGETS.candidates
#: Deepest chain of name / attribute / call resolution followed.
MAX_DEPTH = BUDGETS.resolve_depth
#: Most resolution steps spent on one top-level expression.
MAX_STEPS = BUDGETS.resolve_steps_expr


@dataclass(frozen=True)
class QName:
    """A dotted name of something imported (``torchvision.models.ResNet50_Weights.DEFAULT``)."""

    name: str


@dataclass(frozen=True)
class Opaque:
    """A value that is not a constant (an object built at run time); ``loader`` if a loader built it."""

    text: str
    loader: bool = False


@dataclass(frozen=True)
class OneOf:
    """Several candidate values of one constant (e.g. assigned in two branches)."""

    values: tuple[object, ...]


class PathStr(str):
    """A string that the code built as a filesystem path (``Path(...)``, ``os.path.join``)."""

    __slots__ = ()


@dataclass(frozen=True)
class _ClassRef:
    scope: Scope


@dataclass(frozen=True)
class _FuncRef:
    scope: Scope


@dataclass
class Res:
    """The candidate values of an expression, the parts left unknown, and whether names were followed."""

    values: list[object] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    indirect: bool = False
    notes: list[str] = field(default_factory=list)

    def add(self, other: Res) -> Res:
        """Merge ``other`` into this result (union of candidates)."""
        for value in other.values:
            if len(self.values) >= MAX_CANDIDATES:
                break
            if not any(_same(value, v) for v in self.values):
                self.values.append(value)
        for text in other.unknown:
            if text not in self.unknown:
                self.unknown.append(text)
        for note in other.notes:
            if note not in self.notes and len(self.notes) < 4:
                self.notes.append(note)
        self.indirect = self.indirect or other.indirect
        return self


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _known(*values: object, indirect: bool = False) -> Res:
    return Res(values=list(values), indirect=indirect)


def _unknown(text: str, note: str = "") -> Res:
    return Res(unknown=[text], indirect=True, notes=[note] if note else [])


def flatten(value: object) -> list[object]:
    """The candidates a stored value stands for (a :class:`OneOf` is its members)."""
    if isinstance(value, OneOf):
        out: list[object] = []
        for member in value.values:
            out.extend(flatten(member))
        return out
    return [value]


_TEXT_CACHE: dict[tuple[int, int], tuple[ast.AST, str]] = {}


def expr_text(node: ast.AST, limit: int = 160) -> str:
    """Source text of ``node`` (re-generated), shortened; memoised while the node is alive."""
    key = (id(node), limit)
    cached = _TEXT_CACHE.get(key)
    if cached is not None and cached[0] is node:
        return cached[1]
    if len(_TEXT_CACHE) > 20_000:
        _TEXT_CACHE.clear()
    text = _expr_text(node, limit)
    _TEXT_CACHE[key] = (node, text)
    return text


def _expr_text(node: ast.AST, limit: int) -> str:
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError, AttributeError):
        text = type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Param:
    """A function parameter: its function, position (None: keyword-only), default and where it is evaluated."""

    func: str
    position: int | None
    default: ast.expr | None
    outer: Scope
    name: str
    cli: bool = False
    method: bool = False


class Scope:
    """A module, class or function scope and the bindings made in it."""

    __slots__ = ("assigns", "cls", "globals", "kind", "name", "node", "params", "parent", "returns")

    def __init__(self, kind: str, node: ast.AST, parent: Scope | None, name: str = "") -> None:
        self.kind = kind
        self.node = node
        self.parent = parent
        self.name = name
        self.assigns: dict[str, list[tuple]] = {}
        self.params: dict[str, Param] = {}
        self.globals: set[str] = set()
        self.returns: list[ast.expr] = []
        self.cls: Scope | None = None  # for a method: the class scope it belongs to

    def bind(self, name: str, binding: tuple) -> None:
        """Record one binding of ``name`` in this scope."""
        self.assigns.setdefault(name, []).append(binding)


_LEAVES = frozenset({ast.Constant, ast.Name, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue,
                     ast.alias, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.And, ast.Or, ast.Eq, ast.NotEq,
                     ast.Lt, ast.Gt, ast.LtE, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Not, ast.USub})
_FIELD_FUNCS = frozenset({"field", "Field", "ib", "attrib", "Option", "Argument", "Parameter", "Param"})
_STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "casefold", "replace",
                          "removeprefix", "removesuffix", "format", "join", "zfill"})


class ModuleIndex:
    """Every binding of one module, collected in a single iterative walk of its syntax tree.

    With ``max_nodes``, the walk stops after that many nodes and :attr:`complete` is False (the
    index is then partial: use :func:`build_index`, which keeps a prefix of the module instead).
    """

    def __init__(self, tree: ast.Module, module_name: str = "", max_nodes: int | None = None) -> None:
        self.module_name = module_name
        self.imports: dict[str, str] = {}
        self.stars: list[str] = []
        self.module = Scope("module", tree, None, module_name)
        self.calls: list[tuple[ast.Call, Scope]] = []
        self.call_sites: dict[str, list[tuple[ast.Call, Scope]]] = {}
        self.attr_index: dict[str, list[tuple]] = {}
        self.class_attrs: dict[int, dict[str, list[tuple]]] = {}
        self.bound: set[str] = set()
        self.argparse_dests: dict[str, str] = {}
        #: ids of the value nodes of plain ``name = value`` statements made directly in their scope's
        #: body (not under ``if``/``for``/``try``/``with``): they overwrite every earlier binding.
        self.direct: set[int] = set()
        #: Syntax-tree nodes visited.
        self.nodes = 0
        #: Whether every node was visited (False when ``max_nodes`` stopped the walk).
        self.complete = True
        self._body_ids: dict[int, set[int]] = {}
        self._walk(tree, max_nodes)

    # -- walking
    def _walk(self, tree: ast.Module, max_nodes: int | None) -> None:
        stack: list[tuple[ast.AST, Scope]] = [(tree, self.module)]
        handlers: dict[type, object] = {}
        leaves = _LEAVES
        limit = max_nodes if max_nodes is not None else -1
        count = 0
        while stack:
            node, scope = stack.pop()
            count += 1
            if count == limit + 1:
                self.complete = False
                break
            kind = type(node)
            if kind in leaves:
                continue
            handler = handlers.get(kind, _MISSING)
            if handler is _MISSING:
                handler = handlers[kind] = getattr(self, "_on_" + kind.__name__, None)
            if handler is not None and handler(node, scope, stack):  # type: ignore[operator]
                continue
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    stack.append((value, scope))
                elif isinstance(value, list):
                    stack.extend((item, scope) for item in value if isinstance(item, ast.AST))
        self.nodes = count

    def _on_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, stack: list) -> bool:
        fscope = Scope("function", node, scope, node.name)
        scope.bind(node.name, ("def", node, fscope))
        self.bound.add(node.name)
        if scope.kind == "class":
            fscope.cls = scope
        elif scope.kind == "function":
            fscope.cls = scope.cls
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        is_method = scope.kind == "class" and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
        for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
            fscope.params[arg.arg] = Param(node.name, index - (1 if is_method else 0), default, scope, arg.arg,
                                           method=scope.kind == "class")
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            fscope.params[arg.arg] = Param(node.name, None, default, scope, arg.arg, method=scope.kind == "class")
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                fscope.params[extra.arg] = Param(node.name, None, None, scope, extra.arg, method=scope.kind == "class")
        self.bound.update(fscope.params)
        for decorator in node.decorator_list:
            self._click_option(decorator, fscope, scope)
            stack.append((decorator, scope))
        for default in (*args.defaults, *[d for d in args.kw_defaults if d is not None]):
            stack.append((default, scope))
        for stmt in node.body:
            stack.append((stmt, fscope))
        return True

    _on_AsyncFunctionDef = _on_FunctionDef

    def _on_Lambda(self, node: ast.Lambda, scope: Scope, stack: list) -> bool:
        fscope = Scope("function", node, scope, "<lambda>")
        fscope.cls = scope.cls
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            fscope.params[arg.arg] = Param("<lambda>", None, None, scope, arg.arg)
        fscope.returns.append(node.body)
        stack.append((node.body, fscope))
        for default in node.args.defaults:
            stack.append((default, scope))
        return True

    def _on_ClassDef(self, node: ast.ClassDef, scope: Scope, stack: list) -> bool:
        cscope = Scope("class", node, scope, node.name)
        scope.bind(node.name, ("class", node, cscope))
        self.bound.add(node.name)
        self.class_attrs[id(cscope)] = {}
        for child in (*node.bases, *node.keywords, *node.decorator_list):
            stack.append((child, scope))
        for stmt in node.body:
            stack.append((stmt, cscope))
        return True

    def _on_Return(self, node: ast.Return, scope: Scope, stack: list) -> bool:
        if node.value is not None and scope.kind == "function":
            scope.returns.append(node.value)
        return False

    def _on_Global(self, node: ast.Global, scope: Scope, stack: list) -> bool:
        scope.globals.update(node.names)
        return True

    def _on_Import(self, node: ast.Import, scope: Scope, stack: list) -> bool:
        for alias in node.names:
            if alias.asname:
                self.imports[alias.asname] = alias.name
                self.bound.add(alias.asname)
            else:
                top = alias.name.split(".")[0]
                self.imports.setdefault(top, top)
                self.bound.add(top)
        return True

    def _on_ImportFrom(self, node: ast.ImportFrom, scope: Scope, stack: list) -> bool:
        base = node.module or ""
        if node.level:
            parts = self.module_name.split(".") if self.module_name else []
            parent = parts[: len(parts) - node.level] if len(parts) >= node.level else []
            base = ".".join([*parent, base] if base else parent) if parent else ("." * node.level + base)
        for alias in node.names:
            if alias.name == "*":
                self.stars.append(base)
                continue
            local = alias.asname or alias.name
            self.imports[local] = f"{base}.{alias.name}" if base else alias.name
            self.bound.add(local)
        return True

    def _target(self, target: ast.expr, binding: tuple, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, binding)
            self.bound.add(target.id)
            if scope.kind == "class":
                self.attr_index.setdefault(target.id, []).append(binding)
                self.class_attrs[id(scope)].setdefault(target.id, []).append(binding)
        elif isinstance(target, (ast.Tuple, ast.List)):
            kind, value = binding[0], binding[1]
            elts = target.elts
            if kind == "value" and isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(elts):
                for sub, sub_value in zip(elts, value.elts, strict=True):
                    self._target(sub, ("value", sub_value, binding[2]), scope)
            else:
                for index, sub in enumerate(elts):
                    if isinstance(sub, ast.Starred):
                        sub = sub.value
                    self._target(sub, ("unpack", binding, index), scope)
        elif isinstance(target, ast.Starred):
            self._target(target.value, ("opaque", target, scope), scope)
        elif isinstance(target, ast.Attribute):
            owner = target.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls") and scope.cls is not None:
                self.class_attrs[id(scope.cls)].setdefault(target.attr, []).append(binding)
            self.attr_index.setdefault(target.attr, []).append(binding)

    def _mark_direct(self, node: ast.Assign | ast.AnnAssign, scope: Scope) -> None:
        if node.value is None:
            return
        key = id(scope.node)
        members = self._body_ids.get(key)
        if members is None:  # one set per scope: a membership test per assignment, not a scan of the body
            body = getattr(scope.node, "body", None)
            members = self._body_ids[key] = {id(stmt) for stmt in body} if isinstance(body, list) else set()
        if id(node) in members:
            self.direct.add(id(node.value))

    def _on_Assign(self, node: ast.Assign, scope: Scope, stack: list) -> bool:
        for target in node.targets:
            self._target(target, ("value", node.value, scope), scope)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self._mark_direct(node, scope)
        return False

    def _on_AnnAssign(self, node: ast.AnnAssign, scope: Scope, stack: list) -> bool:
        if node.value is not None:
            self._target(node.target, ("value", node.value, scope), scope)
            if isinstance(node.target, ast.Name) and scope.kind != "class":
                self._mark_direct(node, scope)
        elif scope.kind == "class" and isinstance(node.target, ast.Name):
            self._target(node.target, ("required", node, scope), scope)
        return False

    def _on_AugAssign(self, node: ast.AugAssign, scope: Scope, stack: list) -> bool:
        if isinstance(node.target, ast.Name):
            scope.bind(node.target.id, ("aug", node, scope))
        return False

    def _on_NamedExpr(self, node: ast.NamedExpr, scope: Scope, stack: list) -> bool:
        self._target(node.target, ("value", node.value, scope), scope)
        return False

    def _on_For(self, node: ast.For | ast.AsyncFor, scope: Scope, stack: list) -> bool:
        self._target(node.target, ("iter", node.iter, scope), scope)
        return False

    _on_AsyncFor = _on_For

    def _on_comprehension(self, node: ast.comprehension, scope: Scope, stack: list) -> bool:
        self._target(node.target, ("iter", node.iter, scope), scope)
        return False

    def _on_withitem(self, node: ast.withitem, scope: Scope, stack: list) -> bool:
        if node.optional_vars is not None:
            self._target(node.optional_vars, ("opaque", node.context_expr, scope), scope)
        return False

    def _on_ExceptHandler(self, node: ast.ExceptHandler, scope: Scope, stack: list) -> bool:
        if node.name:
            scope.bind(node.name, ("opaque", node, scope))
        return False

    def _on_Call(self, node: ast.Call, scope: Scope, stack: list) -> bool:
        self.calls.append((node, scope))
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name:
            self.call_sites.setdefault(name, []).append((node, scope))
        if name == "add_argument":
            self._argparse(node, scope)
        elif name == "set_defaults":
            for kw in node.keywords:
                if kw.arg:
                    self.attr_index.setdefault(kw.arg, []).append(("value", kw.value, scope))
        return False

    # -- argparse / click
    def _argparse(self, node: ast.Call, scope: Scope) -> None:
        flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not flags:
            return
        kws = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        dest_node = kws.get("dest")
        if isinstance(dest_node, ast.Constant) and isinstance(dest_node.value, str):
            dest = dest_node.value
        else:
            longs = [f for f in flags if f.startswith("--")]
            chosen = longs[0] if longs else flags[0]
            dest = chosen.lstrip("-").replace("-", "_")
        if not dest:
            return
        flag = flags[0]
        self.argparse_dests[dest] = flag
        if "default" in kws:
            binding: tuple = ("value", kws["default"], scope)
        else:
            action = kws.get("action")
            action_name = action.value if isinstance(action, ast.Constant) else ""
            if action_name == "store_true":
                binding = ("const", False, scope)
            elif action_name == "store_false":
                binding = ("const", True, scope)
            elif "choices" in kws:
                binding = ("iter", kws["choices"], scope)
            else:
                binding = ("cli", flag, scope)
        self.attr_index.setdefault(dest, []).append(binding)

    def _click_option(self, decorator: ast.expr, fscope: Scope, outer: Scope) -> None:
        if not isinstance(decorator, ast.Call):
            return
        func = decorator.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in ("option", "argument"):
            return
        names = [a.value for a in decorator.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not names:
            return
        plain = [n for n in names if not n.startswith("-")]
        longs = [n for n in names if n.startswith("--")]
        dest = (plain[0] if plain else (longs[0] if longs else names[0])).lstrip("-").replace("-", "_")
        kws = {kw.arg: kw.value for kw in decorator.keywords if kw.arg}
        param = fscope.params.get(dest)
        if param is not None:
            default = kws.get("default")
            fscope.params[dest] = Param(param.func, None, default, outer, dest, cli=default is None,
                                        method=param.method)


# ------------------------------------------------------------------------------------------ resolver


class Resolver:
    """Evaluates expressions of one module to their candidate constant values."""

    def __init__(self, index: ModuleIndex, project: Mapping[str, Mapping[str, object]] | None = None,
                 is_loader_call: object = None, budget: Meter | None = None) -> None:
        self.index = index
        self.project = project or {}
        #: Resolution steps of the whole file (shared by every expression); None: no file limit.
        self.budget = budget
        self._running = 0
        self._reach_memo: dict[tuple[int, int], tuple[list[tuple[int, int]], list[tuple], list[int], list[tuple]]] = {}
        self._module_keys: dict[str, str | None] = {}
        self._active: set[tuple[str, int]] = set()
        self._param_stack: set[int] = set()
        self._param_memo: dict[int, Res] = {}
        self._attr_stack: set[str] = set()
        self._attr_memo: dict[str, Res] = {}
        self._self_stack: set[tuple[int, str]] = set()
        self._self_memo: dict[tuple[int, str], Res] = {}
        self._return_stack: set[int] = set()
        self._return_memo: dict[int, Res] = {}
        self._steps = 0
        self._is_loader_call = is_loader_call
        self._project_attrs: dict[str, list[object]] | None = None

    # -- entry point
    def resolve(self, node: ast.expr, scope: Scope, depth: int = 0) -> Res:
        """Candidate values of ``node`` evaluated in ``scope``.

        Each outermost call may take at most :data:`MAX_STEPS` steps (a call made while another is
        running shares its count), and all calls together at most the file's :attr:`budget`; past
        that, what is left is unknown. Steps are counted, never timed, so the answer is the same on
        any machine.
        """
        if self._running == 0:
            self._steps = 0
        self._steps += 1
        budget = self.budget
        if budget is not None and not budget.spend():
            return _unknown("…", note="resolution budget of the file used up")  # no text: it costs work too
        if depth > MAX_DEPTH or self._steps > MAX_STEPS:
            return _unknown(expr_text(node))
        method = getattr(self, "_r_" + type(node).__name__, None)
        if method is None:
            return _unknown(expr_text(node))
        self._running += 1
        try:
            return method(node, scope, depth + 1)
        except RecursionError:
            return _unknown(expr_text(node))
        finally:
            self._running -= 1

    # -- literals
    def _r_Constant(self, node: ast.Constant, scope: Scope, depth: int) -> Res:
        return _known(node.value)

    def _r_JoinedStr(self, node: ast.JoinedStr, scope: Scope, depth: int) -> Res:
        parts: list[list[str]] = []
        out = Res()
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append([str(value.value)])
                continue
            inner = value.value if isinstance(value, ast.FormattedValue) else value
            res = self.resolve(inner, scope, depth)
            out.indirect = out.indirect or res.indirect
            out.notes.extend(n for n in res.notes if n not in out.notes)
            strs = [str(v) for v in res.values if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
            if res.unknown or not strs or len(strs) != len(res.values):
                return _unknown(expr_text(node)).add(Res(notes=out.notes))
            parts.append(strs)
        for combo in itertools.islice(itertools.product(*parts), MAX_CANDIDATES):
            out.values.append("".join(combo))
        return out

    def _container(self, elts: list[ast.expr], scope: Scope, depth: int) -> Res:
        items: list[object] = []
        indirect = False
        for elt in elts:
            if isinstance(elt, ast.Starred):
                res = self.resolve(elt.value, scope, depth)
                indirect = indirect or res.indirect
                for value in res.values:
                    if isinstance(value, tuple):
                        items.extend(value)
                continue
            res = self.resolve(elt, scope, depth)
            indirect = indirect or res.indirect
            if len(res.values) == 1 and not res.unknown:
                items.append(res.values[0])
            elif res.values:
                items.append(OneOf(tuple(res.values)))
            else:
                items.append(Opaque(expr_text(elt)))
        return _known(tuple(items), indirect=indirect)

    def _r_List(self, node: ast.List, scope: Scope, depth: int) -> Res:
        return self._container(node.elts, scope, depth)

    _r_Tuple = _r_List
    _r_Set = _r_List

    def _r_Dict(self, node: ast.Dict, scope: Scope, depth: int) -> Res:
        out: dict[object, object] = {}
        indirect = False
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                res = self.resolve(value, scope, depth)
                for v in res.values:
                    if isinstance(v, dict):
                        out.update(v)
                continue
            kres = self.resolve(key, scope, depth)
            vres = self.resolve(value, scope, depth)
            indirect = indirect or kres.indirect or vres.indirect
            stored: object = (vres.values[0] if len(vres.values) == 1 and not vres.unknown
                              else OneOf(tuple(vres.values)) if vres.values else Opaque(expr_text(value)))
            for k in kres.values:
                if isinstance(k, (str, int, float, bool)) or k is None:
                    out[k] = stored
        return _known(out, indirect=indirect)

    # -- names
    def _r_Name(self, node: ast.Name, scope: Scope, depth: int) -> Res:
        return self.name(node.id, scope, depth, (node.lineno, node.col_offset))

    def reaching(self, bindings: list[tuple], use: tuple[int, int]) -> list[tuple]:
        """The bindings of a name that may reach a use at ``use`` (line, column) in the same scope.

        Straight-line code only: when an unconditional ``name = value`` of the scope's body precedes
        the use, bindings before it and bindings after the use are dropped (``m = "a"; load(m);
        m = "b"; load(m)`` gives each call one id). Without such an assignment, everything is kept.
        """
        positions, ordered, cuts, unplaced = self._placed(bindings)
        end = bisect.bisect_right(positions, use)  # bindings finished at or before the use
        at = bisect.bisect_right(cuts, end - 1) - 1  # the last unconditional assignment among them
        if at < 0:
            return bindings
        if self.budget is not None:
            self.budget.spend(end - cuts[at])
        return ordered[cuts[at]:end] + unplaced

    def _placed(self, bindings: list[tuple]) -> tuple[list[tuple[int, int]], list[tuple], list[int], list[tuple]]:
        """Bindings sorted by where they finish, their positions, the indexes of unconditional
        assignments among them, and the bindings without a position (memoised per binding list)."""
        key = (id(bindings), len(bindings))
        done = self._reach_memo.get(key)
        if done is not None:
            return done
        placed = [(_binding_end(b), b) for b in bindings]
        ordered_pairs = sorted(((p, b) for p, b in placed if p is not None), key=lambda item: item[0])
        positions = [p for p, _ in ordered_pairs]
        ordered = [b for _, b in ordered_pairs]
        cuts = [i for i, b in enumerate(ordered) if b[0] == "value" and id(b[1]) in self.index.direct]
        unplaced = [b for p, b in placed if p is None]
        done = (positions, ordered, cuts, unplaced)
        self._reach_memo[key] = done
        if self.budget is not None:
            self.budget.spend(len(bindings))
        return done

    def name(self, name: str, scope: Scope, depth: int, use: tuple[int, int] | None = None) -> Res:
        """Candidates of a bare name looked up from ``scope`` outwards (Python's LEGB).

        Flow-insensitive, except in the scope of the use itself (see :meth:`reaching`).
        """
        key = (name, id(scope))
        cyclic = key in self._active
        self._active.add(key)
        try:
            current: Scope | None = self.index.module if name in scope.globals else scope
            first = True
            while current is not None:
                if current.kind == "class" and not first:
                    current = current.parent
                    continue
                bindings = current.assigns.get(name)
                param = current.params.get(name)
                if bindings and first and use is not None and current is scope:
                    bindings = self.reaching(bindings, use)
                if bindings or param:
                    out = Res(indirect=True)
                    if bindings and not cyclic:
                        for binding in bindings:
                            out.add(self.binding(binding, depth))
                    if param is not None:
                        out.add(self.param(param, depth))
                    elif cyclic and not out.values:
                        out.add(_unknown(name))
                    return out
                first = False
                current = current.parent
            if name in self.index.imports:
                return self.imported(self.index.imports[name])
            for star in self.index.stars:
                value = self.project_lookup(star, name)
                if value is not _MISSING:
                    return _known(*flatten(value), indirect=True)
            if self.index.stars:
                return _known(QName(f"{self.index.stars[0]}.{name}"), indirect=True)
            return _unknown(name)
        finally:
            if not cyclic:
                self._active.discard(key)

    def binding(self, binding: tuple, depth: int) -> Res:
        """Candidates of one recorded binding."""
        kind = binding[0]
        if kind == "value":
            value = binding[1]
            if isinstance(value, ast.Call) and _call_name(value.func) in _FIELD_FUNCS:
                return self.field_default(value, binding[2], depth)
            return self.resolve(value, binding[2], depth)
        if kind == "iter":
            return self.iterate(self.resolve(binding[1], binding[2], depth))
        if kind == "unpack":
            inner = self.binding(binding[1], depth)
            out = Res(indirect=True, unknown=list(inner.unknown), notes=list(inner.notes))
            for value in inner.values:
                if isinstance(value, tuple) and binding[2] < len(value):
                    out.add(_known(*flatten(value[binding[2]])))
                elif isinstance(value, Opaque):
                    out.add(_known(Opaque(f"{value.text}[{binding[2]}]")))
                else:
                    out.add(_unknown(f"element {binding[2]}"))
            return out
        if kind == "const":
            return _known(binding[1], indirect=True)
        if kind == "cli":
            return _unknown(str(binding[1]), note=f"command-line option {binding[1]} (no default)")
        if kind == "required":
            node = binding[1]
            return _unknown(expr_text(node.target), note=f"field {expr_text(node.target)} has no default")
        if kind == "class":
            return _known(_ClassRef(binding[2]), indirect=True)
        if kind == "def":
            return _known(_FuncRef(binding[2]), indirect=True)
        if kind == "opaque":
            return _known(Opaque(expr_text(binding[1])), indirect=True)
        return _unknown(expr_text(binding[1]))

    def field_default(self, call: ast.Call, scope: Scope, depth: int) -> Res:
        """The default of a dataclass / pydantic / attrs / typer field declaration."""
        for kw in call.keywords:
            if kw.arg == "default":
                return self.resolve(kw.value, scope, depth)
            if kw.arg == "default_factory" and isinstance(kw.value, ast.Lambda):
                return self.resolve(kw.value.body, scope, depth)
        if call.args and _call_name(call.func) in ("Field", "Option", "Argument", "Parameter", "Param"):
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and first.value is Ellipsis):
                return self.resolve(first, scope, depth)
        return _unknown(expr_text(call), note="field without a default")

    def param(self, param: Param, depth: int) -> Res:
        """Candidates of a function parameter: arguments of the module's own calls, else its default.

        Each parameter is resolved once per resolver (memoised); a parameter met again while it is being
        resolved (recursive functions pass their own parameters on) is unknown on that path. Without this
        the call-site fan-out is exponential in the recursion depth.
        """
        key = id(param)
        done = self._param_memo.get(key)
        if done is not None:
            return Res(values=list(done.values), unknown=list(done.unknown), indirect=done.indirect,
                       notes=list(done.notes))
        if key in self._param_stack:
            return _unknown(param.name)
        self._param_stack.add(key)
        try:
            result = self._param(param, depth)
        finally:
            self._param_stack.discard(key)
        self._param_memo[key] = result
        return Res(values=list(result.values), unknown=list(result.unknown), indirect=result.indirect,
                   notes=list(result.notes))

    def _param(self, param: Param, depth: int) -> Res:
        func_name, position, default, outer, name, cli = (param.func, param.position, param.default, param.outer,
                                                          param.name, param.cli)
        out = Res(indirect=True)
        sites = [
            (call, call_scope) for call, call_scope in self.index.call_sites.get(func_name, [])
            if isinstance(call.func, ast.Attribute if param.method else ast.Name)
        ] if func_name != "<lambda>" else []
        uses_default = not sites
        for call, call_scope in sites[:MAX_CANDIDATES]:
            arg = _find_arg(call, position, (name,))
            if arg is _MISSING:
                if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                    out.add(_unknown(f"{name} (passed through *args/**kwargs)"))
                else:
                    uses_default = True
                continue
            out.add(self.resolve(cast(ast.expr, arg), call_scope, depth))
        if uses_default:
            if default is not None:
                out.add(self.resolve(default, outer, depth))
            elif cli:
                out.add(_unknown(name, note=f"command-line option {name} (no default)"))
            else:
                out.add(_unknown(name, note=f"parameter {name} of {func_name}()"))
        return out

    def imported(self, dotted: str) -> Res:
        """Value of an imported dotted name: a project constant if the project defines it, else a QName."""
        module, _, attr = dotted.rpartition(".")
        if module:
            value = self.project_lookup(module, attr)
            if value is not _MISSING:
                return _known(*flatten(value), indirect=True)
        return _known(QName(dotted), indirect=True)

    # -- project constants
    def _module_key(self, module: str) -> str | None:
        if module in self.project:
            return module
        if module in self._module_keys:
            return self._module_keys[module]
        stripped = module.lstrip(".")
        found = None
        for key in self.project:
            if key.endswith("." + stripped) or stripped.endswith("." + key) or key == stripped:
                found = key
                break
        self._module_keys[module] = found
        return found

    def project_lookup(self, module: str, name: str) -> object:
        """A constant ``name`` of project module ``module`` (matched by dotted suffix), or _MISSING."""
        if not self.project:
            return _MISSING
        key = self._module_key(module)
        if key is None:
            return _MISSING
        return self.project[key].get(name, _MISSING)

    def project_attr(self, attr: str) -> list[object]:
        """Values other project modules give to attribute ``attr`` (argparse options, dataclass fields)."""
        if self._project_attrs is None:
            self._project_attrs = _project_attr_table(self.project)
        return self._project_attrs.get(attr, [])

    # -- attributes
    def _r_Attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Res:
        attr = node.attr
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls") and scope.cls is not None:
            bindings = self.index.class_attrs.get(id(scope.cls), {}).get(attr)
            if bindings:
                return self._self_attr(id(scope.cls), attr, bindings, node, depth)
            return self.attr_lookup(attr, node, depth)
        base = self.resolve(owner, scope, depth)
        out = Res(indirect=True, notes=list(base.notes))
        fallback = bool(base.unknown)
        for value in base.values:
            if isinstance(value, QName):
                out.add(self.qname_attr(value, attr))
            elif isinstance(value, _ClassRef):
                bindings = self.index.class_attrs.get(id(value.scope), {}).get(attr)
                if bindings:
                    for binding in bindings:
                        out.add(self.binding(binding, depth))
                else:
                    fallback = True
            elif isinstance(value, dict) and attr in value:
                out.add(_known(*flatten(value[attr])))
            else:
                fallback = True
        if fallback:
            found = self.attr_lookup(attr, node, depth)
            if found.values or not base.unknown:
                out.add(found)
            else:
                out.add(_unknown(expr_text(node)))
                out.notes.extend(n for n in found.notes if n not in out.notes)
        return out

    def qname_attr(self, value: QName, attr: str) -> Res:
        """``attr`` of an imported module or class: a project constant, else a longer QName."""
        found = self.project_lookup(value.name, attr)
        if found is _MISSING:
            module, _, last = value.name.rpartition(".")
            if module:
                found = self.project_lookup(module, f"{last}.{attr}")
        if found is not _MISSING:
            return _known(*flatten(found), indirect=True)
        if value.name in ("os.environ",):
            return _unknown(f"os.environ.{attr}")
        return _known(QName(f"{value.name}.{attr}"), indirect=True)

    def _self_attr(self, cls: int, attr: str, bindings: list[tuple], node: ast.expr, depth: int) -> Res:
        """``self.attr`` of a class: every ``self.attr = ...`` / class-level binding, memoised.

        Unknown when met again while being resolved: ``self.buf = self.buf + new`` and
        ``self.buf = new + self.buf`` would otherwise fan out exponentially.
        """
        key = (cls, attr)
        done = self._self_memo.get(key)
        if done is None:
            if key in self._self_stack:
                return _unknown(expr_text(node))
            self._self_stack.add(key)
            try:
                done = Res(indirect=True)
                for binding in bindings:
                    done.add(self.binding(binding, depth))
            finally:
                self._self_stack.discard(key)
            self._self_memo[key] = done
        return Res(values=list(done.values), unknown=list(done.unknown), indirect=done.indirect,
                   notes=list(done.notes))

    def attr_lookup(self, attr: str, node: ast.expr, depth: int) -> Res:
        """Attribute of an object we cannot type: every argparse option, field or ``x.attr =`` of that name.

        Memoised per attribute name, and unknown when met again while being resolved: attribute chains
        (``a.x = b.y or c.x``) otherwise fan out exponentially.
        """
        done = self._attr_memo.get(attr)
        if done is None:
            if attr in self._attr_stack:
                return _unknown(expr_text(node))
            self._attr_stack.add(attr)
            try:
                done = self._attr_lookup(attr, node, depth)
            finally:
                self._attr_stack.discard(attr)
            self._attr_memo[attr] = done
        if done.unknown and not done.values:
            return _unknown(expr_text(node), note=done.notes[0] if done.notes else "")
        return Res(values=list(done.values), unknown=list(done.unknown), indirect=done.indirect,
                   notes=list(done.notes))

    def _attr_lookup(self, attr: str, node: ast.expr, depth: int) -> Res:
        bindings = self.index.attr_index.get(attr)
        out = Res(indirect=True)
        if bindings:
            for binding in bindings:
                out.add(self.binding(binding, depth))
            if attr in self.index.argparse_dests:
                out.notes.append(f"argparse default of {self.index.argparse_dests[attr]}")
            return out
        project = self.project_attr(attr)
        if project:
            for value in project:
                if isinstance(value, UnknownValue):
                    out.add(_unknown(expr_text(node), note=value.note))
                else:
                    out.add(_known(value, indirect=True))
            return out
        return _unknown(expr_text(node))

    # -- subscripts
    def _r_Subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Res:
        owner_text = expr_text(node.value)
        if owner_text in ("os.environ", "environ"):
            key = self.resolve(node.slice, scope, depth)
            name = key.values[0] if key.values else expr_text(node.slice)
            return _unknown(expr_text(node), note=f"environment variable {name}")
        if owner_text == "sys.argv":
            return _unknown(expr_text(node), note="command-line argument")
        base = self.resolve(node.value, scope, depth)
        key = self.resolve(node.slice, scope, depth)
        out = Res(indirect=True, unknown=list(base.unknown), notes=list(base.notes) + list(key.notes))
        for container in base.values:
            if isinstance(container, dict):
                if key.values and not key.unknown:
                    for k in key.values:
                        if k in container:
                            out.add(_known(*flatten(container[k])))
                else:
                    for v in container.values():
                        out.add(_known(*flatten(v)))
            elif isinstance(container, (tuple, str)):
                if key.values and not key.unknown:
                    for k in key.values:
                        if isinstance(k, int) and not isinstance(k, bool) and -len(container) <= k < len(container):
                            out.add(_known(*flatten(container[k])))
                elif isinstance(container, tuple):
                    for v in container:
                        out.add(_known(*flatten(v)))
            else:
                out.add(_unknown(expr_text(node)))
        if not base.values and not out.unknown:
            out.add(_unknown(expr_text(node)))
        return out

    # -- operators
    def _r_BinOp(self, node: ast.BinOp, scope: Scope, depth: int) -> Res:
        left = self.resolve(node.left, scope, depth)
        right = self.resolve(node.right, scope, depth)
        out = Res(indirect=left.indirect or right.indirect, notes=left.notes + right.notes)
        if left.unknown or right.unknown or not left.values or not right.values:
            return out.add(_unknown(expr_text(node)))
        for a, b in itertools.islice(itertools.product(left.values, right.values), MAX_CANDIDATES):
            value = _binop(node.op, a, b)
            if value is _MISSING:
                return out.add(_unknown(expr_text(node)))
            out.add(_known(value))
        return out

    def _r_BoolOp(self, node: ast.BoolOp, scope: Scope, depth: int) -> Res:
        out = Res(indirect=True)
        for index, value in enumerate(node.values):
            res = self.resolve(value, scope, depth)
            last = index == len(node.values) - 1
            if isinstance(node.op, ast.Or):
                out.add(Res(values=[v for v in res.values if v or last or isinstance(v, (Opaque, QName))],
                            unknown=res.unknown, notes=res.notes))
                if res.values and not res.unknown and all(
                        (bool(v) or isinstance(v, (Opaque, QName))) and not isinstance(v, UnknownValue)
                        for v in res.values):
                    break
            elif last:
                out.add(res)
        return out

    def _r_IfExp(self, node: ast.IfExp, scope: Scope, depth: int) -> Res:
        test = self.resolve(node.test, scope, depth)
        if len(test.values) == 1 and not test.unknown and isinstance(test.values[0], (bool, int, str, type(None))):
            chosen = node.body if test.values[0] else node.orelse
            out = self.resolve(chosen, scope, depth)
            out.indirect = True
            return out
        out = self.resolve(node.body, scope, depth).add(self.resolve(node.orelse, scope, depth))
        out.indirect = True
        return out

    def _r_NamedExpr(self, node: ast.NamedExpr, scope: Scope, depth: int) -> Res:
        return self.resolve(node.value, scope, depth)

    def _r_Starred(self, node: ast.Starred, scope: Scope, depth: int) -> Res:
        return self.resolve(node.value, scope, depth)

    def _r_Await(self, node: ast.Await, scope: Scope, depth: int) -> Res:
        return _known(Opaque(expr_text(node)), indirect=True)

    def iterate(self, res: Res) -> Res:
        """Candidates of the loop variable of ``for x in <res>``."""
        out = Res(indirect=True, unknown=list(res.unknown), notes=list(res.notes))
        for value in res.values:
            if isinstance(value, tuple):
                for item in value:
                    out.add(_known(*flatten(item)))
            elif isinstance(value, dict):
                for item in value:
                    out.add(_known(item))
            elif isinstance(value, Opaque):
                out.add(_known(Opaque(f"item of {value.text}")))
            else:
                out.add(_unknown("loop item"))
        return out

    # -- calls
    def _r_Call(self, node: ast.Call, scope: Scope, depth: int) -> Res:
        func = node.func
        dotted = self.call_qualname(func)
        if dotted in ("os.getenv", "os.environ.get", "environ.get", "os.environ.setdefault", "getenv"):
            return self._env(node, scope, depth)
        if dotted in ("os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath",
                      "pathlib.PurePosixPath", "pathlib.PosixPath", "Path"):
            parts = [self.resolve(a, scope, depth) for a in node.args]
            return self._join(parts, node, "/", path=True)
        if dotted in ("str", "builtins.str") and len(node.args) == 1:
            inner = self.resolve(node.args[0], scope, depth)
            return Res(values=[str(v) if isinstance(v, (str, int, float)) else v for v in inner.values],
                       unknown=inner.unknown, indirect=inner.indirect, notes=inner.notes)
        if dotted in ("dict", "builtins.dict") and not node.args:
            mapping: dict[object, object] = {}
            for kw in node.keywords:
                if kw.arg:
                    res = self.resolve(kw.value, scope, depth)
                    mapping[kw.arg] = (res.values[0] if len(res.values) == 1 and not res.unknown
                                       else OneOf(tuple(res.values)) if res.values else Opaque(expr_text(kw.value)))
            return _known(mapping, indirect=True)
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method in _STR_METHODS or method in ("get", "keys", "values", "items", "pop"):
                receiver = self.resolve(func.value, scope, depth)
                handled = self._method(method, receiver, node, scope, depth)
                if handled is not None:
                    return handled
        target = self.resolve(func, scope, depth) if isinstance(func, (ast.Name, ast.Attribute)) else Res()
        out = Res(indirect=True)
        for value in target.values:
            if isinstance(value, QName):
                module, _, last = value.name.rpartition(".")
                found = self.project_lookup(module, f"{last}()") if module else _MISSING
                if found is not _MISSING:
                    out.add(_known(*flatten(found), indirect=True))
                    out.notes.append(f"returned by {value.name}()")
                continue
            if isinstance(value, _FuncRef):
                if value.scope.returns:
                    out.add(self._returns_of(value.scope, node, depth))
                else:
                    out.add(_known(Opaque(expr_text(node))))
            elif isinstance(value, _ClassRef):
                out.add(_known(_ClassRef(value.scope)))
        if out.values or out.unknown:
            return out
        loader = bool(self._is_loader_call and self._is_loader_call(node, dotted))  # type: ignore[operator]
        return _known(Opaque(expr_text(node), loader=loader), indirect=True)

    def _returns_of(self, fscope: Scope, node: ast.Call, depth: int) -> Res:
        """What a local function returns, memoised; a recursive call (met while resolving) is unknown."""
        key = id(fscope)
        done = self._return_memo.get(key)
        if done is None:
            if key in self._return_stack:
                return _unknown(expr_text(node))
            self._return_stack.add(key)
            try:
                done = Res(indirect=True)
                for ret in fscope.returns[:MAX_CANDIDATES]:
                    done.add(self.resolve(ret, fscope, depth))
            finally:
                self._return_stack.discard(key)
            self._return_memo[key] = done
        return Res(values=list(done.values), unknown=list(done.unknown), indirect=done.indirect,
                   notes=list(done.notes))

    def call_qualname(self, func: ast.expr) -> str:
        """Dotted name of a callee with imports expanded (``"?"`` for a part that is not a name)."""
        parts: list[str] = []
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        head = self.index.imports.get(node.id, node.id) if isinstance(node, ast.Name) else "?"
        return ".".join([head, *reversed(parts)])

    def _env(self, node: ast.Call, scope: Scope, depth: int) -> Res:
        key_node = node.args[0] if node.args else None
        for kw in node.keywords:
            if kw.arg in ("key", "k"):
                key_node = kw.value
        key = self.resolve(key_node, scope, depth) if key_node is not None else Res()
        name = str(key.values[0]) if key.values else "?"
        default_node = node.args[1] if len(node.args) > 1 else None
        for kw in node.keywords:
            if kw.arg == "default":
                default_node = kw.value
        note = f"environment variable {name}"
        if default_node is None:
            return _unknown(expr_text(node), note=f"{note} (no default)")
        out = self.resolve(default_node, scope, depth)
        out.indirect = True
        out.notes.append(f"default of {note}")
        return out

    def _join(self, parts: list[Res], node: ast.expr, sep: str, path: bool = False) -> Res:
        out = Res(indirect=True)
        pools: list[list[str]] = []
        for res in parts:
            out.notes.extend(n for n in res.notes if n not in out.notes)
            strs = [v for v in res.values if isinstance(v, str)]
            if res.unknown or not strs:
                return out.add(_unknown(expr_text(node)))
            pools.append(strs)
        for combo in itertools.islice(itertools.product(*pools), MAX_CANDIDATES):
            joined = sep.join(combo)
            out.values.append(PathStr(joined) if path else joined)
        return out

    def _method(self, method: str, receiver: Res, node: ast.Call, scope: Scope, depth: int) -> Res | None:
        if not receiver.values or receiver.unknown:
            return None
        args = [self.resolve(a, scope, depth) for a in node.args]
        if any(a.unknown or not a.values for a in args):
            if method == "get":
                pass
            else:
                return None
        out = Res(indirect=True, notes=list(receiver.notes))
        for value in receiver.values:
            if isinstance(value, dict):
                if method in ("get", "pop") and args and not args[0].unknown:
                    for key in args[0].values:
                        if key in value:
                            out.add(_known(*flatten(value[key])))
                        elif len(args) > 1:
                            out.add(args[1])
                        else:
                            out.add(_known(None))
                elif method in ("get", "pop") and args:
                    # key not known statically: any value of the literal dict, or the default
                    for item in value.values():
                        out.add(_known(*flatten(item)))
                    out.add(args[1] if len(args) > 1 else _known(None))
                elif method == "keys":
                    out.add(_known(tuple(value.keys())))
                elif method == "values":
                    out.add(_known(tuple(value.values())))
                elif method == "items":
                    out.add(_known(tuple((k, v) for k, v in value.items())))
                else:
                    return None
            elif isinstance(value, str):
                if method == "join" and args and args[0].values:
                    for seq in args[0].values:
                        if isinstance(seq, tuple) and all(isinstance(s, str) for s in seq):
                            out.add(_known(value.join(seq)))
                        else:
                            return None
                elif method == "format":
                    kwargs: dict[str, object] = {}
                    for kw in node.keywords:
                        if kw.arg is None:
                            return None
                        res = self.resolve(kw.value, scope, depth)
                        if len(res.values) != 1 or res.unknown:
                            return None
                        kwargs[kw.arg] = res.values[0]
                    pools = [a.values for a in args]
                    for combo in itertools.islice(itertools.product(*pools), MAX_CANDIDATES):
                        try:
                            out.add(_known(value.format(*combo, **kwargs)))
                        except (IndexError, KeyError, ValueError, AttributeError, TypeError):
                            return None
                elif method in _STR_METHODS:
                    plain = [a.values[0] for a in args if len(a.values) == 1]
                    if len(plain) != len(args):
                        return None
                    try:
                        result = getattr(str, method)(value, *plain)
                    except (TypeError, ValueError, AttributeError):
                        return None
                    out.add(_known(result))
                else:
                    return None
            else:
                return None
        return out


@dataclass(frozen=True)
class UnknownValue:
    """An exported constant whose value the defining module could not work out."""

    note: str = ""


_MISSING: object = object()


def _binop(op: ast.operator, a: object, b: object) -> object:
    if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str):
        return PathStr(a + b) if isinstance(a, PathStr) else a + b
    if isinstance(op, ast.Div) and isinstance(a, str) and isinstance(b, str):
        return PathStr(a.rstrip("/") + "/" + b)
    if isinstance(op, ast.Mod) and isinstance(a, str):
        try:
            return a % (b if isinstance(b, (tuple, dict)) else (b,))
        except (TypeError, ValueError, KeyError):
            return _MISSING
    if isinstance(op, ast.Add) and isinstance(a, tuple) and isinstance(b, tuple):
        return a + b
    return _MISSING


def _binding_end(binding: tuple) -> tuple[int, int] | None:
    """Where the statement of a binding has finished evaluating its value (line, column), if known."""
    kind = binding[0]
    if kind == "unpack":
        return _binding_end(binding[1])
    node = binding[1] if kind in ("value", "iter", "opaque", "aug", "def", "class", "required") else None
    if not isinstance(node, ast.AST):
        return None
    line = getattr(node, "end_lineno", None)
    column = getattr(node, "end_col_offset", None)
    if line is None or column is None:
        return None
    return (line, column)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _find_arg(call: ast.Call, position: int | None, names: Iterable[str]) -> object:
    """The argument node of ``call`` at ``position`` or with one of ``names``, else _MISSING."""
    wanted = set(names)
    for kw in call.keywords:
        if kw.arg in wanted:
            return kw.value
    if position is not None and position >= 0:
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                return _MISSING
            if index == position:
                return arg
    return _MISSING


def find_arg(call: ast.Call, position: int | None, names: Iterable[str]) -> ast.expr | None:
    """Public form of :func:`_find_arg`: the argument node, or None when the call does not pass it."""
    found = _find_arg(call, position, names)
    return None if found is _MISSING else found  # type: ignore[return-value]


def has_star_args(call: ast.Call) -> bool:
    """Whether ``call`` passes ``*args`` or ``**kwargs`` (an argument may hide in them)."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


# ------------------------------------------------------------------------------- exported constants


def _export(res: Res) -> object:
    values = [v for v in res.values if not isinstance(v, (_ClassRef, _FuncRef, Opaque))]
    if not values:
        return UnknownValue(res.notes[0] if res.notes else "")
    if len(values) == 1 and not res.unknown:
        return values[0]
    return OneOf(tuple(values))


#: The attribute table of the last project seen: every file of a scan shares one project index,
#: so it is built once per process, not once per file.
_ATTR_TABLE: list[tuple[Mapping[str, Mapping[str, object]], dict[str, list[object]]]] = []


def _project_attr_table(project: Mapping[str, Mapping[str, object]]) -> dict[str, list[object]]:
    if _ATTR_TABLE and _ATTR_TABLE[0][0] is project:
        return _ATTR_TABLE[0][1]
    table: dict[str, list[object]] = {}
    for constants in project.values():
        for key, value in constants.items():
            if key.startswith("."):
                table.setdefault(key[1:], []).extend(flatten(value))
    _ATTR_TABLE[:] = [(project, table)]
    return table


def _count_nodes(node: ast.AST, limit: int) -> int:
    """Nodes under ``node`` (itself included), counting stopped once past ``limit``."""
    stack = [node]
    count = 0
    while stack and count <= limit:
        current = stack.pop()
        count += 1
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
    return count


def build_index(tree: ast.Module, module_name: str = "", max_nodes: int | None = None) -> tuple[ModuleIndex, int]:
    """The index of ``tree``, within ``max_nodes`` syntax-tree nodes.

    Returns the index and 0, or, when the module is larger than the budget, the index of its
    leading top-level statements that fit and the line of the first statement left out.
    """
    index = ModuleIndex(tree, module_name, max_nodes)
    if index.complete or max_nodes is None:
        return index, 0
    left = max_nodes - 1  # the module node itself
    keep = 0
    for stmt in tree.body:
        left -= _count_nodes(stmt, left)
        if left < 0:
            break
        keep += 1
    cut_line = tree.body[keep].lineno if keep < len(tree.body) else 0
    partial = ast.Module(body=tree.body[:keep], type_ignores=[])
    return ModuleIndex(partial, module_name), cut_line


def _iter_exports(index: ModuleIndex, budget: Meter | None = None) -> Iterator[tuple[str, object]]:
    resolver = Resolver(index, budget=budget)
    module = index.module
    for name, bindings in module.assigns.items():
        if budget is not None and budget.exhausted:
            return
        if name.startswith("__") or not bindings:
            continue
        kinds = {b[0] for b in bindings}
        if kinds == {"def"} and len(bindings) == 1:
            returned = _function_returns(resolver, bindings[0][2])
            if returned is not None:
                yield f"{name}()", returned
            continue
        if kinds & {"def", "opaque"}:
            continue
        if kinds == {"class"}:
            cscope = bindings[0][2]
            for attr, attr_bindings in index.class_attrs.get(id(cscope), {}).items():
                res = Res()
                for binding in attr_bindings:
                    res.add(resolver.binding(binding, 0))
                yield f"{name}.{attr}", _export(res)
            continue
        res = Res()
        for binding in bindings:
            if budget is not None and budget.exhausted:
                return
            res.add(resolver.binding(binding, 0))
        exported = _export(res)
        if not isinstance(exported, UnknownValue):
            yield name, exported
    for attr, bindings in index.attr_index.items():
        if budget is not None and budget.exhausted:
            return
        res = Res()
        for binding in bindings:
            res.add(resolver.binding(binding, 0))
        yield "." + attr, _export(res)


_RETURN_SHAPES = (ast.Constant, ast.JoinedStr, ast.Subscript, ast.Name, ast.Attribute, ast.BinOp, ast.IfExp)


def _function_returns(resolver: Resolver, fscope: Scope) -> object | None:
    """The constant values a module-level function may return (``def model_id(key): return IDS[key]``).

    Only functions whose every ``return`` is a plain expression (no call) are looked at; None when
    nothing constant comes out. Other modules import such a function and call it (``f()`` key).
    """
    returns = fscope.returns
    if not returns or len(returns) > MAX_CANDIDATES or not all(isinstance(r, _RETURN_SHAPES) for r in returns):
        return None
    res = Res()
    for ret in returns:
        res.add(resolver.resolve(ret, fscope, 0))
    if not any(isinstance(v, str) for v in res.values):
        return None
    exported = _export(res)
    return None if isinstance(exported, UnknownValue) else exported


def module_constants(tree: ast.Module, module_name: str, budget: Meter | None = None,
                     max_nodes: int | None = None) -> dict[str, object]:
    """Constants of a parsed module for the project index (see :func:`collect_module_constants`).

    ``budget`` (resolution steps) and ``max_nodes`` bound the work; when either runs out, the
    constants worked out so far are returned (``budget.exhausted`` / a partial index tells).
    """
    index, _ = build_index(tree, module_name, max_nodes)
    return index_constants(index, budget)


def index_constants(index: ModuleIndex, budget: Meter | None = None) -> dict[str, object]:
    """Constants of an indexed module (see :func:`module_constants`)."""
    out: dict[str, object] = {}
    for name, value in _iter_exports(index, budget):
        if isinstance(value, UnknownValue) and not name.startswith("."):
            continue
        out[name] = value
    return out
