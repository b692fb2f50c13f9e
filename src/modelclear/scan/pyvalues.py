"""The values the Python scanner works with: what an expression may evaluate to.

The scanner never imports or runs scanned code. An expression is evaluated (by
:class:`modelclear.scan.pyresolve.Resolver`, over the bindings :class:`modelclear.scan.pyindex.ModuleIndex`
records) to a :class:`Res`: the constant values it may take, the parts left unknown (with their
source text, never dropped) and notes saying where values came from. The values are plain
``str``/``int``/``float``/``bool``/``None``, tuples and dicts of those, and the few kinds here:

* :class:`QName`, a dotted name of something imported (``torchvision.models.ResNet50_Weights.DEFAULT``);
* :class:`Opaque`, an object built at run time (``loader`` when a loader call built it);
* :class:`Instance`, an object of a project class built with keyword arguments (an :class:`Opaque` whose
  attributes are the arguments passed, or the class's own);
* :class:`OneOf`, several candidates of one stored constant;
* :class:`PathStr`, a string the code built as a filesystem path;
* :class:`UnknownValue`, an exported constant whose value its module could not work out.

All are frozen and picklable (the project constant index crosses process boundaries). This module
also holds the small syntax helpers every part of the scanner shares (:func:`expr_text`,
:func:`find_arg`, :func:`has_star_args`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from modelclear.scan.budget import BUDGETS

#: Most candidates kept for one expression (cartesian products of f-strings are cut here).
MAX_CANDIDATES = BUDGETS.candidates
#: Most candidates a union of values keeps (the entries of a registry: a dict or Enum of model ids);
#: values dropped past it set :attr:`Res.dropped`, which the loader call reports as a ``budget`` warning.
MAX_UNION = BUDGETS.candidates * 4
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
class Instance(Opaque):
    """An object of a project class built with keyword arguments (``ScriptArguments(dataset_name="org/d")``,
    ``Config(model_name=...)``): reading ``fields``' names gives the values passed, other attributes are
    the class's (``cls``: a :class:`~modelclear.scan.pyindex.ClassRef` or the :class:`QName` of a class
    of another project module). Everywhere else it is an :class:`Opaque` object, and it is pickled as
    one (it holds the module's syntax tree)."""

    cls: object = None
    #: (field name, candidate values) of each keyword argument of the constructor call.
    fields: tuple[tuple[str, tuple[object, ...]], ...] = ()

    def field(self, name: str) -> tuple[object, ...] | None:
        """The candidate values passed for ``name``, or None when the constructor call did not pass it."""
        for key, values in self.fields:
            if key == name:
                return values
        return None

    def __reduce__(self) -> tuple[type, tuple[str, bool]]:
        return (Opaque, (self.text, False))


@dataclass(frozen=True)
class OneOf:
    """Several candidate values of one constant (e.g. assigned in two branches)."""

    values: tuple[object, ...]


class PathStr(str):
    """A string that the code built as a filesystem path (``Path(...)``, ``os.path.join``)."""

    __slots__ = ()

@dataclass
class Res:
    """The candidate values of an expression, the parts left unknown, and whether names were followed."""

    values: list[object] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    indirect: bool = False
    notes: list[str] = field(default_factory=list)
    #: Whether candidates were dropped for the :data:`MAX_UNION` cap (here or in a part merged in).
    dropped: bool = False

    def add(self, other: Res) -> Res:
        """Merge ``other`` into this result (union of candidates, at most :data:`MAX_UNION`)."""
        self.dropped = self.dropped or other.dropped
        for value in other.values:
            if not any(_same(value, v) for v in self.values):
                if len(self.values) >= MAX_UNION:
                    self.dropped = True
                    break
                self.values.append(value)
        for text in other.unknown:
            if text not in self.unknown:
                self.unknown.append(text)
        for note in other.notes:
            if note not in self.notes and len(self.notes) < 4:
                self.notes.append(note)
        self.indirect = self.indirect or other.indirect
        return self

    def copy(self) -> Res:
        """A result with the same content whose lists the caller may change (memoised results stay intact)."""
        return Res(values=list(self.values), unknown=list(self.unknown), indirect=self.indirect,
                   notes=list(self.notes), dropped=self.dropped)


_Key = TypeVar("_Key", bound=Hashable)


class GuardedMemo(Generic[_Key]):
    """Results of one resolution step memoised by key, guarded against re-entry.

    A key met again while its own result is being worked out (``self.buf = self.buf + new``, a recursive
    function, ``a.x = b.y or c.x`` chains) gets ``None``, which the caller turns into an unknown part: without
    the guard such cycles fan out exponentially.
    """

    __slots__ = ("_active", "_done")

    def __init__(self) -> None:
        self._done: dict[_Key, Res] = {}
        self._active: set[_Key] = set()

    def get(self, key: _Key, compute: Callable[[], Res]) -> Res | None:
        """A copy of the memoised result of ``key`` (worked out by ``compute`` the first time), or ``None``
        when ``key`` is already being worked out further up."""
        done = self._done.get(key)
        if done is None:
            if key in self._active:
                return None
            self._active.add(key)
            try:
                done = compute()
            finally:
                self._active.discard(key)
            self._done[key] = done
        return done.copy()

    def clear(self) -> None:
        """Forget every memoised result."""
        self._done.clear()


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


@dataclass(frozen=True)
class UnknownValue:
    """An exported constant whose value the defining module could not work out."""

    note: str = ""


_MISSING: object = object()






def call_name(func: ast.expr) -> str:
    """The last name of a callee (``f`` of ``f(...)`` and of ``x.f(...)``), or ""."""
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


#: Methods that run their first argument with the rest (``executor.submit(fn, *args, **kwargs)``).
_RUNS_FIRST = frozenset({"submit", "apply_async", "call_soon", "call_soon_threadsafe"})
#: Most indirect calls of a module read for the functions they run.
MAX_INDIRECT_CALLS = 512


def indirect_calls(calls: Iterable[tuple[ast.Call, object]]) -> dict[str, list[tuple[ast.Call, object]]]:
    """Calls of a module's functions made through a runner, as the call the runner makes (issue 10, cause 1).

    ``executor.submit(fn, a, k=b)`` and ``loop.run_in_executor(None, fn, a)`` run ``fn(a, k=b)`` / ``fn(a)``;
    ``Thread(target=fn, args=(a,), kwargs={"k": b})`` (also ``Process``) runs ``fn(a, k=b)``. Each is returned,
    by the name of the function run, as an ``ast.Call`` placed at the runner's call, with its scope, so the
    function's parameters take those arguments like those of a direct call."""
    out: dict[str, list[tuple[ast.Call, object]]] = {}
    count = 0
    for call, scope in calls:
        if count >= MAX_INDIRECT_CALLS:
            break
        name = call_name(call.func)
        fn: ast.expr | None = None
        args: list[ast.expr] = []
        keywords: list[ast.keyword] = []
        if name in _RUNS_FIRST and call.args:
            fn, args, keywords = call.args[0], list(call.args[1:]), list(call.keywords)
        elif name == "run_in_executor" and len(call.args) >= 2:
            fn, args = call.args[1], list(call.args[2:])
        elif name in ("Thread", "Process"):
            given = {k.arg: k.value for k in call.keywords if k.arg}
            fn = given.get("target")
            packed = given.get("args")
            if isinstance(packed, (ast.Tuple, ast.List)):
                args = list(packed.elts)
            named = given.get("kwargs")
            if isinstance(named, ast.Dict):
                keywords = [ast.keyword(arg=k.value, value=v) for k, v in zip(named.keys, named.values, strict=True)
                            if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        if not isinstance(fn, ast.Name):
            continue
        made = ast.Call(func=ast.Name(id=fn.id, ctx=ast.Load()), args=args, keywords=keywords)
        ast.copy_location(made, call)
        made.end_lineno, made.end_col_offset = call.end_lineno, call.end_col_offset
        ast.copy_location(made.func, call)
        out.setdefault(fn.id, []).append((made, scope))
        count += 1
    return out

