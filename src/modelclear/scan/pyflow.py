"""Values that reach a loader through the module's own functions and classes (issue 10, cause 1).

A project often wraps a real loader: ``class Embedder: def __init__(self, model="org/a"):
self.model = SentenceTransformer(model)``, ``def load_model(name): return AutoModel.from_pretrained(name)``,
``class MyModel: @classmethod def from_pretrained(cls, path): ... timm.create_model(path, ...)``.
The loader call inside the wrapper reports the wrapper's default (the resolver follows parameters).
What the *callers* pass (``Embedder(model="org/b")``) is reported here, at the caller's line, which is
where a reader looks for it:

1. **Summaries.** For every loader call of the module that sits in a function, the parameters of
   that function, of the functions around it and, for a method, of every method of its class are
   bound to marker strings and the call's id argument is evaluated once
   (:class:`FlowResolver`). Markers found in the value say which parameters reach the id: through
   the parameter itself, ``self.x = x`` read in another method, f-strings, ``+``, ``.format`` or a
   config object's field (``cfg.model_name`` where ``cfg`` is the parameter's default dataclass).
2. **Calls of a wrapper.** (A class of the module that defines ``from_pretrained`` itself is not the
   library's loader: :func:`own_method` keeps ``MyNet.from_pretrained(x)`` from being matched as one.)
   A call of a function, of a class (its ``__init__``), of a classmethod
   (``Model.from_pretrained(x)``) or of a method through ``self`` whose parameter reaches a loader
   is evaluated again with the arguments of that call bound to the parameters (defaults for those
   not passed). The loader entry's gates apply to the bound values, so
   ``make_backbone(name, pretrained=False)`` over ``timm.create_model(name, pretrained=pretrained)``
   loads nothing. Each id is a reference at the caller's line (the line of the argument that reaches
   the load, in a call written over several lines), confidence ``medium``, with a note
   naming the wrapper and the line of the real load; a load the wrapper makes only under a
   condition says so (``only on some paths``). Values the wrapper loads whatever it is passed (its
   own registry or fallback), or that a lookup gives for a key it does not hold, stay at the load.
   A call that passes none of the parameters that reach the id, or passes only values we cannot
   work out, adds nothing (the loader call reports the defaults itself), and values left unknown
   are not repeated as dynamic loads (the loader call reports its own, once).

A wrapper may hand its parameter on to a wrapper of another project module (``download_weights(name)``
calling ``utils.download.download(URLS[name], path)``, which calls ``requests.get``): such calls inside
functions are relays too, followed through :mod:`modelclear.scan.pywrappers` at most
:data:`MAX_MODULE_DEPTH` modules deep, and the caller's value is bound module by module down to the real
load (:func:`_unwind`).

An attribute, string- or position-keyed entry, or loop item of a parameter (``args.dataset_name``,
``cfg["id"]``, ``model_path[0]``) carries the parameter's mark too (:func:`_carried`); a caller adds such
values only when it passes an object it built (a project class's :class:`~modelclear.scan.pyvalues.Instance`,
a dict, a tuple), never an argparse namespace or a string, whose attributes the wrapper's module works
out the same way. ``super().__init__(x)`` and a class without its own ``__init__`` run the nearest base's
(:mod:`modelclear.scan.pyclasses`), and a class attribute overriding one a base class of another module
loads (``model_name = "org/b"`` over ``CrossEncoder(self.model_name)``) is reported at the overriding line
(:meth:`Flow.overrides`).

Work is bounded by the file's step budget (shared with the rest of the module's scan) and, for the
number of wrapper calls evaluated, by its loader-call budget; both report ``budget`` warnings from
:meth:`modelclear.scan.pymodule.ModuleScan.budget_warnings`. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from modelclear.model import Reference
from modelclear.scan.builders import Hit, Site, build
from modelclear.scan.pyindex import ClassRef, FuncRef, ModuleIndex, Param, Scope
from modelclear.scan.pyresolve import Resolver
from modelclear.scan.pyvalues import Instance, Res, call_name, find_arg, has_star_args

if TYPE_CHECKING:
    from modelclear.scan.pyloaders import LoaderSpec
    from modelclear.scan.pymodule import ModuleScan

#: Marks a parameter's value while summaries are computed: a character without case that no id
#: holds and that string operations (``lower``, ``strip``, ``urljoin``) keep.
_MARK = "\u00a7"
#: Follows a mark in a summary value that is an attribute or entry of the marked parameter (``§0§¶.name§``).
_STEP = "\u00b6"
#: Statements under which a load happens only on some paths.
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match)
_TRY_STAR = getattr(ast, "TryStar", None)
#: Most wrapper loads followed from one call of a wrapper.
MAX_SITES_PER_CALL = 16
#: How many levels of wrappers calling wrappers of the same module are followed.
MAX_RELAY_ROUNDS = 3
#: How many project modules deep a wrapper calling a wrapper imported from another module is followed
#: (``detr.py`` -> ``main.download_pretrain_weights`` -> ``util.files.download_file`` -> ``requests.get``).
MAX_MODULE_DEPTH = 3


class FlowResolver(Resolver):
    """A :class:`Resolver` in which some parameters have given values (the arguments of one call)."""

    def __init__(self, base: Resolver, seeds: Mapping[int, Res | Callable[[], Res]], summary: bool = False,
                 overrides: Mapping[str, Res] | None = None, reads: set[str] | None = None) -> None:
        super().__init__(base.index, base.project, base._is_loader_call, base.budget)
        self.project_env = base.project_env
        #: ``id(Param)`` -> the value the parameter has for this evaluation (worked out when first read).
        self.seeds = dict(seeds)
        #: Whether the seeds are markers (a summary): an entry read with a marked key carries the mark.
        self.summary = summary
        #: ``self.attr`` -> its value for an object of a subclass (of another module) that overrides it.
        self.overrides = dict(overrides or {})
        #: When given, every attribute asked of ``self`` is added to it (what an override could change).
        self.reads = reads

    def _self_or_class_attr(self, cls: Scope, attr: str, node: ast.expr, depth: int) -> Res:
        """``self.attr``, or the value a subclass gives it (:meth:`Flow.overrides`)."""
        if self.reads is not None:
            self.reads.add(attr)
        found = self.overrides.get(attr)
        if found is not None:
            return Res(values=list(found.values), unknown=list(found.unknown), indirect=True,
                       notes=list(found.notes))
        return super()._self_or_class_attr(cls, attr, node, depth)

    def _r_Subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Res:
        """``URLS[name]``: in a summary, the entry depends on the parameter that chose it (it carries the
        mark); for a caller, entries read with a key that is not among the dict's keys are every
        entry (the load itself reports them), so they carry a bare mark and are not the caller's."""
        out = super()._r_Subscript(node, scope, depth)
        key = self.resolve(node.slice, scope, depth)
        mark = next((v for v in key.values if isinstance(v, str) and _MARK in v), "")
        if self.summary and key.values and all(isinstance(k, (str, int)) and not isinstance(k, bool)
                                               and (not isinstance(k, str) or _MARK not in k) for k in key.values):
            # `args.mixture["datasets"]`, `model_path[0]`: an entry of what the caller passes is the caller's
            # when the caller built it (a dict, a tuple: see `_built`; of a string, [0] is a character)
            out.values.extend(_carried(self.resolve(node.value, scope, depth).values, "[]"))
        if not self.summary and not mark:
            dicts = [v for v in self.resolve(node.value, scope, depth).values if isinstance(v, dict)]
            if dicts and (key.unknown or not any(isinstance(k, (str, int, float, bool)) and k in d
                                                 for d in dicts for k in key.values)):
                mark = _MARK
        if mark:
            out.values = [v + mark if isinstance(v, str) and _MARK not in v else v for v in out.values]
        return out

    def _r_Attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Res:
        """``args.dataset_name`` of a parameter ``args``: in a summary, a field of the object the caller
        passes depends on that parameter (it carries the mark), beside what the module says of the
        attribute (its defaults, which are the load's own)."""
        out = super()._r_Attribute(node, scope, depth)
        if self.summary and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            out.values.extend(_carried(self.resolve(node.value, scope, depth).values, "." + node.attr))
        return out

    def iterate(self, res: Res) -> Res:
        """``for config in args.mixture``: in a summary, each item of what the caller passes is the caller's."""
        out = super().iterate(res)
        if self.summary:
            out.values.extend(_carried(res.values, "[]"))
        return out

    def param(self, param: Param, depth: int) -> Res:
        """The seeded value of ``param`` if it has one, else what the resolver works out."""
        seeded = self.seeds.get(id(param))
        if callable(seeded):
            seeded = self.seeds[id(param)] = seeded()
        if seeded is not None:
            return Res(values=list(seeded.values), unknown=list(seeded.unknown), indirect=True,
                       notes=list(seeded.notes), dropped=seeded.dropped)
        return super().param(param, depth)


class _ScanView:
    """A module scan seen through another resolver (what the id builders read as ``site.scan``)."""

    def __init__(self, scan: ModuleScan, resolver: Resolver) -> None:
        self._scan = scan
        self.resolver = resolver

    def __getattr__(self, name: str) -> object:
        return getattr(self._scan, name)


@dataclass(frozen=True)
class LoadSite:
    """A loader call inside a function whose id argument depends on parameters of ``params``' functions."""

    call: ast.Call
    scope: Scope
    spec: LoaderSpec
    groups: Mapping[str, str]
    qualname: str
    bare: bool
    #: ``id`` of each function scope whose parameters reach the id argument -> those parameter names.
    params: Mapping[int, frozenset[str]]
    conditional: bool
    #: Values the id takes whatever the parameters are (the wrapper's own registry or fallback):
    #: reported at the load itself, never at a caller.
    independent: frozenset[str] = frozenset()
    #: For a load reached through a call of another wrapper of the module (``download_and_unzip(url)``
    #: calling ``download_url(url)``, which calls ``requests.get(url)``): that call, its scope, the
    #: wrapper it runs, the wrapper's own load site and the flow of the wrapper's module (another
    #: project module for ``download_file(url)`` imported from ``pkg.util.files``).
    via: tuple[ast.Call, Scope, Scope, LoadSite, Flow] | None = None
    #: Of ``params``, those that reach the id only through an attribute or entry of the object passed
    #: (``args.dataset_name``, ``cfg["id"]``): a caller adds values only when it passes an object it
    #: built (:func:`_built`), not one whose attributes the wrapper's module works out the same way.
    carried: Mapping[int, frozenset[str]] = field(default_factory=dict)


def _function_chain(scope: Scope) -> list[Scope]:
    """The function scopes around ``scope`` (itself first), and for methods every method of the class."""
    chain: list[Scope] = []
    current: Scope | None = scope
    while current is not None:
        if current.kind == "function":
            chain.append(current)
            if current.cls is not None:
                for method in methods(current.cls):
                    if method not in chain:
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


def _conditional(call: ast.Call, scope: Scope) -> bool:
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


class Flow:
    """Wrapper summaries of one module and the references of calls of its wrappers."""

    def __init__(self, scan: ModuleScan, loader_calls: Iterable[tuple[ast.Call, Scope]]) -> None:
        self.scan = scan
        #: Loader calls inside functions, with the function scopes whose parameters may reach them.
        self._loads: list[tuple[ast.Call, Scope, list[Scope]]] = []
        #: Names a call must end in to be a call of a possible wrapper (functions, classes, methods).
        self.names: set[str] = set()
        seen: set[int] = set()
        loader_calls = list(loader_calls)
        for call, scope in loader_calls:
            if id(call) in seen or not any(s.kind == "function" for s in _scopes_up(scope)):
                continue
            seen.add(id(call))
            chain = _function_chain(scope)
            self._loads.append((call, scope, chain))
            self._name_chain(chain)
        #: Calls, inside functions, of names imported from other modules (possible wrappers of another
        #: project module, found when a summary needs them: :meth:`_imported_targets`).
        self._cross: list[tuple[ast.Call, Scope, list[Scope]]] = []
        if scan.ctx is not None:
            self._find_imported(seen)
        #: Calls, inside functions, of the module's wrappers: the calling function is a wrapper too.
        self._relays: list[tuple[ast.Call, Scope, list[Scope]]] = []
        if self._loads or self._cross:
            self._find_relays(seen)
        # summaries are worked out on demand, for the functions a call of the project actually runs
        self._summaries: dict[int, list[LoadSite]] = {}
        self._by_scope: dict[int, list[LoadSite]] = {}
        #: id(load call) -> what :meth:`_plain` worked out for it.
        self._plain_memo: dict[int, tuple[dict[int, frozenset[str | None]], frozenset[str]]] = {}

    def dispose(self) -> None:
        """Forget the summaries (a summary of a relay within the module points back to this flow)."""
        self._summaries = {}
        self._by_scope = {}
        self._plain_memo = {}

    def _name_chain(self, chain: list[Scope]) -> None:
        """Calls of the functions of ``chain`` (a class for its ``__init__``) may be wrapper calls."""
        for fscope in chain:
            self.names.add(fscope.name)
            if fscope.name == "__init__" and fscope.cls is not None:
                self.names.add(fscope.cls.name)

    def _find_relays(self, loader_calls: set[int]) -> None:
        """Calls of a wrapper made inside another function, whose parameters may reach the load through it."""
        taken: set[int] = set()
        for _ in range(MAX_RELAY_ROUNDS):
            grown = False
            for call, scope in self.scan.index.calls:
                if id(call) in loader_calls or id(call) in taken or not (call.args or call.keywords):
                    continue
                if call_name(call.func) not in self.names or not any(s.kind == "function" for s in _scopes_up(scope)):
                    continue
                taken.add(id(call))
                chain = _function_chain(scope)
                self._relays.append((call, scope, chain))
                for fscope in chain:
                    name = fscope.cls.name if fscope.name == "__init__" and fscope.cls is not None else fscope.name
                    if fscope.name not in self.names or name not in self.names:
                        self.names.update((fscope.name, name))
                        grown = True
            if not grown:
                break

    def _find_imported(self, loader_calls: set[int]) -> None:
        """Calls made inside functions of a name imported from another module, with arguments."""
        imports = self.scan.index.imports
        for call, scope in self.scan.index.calls:
            if id(call) in loader_calls or not (call.args or call.keywords):
                continue
            if _head(call.func) not in imports and _super_method(call.func) is None:
                continue
            if call_name(call.func) in self.names or not any(s.kind == "function" for s in _scopes_up(scope)):
                continue
            chain = _function_chain(scope)
            self._cross.append((call, scope, chain))
            self._name_chain(chain)

    @property
    def has_loads(self) -> bool:
        """Whether a loader call of the module sits in a function (a possible wrapper), or a function
        calls a name imported from another module (a possible wrapper of that module)."""
        return bool(self._loads or self._cross)

    def sites_for(self, target: Scope) -> list[LoadSite]:
        """The loads whose id depends on parameters of ``target`` (summaries computed once, on demand)."""
        done = self._by_scope.get(id(target))
        if done is not None:
            return done
        out: list[LoadSite] = []
        self._by_scope[id(target)] = out  # a wrapper reached again while its sites are worked out adds none
        for call, scope, chain in self._loads:
            if not any(f is target for f in chain):
                continue
            sites = self._summaries.get(id(call))
            if sites is None:
                sites = self._summaries[id(call)] = self._summarise(call, scope, chain)
            out.extend(site for site in sites if id(target) in site.params)
        for relays, cross in ((self._relays, False), (self._cross, True)):
            for call, scope, chain in relays:
                if not any(f is target for f in chain):
                    continue
                sites = self._summaries.get(id(call))
                if sites is None:
                    self._summaries[id(call)] = []
                    sites = self._summaries[id(call)] = self._summarise_relay(call, scope, chain, cross)
                out.extend(site for site in sites if id(target) in site.params)
        return out

    def _imported_targets(self, call: ast.Call, scope: Scope) -> list[tuple[Flow, Scope]]:
        """The wrapper of another project module a call inside a function runs (:mod:`pywrappers`),
        followed at most :data:`MAX_MODULE_DEPTH` modules deep from the file being scanned; for
        ``super().method(...)``, the base class's method (of this module or another)."""
        from modelclear.scan.pywrappers import WRAPPERS

        ctx = self.scan.ctx
        if ctx is None or _DEPTH[0] >= MAX_MODULE_DEPTH:
            return []
        name = _super_method(call.func)
        if name is not None:
            return self._super_targets(scope, name)
        found = WRAPPERS.target(ctx, self._callee(call), self.scan.index.module_name)
        return [found] if found is not None else []

    def _callee(self, call: ast.Call) -> str:
        """The dotted callee with imports expanded; ``.detr.build`` imported in a package's ``__init__``
        (whose relative imports start at the package itself) is ``models.detr.build``."""
        name = self.scan.resolver.call_qualname(call.func)
        module = self.scan.index.module_name
        if name.startswith(".") and module and str(self.scan.path).endswith("__init__.py"):
            dots = len(name) - len(name.lstrip("."))
            parts = module.split(".")
            parts = parts[:len(parts) - (dots - 1)] if dots > 1 else parts
            name = ".".join([*parts, name.lstrip(".")]) if parts else name
        return name

    def _super_targets(self, scope: Scope, name: str) -> list[tuple[Flow, Scope]]:
        """The method ``name`` of the nearest base class (of this module, else imported from another
        project module) that defines it, for ``super().name(...)`` in a method of ``scope``'s class."""
        from modelclear.scan.pyclasses import hierarchy
        from modelclear.scan.pywrappers import WRAPPERS

        cls = _enclosing_function(scope).cls
        ctx = self.scan.ctx
        if cls is None:
            return []
        tree = hierarchy(self.scan.index)
        for base in tree.ancestors(cls):
            found = [m for m in methods(base) if m.name == name]
            if found:
                return [(self, found[0])]
        if ctx is None:
            return []
        for owner in (cls, *tree.ancestors(cls)):
            for dotted in tree.imported_bases.get(id(owner), ()):
                target = WRAPPERS.target(ctx, f"{dotted}.{name}", self.scan.index.module_name)
                if WRAPPERS.capped and not self.scan.wrappers_capped:
                    self.scan.wrappers_capped = True
                if target is not None:
                    return [target]
        return []

    def _summarise_relay(self, call: ast.Call, scope: Scope, chain: list[Scope],
                         cross: bool = False) -> list[LoadSite]:
        """The loads a call of another wrapper makes (of this module, or of another project module when
        ``cross``), as far as the calling functions' parameters reach them."""
        seeds, marks = _marked_params(chain)
        out: list[LoadSite] = []
        if not marks:
            return out
        outer = FlowResolver(self.scan.resolver, seeds, summary=True)
        conditional = _conditional(call, _enclosing_function(scope))
        if cross:
            _DEPTH[0] += 1
            try:
                targets = self._imported_targets(call, scope)
                found = [(flow, wrapper, flow.sites_for(wrapper)[:MAX_SITES_PER_CALL]) for flow, wrapper in targets]
            finally:
                _DEPTH[0] -= 1
        else:
            found = [(self, wrapper, self.sites_for(wrapper)[:MAX_SITES_PER_CALL])
                     for wrapper in self._targets(call, scope)]
        for flow, wrapper, loads in found:
            for load in loads:
                if self.scan.budget.steps.exhausted:
                    return out
                inner = flow.scan.resolver
                resolver: Resolver = FlowResolver(inner, self._bind_with(call, scope, wrapper, outer, inner),
                                                  summary=True)
                last, resolver, where = _unwind(load, resolver, flow.scan, summary=True)
                view = cast("ModuleScan", _ScanView(where, resolver))
                site = Site(view, last.call, last.scope, last.spec, last.groups, last.qualname, last.bare)
                res = site.value(last.spec.arg) if last.spec.arg is not None else None
                if res is None:
                    continue
                reached = _reached(res.values, marks)
                if reached:
                    independent = frozenset(v for v in res.values if isinstance(v, str) and _MARK not in v)
                    out.append(LoadSite(last.call, last.scope, last.spec, last.groups, last.qualname, last.bare,
                                        reached,
                                        conditional or load.conditional, independent | load.independent,
                                        (call, scope, wrapper, load, flow), _carried_only(res.values, marks)))
        return out

    # -- summaries
    def _summarise(self, call: ast.Call, scope: Scope, chain: list[Scope]) -> list[LoadSite]:
        out: list[LoadSite] = []
        seeds, marks = _marked_params(chain)
        if not marks:
            return out
        resolver = FlowResolver(self.scan.resolver, seeds, summary=True)
        view = cast("ModuleScan", _ScanView(self.scan, resolver))
        for spec, groups, qualname, bare in self.scan._matches(call, scope):
            if spec.arg is None:
                continue
            site = Site(view, call, scope, spec, groups, qualname, bare)
            res = site.value(spec.arg)
            if res is None:
                continue
            reached = _reached(res.values, marks)
            independent = frozenset(v for v in res.values if isinstance(v, str) and _MARK not in v)
            if reached:
                out.append(LoadSite(call, scope, spec, groups, qualname, bare,
                                    reached,
                                    _conditional(call, _enclosing_function(scope)), independent,
                                    carried=_carried_only(res.values, marks)))
        return out

    # -- calls of wrappers
    def references(self, loader_calls: set[int]) -> list[Reference]:
        """References at every call of a wrapper of the module or of another project module (not at
        ``loader_calls`` themselves)."""
        imports = self.scan.index.imports
        cross = self.scan.ctx is not None and not self.scan.nested and bool(imports)
        if not self._loads and not cross:
            return []  # (and no class of the module has a base imported from another module)
        out: list[Reference] = []
        calls = self.scan.budget.calls
        for call, scope in sorted(self.scan.index.calls, key=lambda item: (item[0].lineno, item[0].col_offset)):
            if id(call) in loader_calls or self.scan.ignored(call):
                continue
            if not call.args and not call.keywords:
                continue  # passes nothing: the wrapper's own defaults are reported at its load
            sup = _super_method(call.func)
            local = sup is None and call_name(call.func) in self.names
            if not local and sup is None and not (cross and _head(call.func) in imports):
                continue
            if self.scan.budget.steps.exhausted:
                break
            if sup is not None:
                found = [ref for flow, target in self._super_targets(scope, sup)
                         for ref in self._through(call, scope, flow, target)]
            else:
                found = self._call(call, scope) if local else self._imported(call, scope)
            if found and not calls.spend():
                self.scan.calls_cut_at = self.scan.calls_cut_at or call.lineno + self.scan.line_offset
                break
            out.extend(found)
        if cross and not self.scan.budget.steps.exhausted:
            out.extend(self.overrides())
        return out

    def overrides(self) -> list[Reference]:
        """Class attributes of this module's classes that override one a base class of another project
        module loads in its methods (``class ColbertRanker(BaseRanker): model_name = "org/b"`` over
        ``CrossEncoder(self.model_name)``): each id the load then takes, and does not take for the base
        class itself, is a reference at the overriding line."""
        from modelclear.scan.pyclasses import hierarchy
        from modelclear.scan.pywrappers import WRAPPERS

        ctx = self.scan.ctx
        if ctx is None or self.scan.nested:
            return []
        tree = hierarchy(self.scan.index)
        out: list[Reference] = []
        for cls in tree.classes:
            bases = tree.imported_bases.get(id(cls))
            if not bases:
                continue
            values = self._class_values(cls)
            if not values:
                continue
            for dotted in bases:
                if self.scan.budget.steps.exhausted:
                    return out
                found = WRAPPERS.target(ctx, dotted, self.scan.index.module_name, want_class=True)
                if WRAPPERS.capped and not self.scan.wrappers_capped:
                    self.scan.wrappers_capped = True
                if found is None:
                    continue
                flow, base = found
                out.extend(flow._overridden(self, cls, base, values))
        return out

    def _class_values(self, cls: Scope) -> dict[str, tuple[ast.expr, Res]]:
        """The class-level assignments of ``cls`` whose value holds a string (what an override can name)."""
        out: dict[str, tuple[ast.expr, Res]] = {}
        for name, bindings in cls.assigns.items():
            for binding in bindings:
                if binding[0] != "value" or not isinstance(binding[1], ast.expr):
                    continue
                res = self.scan.resolver.binding(binding, 0)
                if any(isinstance(v, str) for v in res.values):
                    out[name] = (binding[1], res)
                if len(out) >= MAX_SITES_PER_CALL:
                    return out
        return out

    def _overridden(self, sub: Flow, cls: Scope, base: Scope,
                    values: Mapping[str, tuple[ast.expr, Res]]) -> list[Reference]:
        """References at ``sub``'s class ``cls`` for the loads of ``base`` (a class of this module) whose
        ids change when ``self.attr`` has the values ``cls`` gives it."""
        from modelclear.scan.pyclasses import hierarchy
        from modelclear.scan.pymodule import gate_action

        classes = {id(base), *(id(c) for c in hierarchy(self.scan.index).ancestors(base))}
        loads = [(call, scope) for call, scope, _ in self._loads
                 if _enclosing_function(scope).cls is not None and id(_enclosing_function(scope).cls) in classes]
        out: list[Reference] = []
        seen: set[tuple[int, str]] = set()
        for call, scope in loads[:MAX_SITES_PER_CALL]:
            matches = self.scan._matches(call, scope)
            plain_ids, reads = self._plain(call, scope, matches)
            for attr, (node, res) in values.items():
                if attr not in reads:
                    continue  # the load never reads self.<attr>: overriding it changes nothing
                changed = FlowResolver(self.scan.resolver, {}, overrides={attr: res})
                for number, (spec, groups, qualname, bare) in enumerate(matches):
                    if spec.arg is None or self.scan.budget.steps.exhausted:
                        continue
                    before = plain_ids.get(number, frozenset())
                    site = Site(cast("ModuleScan", _ScanView(self.scan, changed)), call, scope, spec, groups,
                                qualname, bare)
                    gate = gate_action(site, changed)
                    if gate == "skip":
                        continue
                    for hit in self._hits(call, scope, spec, groups, qualname, bare, changed):
                        if hit.id is None or hit.id in before or (node.lineno, hit.id) in seen:
                            continue
                        seen.add((node.lineno, hit.id))
                        where = (f"{attr} of {cls.name} overrides {base.name}.{attr}, loaded at "
                                 f"{self.scan.path}:{call.lineno}")
                        out.append(Reference(
                            raw=hit.raw, kind=hit.kind, id=hit.id, path=sub.scan.path,
                            line=node.lineno + sub.scan.line_offset, column=node.col_offset + 1,
                            evidence=sub.scan.evidence(cast(ast.Call, node)),  # any node: its source lines
                            confidence="low" if "low" in (gate, hit.confidence) else "medium",
                            loader=qualname if "?" not in qualname else (
                                spec.patterns[0] if spec.patterns else qualname),
                            note="; ".join(x for x in (hit.note, where) if x)))
        return out

    def _plain(self, call: ast.Call, scope: Scope, matches: list[tuple[LoaderSpec, dict[str, str], str, bool]],
               ) -> tuple[dict[int, frozenset[str | None]], frozenset[str]]:
        """For :meth:`_overridden`: the ids each loader entry of ``call`` finds with no attribute overridden
        (by position in ``matches``), and the attributes of ``self`` its evaluation (gates included) asks
        for; worked out once per load of the module, whichever subclass asks."""
        from modelclear.scan.pymodule import gate_action

        done = self._plain_memo.get(id(call))
        if done is not None:
            return done
        reads: set[str] = set()
        plain = FlowResolver(self.scan.resolver, {}, reads=reads)
        ids: dict[int, frozenset[str | None]] = {}
        for number, (spec, groups, qualname, bare) in enumerate(matches):
            if spec.arg is None or self.scan.budget.steps.exhausted:
                continue
            ids[number] = frozenset(h.id for h in self._hits(call, scope, spec, groups, qualname, bare, plain))
            gate_action(Site(cast("ModuleScan", _ScanView(self.scan, plain)), call, scope, spec, groups,
                             qualname, bare), plain)
        done = self._plain_memo[id(call)] = (ids, frozenset(reads))
        return done

    def _hits(self, call: ast.Call, scope: Scope, spec: LoaderSpec, groups: Mapping[str, str], qualname: str,
              bare: bool, resolver: FlowResolver) -> list[Hit]:
        """What the id builders find at one loader call of this module, evaluated by ``resolver``."""
        site = Site(cast("ModuleScan", _ScanView(self.scan, resolver)), call, scope, spec, groups, qualname, bare)
        self.scan._describing.add(id(call))
        try:
            return list(build(site))
        finally:
            self.scan._describing.discard(id(call))

    def _targets(self, call: ast.Call, scope: Scope) -> list[Scope]:
        """The function scopes a call runs: a function, a class's ``__init__``, a method of a class or of ``self``."""
        func = call.func
        resolver = self.scan.resolver
        if isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls") and scope.cls is not None:
                classes = [scope.cls]
            else:
                classes = [v.scope for v in (w.cls if isinstance(w, Instance) else w
                                             for w in resolver.resolve(owner, scope).values)
                           if isinstance(v, ClassRef)]
            return [m for cls in classes for m in methods(cls) if m.name == func.attr]
        if not isinstance(func, ast.Name):
            return []
        out: list[Scope] = []
        for value in resolver.resolve(func, scope).values:
            if isinstance(value, FuncRef):
                out.append(value.scope)
            elif isinstance(value, ClassRef):
                from modelclear.scan.pyclasses import hierarchy

                out.extend(hierarchy(self.scan.index).methods_named(value.scope, "__init__")[:1])
        return out

    def _call(self, call: ast.Call, scope: Scope) -> list[Reference]:
        out: list[Reference] = []
        for target in self._targets(call, scope):
            out.extend(self._through(call, scope, self, target))
        return out

    def _imported(self, call: ast.Call, scope: Scope) -> list[Reference]:
        """A call of a name imported from another project module that wraps a loader (:mod:`pywrappers`)."""
        from modelclear.scan.pywrappers import WRAPPERS

        ctx = self.scan.ctx
        if ctx is None:
            return []
        found = WRAPPERS.target(ctx, self._callee(call), self.scan.index.module_name)
        if WRAPPERS.capped and not self.scan.wrappers_capped:
            self.scan.wrappers_capped = True
        if found is None:
            return []
        other, target = found
        return self._through(call, scope, other, target)

    def _through(self, call: ast.Call, scope: Scope, flow: Flow, target: Scope) -> list[Reference]:
        """References of ``call`` through the loads of ``flow``'s module that depend on ``target``'s parameters."""
        sites = flow.sites_for(target)
        if not sites:
            return []
        resolver = FlowResolver(flow.scan.resolver, self._bind(call, scope, target, flow.scan.resolver))
        known: dict[str, bool] = {}
        out: list[Reference] = []
        for site in sites[:MAX_SITES_PER_CALL]:
            carried = site.carried.get(id(target), frozenset())
            used = {n for n in site.params[id(target)] if self._known(n, target, call, resolver, known)
                    and (n not in carried or _built(resolver.param(target.params[n], 0).values))}
            if used:
                nodes = [find_arg(call, target.params[n].position, (n,)) for n in sorted(used)]
                line = min((n.lineno for n in nodes if n is not None), default=call.lineno)
                out.extend(self._load(call, line, target, site, resolver, flow.scan))
        return out

    @staticmethod
    def _known(name: str, target: Scope, call: ast.Call, resolver: FlowResolver, known: dict[str, bool]) -> bool:
        """Whether the call passes parameter ``name`` a value we can work out (an unknown one adds nothing)."""
        if name not in known:
            param = target.params[name]
            known[name] = find_arg(call, param.position, (name,)) is not None and bool(
                resolver.param(param, 0).values)
        return known[name]

    def _bind(self, call: ast.Call, scope: Scope, target: Scope,
              inner: Resolver) -> dict[int, Res | Callable[[], Res]]:
        """The values the call gives the target's parameters (defaults evaluated by ``inner``, the
        resolver of the target's module), each worked out only when the evaluation reads it."""
        return self._bind_with(call, scope, target, self.scan.resolver, inner)

    @staticmethod
    def _bind_with(call: ast.Call, scope: Scope, target: Scope, resolver: Resolver,
                   inner: Resolver) -> dict[int, Res | Callable[[], Res]]:
        """:meth:`_bind` with the call's arguments worked out by ``resolver``."""
        seeds: dict[int, Res | Callable[[], Res]] = {}
        star = has_star_args(call)
        for name, param in target.params.items():
            node = find_arg(call, param.position, (name,))
            if node is not None:
                seeds[id(param)] = functools.partial(resolver.resolve, node, scope)
            elif star:
                seeds[id(param)] = Res(unknown=[name], indirect=True, notes=["passed through *args/**kwargs"])
            elif param.default is not None:
                seeds[id(param)] = functools.partial(inner.resolve, param.default, param.outer)
            else:
                seeds[id(param)] = Res(unknown=[name], indirect=True)
        return seeds

    def _load(self, call: ast.Call, line: int, target: Scope, load: LoadSite, resolver: FlowResolver,
              inner: ModuleScan) -> list[Reference]:
        """The references of one load of a wrapper, at the line of the argument that reaches it."""
        from modelclear.scan.pymodule import gate_action  # pymodule imports this module

        where_load = load
        load, resolver, inner = _unwind(load, resolver, inner)  # through the wrappers it calls, to the real load
        view = cast("ModuleScan", _ScanView(inner, resolver))
        site = Site(view, load.call, load.scope, load.spec, load.groups, load.qualname, load.bare)
        gate = gate_action(site, resolver)
        if gate == "skip":
            return []
        offset = self.scan.line_offset
        wrapper = target.cls.name if target.name == "__init__" and target.cls is not None else target.name
        place = f"line {load.call.lineno + offset}" if inner is self.scan else f"{inner.path}:{load.call.lineno}"
        where = f"passed to {wrapper}(), which loads it at {place}"
        if where_load.conditional or load.conditional:
            where += " (only on some paths)"
        out: list[Reference] = []
        seen: set[str] = set()
        inner._describing.add(id(load.call))  # a model object the load rebinds is not itself
        try:
            hits = build(site)
        finally:
            inner._describing.discard(id(load.call))
        for hit in hits:
            if hit.id is None or hit.id in seen or _MARK in hit.raw or hit.raw in where_load.independent:
                continue
            seen.add(hit.id)
            note = "; ".join(x for x in (hit.note, where) if x)
            out.append(Reference(
                raw=hit.raw, kind=hit.kind, id=hit.id, path=self.scan.path, line=line + offset,
                column=call.col_offset + 1, evidence=self.scan.evidence(call),
                confidence="low" if "low" in (gate, hit.confidence) else "medium",
                loader=load.qualname if "?" not in load.qualname else (
                    load.spec.patterns[0] if load.spec.patterns else load.qualname),
                note=note))
        return out


#: How many project modules deep the current summary is (one process scans one file at a time).
_DEPTH = [0]


def _unwind(load: LoadSite, resolver: Resolver, scan: ModuleScan,
            summary: bool = False) -> tuple[LoadSite, FlowResolver, ModuleScan]:
    """Through the wrappers a load passes its value to (``load.via``), to the real loader call: each
    relay call's arguments are worked out by the resolver of the caller and bound to the parameters of
    the wrapper it runs, whose module's scan the real load belongs to."""
    current = cast(FlowResolver, resolver)
    while load.via is not None:
        relay, relay_scope, wrapper_scope, inner_load, flow = load.via
        inner = flow.scan.resolver
        current = FlowResolver(inner, Flow._bind_with(relay, relay_scope, wrapper_scope, current, inner),
                               summary=summary)
        scan = flow.scan
        load = inner_load
    return load, current, scan


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


def _super_method(func: ast.expr) -> str | None:
    """``name`` of a callee ``super().name`` or ``super(Cls, self).name``, else None."""
    if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"):
        return func.attr
    return None


def _head(func: ast.expr) -> str:
    """The first name of a dotted callee (``models`` of ``models.SentenceBERT``), or ""."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else ""


def _scopes_up(scope: Scope) -> list[Scope]:
    out: list[Scope] = []
    current: Scope | None = scope
    while current is not None:
        out.append(current)
        current = current.parent
    return out


def _enclosing_function(scope: Scope) -> Scope:
    for current in _scopes_up(scope):
        if current.kind == "function":
            return current
    return scope


def _carried(values: Iterable[object], step: str) -> list[str]:
    """Marked values (a parameter, or a part of one) that an attribute, item or loop item of them carries
    on: ``§0§`` -> ``§0§¶.dataset_name§`` (still holding the parameter's mark); at most
    :data:`MAX_SITES_PER_CALL`, each at most 256 characters."""
    out: list[str] = []
    for value in values:
        if isinstance(value, str) and value.startswith(_MARK) and value.endswith(_MARK) and len(value) < 256:
            out.append(f"{value}{_STEP}{step}{_MARK}")
            if len(out) >= MAX_SITES_PER_CALL:
                break
    return out


def _carried_only(values: Iterable[object], marks: dict[str, tuple[Scope, str]]) -> dict[int, frozenset[str]]:
    """The parameters (by function scope) whose mark the values carry only with an attribute or entry
    after it (``§0§¶.dataset_name§``), never alone or inside a string built from it (``§0§.pth``)."""
    carried: dict[int, set[str]] = {}
    direct: set[tuple[int, str]] = set()
    for value in values:
        if not isinstance(value, str) or _MARK not in value:
            continue
        for mark, (fscope, name) in marks.items():
            start = value.find(mark)
            while start >= 0:
                after = value[start + len(mark):start + len(mark) + 1]
                if after == _STEP:
                    carried.setdefault(id(fscope), set()).add(name)
                else:
                    direct.add((id(fscope), name))
                start = value.find(mark, start + 1)
    out = {key: frozenset(n for n in names if (key, n) not in direct) for key, names in carried.items()}
    return {key: names for key, names in out.items() if names}


def _built(values: Iterable[object]) -> bool:
    """Whether a caller's argument is an object it built itself (a project class's instance with keyword
    arguments, a dict or a tuple), whose attributes or entries are the caller's own values."""
    return any(isinstance(v, (Instance, dict, tuple)) for v in values)


def _marked_params(chain: list[Scope]) -> tuple[dict[int, Res], dict[str, tuple[Scope, str]]]:
    """Each parameter of the functions in ``chain`` seeded with its own marker value, and what each marker means."""
    seeds: dict[int, Res] = {}
    marks: dict[str, tuple[Scope, str]] = {}
    for fscope in chain:
        for name, param in fscope.params.items():
            mark = f"{_MARK}{len(marks)}{_MARK}"
            marks[mark] = (fscope, name)
            seeds[id(param)] = Res(values=[mark])
    return seeds, marks


def _reached(values: Iterable[object], marks: dict[str, tuple[Scope, str]]) -> dict[int, frozenset[str]]:
    """Which parameters (by function scope) a load's resolved values carry the markers of."""
    reached: dict[int, set[str]] = {}
    for value in values:
        if not isinstance(value, str) or _MARK not in value:
            continue
        for mark, (fscope, name) in marks.items():
            if mark in value:
                reached.setdefault(id(fscope), set()).add(name)
    return {k: frozenset(v) for k, v in reached.items()}
