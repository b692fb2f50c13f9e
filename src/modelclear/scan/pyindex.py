"""The bindings of one Python module, collected in one walk of its syntax tree.

:class:`ModuleIndex` records, for one module, every binding of every name (assignments, loop
targets, parameters with their defaults, imports), the module's calls by callee name, class and
dataclass fields, ``self.x = ...``, argparse options, click options and the ``return`` values of
local functions, each in the :class:`Scope` (module, class, function) that makes it. A binding is a
tuple whose first item says what it is (``value``, ``iter``, ``unpack``, ``const``, ``cli``,
``required``, ``class``, ``def``, ``opaque``, ``aug``). The walk is iterative and bounded in
syntax-tree nodes (:func:`build_index`). :mod:`modelclear.scan.pyresolve` evaluates expressions
over this index.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from modelclear.scan.pyparse import nodes
from modelclear.scan.pyvalues import _MISSING


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


#: absl ``flags.DEFINE_<kind>`` calls whose default is a value (``FLAGS.<name>``).
_ABSL_FLAGS = frozenset({"string", "enum", "integer", "float", "boolean", "bool", "list", "multi_string"})

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

    def clear(self) -> None:
        """Drop the bindings and links of a scope no longer used (see :meth:`ModuleIndex.dispose`)."""
        self.assigns = {}
        self.params = {}
        self.globals = set()
        self.returns = []
        self.parent = None
        self.cls = None

    def bind(self, name: str, binding: tuple) -> None:
        """Record one binding of ``name`` in this scope."""
        self.assigns.setdefault(name, []).append(binding)


_LEAVES = frozenset({ast.Constant, ast.Name, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue,
                     ast.alias, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.And, ast.Or, ast.Eq, ast.NotEq,
                     ast.Lt, ast.Gt, ast.LtE, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Not, ast.USub})


@dataclass(frozen=True)
class ClassRef:
    """A class of the module (its attributes are looked up in its scope)."""

    scope: Scope


@dataclass(frozen=True)
class FuncRef:
    """A function of the module (a call of it evaluates to what it returns)."""

    scope: Scope


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
        #: Every scope of the module (the module's first), for :meth:`dispose`.
        self.scopes: list[Scope] = [self.module]
        #: The module's class hierarchy once built (:func:`modelclear.scan.pyclasses.hierarchy`).
        self.hierarchy: object = None
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

    def dispose(self) -> None:
        """Break the reference cycles of the index (scopes point to their parents, parents to their
        scopes through their bindings) once nothing will read it again, so that reference counting frees
        the index and its syntax tree at once instead of leaving them to a full garbage collection."""
        for scope in self.scopes:
            scope.clear()
        self.scopes = []
        self.hierarchy = None
        self.calls = []
        self.call_sites = {}
        self.attr_index = {}
        self.class_attrs = {}

    # -- walking
    def _walk(self, tree: ast.Module, max_nodes: int | None) -> None:
        stack: list[tuple[ast.AST, Scope]] = [(tree, self.module)]
        handlers: dict[type, object] = {}
        leaves = _LEAVES
        limit = max_nodes if max_nodes is not None else -1
        count = 0
        push = stack.append
        node_type = ast.AST  # looked up once, not per node
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
            # children that are leaves are counted here instead of pushed and popped (a leaf does nothing
            # when popped: the same nodes are counted, the others visited in the same order)
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for item in value:
                        if type(item) in leaves:
                            count += 1
                        elif isinstance(item, node_type):
                            push((item, scope))
                elif type(value) in leaves:
                    count += 1
                elif isinstance(value, node_type):
                    push((value, scope))
            if limit >= 0 and count > limit:
                self.complete = False
                count = limit + 1
                break
        self.nodes = count

    def _on_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, stack: list) -> bool:
        fscope = Scope("function", node, scope, node.name)
        self.scopes.append(fscope)
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
        self.scopes.append(fscope)
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
        self.scopes.append(cscope)
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
        elif name.startswith("DEFINE_") and name[7:] in _ABSL_FLAGS:
            self._absl_flag(node, name[7:], scope)
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
        if "default" in kws and "choices" in kws:  # every choice may be passed (issue 10, cause 2)
            self.attr_index[dest].append(("iter", kws["choices"], scope))

    def _absl_flag(self, node: ast.Call, kind: str, scope: Scope) -> None:
        """``flags.DEFINE_string("dataset", "imagenet2012", "...")``: ``FLAGS.dataset`` defaults to that value
        (``DEFINE_enum``: or any of its ``enum_values``)."""
        kws = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        name_node = node.args[0] if node.args else kws.get("name")
        if not (isinstance(name_node, ast.Constant) and isinstance(name_node.value, str) and name_node.value):
            return
        default = node.args[1] if len(node.args) > 1 else kws.get("default")
        dest = name_node.value
        if default is not None:
            self.attr_index.setdefault(dest, []).append(("value", default, scope))
        else:
            self.attr_index.setdefault(dest, []).append(("cli", f"--{dest}", scope))
        values = kws.get("enum_values") or (node.args[2] if kind == "enum" and len(node.args) > 2 else None)
        if kind == "enum" and values is not None:
            self.attr_index[dest].append(("iter", values, scope))

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


def binding_end(binding: tuple) -> tuple[int, int] | None:
    """Where the statement of a binding has finished evaluating its value (line, column), if known."""
    kind = binding[0]
    if kind == "unpack":
        return binding_end(binding[1])
    node = binding[1] if kind in ("value", "iter", "opaque", "aug", "def", "class", "required") else None
    if not isinstance(node, ast.AST):
        return None
    line = getattr(node, "end_lineno", None)
    column = getattr(node, "end_col_offset", None)
    if line is None or column is None:
        return None
    return (line, column)


def _count_nodes(node: ast.AST, limit: int) -> int:
    """Nodes under ``node`` (itself included), counting stopped once past ``limit``."""
    count = 0
    for _ in nodes(node):
        count += 1
        if count > limit:
            break
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


