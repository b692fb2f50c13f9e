"""Evaluating a module's code with given parameter values, for wrapper summaries and calls of wrappers.

:class:`FlowResolver` is the module's :class:`~modelclear.scan.pyresolve.Resolver` with some parameters
seeded (markers for a summary, a caller's arguments for a call: :func:`bind_arguments`) and class
attributes a subclass overrides; :class:`LoadSite` is one summarised load of a wrapper; :func:`unwind`
follows a load through the wrappers it is relayed by, to the real loader call.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from modelclear.scan.pyflowmarks import MARK, carried
from modelclear.scan.pyindex import Param, Scope
from modelclear.scan.pyresolve import Resolver
from modelclear.scan.pyvalues import Res, find_arg, has_star_args

if TYPE_CHECKING:
    from modelclear.scan.pyflow import Flow
    from modelclear.scan.pyloaders import LoaderSpec
    from modelclear.scan.pymodule import ModuleScan


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
        mark = next((v for v in key.values if isinstance(v, str) and MARK in v), "")
        if self.summary and key.values and all(isinstance(k, (str, int)) and not isinstance(k, bool)
                                               and (not isinstance(k, str) or MARK not in k) for k in key.values):
            # `args.mixture["datasets"]`, `model_path[0]`: an entry of what the caller passes is the caller's
            # when the caller built it (a dict, a tuple: see `built`; of a string, [0] is a character)
            out.values.extend(carried(self.resolve(node.value, scope, depth).values, "[]"))
        if not self.summary and not mark:
            dicts = [v for v in self.resolve(node.value, scope, depth).values if isinstance(v, dict)]
            if dicts and (key.unknown or not any(isinstance(k, (str, int, float, bool)) and k in d
                                                 for d in dicts for k in key.values)):
                mark = MARK
        if mark:
            out.values = [v + mark if isinstance(v, str) and MARK not in v else v for v in out.values]
        return out

    def _r_Attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Res:
        """``args.dataset_name`` of a parameter ``args``: in a summary, a field of the object the caller
        passes depends on that parameter (it carries the mark), beside what the module says of the
        attribute (its defaults, which are the load's own)."""
        out = super()._r_Attribute(node, scope, depth)
        if self.summary and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            out.values.extend(carried(self.resolve(node.value, scope, depth).values, "." + node.attr))
        return out

    def iterate(self, res: Res) -> Res:
        """``for config in args.mixture``: in a summary, each item of what the caller passes is the caller's."""
        out = super().iterate(res)
        if self.summary:
            out.values.extend(carried(res.values, "[]"))
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


class ScanView:
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
    #: built (:func:`built`), not one whose attributes the wrapper's module works out the same way.
    carried: Mapping[int, frozenset[str]] = field(default_factory=dict)


def bind_arguments(call: ast.Call, scope: Scope, target: Scope, resolver: Resolver,
               inner: Resolver) -> dict[int, Res | Callable[[], Res]]:
    """The values a call gives the parameters of ``target`` (the function it runs): its arguments worked out
    by ``resolver`` (the caller's), defaults by ``inner`` (the resolver of ``target``'s module); each is
    worked out only when the evaluation reads it."""
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


def unwind(load: LoadSite, resolver: Resolver, scan: ModuleScan,
            summary: bool = False) -> tuple[LoadSite, FlowResolver, ModuleScan]:
    """Through the wrappers a load passes its value to (``load.via``), to the real loader call: each
    relay call's arguments are worked out by the resolver of the caller and bound to the parameters of
    the wrapper it runs, whose module's scan the real load belongs to."""
    current = cast(FlowResolver, resolver)
    while load.via is not None:
        relay, relay_scope, wrapper_scope, inner_load, flow = load.via
        inner = flow.scan.resolver
        current = FlowResolver(inner, bind_arguments(relay, relay_scope, wrapper_scope, current, inner),
                               summary=summary)
        scan = flow.scan
        load = inner_load
    return load, current, scan
