"""Where a call sits among the scopes of a module, for wrapper summaries (:mod:`modelclear.scan.pyflow`).

The function scopes whose parameters may reach a load (:func:`function_chain`), a class's methods
(:func:`methods`), whether a call runs only on some paths of its function (:func:`under_branch`), and
what a callee looks like (``super().name``, the first name of a dotted callee, a method the module's
own class defines: :func:`own_method`).
"""

from __future__ import annotations

import ast

from modelclear.scan.pyindex import ModuleIndex, Scope

#: Statements under which a load happens only on some paths.
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match)
_TRY_STAR = getattr(ast, "TryStar", None)


def function_chain(scope: Scope) -> list[Scope]:
    """The function scopes around ``scope`` (itself first), and for methods every method of the class."""
    chain: list[Scope] = []
    seen: set[int] = set()  # ids of the scopes in the chain (a class may have hundreds of methods)
    current: Scope | None = scope
    while current is not None:
        if current.kind == "function":
            chain.append(current)
            seen.add(id(current))
            if current.cls is not None:
                for method in methods(current.cls):
                    if id(method) not in seen:
                        seen.add(id(method))
                        chain.append(method)
        current = current.parent
    return chain


def methods(cls: Scope) -> list[Scope]:
    """The function scopes defined directly in a class scope."""
    out: list[Scope] = []
    for bindings in cls.assigns.values():
        for binding in bindings:
            if binding[0] == "def" and isinstance(binding[2], Scope):
                out.append(binding[2])
    return out


def under_branch(call: ast.Call, scope: Scope) -> bool:
    """Whether ``call`` sits under a branch, loop, ``try`` or ``with`` of its function's body."""
    body = getattr(scope.node, "body", None)
    if not isinstance(body, list):
        return False
    line = call.lineno
    for stmt in body:
        end = getattr(stmt, "end_lineno", None) or stmt.lineno
        if stmt.lineno <= line <= end:
            return isinstance(stmt, _BRANCHES) or (_TRY_STAR is not None and isinstance(stmt, _TRY_STAR))
    return False


def own_method(index: ModuleIndex, func: ast.expr) -> bool:
    """Whether ``func`` is ``Cls.method`` of a class of this module that defines ``method`` itself.

    Such a call runs the project's code (``MyNet.from_pretrained(name)`` of a class that defines
    ``from_pretrained``), not the library method of the same name; its loads are followed by
    :class:`Flow`. A class that only inherits the method (``class MyBert(BertPreTrainedModel)``) is
    not matched: the library's method runs.
    """
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return False
    for binding in index.module.assigns.get(func.value.id, ()):
        if binding[0] == "class" and isinstance(binding[2], Scope) and any(
                m.name == func.attr for m in methods(binding[2])):
            return True
    return False


def super_method(func: ast.expr) -> str | None:
    """``name`` of a callee ``super().name`` or ``super(Cls, self).name``, else None."""
    if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"):
        return func.attr
    return None


def callee_head(func: ast.expr) -> str:
    """The first name of a dotted callee (``models`` of ``models.SentenceBERT``), or ""."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else ""


def module_attribute(func: ast.expr, imports: dict[str, str]) -> bool:
    """Whether a callee is an attribute of an imported name (``download.fetch`` after ``import download``,
    ``h.fetch`` after ``from pkg import helper as h``): a call of what that module defines, never of a
    function of the calling module that happens to share its last name."""
    return isinstance(func, ast.Attribute) and callee_head(func) in imports


def scopes_up(scope: Scope) -> list[Scope]:
    """``scope`` and the scopes around it, innermost first."""
    out: list[Scope] = []
    current: Scope | None = scope
    while current is not None:
        out.append(current)
        current = current.parent
    return out


def enclosing_function(scope: Scope) -> Scope:
    """The innermost function scope around ``scope`` (itself when it is one), else ``scope``."""
    for current in scopes_up(scope):
        if current.kind == "function":
            return current
    return scope
