"""What one Python module exports to the project constant index.

:func:`module_constants` / :func:`index_constants` evaluate, with the module's own
:class:`~modelclear.scan.pyresolve.Resolver`, every module-level constant (``NAME``), class attribute
and dataclass field default (``Class.ATTR``), attribute assignment, argparse option default or field
any object may carry in this module (``.attr``), and the constant values a module-level function
returns (``f()``). The values are frozen and picklable (see :mod:`modelclear.scan.pyvalues`); what
cannot be worked out is an :class:`~modelclear.scan.pyvalues.UnknownValue` (kept for ``.attr`` keys,
dropped otherwise). The work is bounded by a step :class:`~modelclear.scan.budget.Meter` and the
index's node budget.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from modelclear.scan.budget import Meter
from modelclear.scan.pyindex import ClassRef, FuncRef, ModuleIndex, Scope, build_index
from modelclear.scan.pyresolve import Resolver
from modelclear.scan.pyvalues import MAX_CANDIDATES, OneOf, Opaque, Res, UnknownValue


def _export(res: Res) -> object:
    values = [_detached(v) for v in res.values if not isinstance(v, (ClassRef, FuncRef, Opaque))]
    if not values:
        return UnknownValue(res.notes[0] if res.notes else "")
    if len(values) == 1 and not res.unknown:
        return values[0]
    return OneOf(tuple(values))


def _detached(value: object) -> object:
    """``value`` without references to this module's scopes: a class or function held in a container
    becomes an :class:`Opaque` object, so an exported value never keeps the module's syntax tree alive."""
    if isinstance(value, (ClassRef, FuncRef)):
        return Opaque(value.scope.name)
    if isinstance(value, tuple):
        return tuple(_detached(v) for v in value)
    if isinstance(value, dict):
        return {k: _detached(v) for k, v in value.items()}
    if isinstance(value, OneOf):
        return OneOf(tuple(_detached(v) for v in value.values))
    return value


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
            yield from _class_exports(index, resolver, name, bindings[0][2], 0)
            continue
        res = Res()
        for binding in bindings:
            if budget is not None and budget.exhausted:
                return
            res.add(resolver.binding(binding, 0))
        exported = _export(res)
        if not isinstance(exported, UnknownValue):
            yield name, exported
    if index.stars:  # `from .clip import *` in a package: where its other names come from (issue 10)
        yield "*", tuple(index.stars[:8])
    for attr, bindings in index.attr_index.items():
        if budget is not None and budget.exhausted:
            return
        res = Res()
        for binding in bindings:
            res.add(resolver.binding(binding, 0))
        yield "." + attr, _export(res)


#: How deep classes nested in a module-level class are exported (``Config.Model.NAME``).
MAX_NESTED_CLASSES = 3


def _class_exports(index: ModuleIndex, resolver: Resolver, prefix: str, cscope: Scope,
                   depth: int) -> Iterator[tuple[str, object]]:
    """``prefix.ATTR`` for each class attribute and dataclass field default of ``cscope``, and the same
    for the classes nested in it (``class Config: class Model: EMBEDDINGS = "..."`` exports
    ``Config.Model.EMBEDDINGS``, a settings layout of applications, issue 10)."""
    for attr, attr_bindings in index.class_attrs.get(id(cscope), {}).items():
        res = Res()
        for binding in attr_bindings:
            res.add(resolver.binding(binding, 0))
        yield f"{prefix}.{attr}", _export(res)
    if depth >= MAX_NESTED_CLASSES:
        return
    for attr, bindings in cscope.assigns.items():
        if len(bindings) == 1 and bindings[0][0] == "class" and isinstance(bindings[0][2], Scope):
            yield from _class_exports(index, resolver, f"{prefix}.{attr}", bindings[0][2], depth + 1)


_RETURN_SHAPES = (ast.Constant, ast.JoinedStr, ast.Subscript, ast.Name, ast.Attribute, ast.BinOp, ast.IfExp)
#: Calls a returned expression may be (``return list(_MODELS.keys())``).
_RETURN_CALLS = frozenset({"list", "tuple", "sorted"})


def _function_returns(resolver: Resolver, fscope: Scope) -> object | None:
    """The constant values a module-level function may return (``def model_id(key): return IDS[key]``).

    Only functions whose every ``return`` is a plain expression (no call) are looked at; None when
    nothing constant comes out. Other modules import such a function and call it (``f()`` key).
    """
    returns = fscope.returns
    if not returns or len(returns) > MAX_CANDIDATES or not all(
            isinstance(r, _RETURN_SHAPES) or (isinstance(r, ast.Call) and isinstance(r.func, ast.Name)
                                              and r.func.id in _RETURN_CALLS) for r in returns):
        return None
    res = Res()
    for ret in returns:
        res.add(resolver.resolve(ret, fscope, 0))
    if not any(isinstance(v, str) or (isinstance(v, tuple) and any(isinstance(x, str) for x in v))
               for v in res.values):
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

