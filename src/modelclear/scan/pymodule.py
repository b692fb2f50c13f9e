"""One Python module being scanned: which calls are loader calls, and the references they make.

:class:`ModuleScan` holds the state of scanning one module (or one notebook cell): its source lines,
its :class:`~modelclear.scan.pyindex.ModuleIndex`, a :class:`~modelclear.scan.pyresolve.Resolver`
over it and the project constants, and the loader table. For every call of the module it finds the
loader entries the callee matches (after import resolution, star-imports, ``getattr(module, name)``
and names or containers holding a library callable), applies the entry's gates
(:func:`gate_action`), hands the call to the entry's id builder (:mod:`modelclear.scan.builders`)
and turns the hits into :class:`~modelclear.model.Reference` values with their confidence and
notes. The budgets of the file (:class:`modelclear.scan.python.FileBudget`) bound the work; what
ran out is reported by :meth:`ModuleScan.budget_warnings`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import budget_warning
from modelclear.scan.builders import Site, build
from modelclear.scan.builders.base import normal_folder, string_values
from modelclear.scan.pyflow import Flow
from modelclear.scan.pyflowscopes import module_attribute, own_method
from modelclear.scan.pyindex import Scope, build_index
from modelclear.scan.pyloaders import LoaderSpec, LoaderTable, items, load_table, table_for
from modelclear.scan.pyregistry import with_registry_entries
from modelclear.scan.pyresolve import Resolver
from modelclear.scan.pyvalues import MAX_UNION, Opaque, QName, Res, expr_text, find_arg, has_star_args

if TYPE_CHECKING:
    from modelclear.scan.python import FileBudget

_IGNORE_RE = re.compile(r"\bmodelclear:\s*ignore\b")  # searched from a line's first "#" (linear)


def gate_action(site: Site, resolver: Resolver) -> str:
    """``skip`` if a gate says the call loads nothing; ``low`` if a gate could not be evaluated."""
    outcome = "ref"
    for gate in site.spec.gates:
        node = find_arg(site.call, gate.arg.pos, gate.arg.kw)
        if node is None:
            if has_star_args(site.call):
                outcome = "low"
                continue
            if gate.missing == "skip":
                return "skip"
            continue
        res = resolver.resolve(node, site.scope)
        actions = set()
        for value in res.values:
            if value is None:
                actions.add(gate.none)
            elif isinstance(value, (Opaque, QName)):
                actions.add("low")
            elif not value:
                actions.add(gate.falsy)
            else:
                actions.add(gate.truthy)
        if res.unknown:
            actions.add("low")
        if actions == {"skip"}:
            return "skip"
        if "low" in actions or ("skip" in actions and len(actions) > 1):
            outcome = "low"
    return outcome


def _same_parameter(node: ast.AST, pos: int | None, names: tuple[str, ...]) -> bool:
    """Whether the method ``node``'s parameter at call position ``pos`` (after ``cls``/``self``) is named as one
    of ``names``, the library loader's own names for that argument."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or pos is None:
        return False
    params = [*node.args.posonlyargs, *node.args.args]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
    if not static:
        params = params[1:]
    return pos < len(params) and params[pos].arg in names


class ModuleScan:
    """The state of scanning one module: source lines, index, resolver, loader table."""

    def __init__(self, source: str, tree: ast.Module, path: str, ctx: ScanContext | None,
                 module_name: str, line_offset: int, budget: FileBudget) -> None:
        self.source = source
        self.lines = source.splitlines()
        #: Whether any line may carry an ignore comment (most modules have none: no line is searched).
        self._may_ignore = "modelclear" in source
        self.path = path
        self.root = ctx.root if ctx is not None else None
        #: The scan's context; ``nested`` is True for a module scanned for its wrappers (pywrappers).
        self.ctx = ctx
        self.nested = False
        #: Whether a wrapper module was left unloaded for the per-process cap (a ``budget`` warning).
        self.wrappers_capped = False
        self.line_offset = line_offset
        self.table: LoaderTable = table_for(ctx.loaders) if ctx is not None else load_table()
        self.budget = budget
        self.module_name = module_name
        self.index, cut = build_index(tree, module_name, self.budget.nodes.left())
        #: Line of the first top-level statement the index left out for the node budget (0: none).
        self.index_cut = cut
        self.budget.nodes.spend(self.index.nodes)
        #: Line (in the file) of the first statement left out for the node budget; 0 if none was.
        self.cut_line = cut + line_offset if cut else (0 if self.index.complete else line_offset + 1)
        if cut or not self.index.complete:
            self.budget.nodes.exhausted = True
        project = ctx.project_constants if ctx is not None else {}
        self.resolver = Resolver(self.index, project, self._is_loader, self.budget.steps)
        self.resolver.project_env = getattr(ctx, "project_env", None) or {}  # issue 10, cause 3
        self._describing: set[int] = set()
        self._saved: frozenset[str] | None = None
        #: Line of the loader call during which the step budget ran out; 0 if it did not.
        self.exhausted_at = 0
        #: Line of the first loader call left out for the call budget; 0 if none was.
        self.calls_cut_at = 0
        #: Line of the first loader call some of whose argument's values were dropped (union cap); 0 if none.
        self.dropped_at = 0
        #: Every call matched as a loader call, with its scope (read by :mod:`modelclear.scan.pyflow`).
        self.loader_calls: list[tuple[ast.Call, Scope]] = []

    def _dynamic_callees(self, func: ast.expr, scope: Scope | None) -> list[str]:
        """``models.__dict__[name]`` / ``getattr(models, name)``: the callee for each candidate name."""
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Attribute) \
                and func.value.attr == "__dict__":
            owner, key = func.value.value, func.slice
        elif isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr" \
                and len(func.args) >= 2:
            owner, key = func.args[0], func.args[1]
        else:
            return []
        base = self.resolver.call_qualname(owner)
        res = self.resolver.resolve(key, scope or self.index.module)
        return [f"{base}.{name}" for name in string_values(res) if name.isidentifier()]

    def _matches(self, call: ast.Call,
                 scope: Scope | None = None) -> list[tuple[LoaderSpec, dict[str, str], str, bool]]:
        func = call.func
        if own_method(self.index, func):  # `MyNet.from_pretrained(...)` defined here: see pyflow
            return []
        dynamic = self._dynamic_callees(func, scope)
        if dynamic:
            found: list[tuple[LoaderSpec, dict[str, str], str, bool]] = []
            for qualname in dynamic:
                found.extend((spec, groups, qualname, True) for spec, groups in self.table.candidates(qualname)[:1])
            return found
        plain = self.resolver.call_qualname(func)
        names: list[tuple[str, bool]] = []
        head = func
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(head, ast.Name) and head.id not in self.index.imports and head.id not in self.index.bound:
            names.extend((f"{star}.{plain}", False) for star in self.index.stars)
        names.append((plain, False))
        out: list[tuple[LoaderSpec, dict[str, str], str, bool]] = []
        for qualname, bare in names:
            for spec, groups in self.table.candidates(qualname):
                out.append((spec, groups, qualname, bare))
            if out:
                return [] if self._project_method(func, qualname, out) else out
        for qualname in self._aliased_callees(func, scope):
            out.extend((spec, groups, qualname, True) for spec, groups in self.table.candidates(qualname)[:1])
        if out:
            return out
        if isinstance(func, ast.Name) and func.id not in self.index.bound and func.id not in self.index.imports:
            for spec in self.table.bare.get(func.id, ()):
                out.append((spec, {}, func.id, True))
        return out

    def _project_method(self, func: ast.expr, qualname: str,
                        found: list[tuple[LoaderSpec, dict[str, str], str, bool]]) -> bool:
        """``VoiceTTS.from_pretrained(device)`` of a class imported from another project module that defines the
        method itself: the project's code runs (followed by pyflow), not the library loader of that name that
        only an any-owner pattern (``*.from_pretrained``) matched (issue 10).

        A method whose parameter at the loader's argument has the library's own name for it
        (``from_pretrained(cls, pretrained_model_name_or_path)``) keeps the library's signature: the value a
        caller passes there is read as the library's loader reads it, even when the body hands it to a library
        this scanner does not know."""
        if self.ctx is None or not (isinstance(func, ast.Attribute) and module_attribute(func, self.index.imports)):
            return False
        if not all(spec.by_wildcard_only(qualname) for spec, _, _, _ in found):
            return False
        from modelclear.scan.pywrappers import WRAPPERS

        method = WRAPPERS.project_method(self.ctx, qualname, self.index.module_name)
        if method is None:
            return False
        return not any(spec.arg is not None and _same_parameter(method.node, spec.arg.pos, spec.arg.kw)
                       for spec, _, _, _ in found)

    def _aliased_callees(self, func: ast.expr, scope: Scope | None) -> list[str]:
        """Callees reached through a name or container holding a library callable.

        ``builder = keras.applications.Xception; builder(weights="imagenet")``,
        ``for arch in (models.resnet18, models.resnet50): arch(pretrained=True)`` and
        ``ARCHS[name](pretrained=True)`` / ``ARCHS.get(name)(...)`` call the library function the value names;
        ``bundle = torchaudio.pipelines.HUBERT_BASE; bundle.get_model()`` calls a method of a library object.
        """
        if isinstance(func, ast.Attribute):
            head = func.value
            if not (isinstance(head, ast.Name) and head.id not in self.index.imports
                    and self._alias_bound(head.id, scope or self.index.module)):
                return []
            owner = self.resolver.resolve(head, scope or self.index.module)
            return list(dict.fromkeys(f"{v.name}.{func.attr}" for v in owner.values if isinstance(v, QName)))
        if isinstance(func, ast.Name):
            if func.id in self.index.imports or not self._alias_bound(func.id, scope or self.index.module):
                return []
        elif not (isinstance(func, ast.Subscript) or (
                isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr == "get")):
            return []
        res = self.resolver.resolve(func, scope or self.index.module)
        return list(dict.fromkeys(v.name for v in res.values if isinstance(v, QName)))

    @staticmethod
    def _alias_bound(name: str, scope: Scope) -> bool:
        """Whether ``name`` is bound (in ``scope`` or an enclosing one) to a value that may be a callable."""
        current: Scope | None = scope
        while current is not None:
            for binding in current.assigns.get(name, ()):
                if binding[0] == "iter" or (binding[0] == "value" and isinstance(
                        binding[1], (ast.Attribute, ast.Name, ast.Subscript, ast.IfExp))):
                    return True
                if binding[0] == "value" and isinstance(binding[1], ast.Call) and isinstance(
                        binding[1].func, ast.Name) and binding[1].func.id == "getattr":
                    return True  # bundle = getattr(torchaudio.pipelines, name)
            current = current.parent
        return False

    def _is_loader(self, call: ast.Call, dotted: str) -> bool:
        return bool(self._matches(call))

    def describe_object(self, node: ast.expr, scope: Scope) -> str:
        """What a model object passed to a loader is: the id it was loaded from, when we can tell."""
        if isinstance(node, ast.Name):
            current: Scope | None = scope
            while current is not None:
                for binding in current.assigns.get(node.id, ()):
                    value = binding[1]
                    # `model = PeftModel.from_pretrained(model, ...)` rebinds the name it describes:
                    # a call already being described is skipped, not followed again.
                    if binding[0] == "value" and isinstance(value, ast.Call) and id(value) not in self._describing \
                            and self._matches(value):
                        self._describing.add(id(value))
                        try:
                            ids_found = [r.id or r.raw for r in self.references_for(value, binding[2])]
                        finally:
                            self._describing.discard(id(value))
                        if ids_found:
                            return ", ".join(dict.fromkeys(ids_found))
                current = current.parent
        return f"`{expr_text(node, 80)}`"

    def ignored(self, call: ast.Call) -> bool:
        """Whether the call carries a ``# modelclear: ignore`` comment."""
        if not self._may_ignore:
            return False
        for line in {call.lineno, getattr(call, "end_lineno", None) or call.lineno}:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            hash_at = text.find("#")
            if hash_at >= 0 and _IGNORE_RE.search(text, hash_at):
                return True
        return False

    def evidence(self, call: ast.Call) -> str:
        """The call's source text, whitespace collapsed and shortened."""
        end = getattr(call, "end_lineno", None) or call.lineno
        text = " ".join(" ".join(self.lines[call.lineno - 1:end][:6]).split())
        return text if len(text) <= 240 else text[:239] + "…"

    def references_for(self, call: ast.Call, scope: Scope) -> list[Reference]:
        """The references of one call (empty when it is not a loader call or loads nothing)."""
        matches = self._matches(call, scope)
        if matches:
            self.loader_calls.append((call, scope))
        out: list[Reference] = []
        done: set[str] = set()
        for spec, groups, qualname, bare in matches:
            if qualname in done:
                continue
            done.add(qualname)
            out.extend(self._references(call, scope, spec, groups, qualname, bare))
        return out

    def _references(self, call: ast.Call, scope: Scope, spec: LoaderSpec, groups: Mapping[str, str],
                    qualname: str, bare: bool) -> list[Reference]:
        site = Site(self, call, scope, spec, groups, qualname, bare)
        gate = gate_action(site, self.resolver)
        if gate == "skip":
            return []
        self._describing.add(id(call))  # a model object it rebinds (`m = Peft...(m, ...)`) is not itself
        try:
            hits = build(site)
        finally:
            self._describing.discard(id(call))
        if site.dropped and not self.dropped_at:
            self.dropped_at = call.lineno + self.line_offset
        arg_res = None
        out: list[Reference] = []
        seen: set[tuple[str | None, str]] = set()
        for hit in hits:
            local = hit.id is None and hit.note.startswith("local")
            key = (hit.id, hit.raw if local else "")
            if key in seen:
                continue
            seen.add(key)
            confidence = hit.confidence
            if not confidence:
                if arg_res is None:
                    arg_res = site.value(spec.arg) if spec.arg is not None else Res()
                    if arg_res is None:
                        arg_res = Res()
                indirect = arg_res.indirect or len(string_values(arg_res)) > 1 or site.indirect
                confidence = "high"
                if hit.id is None:
                    confidence = "low" if hit.note.startswith(("value not", "value built")) or "not known" in hit.note \
                        else "medium" if indirect else "high"
                elif indirect or bare:
                    confidence = "medium"
            if gate == "low":
                confidence = "low"
            note = hit.note
            if arg_res is not None and arg_res.indirect and hit.id is not None and arg_res.notes:
                note = "; ".join(x for x in (note, *arg_res.notes[:2]) if x)
            if hit.id is not None and confidence == "medium" and arg_res is not None and arg_res.indirect \
                    and spec.arg is not None:
                via = f"resolved from `{site.text(spec.arg)}`"
                note = "; ".join(x for x in (note, via) if x)
            out.append(Reference(
                raw=hit.raw,
                kind=hit.kind,
                id=hit.id,
                path=self.path,
                line=call.lineno + self.line_offset,
                column=call.col_offset + 1,
                evidence=self.evidence(call),
                confidence=confidence,
                loader=qualname if "?" not in qualname else (spec.patterns[0] if spec.patterns else qualname),
                note=note,
            ))
        return out

    def run(self) -> list[Reference]:
        """References of every loader call of the module, in source order.

        Once the file's step budget is used up, later calls are still reported, with their values
        left unresolved (:attr:`exhausted_at` says where that happened).
        """
        out: list[Reference] = []
        steps, calls = self.budget.steps, self.budget.calls
        if not self.nested:
            from modelclear.scan.pywrappers import WRAPPERS

            WRAPPERS.begin_file()
        for call, scope in sorted(self.index.calls, key=lambda item: (item[0].lineno, item[0].col_offset)):
            if self.ignored(call):
                continue
            fresh = not steps.exhausted
            found = self.references_for(call, scope)
            if found and not calls.spend():
                self.calls_cut_at = call.lineno + self.line_offset
                break
            out.extend(found)
            if fresh and steps.exhausted:
                self.exhausted_at = call.lineno + self.line_offset
        # calls of the module's own wrappers of loaders (issue 10, cause 1)
        if not self.calls_cut_at:
            flow = Flow(self, self.loader_calls)
            out.extend(flow.references({id(c) for c, _ in self.loader_calls}))
            flow.dispose()
        module = self.index.module.node
        if isinstance(module, ast.Module):  # registries (cause 2)
            out = with_registry_entries(out, module, self.source, self.line_offset)
        return out

    def saved_folders(self) -> frozenset[str]:
        """The folders this module saves to (``x.save_pretrained("out")``, ``output_dir=name`` of any call), as
        the ``saved_by`` entry of ``data/loaders/local_paths.yaml`` names them, without ``./`` or a trailing
        ``/``: a load of the same value reads that local output, not a Hub repository (issue 10)."""
        if self._saved is not None:
            return self._saved
        rule = self.table.table("local_paths").get("saved_by") or {}
        calls = set(items(rule.get("calls"))) if isinstance(rule, dict) else set()
        keywords = set(items(rule.get("keywords"))) if isinstance(rule, dict) else set()
        found: set[str] = set()
        for call, scope in self.index.calls:
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else ""
            nodes = [k.value for k in call.keywords if k.arg in keywords]
            if name in calls and call.args:
                nodes.append(call.args[0])
            for node in nodes:
                for value in self.resolver.resolve(node, scope).values:
                    if isinstance(value, str) and value.strip():
                        found.add(normal_folder(value))
        self._saved = frozenset(found)
        return self._saved

    def dispose(self) -> None:
        """Break the reference cycles of the scan (its index's scopes; the resolver's hook back to the
        scan) once nothing will read it again, so reference counting frees it with its syntax tree
        (see :mod:`modelclear.scan.gcpace`)."""
        self.index.dispose()
        self.resolver.dispose()
        self.loader_calls = []

    def budget_warnings(self) -> list[ScanWarning]:
        """A ``budget`` warning for each budget of the file that ran out here (once per file)."""
        out: list[ScanWarning] = []
        if self.cut_line and "nodes" not in self.budget.warned:
            self.budget.warned.add("nodes")
            out.append(budget_warning(
                self.path, f"more than {self.budget.nodes.limit:,} syntax-tree nodes: the code from line "
                           f"{self.cut_line} on was not analysed", line=self.cut_line))
        if self.calls_cut_at and "calls" not in self.budget.warned:
            self.budget.warned.add("calls")
            out.append(budget_warning(
                self.path, f"more than {self.budget.calls.limit:,} loader calls: the calls from line "
                           f"{self.calls_cut_at} on were not analysed", line=self.calls_cut_at))
        if self.dropped_at and "candidates" not in self.budget.warned:
            self.budget.warned.add("candidates")
            out.append(budget_warning(
                self.path, f"more than {MAX_UNION} candidate values for the id of the loader call at line "
                           f"{self.dropped_at}: the others were not reported", line=self.dropped_at))
        if self.wrappers_capped and "wrappers" not in self.budget.warned:
            self.budget.warned.add("wrappers")
            out.append(budget_warning(
                self.path, "too many project modules followed for wrappers of loaders in this scan: calls of "
                           "wrappers defined in further modules were not followed"))
        if self.exhausted_at and "steps" not in self.budget.warned:
            self.budget.warned.add("steps")
            out.append(budget_warning(
                self.path, f"resolution budget of {self.budget.steps.limit:,} steps used up at line "
                           f"{self.exhausted_at}: values of later loader calls are left unresolved",
                line=self.exhausted_at))
        return out
