"""Wrappers of loaders defined in *other* modules of the project (issue 10, cause 1).

``from beir.retrieval import models; models.SentenceBERT("msmarco-distilbert-base-v3")`` runs the
project's own class, whose ``__init__`` hands the name to ``SentenceTransformer``. When a call's
callee is a name imported from a module of the scanned project, this module finds that module's
file under the scan root (``pkg/mod.py``, ``pkg/mod/__init__.py``, also under ``src/``), scans it
once per process (read as data, parsed, never imported), follows a re-export
(``from .sentence_bert import SentenceBERT`` in a package ``__init__``) and returns the
:class:`~modelclear.scan.pyflow.Flow` of the defining module and the function scope the call runs
(a function, a class's ``__init__`` or a named method). :mod:`modelclear.scan.pyflow` then binds
the caller's arguments to that function's parameters exactly as for a wrapper of the same module.

Bounds: the calls of one scanned file may follow at most :data:`MAX_MODULES` distinct project
modules (counted per file, whatever an earlier file of the same process already loaded, so the answer
for a file does not depend on how files are shared among workers), and re-exports are followed
:data:`MAX_HOPS` deep; a module larger than ``BUDGETS.python_source_chars`` or that does not parse
is not used. When a file reaches the cap its scan reports a ``budget`` warning
(:attr:`WrapperIndex.capped`). Between files, the process keeps the scanned modules of at most
:data:`MAX_CACHED_CHARS` characters of source, those asked for least often dropped first, the least recently
used among them first (and none when it turns to another root); a module kept forgets those of its
summaries that lead into a dropped module, so the dropped ones are freed at once: that bounds memory and
changes only the time, never an answer.
"""

from __future__ import annotations

import ast
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from modelclear.scan.budget import BUDGETS
from modelclear.scan.pyindex import Scope

if TYPE_CHECKING:
    from modelclear.scan.base import ScanContext
    from modelclear.scan.pyflow import Flow
    from modelclear.scan.pymodule import ModuleScan

#: Most project modules the calls of one file follow for their wrappers.
MAX_MODULES = 256
#: Characters of source whose scanned modules a process keeps between files; beyond it, those asked for least
#: often (among them the least recently used) are dropped down to three quarters of it (memory only: a module
#: dropped is scanned again, with the same answers, when a call needs it). About 44 bytes of memory per
#: character (the syntax tree, the index, the summaries), so about 350 MB.
MAX_CACHED_CHARS = 8_000_000
#: Most re-exports (``from .x import Name`` in a package) followed to the defining module.
MAX_HOPS = 3


class WrapperIndex:
    """The other project modules loaded for their wrappers, per scan root (one per process)."""

    def __init__(self) -> None:
        self._root = ""
        #: Loaded modules, least recently used first (None: no file, or not usable).
        self._modules: OrderedDict[str, tuple[ModuleScan, Flow] | None] = OrderedDict()
        #: Characters of source of the loaded modules.
        self._chars = 0
        self._files: dict[str, Path | None] = {}
        #: (callee, calling module) -> (the target or None, the modules followed to find it)
        self._targets: dict[tuple[str, str], tuple[tuple[Flow, Scope] | None, tuple[str, ...]]] = {}
        #: How often each module was followed by :meth:`target` since the root was entered (kept when it is dropped).
        self._uses: dict[str, int] = {}
        #: The modules the current file's calls followed, and whether one was refused for :data:`MAX_MODULES`.
        self._touched: set[str] = set()
        self.capped = False

    def begin_file(self) -> None:
        """A new file's calls start: its module budget is whole again. Beyond :data:`MAX_CACHED_CHARS`,
        the modules asked for least often are dropped here, between files, when none is in use."""
        self._touched = set()
        self.capped = False
        if self._chars > MAX_CACHED_CHARS:
            self._shrink()

    def _shrink(self) -> None:
        """Drop the modules asked for least often (then the least recently used) down to three quarters of
        :data:`MAX_CACHED_CHARS` (their scans taken apart), the targets found in them, and the summaries of the
        modules kept (see the module docstring)."""
        dropped: set[int] = set()
        # the modules asked for least often go first, and among them the least recently used: a module that
        # many files reach (a package's shared helpers) stays loaded instead of being scanned again and again
        order = {key: position for position, key in enumerate(self._modules)}
        victims = iter(sorted(self._modules, key=lambda key: (self._uses.get(key, 0), order[key])))
        while self._chars > MAX_CACHED_CHARS * 3 // 4 and self._modules:
            victim = next(victims)
            loaded = self._modules.pop(victim)
            if loaded is not None:
                self._chars -= len(loaded[0].source)
                dropped.add(id(loaded[1]))
                loaded[1].dispose()
                loaded[0].dispose()
        self._targets = {key: value for key, value in self._targets.items()
                         if value[0] is None or id(value[0][0]) not in dropped}
        for loaded in self._modules.values():
            if loaded is not None and loaded[1].leads_into(dropped):
                loaded[1].dispose()  # its summaries: worked out again, through modules still kept or reloaded

    def _forget(self) -> None:
        """Empty the cache, breaking the reference cycles of each module's scan (freed at once)."""
        for loaded in self._modules.values():
            if loaded is not None:
                loaded[1].dispose()
                loaded[0].dispose()
        self._modules.clear()
        self._chars = 0
        self._files.clear()
        self._targets.clear()
        self._uses.clear()

    def _enter(self, root: Path) -> None:
        """Forget what was loaded for another root (one process may scan several trees in turn)."""
        key = str(root)
        if key != self._root:
            self._root = key
            self._forget()

    def target(self, ctx: ScanContext, qualname: str, own_module: str,
               want_class: bool = False) -> tuple[Flow, Scope] | None:
        """The flow of the module defining ``qualname`` (a dotted callee) and the scope the call runs
        (with ``want_class``, the class scope ``qualname`` names: a project base class)."""
        self._enter(ctx.root)
        key = (qualname + ("#class" if want_class else ""), own_module)
        if key not in self._targets:
            followed: list[str] = []
            self._targets[key] = (self._target(ctx, qualname, own_module, followed, want_class), tuple(followed))
        found, followed_modules = self._targets[key]
        uses = self._uses
        for module in followed_modules:
            uses[module] = uses.get(module, 0) + 1
        for module in followed_modules:  # charged to this file, whether or not this process has it cached
            if module not in self._touched:
                if len(self._touched) >= MAX_MODULES:
                    self.capped = True
                    return None
                self._touched.add(module)
        return found

    def names_project_module(self, ctx: ScanContext, qualname: str, own_module: str) -> bool:
        """Whether a call of ``qualname`` (a dotted callee) from ``own_module`` names a project module at all:
        when not, :meth:`target` finds nothing and follows no module, so a caller may skip the work it would
        do around that lookup (the file lookups are memoised; nothing is loaded)."""
        self._enter(ctx.root)
        return self._split(ctx, qualname.split("."), own_module) is not None

    def project_method(self, ctx: ScanContext, qualname: str, own_module: str) -> Scope | None:
        """The scope of the method a call of ``qualname`` (``Cls.method`` imported from another project module)
        runs when the project's class (or a project base class) defines it itself, in a module that loads
        something; None otherwise.

        Such a call is the project's code, not a library loader that only shares the method's name
        (``VoiceTTS.from_pretrained(device)`` whose body downloads a fixed repository): :mod:`pyflow` follows
        it like any wrapper, so the arguments it passes count only where they reach a loader (issue 10)."""
        if qualname.count(".") < 2 or not self.names_project_module(ctx, qualname, own_module):
            return None
        found = self.target(ctx, qualname, own_module)
        return found[1] if found is not None and found[1].cls is not None else None

    def kept_tree(self, ctx: ScanContext, module: str, rel: str, source: str) -> ast.Module | None:
        """The syntax tree of ``module`` when this process keeps it loaded for its wrappers from the file
        ``rel`` (relative to the root) with the same ``source`` text: the file's own scan reads it instead
        of parsing the text again (trees are only read, never changed)."""
        if str(ctx.root) != self._root:
            return None
        loaded = self._modules.get(module)
        if loaded is None or loaded[0].path != rel or loaded[0].source != source:
            return None
        tree = loaded[0].index.module.node
        return tree if isinstance(tree, ast.Module) else None

    def _target(self, ctx: ScanContext, qualname: str, own_module: str,
                followed: list[str], want_class: bool = False, stars: int = 0) -> tuple[Flow, Scope] | None:
        parts = qualname.split(".")
        for hop in range(MAX_HOPS + 1):
            found = self._split(ctx, parts, own_module)
            if found is None:
                return None
            module, rest = found
            followed.append(module)
            loaded = self._load(ctx, module)
            if loaded is None:
                return None
            scan, flow = loaded
            scope = _class_of(scan.index.module, rest) if want_class else _scope_of(scan.index.module, rest)
            if scope is not None:
                return (flow, scope) if flow.has_loads else None
            inherited = None if want_class else self._inherited(ctx, scan, rest, module, followed, stars + hop)
            if inherited is not None:
                return inherited
            imported = scan.index.imports.get(rest[0])
            if imported is None and scan.index.stars and stars + hop < MAX_HOPS:
                # `from .vislib import *` in a package: the name comes from the first star module defining it
                for star in scan.index.stars[:MAX_HOPS]:
                    found_star = self._target(ctx, f"{_absolute(star, module)}.{'.'.join(rest)}", module,
                                              followed, want_class, stars + hop + 1)
                    if found_star is not None:
                        return found_star
                return None
            if imported is None or hop == MAX_HOPS:
                return None
            parts = [*imported.split("."), *rest[1:]]
            own_module = module
        return None

    def _inherited(self, ctx: ScanContext, scan: ModuleScan, rest: list[str], module: str, followed: list[str],
                   spent: int) -> tuple[Flow, Scope] | None:
        """``Cls(...)`` / ``Cls.method`` of a class that does not define the method itself: its nearest base's
        (a class of the same module, else one imported from another project module)."""
        from modelclear.scan.pyclasses import hierarchy

        cls = _class_of(scan.index.module, rest[:1])
        if cls is None or spent >= MAX_HOPS:
            return None
        wanted = rest[1] if len(rest) == 2 else "__init__"
        tree = hierarchy(scan.index)
        for base in tree.ancestors(cls):
            found = [m for m in base.assigns.get(wanted, ()) if m[0] == "def" and isinstance(m[2], Scope)]
            if found:
                loaded = self._modules.get(module)
                return (loaded[1], found[0][2]) if loaded is not None and loaded[1].has_loads else None
        for owner in (cls, *tree.ancestors(cls)):
            for dotted in tree.imported_bases.get(id(owner), ())[:MAX_HOPS]:
                target = self._target(ctx, f"{dotted}.{wanted}", module, followed, False, spent + 1)
                if target is not None:
                    return target
        return None

    def _split(self, ctx: ScanContext, parts: list[str], own_module: str) -> tuple[str, list[str]] | None:
        """The longest prefix of ``parts`` that is a project module (not ``own_module``), and the rest."""
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module == own_module:
                return None
            if self._file(ctx.root, module) is not None:
                return module, parts[cut:]
        return None

    def _file(self, root: Path, module: str) -> Path | None:
        key = module
        if key in self._files:
            return self._files[key]
        if not module or "" in module.split("."):  # a relative name left unresolved names no file
            return None
        found: Path | None = None
        rel = Path(*module.split("."))
        for base in (root, root / "src"):
            for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
                try:
                    if candidate.is_file() and not candidate.is_symlink():
                        found = candidate
                        break
                except OSError:
                    continue
            if found is not None:
                break
        self._files[key] = found
        return found

    def _load(self, ctx: ScanContext, module: str) -> tuple[ModuleScan, Flow] | None:
        key = module
        if key in self._modules:
            self._modules.move_to_end(key)
            return self._modules[key]
        self._modules[key] = None
        path = self._file(ctx.root, module)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        loaded = _scan_module(data, path, ctx, module)
        self._modules[key] = loaded
        if loaded is not None:
            self._chars += len(loaded[0].source)
        return loaded


def _scan_module(data: bytes, path: Path, ctx: ScanContext, module: str) -> tuple[ModuleScan, Flow] | None:
    from modelclear.scan.pyflow import Flow  # both import this module's neighbours
    from modelclear.scan.pymodule import ModuleScan
    from modelclear.scan.python import PREFILTER_RE, FileBudget, decode_python

    if len(data) > BUDGETS.python_source_chars:
        return None
    loads = PREFILTER_RE.search(data) is not None  # without a loader keyword only its imports matter
    source = decode_python(data)
    if source is None:
        return None
    try:
        tree = ast.parse(source)
        try:
            rel = path.relative_to(ctx.root).as_posix()
        except ValueError:
            rel = path.as_posix()
        # a package's own relative imports start at the package (`from .x import y` in pkg/__init__.py)
        name = f"{module}.__init__" if path.name == "__init__.py" else module
        scan = ModuleScan(source, tree, rel, ctx, name, 0, FileBudget())
        scan.nested = True
        # loader calls in functions, matched by their plain dotted callee (cheap; enough for wrappers)
        table, qualname = scan.table, scan.resolver.call_qualname
        scan.loader_calls = [(call, scope) for call, scope in scan.index.calls
                             if loads and scope.kind != "module" and table.candidates(qualname(call.func))]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return scan, Flow(scan, scan.loader_calls)


def _absolute(star: str, package: str) -> str:
    """A star import's module as an absolute name (``.x`` in package ``pkg`` is ``pkg.x``)."""
    if not star.startswith("."):
        return star
    dots = len(star) - len(star.lstrip("."))
    parts = package.split(".")
    parts = parts[:len(parts) - (dots - 1)] if dots > 1 else parts
    return ".".join([*parts, star.lstrip(".")])


def _class_of(module: Scope, rest: list[str]) -> Scope | None:
    """The module-level class ``rest`` names in a module."""
    if len(rest) != 1:
        return None
    for binding in module.assigns.get(rest[0], ()):
        if binding[0] == "class" and isinstance(binding[2], Scope):
            return binding[2]
    return None


def _scope_of(module: Scope, rest: list[str]) -> Scope | None:
    """The function scope ``rest`` names in a module: a function, a class's ``__init__``, a class's method."""
    from modelclear.scan.pyflowscopes import methods

    if not rest or len(rest) > 2:
        return None
    for binding in module.assigns.get(rest[0], ()):
        kind, scope = binding[0], binding[2]
        if not isinstance(scope, Scope):
            continue
        if kind == "def" and len(rest) == 1:
            return scope
        if kind == "class":
            wanted = rest[1] if len(rest) == 2 else "__init__"
            for method in methods(scope):
                if method.name == wanted:
                    return method
    return None


class _PerThread(threading.local, WrapperIndex):
    """A :class:`WrapperIndex` of its own for each thread (the team service scans small trees in threads),
    so a thread never takes apart the modules another thread is using."""


#: The index of the process, one per thread (answers depend only on the files).
WRAPPERS: WrapperIndex = _PerThread()
