"""What a Python expression may evaluate to, worked out from the syntax tree alone.

:class:`Resolver` evaluates an expression of one module, over that module's
:class:`~modelclear.scan.pyindex.ModuleIndex`, to the set of constant values it may take (a
:class:`~modelclear.scan.pyvalues.Res`):

* literals, f-strings, ``+`` / ``%`` / ``str.format`` / ``"/".join`` / ``os.path.join`` / ``Path``
  (the operators and builtin calls live in :mod:`modelclear.scan.pyeval`);
* module, class and local constants (flow-insensitive: every assignment is a candidate, except that
  straight-line code in the scope of the use keeps only the bindings that reach it);
* function default arguments and the arguments the module passes to its own functions (``Cls(...)``
  to ``Cls.__init__``), and the cases of ``@pytest.mark.parametrize``;
* ``self.attr`` / ``self.method()`` over the module's class hierarchy (bases, every subclass's override:
  :mod:`modelclear.scan.pyclasses`), objects of project classes built with keyword arguments
  (:class:`~modelclear.scan.pyvalues.Instance`);
* argparse ``default=`` (``args.model_name_or_path``), dataclass / pydantic / attrs fields
  (``model_args.model_name_or_path``), click / typer option defaults;
* ``os.environ.get(k, default)`` / ``os.getenv``;
* subscripts of literal dicts and lists, ``dict.get``, iteration over literal containers;
* names imported from other modules of the project (the project constant index,
  :class:`modelclear.scan.pyconsts.ProjectIndex`, built from :func:`modelclear.scan.pyexports.module_constants`).

Attributes and imported names are looked up by the :class:`~modelclear.scan.pyattrs.Attributes` part of
the resolver, operators and calls by the :class:`~modelclear.scan.pyeval.Evaluators` part.

Whatever cannot be worked out is returned as *unknown* (with the expression text), never dropped.
Work is counted in steps, never timed: each outermost expression may take
:data:`~modelclear.scan.pyvalues.MAX_STEPS`, and a file its ``budget``
(:mod:`modelclear.scan.budget`). Names, parameters, attributes and function returns are memoised
per resolver, and met again while being resolved (recursion) they are unknown on that path.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Mapping
from typing import cast

from modelclear.scan.budget import Meter
from modelclear.scan.pyattrs import Attributes
from modelclear.scan.pyconsts import ProjectIndex
from modelclear.scan.pyeval import Evaluators
from modelclear.scan.pyindex import ClassRef, FuncRef, ModuleIndex, Param, Scope, binding_end
from modelclear.scan.pyregistry import enum_class, enum_values, literal_choices, parametrized, ui_choices
from modelclear.scan.pyvalues import (
    _MISSING,
    MAX_CANDIDATES,
    MAX_DEPTH,
    MAX_STEPS,
    GuardedMemo,
    Opaque,
    QName,
    Res,
    _find_arg,
    _known,
    _unknown,
    call_name,
    expr_text,
    flatten,
    indirect_calls,
)

#: Callees whose call declares a field (dataclasses, pydantic, attrs, typer/click parameters).
_FIELD_FUNCS = frozenset({"field", "Field", "ib", "attrib", "Option", "Argument", "Parameter", "Param"})



_BLOCK_FIELDS = ("body", "orelse", "finalbody")


def _block_cut(node: ast.AST, use: tuple[int, int], name: str) -> tuple[int, int] | None:
    """Where the last plain ``name = ...`` statement before ``use`` starts, among the statements of the
    blocks (bodies of the scope, its loops, branches, ``with`` and ``try``) that hold the use; None when
    no block holding the use assigns ``name`` before it. Such an assignment runs before the use every
    time the use runs, so no other assignment reaches the use past it."""
    found: tuple[int, int] | None = None
    blocks = [getattr(node, f, None) for f in _BLOCK_FIELDS]
    for _ in range(64):  # nesting depth
        inner: ast.stmt | None = None
        for block in blocks:
            if not isinstance(block, list):
                continue
            for stmt in block:
                start = (stmt.lineno, stmt.col_offset)
                stop = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
                if stop <= use and isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                    found = start
                elif start <= use <= stop:
                    inner = stmt
                    break
            if inner is not None:
                break
        if inner is None or isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return found
        blocks = [getattr(inner, f, None) for f in _BLOCK_FIELDS]
        blocks += [h.body for h in getattr(inner, "handlers", [])]
    return found


class Resolver(Attributes, Evaluators):
    """Evaluates expressions of one module to their candidate constant values."""

    def __init__(self, index: ModuleIndex, project: ProjectIndex | Mapping[str, Mapping[str, object]] | None = None,
                 is_loader_call: object = None, budget: Meter | None = None) -> None:
        self.index = index
        self.project = project if isinstance(project, ProjectIndex) else ProjectIndex.of(project or {})
        #: Resolution steps of the whole file (shared by every expression); None: no file limit.
        self.budget = budget
        self._running = 0
        self._reach_memo: dict[tuple[int, int], tuple[list[tuple[int, int]], list[tuple], list[int], list[tuple]]] = {}
        self._active: set[tuple[str, int]] = set()
        self._param_memo: GuardedMemo[int] = GuardedMemo()
        self._body_memo: dict[int, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        self._attr_memo: GuardedMemo[str] = GuardedMemo()
        self._self_memo: GuardedMemo[tuple[int, str]] = GuardedMemo()
        self._return_memo: GuardedMemo[int] = GuardedMemo()
        self._imported_attr_memo: dict[str, list[object]] = {}
        #: Calls of the module's functions made through a runner (``executor.submit(fn, ...)``), by function name.
        self._indirect_calls: dict[str, list[tuple[ast.Call, object]]] | None = None
        self._steps = 0
        self._is_loader_call = is_loader_call

    def dispose(self) -> None:
        """Forget what was memoised and the hook to the scan that made the resolver (see
        :meth:`modelclear.scan.pymodule.ModuleScan.dispose`)."""
        self._is_loader_call = None
        self._reach_memo.clear()
        self._body_memo.clear()
        self._param_memo.clear()
        self._attr_memo.clear()
        self._self_memo.clear()
        self._return_memo.clear()
        self._imported_attr_memo.clear()
        self._indirect_calls = None

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


    # -- names
    def _r_Name(self, node: ast.Name, scope: Scope, depth: int) -> Res:
        return self.name(node.id, scope, depth, (node.lineno, node.col_offset))

    def reaching(self, bindings: list[tuple], use: tuple[int, int], scope: Scope | None = None,
                 name: str = "") -> list[tuple]:
        """The bindings of a name that may reach a use at ``use`` (line, column) in the same scope.

        Straight-line code only: when an unconditional ``name = value`` of the scope's body precedes
        the use, bindings before it and bindings after the use are dropped (``m = "a"; load(m);
        m = "b"; load(m)`` gives each call one id). Without such an assignment, the bindings made after
        the statement of the scope's body that holds the use are dropped (only a loop inside that
        statement can carry a later value back to the use: notebook cells that each loop over their own
        ``path = pattern.format(...)``), and the rest are kept.
        """
        positions, ordered, cuts, unplaced = self._placed(bindings)
        end = bisect.bisect_right(positions, use)  # bindings finished at or before the use
        at = bisect.bisect_right(cuts, end - 1) - 1  # the last unconditional assignment among them
        if at < 0:
            if scope is None:
                return bindings
            cut = _block_cut(scope.node, use, name) if name else None
            if cut is not None:  # `path = pattern.format(...)` before the use in the loop body holding it
                return ordered[bisect.bisect_left(positions, cut):end] + unplaced
            last = self._statement_end(scope, use)
            if last is None:
                return bindings
            return ordered[:bisect.bisect_right(positions, last)] + unplaced
        if self.budget is not None:
            self.budget.spend(end - cuts[at])
        return ordered[cuts[at]:end] + unplaced

    def _statement_end(self, scope: Scope, use: tuple[int, int]) -> tuple[int, int] | None:
        """Where the statement of ``scope``'s own body that holds ``use`` ends (line, column), if known."""
        ends = self._body_memo.get(id(scope))
        if ends is None:
            body = getattr(scope.node, "body", None)
            ends = [] if not isinstance(body, list) else [
                ((stmt.lineno, stmt.col_offset), (stmt.end_lineno, stmt.end_col_offset)) for stmt in body
                if isinstance(stmt, ast.stmt) and stmt.end_lineno is not None and stmt.end_col_offset is not None]
            self._body_memo[id(scope)] = ends
        at = bisect.bisect_right(ends, (use, (0, 0))) - 1
        if at < 0 or not ends[at][0] <= use <= ends[at][1]:
            return None
        return ends[at][1]

    def _placed(self, bindings: list[tuple]) -> tuple[list[tuple[int, int]], list[tuple], list[int], list[tuple]]:
        """Bindings sorted by where they finish, their positions, the indexes of unconditional
        assignments among them, and the bindings without a position (memoised per binding list)."""
        key = (id(bindings), len(bindings))
        done = self._reach_memo.get(key)
        if done is not None:
            return done
        placed = [(binding_end(b), b) for b in bindings]
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
                    bindings = self.reaching(bindings, use, scope, name)
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
            if isinstance(value, ast.Call) and call_name(value.func) in _FIELD_FUNCS:
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
            return _known(ClassRef(binding[2]), indirect=True)
        if kind == "def":
            return _known(FuncRef(binding[2]), indirect=True)
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
        if call.args and call_name(call.func) in ("Field", "Option", "Argument", "Parameter", "Param"):
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
        done = self._param_memo.get(id(param), lambda: self._param(param, depth))
        return _unknown(param.name) if done is None else done

    def _param(self, param: Param, depth: int) -> Res:
        func_name, position, default, outer, name, cli = (param.func, param.position, param.default, param.outer,
                                                          param.name, param.cli)
        out = Res(indirect=True)
        sites = [
            (call, call_scope) for call, call_scope in self.index.call_sites.get(func_name, [])
            if isinstance(call.func, ast.Attribute if param.method else ast.Name)
            and not (param.method and self._imported_receiver(cast(ast.Attribute, call.func).value))
        ] if func_name != "<lambda>" else []
        if not param.method and func_name != "<lambda>":  # `executor.submit(fn, ...)`, `Thread(target=fn, ...)`
            if self._indirect_calls is None:
                self._indirect_calls = indirect_calls(self.index.calls)
            sites.extend(cast("list[tuple[ast.Call, Scope]]", self._indirect_calls.get(func_name, [])))
        if func_name == "__init__" and param.method and outer.kind == "class" and outer.name:
            # `Backbone(args.backbone, ...)` runs Backbone.__init__: its arguments are the parameters' values
            sites.extend((call, call_scope) for call, call_scope in self.index.call_sites.get(outer.name, [])
                         if isinstance(call.func, ast.Name))
        uses_default = not sites
        picked = ui_choices(self, param, depth)  # a Gradio dropdown's choices passed to the callback (issue 10)
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
            cases = parametrized(param) if default is None and not cli else None
            if default is not None:
                out.add(self.resolve(default, outer, depth))
            elif cases is not None:  # @pytest.mark.parametrize("model_name", [...]) (issue 10, cause 2)
                out.add(self._cases(cases, outer, depth))
            elif cli:
                out.add(_unknown(name, note=f"command-line option {name} (no default)"))
            elif picked is None:
                out.add(_unknown(name, note=f"parameter {name} of {func_name}()"))
        if len(sites) > MAX_CANDIDATES:
            out.dropped = True
        choices = literal_choices(param)  # `name: Literal["org/a", "org/b"]` (issue 10, cause 2)
        if choices:
            out.add(_known(*choices, indirect=True))
        if picked is not None:
            out.add(picked)
        return out

    def _imported_receiver(self, receiver: ast.expr) -> bool:
        """Whether ``receiver`` of a method call is an imported name or an attribute of one
        (``XLMRobertaTokenizer.from_pretrained(...)``, ``transformers.AutoModel.from_pretrained(...)``): the
        call runs another module's method, not this module's method of the same name (issue 10)."""
        while isinstance(receiver, ast.Attribute):
            receiver = receiver.value
        return (isinstance(receiver, ast.Name) and receiver.id in self.index.imports
                and receiver.id not in self.index.module.assigns)

    def _cases(self, cases: tuple[ast.expr, int, int], outer: Scope, depth: int) -> Res:
        """The values a parametrized test's parameter takes: each item of the values (its ``position``-th
        element when several names are parametrized together; ``pytest.param(v, ...)`` is ``v``)."""
        node, position, count = cases
        if isinstance(node, (ast.List, ast.Tuple)):
            out = Res(indirect=True)
            for item in node.elts[:MAX_CANDIDATES * 4]:
                if isinstance(item, ast.Call) and call_name(item.func) == "param" and item.args:
                    item = ast.Tuple(elts=item.args, ctx=ast.Load()) if count > 1 else item.args[0]
                if count > 1:
                    if isinstance(item, (ast.Tuple, ast.List)) and position < len(item.elts):
                        out.add(self.resolve(item.elts[position], outer, depth))
                    else:
                        out.add(_unknown("parametrized case"))
                else:
                    out.add(self.resolve(item, outer, depth))
            return out
        items = self.iterate(self.resolve(node, outer, depth))
        if count == 1:
            return items
        out = Res(indirect=True, unknown=list(items.unknown), notes=list(items.notes))
        for value in items.values:
            if isinstance(value, tuple) and position < len(value):
                out.add(_known(*flatten(value[position])))
            else:
                out.add(_unknown("parametrized case"))
        return out

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
            elif isinstance(value, ClassRef) and enum_class(value.scope):  # `for m in Models` (issue 10)
                out.add(enum_values(self, value.scope, None, MAX_DEPTH - 1))
            else:
                out.add(_unknown("loop item"))
        return out

    def _returns_of(self, fscope: Scope, node: ast.Call, depth: int) -> Res:
        """What a local function returns, memoised; a recursive call (met while resolving) is unknown."""
        def returns() -> Res:
            out = Res(indirect=True)
            for ret in fscope.returns[:MAX_CANDIDATES]:
                out.add(self.resolve(ret, fscope, depth))
            return out

        done = self._return_memo.get(id(fscope), returns)
        return _unknown(expr_text(node)) if done is None else done

    def call_qualname(self, func: ast.expr) -> str:
        """Dotted name of a callee with imports expanded (``"?"`` for a part that is not a name)."""
        parts: list[str] = []
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        head = self.index.imports.get(node.id, node.id) if isinstance(node, ast.Name) else "?"
        return ".".join([head, *reversed(parts)])

