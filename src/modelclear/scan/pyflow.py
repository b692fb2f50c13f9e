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
   (:class:`~modelclear.scan.pyflowresolve.FlowResolver`). Markers found in the value say which
   parameters reach the id: through
   the parameter itself, ``self.x = x`` read in another method, f-strings, ``+``, ``.format`` or a
   config object's field (``cfg.model_name`` where ``cfg`` is the parameter's default dataclass).
2. **Calls of a wrapper.** (A class of the module that defines ``from_pretrained`` itself is not the
   library's loader: :func:`~modelclear.scan.pyflowscopes.own_method` keeps ``MyNet.from_pretrained(x)``
   from being matched as one.)
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
load (:func:`~modelclear.scan.pyflowresolve.unwind`).

An attribute, string- or position-keyed entry, or loop item of a parameter (``args.dataset_name``,
``cfg["id"]``, ``model_path[0]``) carries the parameter's mark too
(:func:`~modelclear.scan.pyflowmarks.carried`); a caller adds such
values only when it passes an object it built (a project class's :class:`~modelclear.scan.pyvalues.Instance`,
a dict, a tuple), never an argparse namespace or a string, whose attributes the wrapper's module works
out the same way. ``super().__init__(x)`` and a class without its own ``__init__`` run the nearest base's
(:mod:`modelclear.scan.pyclasses`), and a class attribute overriding one a base class of another module
loads (``model_name = "org/b"`` over ``CrossEncoder(self.model_name)``) is reported at the overriding line
(:meth:`Flow.overrides`, :mod:`modelclear.scan.pyoverrides`).

The parts: :mod:`modelclear.scan.pyflowmarks` (marker values and what they say),
:mod:`modelclear.scan.pyflowscopes` (functions, methods and branches around a call),
:mod:`modelclear.scan.pyflowresolve` (evaluation with bound parameters, load sites, relays) and
:mod:`modelclear.scan.pyoverrides` (overriding class attributes); :class:`Flow` ties them together.
A flow no longer used is taken apart by :meth:`Flow.dispose` (its summaries may point back to it).

Work is bounded by the file's step budget (shared with the rest of the module's scan) and, for the
number of wrapper calls evaluated, by its loader-call budget; both report ``budget`` warnings from
:meth:`modelclear.scan.pymodule.ModuleScan.budget_warnings`. Nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from modelclear.model import Reference
from modelclear.scan.builders import Site, build
from modelclear.scan.pyflowmarks import MARK, MAX_SITES_PER_CALL, built, carried_only, marked_params, marks_reached
from modelclear.scan.pyflowresolve import FlowResolver, LoadSite, ScanView, bind_arguments, unwind
from modelclear.scan.pyflowscopes import (
    callee_head,
    enclosing_function,
    function_chain,
    methods,
    module_attribute,
    scopes_up,
    super_method,
    under_branch,
)
from modelclear.scan.pyindex import ClassRef, FuncRef, Scope
from modelclear.scan.pyoverrides import Overrides
from modelclear.scan.pyresolve import Resolver
from modelclear.scan.pyvalues import Instance, Res, call_name, find_arg

if TYPE_CHECKING:
    from modelclear.scan.pymodule import ModuleScan

__all__ = ["MAX_MODULE_DEPTH", "MAX_RELAY_ROUNDS", "MAX_SITES_PER_CALL", "Flow", "FlowResolver", "LoadSite"]

#: How many levels of wrappers calling wrappers of the same module are followed.
MAX_RELAY_ROUNDS = 3
#: How many project modules deep a wrapper calling a wrapper imported from another module is followed
#: (``detr.py`` -> ``main.download_pretrain_weights`` -> ``util.files.download_file`` -> ``requests.get``).
MAX_MODULE_DEPTH = 3


class Flow(Overrides):
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
            if id(call) in seen or not any(s.kind == "function" for s in scopes_up(scope)):
                continue
            seen.add(id(call))
            chain = function_chain(scope)
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
        #: id(function scope) -> the calls whose chain holds it (see :meth:`_calls_of`).
        self._chains: dict[int, list[tuple[str, ast.Call, Scope, list[Scope]]]] | None = None
        #: id(load call) -> what :meth:`~modelclear.scan.pyoverrides.Overrides._plain` worked out for it.
        self._plain_memo: dict[int, tuple[dict[int, frozenset[str | None]], frozenset[str]]] = {}

    def dispose(self) -> None:
        """Forget the summaries (a summary of a relay within the module points back to this flow)."""
        self._summaries = {}
        self._by_scope = {}
        self._plain_memo = {}
        self._chains = None

    def leads_into(self, flows: set[int]) -> bool:
        """Whether a summary worked out here passes through the module of one of ``flows`` (by ``id``)."""
        for sites in self._summaries.values():
            for site in sites:
                current: LoadSite | None = site
                while current is not None and current.via is not None:
                    if id(current.via[4]) in flows:
                        return True
                    current = current.via[3]
        return False

    def _name_chain(self, chain: list[Scope]) -> None:
        """Calls of the functions of ``chain`` (a class for its ``__init__``) may be wrapper calls."""
        for fscope in chain:
            self.names.add(fscope.name)
            if fscope.name == "__init__" and fscope.cls is not None:
                self.names.add(fscope.cls.name)

    def _find_relays(self, loader_calls: set[int]) -> None:
        """Calls of a wrapper made inside another function, whose parameters may reach the load through it."""
        taken: set[int] = set()
        imports = self.scan.index.imports
        for _ in range(MAX_RELAY_ROUNDS):
            grown = False
            for call, scope in self.scan.index.calls:
                if id(call) in loader_calls or id(call) in taken or not (call.args or call.keywords):
                    continue
                if call_name(call.func) not in self.names or not any(s.kind == "function" for s in scopes_up(scope)):
                    continue
                if module_attribute(call.func, imports):
                    continue  # another module's function of the same name (a cross-module call)
                taken.add(id(call))
                chain = function_chain(scope)
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
            if callee_head(call.func) not in imports and super_method(call.func) is None:
                continue
            if call_name(call.func) in self.names and not module_attribute(call.func, imports):
                continue
            if not any(s.kind == "function" for s in scopes_up(scope)):
                continue
            chain = function_chain(scope)
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
        for kind, call, scope, chain in self._calls_of(target):
            sites = self._summaries.get(id(call))
            if sites is None and kind == "load":
                sites = self._summaries[id(call)] = self._summarise(call, scope, chain)
            elif sites is None:
                self._summaries[id(call)] = []
                sites = self._summaries[id(call)] = self._summarise_relay(call, scope, chain, kind == "cross")
            out.extend(site for site in sites if id(target) in site.params)
        return out

    def _calls_of(self, target: Scope) -> list[tuple[str, ast.Call, Scope, list[Scope]]]:
        """The loads, then the relays, then the calls of other modules' wrappers whose function chain holds
        ``target`` (each list in its own order), from a table by function built on first use."""
        if self._chains is None:
            self._chains = {}
            for kind, calls in (("load", self._loads), ("relay", self._relays), ("cross", self._cross)):
                for call, scope, chain in calls:
                    if kind == "cross" and not self._may_cross(call):
                        continue  # (its summary would be empty: see _may_cross)
                    for fscope in {id(f): f for f in chain}.values():
                        self._chains.setdefault(id(fscope), []).append((kind, call, scope, chain))
        return self._chains.get(id(target), [])

    def _may_cross(self, call: ast.Call) -> bool:
        """Whether a call of an imported name may run a wrapper of another project module: a ``super()``
        call, or a callee that names a project module. Most such calls name a library (``nn.Linear(...)``,
        ``torch.cat(...)``): their summary would find no target and load nothing, so it is not worked out
        (the parameters of the whole function chain would be marked for nothing)."""
        from modelclear.scan.pywrappers import WRAPPERS

        ctx = self.scan.ctx
        if ctx is None:
            return False
        if super_method(call.func) is not None:
            return True
        return WRAPPERS.names_project_module(ctx, self._callee(call), self.scan.index.module_name)

    def _imported_targets(self, call: ast.Call, scope: Scope) -> list[tuple[Flow, Scope]]:
        """The wrapper of another project module a call inside a function runs (:mod:`pywrappers`),
        followed at most :data:`MAX_MODULE_DEPTH` modules deep from the file being scanned; for
        ``super().method(...)``, the base class's method (of this module or another)."""
        from modelclear.scan.pywrappers import WRAPPERS

        ctx = self.scan.ctx
        if ctx is None or _DEPTH[0] >= MAX_MODULE_DEPTH:
            return []
        name = super_method(call.func)
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

        cls = enclosing_function(scope).cls
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
        out: list[LoadSite] = []
        if not any(fscope.params for fscope in chain):
            return out  # no parameter to mark (the targets are not looked for either)
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
        if not any(loads for _flow, _wrapper, loads in found):
            return out  # nothing loads through the call: the parameters need no marks (most relays)
        seeds, marks = marked_params(chain)
        outer = FlowResolver(self.scan.resolver, seeds, summary=True)
        conditional = under_branch(call, enclosing_function(scope))
        for flow, wrapper, loads in found:
            for load in loads:
                if self.scan.budget.steps.exhausted:
                    return out
                inner = flow.scan.resolver
                resolver: Resolver = FlowResolver(inner, bind_arguments(call, scope, wrapper, outer, inner),
                                                  summary=True)
                last, resolver, where = unwind(load, resolver, flow.scan, summary=True)
                view = cast("ModuleScan", ScanView(where, resolver))
                site = Site(view, last.call, last.scope, last.spec, last.groups, last.qualname, last.bare)
                res = site.value(last.spec.arg) if last.spec.arg is not None else None
                if res is None:
                    continue
                reached = marks_reached(res.values, marks)
                if reached:
                    independent = frozenset(v for v in res.values if isinstance(v, str) and MARK not in v)
                    out.append(LoadSite(last.call, last.scope, last.spec, last.groups, last.qualname, last.bare,
                                        reached,
                                        conditional or load.conditional, independent | load.independent,
                                        (call, scope, wrapper, load, flow), carried_only(res.values, marks)))
        return out

    # -- summaries
    def _summarise(self, call: ast.Call, scope: Scope, chain: list[Scope]) -> list[LoadSite]:
        out: list[LoadSite] = []
        seeds, marks = marked_params(chain)
        if not marks:
            return out
        resolver = FlowResolver(self.scan.resolver, seeds, summary=True)
        view = cast("ModuleScan", ScanView(self.scan, resolver))
        for spec, groups, qualname, bare in self.scan._matches(call, scope):
            if spec.arg is None:
                continue
            site = Site(view, call, scope, spec, groups, qualname, bare)
            res = site.value(spec.arg)
            if res is None:
                continue
            reached = marks_reached(res.values, marks)
            independent = frozenset(v for v in res.values if isinstance(v, str) and MARK not in v)
            if reached:
                out.append(LoadSite(call, scope, spec, groups, qualname, bare,
                                    reached,
                                    under_branch(call, enclosing_function(scope)), independent,
                                    carried=carried_only(res.values, marks)))
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
            sup = super_method(call.func)
            local = sup is None and call_name(call.func) in self.names and not module_attribute(call.func, imports)
            if not local and sup is None and not (cross and callee_head(call.func) in imports):
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
                    and (n not in carried or built(resolver.param(target.params[n], 0).values))}
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
        return bind_arguments(call, scope, target, self.scan.resolver, inner)

    def _load(self, call: ast.Call, line: int, target: Scope, load: LoadSite, resolver: FlowResolver,
              inner: ModuleScan) -> list[Reference]:
        """The references of one load of a wrapper, at the line of the argument that reaches it."""
        from modelclear.scan.pymodule import gate_action  # pymodule imports this module

        where_load = load
        load, resolver, inner = unwind(load, resolver, inner)  # through the wrappers it calls, to the real load
        view = cast("ModuleScan", ScanView(inner, resolver))
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
            if hit.id is None or hit.id in seen or MARK in hit.raw or hit.raw in where_load.independent:
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
