"""Class attributes that override what a base class of another project module loads (issue 10, cause 1).

``class ColbertRanker(BaseRanker): model_name = "org/b"`` over ``CrossEncoder(self.model_name)`` in
``BaseRanker`` (another module): each id the load takes with the subclass's value, and does not take for
the base class itself, is a reference at the overriding line. :class:`Overrides` is the part of
:class:`~modelclear.scan.pyflow.Flow` that works this out; what a load finds with no attribute overridden,
and which attributes of ``self`` it reads, is worked out once per load (:meth:`Overrides._plain`), so
an attribute the load never reads is not evaluated again for each subclass.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from modelclear.model import Reference
from modelclear.scan.builders import Hit, Site, build
from modelclear.scan.pyflowmarks import MAX_SITES_PER_CALL
from modelclear.scan.pyflowresolve import FlowResolver, ScanView
from modelclear.scan.pyflowscopes import enclosing_function
from modelclear.scan.pyindex import Scope
from modelclear.scan.pyvalues import Res

if TYPE_CHECKING:
    from modelclear.scan.pyloaders import LoaderSpec
    from modelclear.scan.pymodule import ModuleScan


class Overrides:
    """The overriding class attributes of a module's classes (mixed into :class:`~modelclear.scan.pyflow.Flow`)."""

    if TYPE_CHECKING:  # provided by :class:`~modelclear.scan.pyflow.Flow`
        scan: ModuleScan
        _loads: list[tuple[ast.Call, Scope, list[Scope]]]
        _plain_memo: dict[int, tuple[dict[int, frozenset[str | None]], frozenset[str]]]

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

    def _overridden(self, sub: Overrides, cls: Scope, base: Scope,
                    values: Mapping[str, tuple[ast.expr, Res]]) -> list[Reference]:
        """References at ``sub``'s class ``cls`` for the loads of ``base`` (a class of this module) whose
        ids change when ``self.attr`` has the values ``cls`` gives it."""
        from modelclear.scan.pyclasses import hierarchy
        from modelclear.scan.pymodule import gate_action

        classes = {id(base), *(id(c) for c in hierarchy(self.scan.index).ancestors(base))}
        loads = [(call, scope) for call, scope, _ in self._loads
                 if enclosing_function(scope).cls is not None and id(enclosing_function(scope).cls) in classes]
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
                    site = Site(cast("ModuleScan", ScanView(self.scan, changed)), call, scope, spec, groups,
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
            gate_action(Site(cast("ModuleScan", ScanView(self.scan, plain)), call, scope, spec, groups,
                             qualname, bare), plain)
        done = self._plain_memo[id(call)] = (ids, frozenset(reads))
        return done

    def _hits(self, call: ast.Call, scope: Scope, spec: LoaderSpec, groups: Mapping[str, str], qualname: str,
              bare: bool, resolver: FlowResolver) -> list[Hit]:
        """What the id builders find at one loader call of this module, evaluated by ``resolver``."""
        site = Site(cast("ModuleScan", ScanView(self.scan, resolver)), call, scope, spec, groups, qualname, bare)
        self.scan._describing.add(id(call))
        try:
            return list(build(site))
        finally:
            self.scan._describing.discard(id(call))
