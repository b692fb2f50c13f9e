"""A small, safe evaluator for the data-defining parts of a Python module.

Model libraries describe their pretrained weights with dict literals, helper functions that return
dicts (``_cfg(url=..., **kwargs)``), enum classes and the odd loop that derives more entries. This
module reads such source with :mod:`ast` and computes those values *without importing or executing
the library*: only literals, names, containers, calls to functions defined in the same module, a
whitelist of pure ``dict``/``str``/``list`` methods, comprehensions and simple ``for``/``if``
statements are interpreted. Everything else (imports, classes, unknown calls) becomes an
:class:`Opaque` value that remembers its dotted name, or an :class:`OpaqueCall` that remembers its
arguments, so extractors can still read ``Weights(url=..., meta={...})``.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

_MAX_LOOP = 200_000
_MAX_DEPTH = 40


class EvalError(Exception):
    """An expression or statement outside the supported subset, or an error while evaluating it."""


@dataclass(frozen=True)
class Opaque:
    """A value we do not compute: an imported name, a class, an attribute of either."""

    name: str

    def __repr__(self) -> str:
        return f"<{self.name}>"


@dataclass(frozen=True)
class OpaqueCall(Opaque):
    """A call of an :class:`Opaque` callable, with its evaluated arguments."""

    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def kw(self) -> dict[str, Any]:
        """The keyword arguments as a dict."""
        return dict(self.kwargs)

    def __repr__(self) -> str:
        return f"<{self.name}(...)>"


@dataclass(frozen=True)
class FunctionValue:
    """A function defined in the evaluated module (interpreted when called)."""

    node: ast.FunctionDef
    module: ModuleEvaluator

    @property
    def name(self) -> str:
        """The function's name."""
        return self.node.name


class _Return(Exception):
    """Carries a function's return value out of its body (control flow, not an error)."""

    def __init__(self, value: Any) -> None:
        self.value = value


_SAFE_METHODS: dict[type, frozenset[str]] = {
    dict: frozenset({"get", "items", "keys", "values", "update", "copy", "setdefault", "pop"}),
    str: frozenset({"replace", "lower", "upper", "startswith", "endswith", "strip", "rstrip", "lstrip", "split",
                    "join", "format", "rsplit", "partition", "rpartition"}),
    list: frozenset({"append", "extend", "copy", "index", "count"}),
    tuple: frozenset({"index", "count"}),
}

_BUILTINS: dict[str, Callable[..., Any]] = {
    "dict": dict, "list": list, "tuple": tuple, "set": set, "frozenset": frozenset, "len": len, "str": str, "int": int,
    "float": float, "bool": bool, "sorted": sorted, "enumerate": enumerate, "range": range, "zip": zip,
    "min": min, "max": max, "any": any, "all": all, "isinstance": isinstance, "reversed": reversed,
}

_QUALIFIED: dict[str, Callable[..., Any]] = {
    "copy.deepcopy": copy.deepcopy,
    "copy.copy": copy.copy,
}

#: Callables that may hold unknown values without computing with them.
_OPAQUE_OK: tuple[Callable[..., Any], ...] = (dict, list, tuple, copy.deepcopy, copy.copy)

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
    ast.BitOr: lambda a, b: a | b,
}

_CMPOPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


@dataclass
class ModuleEvaluator:
    """Interprets the top level of one module, keeping the names it can compute in :attr:`env`.

    Statements outside the supported subset are skipped and listed in :attr:`skipped` (line
    numbers); names they would have bound stay unknown and evaluate to :class:`Opaque`.
    """

    tree: ast.Module
    filename: str = "<source>"
    env: dict[str, Any] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)
    _depth: int = 0

    @classmethod
    def from_source(cls, source: str, filename: str = "<source>", run: bool = True) -> ModuleEvaluator:
        """Parse ``source`` and (by default) interpret its top-level statements."""
        evaluator = cls(ast.parse(source, filename=filename), filename)
        if run:
            evaluator.run()
        return evaluator

    # --- statements -------------------------------------------------------------------------

    def run(self) -> None:
        """Interpret every top-level statement, skipping the ones outside the subset."""
        for stmt in self.tree.body:
            if isinstance(stmt, ast.ClassDef):
                self.env[stmt.name] = Opaque(stmt.name)
                continue
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        self.env[alias.asname] = Opaque(alias.name)
                    else:
                        self.env[alias.name.split(".")[0]] = Opaque(alias.name.split(".")[0])
                continue
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    qualified = f"{stmt.module}.{alias.name}" if stmt.module else alias.name
                    self.env[alias.asname or alias.name] = _QUALIFIED.get(qualified, Opaque(alias.name))
                continue
            try:
                self.exec_stmt(stmt, self.env)
            except (EvalError, _Return, ArithmeticError, LookupError, TypeError, ValueError, AttributeError):
                self.skipped.append(stmt.lineno)

    def exec_block(self, body: Iterable[ast.stmt], scope: dict[str, Any]) -> None:
        """Interpret a block of statements in ``scope``."""
        for stmt in body:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: dict[str, Any]) -> None:
        """Interpret one statement (raises :class:`EvalError` outside the subset)."""
        if isinstance(stmt, ast.FunctionDef):
            scope[stmt.name] = FunctionValue(stmt, self)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, scope)
            for target in stmt.targets:
                self._assign(target, value, scope)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self._assign(stmt.target, self.eval(stmt.value, scope), scope)
        elif isinstance(stmt, ast.AugAssign):
            op = _BINOPS.get(type(stmt.op))
            if op is None:
                raise EvalError("unsupported augmented assignment")
            current = self.eval(_as_load(stmt.target), scope)
            self._assign(stmt.target, op(current, self.eval(stmt.value, scope)), scope)
        elif isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return  # docstring
            self.eval(stmt.value, scope)
        elif isinstance(stmt, ast.For):
            for count, item in enumerate(self._iterate(self.eval(stmt.iter, scope)), start=1):
                if count > _MAX_LOOP:
                    raise EvalError("loop too long")
                self._assign(stmt.target, item, scope)
                self.exec_block(stmt.body, scope)
        elif isinstance(stmt, ast.If):
            self.exec_block(stmt.body if self._truth(self.eval(stmt.test, scope)) else stmt.orelse, scope)
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.eval(stmt.value, scope))
        elif isinstance(stmt, ast.Pass):
            return
        else:
            raise EvalError(f"unsupported statement {type(stmt).__name__} at line {stmt.lineno}")

    def _assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, scope)
            if not isinstance(container, dict | list):
                raise EvalError("subscript assignment to a non-container")
            container[self.eval(target.slice, scope)] = value
        elif isinstance(target, ast.Tuple | ast.List):
            values = list(self._iterate(value))
            if len(values) != len(target.elts):
                raise EvalError("unpacking mismatch")
            for sub, item in zip(target.elts, values, strict=True):
                self._assign(sub, item, scope)
        else:
            raise EvalError(f"unsupported assignment target {type(target).__name__}")

    # --- expressions ------------------------------------------------------------------------

    def eval(self, node: ast.expr, scope: dict[str, Any] | None = None) -> Any:
        """Evaluate an expression in ``scope`` (defaults to the module scope)."""
        scope = self.env if scope is None else scope
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is None:
            raise EvalError(f"unsupported expression {type(node).__name__}")
        return method(node, scope)

    def _lookup(self, name: str, scope: dict[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        if name in self.env:
            return self.env[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in _BUILTINS:
            return _BUILTINS[name]
        return Opaque(name)

    def _eval_Constant(self, node: ast.Constant, scope: dict[str, Any]) -> Any:
        return node.value

    def _eval_Name(self, node: ast.Name, scope: dict[str, Any]) -> Any:
        return self._lookup(node.id, scope)

    def _eval_Attribute(self, node: ast.Attribute, scope: dict[str, Any]) -> Any:
        base = self.eval(node.value, scope)
        if isinstance(base, Opaque) and not isinstance(base, OpaqueCall):
            qualified = f"{base.name}.{node.attr}"
            return _QUALIFIED.get(qualified, Opaque(qualified))
        allowed = _SAFE_METHODS.get(type(base), frozenset())
        if node.attr in allowed:
            return getattr(base, node.attr)
        if isinstance(base, OpaqueCall):
            return Opaque(f"{base.name}().{node.attr}")
        raise EvalError(f"attribute {node.attr!r} of {type(base).__name__}")

    def _eval_Dict(self, node: ast.Dict, scope: dict[str, Any]) -> Any:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                expanded = self.eval(value, scope)
                if not isinstance(expanded, dict):
                    raise EvalError(f"** of a non-dict at line {node.lineno}")
                out.update(expanded)
            else:
                out[self._hashable(self.eval(key, scope))] = self.eval(value, scope)
        return out

    def _eval_List(self, node: ast.List, scope: dict[str, Any]) -> Any:
        return list(self._elements(node.elts, scope))

    def _eval_Tuple(self, node: ast.Tuple, scope: dict[str, Any]) -> Any:
        return tuple(self._elements(node.elts, scope))

    def _eval_Set(self, node: ast.Set, scope: dict[str, Any]) -> Any:
        return {self._hashable(v) for v in self._elements(node.elts, scope)}

    def _elements(self, elts: list[ast.expr], scope: dict[str, Any]) -> Iterator[Any]:
        for elt in elts:
            if isinstance(elt, ast.Starred):
                yield from self._iterate(self.eval(elt.value, scope))
            else:
                yield self.eval(elt, scope)

    def _eval_JoinedStr(self, node: ast.JoinedStr, scope: dict[str, Any]) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                inner = self.eval(value.value, scope)
                if isinstance(inner, Opaque):
                    raise EvalError("f-string of an unknown value")
                parts.append(format(inner, "" if value.format_spec is None else self.eval(value.format_spec, scope)))
            else:
                raise EvalError("unsupported f-string part")
        return "".join(parts)

    def _eval_BinOp(self, node: ast.BinOp, scope: dict[str, Any]) -> Any:
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        op = _BINOPS.get(type(node.op))
        if op is None or isinstance(left, Opaque) or isinstance(right, Opaque):
            raise EvalError("unsupported binary operation")
        return op(left, right)

    def _eval_UnaryOp(self, node: ast.UnaryOp, scope: dict[str, Any]) -> Any:
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not self._truth(value)
        if isinstance(value, Opaque):
            raise EvalError("unary operation on an unknown value")
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        raise EvalError("unsupported unary operation")

    def _eval_BoolOp(self, node: ast.BoolOp, scope: dict[str, Any]) -> Any:
        result: Any = None
        for value_node in node.values:
            result = self.eval(value_node, scope)
            truth = self._truth(result)
            if isinstance(node.op, ast.And) and not truth:
                return result
            if isinstance(node.op, ast.Or) and truth:
                return result
        return result

    def _eval_Compare(self, node: ast.Compare, scope: dict[str, Any]) -> Any:
        left = self.eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator, scope)
            fn = _CMPOPS.get(type(op))
            if fn is None:
                raise EvalError("unsupported comparison")
            if not fn(left, right):
                return False
            left = right
        return True

    def _eval_IfExp(self, node: ast.IfExp, scope: dict[str, Any]) -> Any:
        return self.eval(node.body if self._truth(self.eval(node.test, scope)) else node.orelse, scope)

    def _eval_Subscript(self, node: ast.Subscript, scope: dict[str, Any]) -> Any:
        base = self.eval(node.value, scope)
        if isinstance(base, Opaque):
            return Opaque(f"{base.name}[]")
        index = self.eval(node.slice, scope)
        return base[index]

    def _eval_Slice(self, node: ast.Slice, scope: dict[str, Any]) -> Any:
        def part(n: ast.expr | None) -> Any:
            return None if n is None else self.eval(n, scope)

        return slice(part(node.lower), part(node.upper), part(node.step))

    def _comprehension(self, generators: list[ast.comprehension], scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        def walk(index: int, local: dict[str, Any]) -> Iterator[dict[str, Any]]:
            if index == len(generators):
                yield local
                return
            gen = generators[index]
            for item in self._iterate(self.eval(gen.iter, local)):
                inner = dict(local)
                self._assign(gen.target, item, inner)
                if all(self._truth(self.eval(cond, inner)) for cond in gen.ifs):
                    yield from walk(index + 1, inner)

        yield from walk(0, dict(scope))

    def _eval_ListComp(self, node: ast.ListComp, scope: dict[str, Any]) -> Any:
        return [self.eval(node.elt, local) for local in self._comprehension(node.generators, scope)]

    def _eval_GeneratorExp(self, node: ast.GeneratorExp, scope: dict[str, Any]) -> Any:
        return [self.eval(node.elt, local) for local in self._comprehension(node.generators, scope)]

    def _eval_SetComp(self, node: ast.SetComp, scope: dict[str, Any]) -> Any:
        return {self._hashable(self.eval(node.elt, local)) for local in self._comprehension(node.generators, scope)}

    def _eval_DictComp(self, node: ast.DictComp, scope: dict[str, Any]) -> Any:
        return {
            self._hashable(self.eval(node.key, local)): self.eval(node.value, local)
            for local in self._comprehension(node.generators, scope)
        }

    def _eval_Call(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        func = self.eval(node.func, scope)
        args: list[Any] = list(self._elements(node.args, scope))
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            value = self.eval(kw.value, scope)
            if kw.arg is None:
                if not isinstance(value, dict):
                    raise EvalError("** of a non-dict in a call")
                kwargs.update(value)
            else:
                kwargs[kw.arg] = value
        if isinstance(func, FunctionValue):
            return func.module.call(func, args, kwargs)
        if isinstance(func, Opaque):
            return OpaqueCall(func.name, tuple(args), tuple(kwargs.items()))
        if callable(func) and (func in _BUILTINS.values() or func in _QUALIFIED.values() or _is_safe_method(func)):
            if any(isinstance(a, Opaque) for a in args) and func not in _OPAQUE_OK:
                raise EvalError("builtin called with an unknown value")
            return func(*args, **kwargs)
        raise EvalError(f"call of an unsupported callable at line {node.lineno}")

    def call(self, func: FunctionValue, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Interpret a call of a function defined in this module."""
        if self._depth > _MAX_DEPTH:
            raise EvalError("recursion too deep")
        local = self._bind(func.node.args, args, kwargs)
        self._depth += 1
        try:
            self.exec_block(func.node.body, local)
        except _Return as ret:
            return ret.value
        finally:
            self._depth -= 1
        return None

    def _bind(self, spec: ast.arguments, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        positional = [*spec.posonlyargs, *spec.args]
        defaults: dict[str, ast.expr] = dict(
            zip([a.arg for a in positional][len(positional) - len(spec.defaults):], spec.defaults, strict=True)
        )
        for arg, default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
            if default is not None:
                defaults[arg.arg] = default
        local: dict[str, Any] = {}
        remaining = dict(kwargs)
        for index, arg in enumerate(positional):
            if index < len(args):
                local[arg.arg] = args[index]
            elif arg.arg in remaining:
                local[arg.arg] = remaining.pop(arg.arg)
            elif arg.arg in defaults:
                local[arg.arg] = self.eval(defaults[arg.arg], self.env)
            else:
                raise EvalError(f"missing argument {arg.arg}")
        extra = args[len(positional):]
        if spec.vararg is not None:
            local[spec.vararg.arg] = tuple(extra)
        elif extra:
            raise EvalError("too many positional arguments")
        for arg in spec.kwonlyargs:
            if arg.arg in remaining:
                local[arg.arg] = remaining.pop(arg.arg)
            elif arg.arg in defaults:
                local[arg.arg] = self.eval(defaults[arg.arg], self.env)
            else:
                raise EvalError(f"missing keyword argument {arg.arg}")
        if spec.kwarg is not None:
            local[spec.kwarg.arg] = remaining
        elif remaining:
            raise EvalError(f"unexpected keyword arguments {sorted(remaining)}")
        return local

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _truth(value: Any) -> bool:
        if isinstance(value, Opaque):
            raise EvalError(f"truth value of unknown {value.name}")
        return bool(value)

    @staticmethod
    def _iterate(value: Any) -> Iterable[Any]:
        if isinstance(value, Opaque):
            raise EvalError(f"iteration over unknown {value.name}")
        if isinstance(value, dict | list | tuple | set | range | str | zip | enumerate):
            return list(value)
        if hasattr(value, "__iter__") and type(value).__module__ == "builtins":
            return list(value)
        raise EvalError(f"iteration over {type(value).__name__}")

    @staticmethod
    def _hashable(value: Any) -> Any:
        try:
            hash(value)
        except TypeError as exc:
            raise EvalError("unhashable key") from exc
        return value


def _is_safe_method(func: Any) -> bool:
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    return owner is not None and name in _SAFE_METHODS.get(type(owner), frozenset())


def _as_load(target: ast.expr) -> ast.expr:
    """A copy of an assignment target usable as an expression."""
    clone = copy.deepcopy(target)
    for node in ast.walk(clone):
        if hasattr(node, "ctx"):
            node.ctx = ast.Load()
    return clone

