"""Attributes and imported names as the resolver evaluates them (mixed into
:class:`~modelclear.scan.pyresolve.Resolver`).

``x.attr`` is worked out from what ``x`` is: ``self.attr`` / ``cls.attr`` in a method, over the module's
class hierarchy (:mod:`modelclear.scan.pyclasses`) and the exported attributes of base classes of other
project modules; an attribute of an imported module or class (a project constant, else a longer
:class:`~modelclear.scan.pyvalues.QName`); a field of an object built with keyword arguments
(:class:`~modelclear.scan.pyvalues.Instance`); a class attribute; an absl flag. An attribute of an object
that cannot be typed (``args.model``) is every argparse option, field or ``x.attr = ...`` of that name in
the module, else what the modules it imports, else any project module, give it
(:class:`~modelclear.scan.pyconsts.ProjectIndex`). Names imported from project modules are looked up
the same way, through star re-exports. Lookups are memoised per resolver; an attribute met again while
being resolved is unknown on that path.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import TYPE_CHECKING

from modelclear.scan.pyclasses import hierarchy
from modelclear.scan.pyconsts import ProjectIndex, is_test_module
from modelclear.scan.pyindex import ClassRef, FuncRef, ModuleIndex, Scope
from modelclear.scan.pyvalues import (
    _MISSING,
    GuardedMemo,
    Instance,
    Opaque,
    QName,
    Res,
    UnknownValue,
    _known,
    _unknown,
    expr_text,
    flatten,
)

#: Most classes between an imported module and a class attribute looked up (``module.Config.Model.NAME``).
MAX_CLASS_NESTING = 4

#: Most imported modules asked for an attribute's values (:meth:`Attributes._imported_attr`).
MAX_IMPORTED_MODULES = 32

#: The absl flag-values object; its attributes are the flags the module defines (``flags.DEFINE_*``).
_ABSL_FLAG_VALUES = frozenset({"absl.flags.FLAGS", "tensorflow.compat.v1.flags.FLAGS", "tensorflow.flags.FLAGS",
                               "tensorflow.app.flags.FLAGS", "tensorflow.compat.v1.app.flags.FLAGS"})

#: ``parser.parse_args_into_dataclasses()[0]`` (and the other parse methods of transformers'
#: HfArgumentParser / trl's TrlParser), as the value of a name unpacked from it is written.
_DATACLASS_PARSE_RE = re.compile(r"(?P<parser>[A-Za-z_]\w*)\.(?:parse_args_into_dataclasses|parse_args_and_config|"
                                 r"parse_yaml_file|parse_json_file|parse_dict)\(.*\)(?:\[(?P<index>\d+)\])?",
                                 re.DOTALL)

#: The sorted module names of the last project index asked (shared by every resolver of the scan).
_MODULE_NAMES: list[tuple[ProjectIndex, list[str]]] = []


def _sorted_modules(project: ProjectIndex) -> list[str]:
    """The project's module names, sorted (built once per project index)."""
    if _MODULE_NAMES and _MODULE_NAMES[0][0] is project:
        return _MODULE_NAMES[0][1]
    names = sorted(project.lazy.by_name if project.lazy is not None else project.modules)
    _MODULE_NAMES[:] = [(project, names)]
    return names


class Attributes:
    """Attribute and imported-name lookups of the resolver (see the module docstring)."""

    if TYPE_CHECKING:  # provided by :class:`~modelclear.scan.pyresolve.Resolver` and its evaluators
        index: ModuleIndex
        project: ProjectIndex
        _self_memo: GuardedMemo[tuple[int, str]]
        _attr_memo: GuardedMemo[str]
        _imported_attr_memo: dict[str, list[object]]

        def resolve(self, node: ast.expr, scope: Scope, depth: int = 0) -> Res: ...
        def binding(self, binding: tuple, depth: int) -> Res: ...
        def _parsed_args(self, node: ast.expr, scope: Scope, depth: int) -> bool: ...
        def _options_dict(self, depth: int) -> Res: ...

    def imported(self, dotted: str) -> Res:
        """Value of an imported dotted name: a project constant if the project defines it, else a QName."""
        module, _, attr = dotted.rpartition(".")
        if module:
            value = self.project_lookup(module, attr)
            if value is not _MISSING:
                return _known(*flatten(value), indirect=True)
        return _known(QName(dotted), indirect=True)

    # -- project constants
    def project_lookup(self, module: str, name: str) -> object:
        """A constant ``name`` of project module ``module`` (matched by dotted suffix), or _MISSING; a
        package that re-exports a module with ``from .x import *`` is looked through (two levels)."""
        found = self.project.lookup(module, name)
        if found is not _MISSING or name == "*":
            return found
        level = [module]
        for _ in range(2):
            following: list[str] = []
            for current in level:
                stars = self.project.lookup(current, "*")
                for star in stars if isinstance(stars, tuple) else ():
                    if not isinstance(star, str):
                        continue
                    if star.startswith("."):  # relative to the package whose __init__ holds it
                        dots = len(star) - len(star.lstrip("."))
                        parts = current.split(".")
                        parts = parts[:len(parts) - (dots - 1)] if dots > 1 else parts
                        star = ".".join([*parts, star.lstrip(".")])
                    if star == current:
                        continue
                    found = self.project.lookup(star, name)
                    if found is not _MISSING:
                        return found
                    following.append(star)
            level = following[:8]
            if not level:
                break
        return _MISSING

    def project_attr(self, attr: str) -> list[object]:
        """Values other project modules give to attribute ``attr`` (argparse options, dataclass fields)."""
        return self.project.attr(attr, tests=is_test_module(self.index.module_name))

    # -- attributes
    def _r_Attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Res:
        attr = node.attr
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls") and scope.cls is not None:
            return self._self_or_class_attr(scope.cls, attr, node, depth)
        if attr == "__dict__" and self._parsed_args(owner, scope, depth):
            return self._options_dict(depth)  # parser.parse_args().__dict__ (issue 10)
        base = self.resolve(owner, scope, depth)
        if attr == "value" and base.values and not base.unknown and all(
                isinstance(v, (str, int)) for v in base.values):
            return base  # an Enum member's value: `Models[name].value`, `Models.small.value` (issue 10)
        out = Res(indirect=True, notes=list(base.notes))
        fallback = bool(base.unknown)
        for value in base.values:
            if isinstance(value, Instance):  # `args.dataset_name` of `ScriptArguments(dataset_name=...)`
                passed = value.field(attr)
                if passed is not None:
                    out.add(_known(*passed, indirect=True) if passed else _unknown(expr_text(node)))
                    continue
                if isinstance(value.cls, QName):  # a class of another module: its field's default, if known
                    module, _, last = value.cls.name.rpartition(".")
                    found = self.project_lookup(module, f"{last}.{attr}") if module else _MISSING
                    if found is not _MISSING:
                        out.add(_known(*flatten(found), indirect=True))
                    else:
                        fallback = True
                    continue
                if value.cls is None:
                    fallback = True
                    continue
                value = value.cls
            if isinstance(value, QName) and value.name in _ABSL_FLAG_VALUES:
                out.add(self.attr_lookup(attr, node, depth))  # FLAGS.dataset: the DEFINE_* default
            elif isinstance(value, QName):
                out.add(self.qname_attr(value, attr))
            elif isinstance(value, ClassRef):
                bindings = self.index.class_attrs.get(id(value.scope), {}).get(attr)
                if bindings:
                    for binding in bindings:
                        out.add(self.binding(binding, depth))
                else:
                    fallback = True
            elif isinstance(value, dict) and attr in value:
                out.add(_known(*flatten(value[attr])))
            elif isinstance(value, Opaque) and (field := self._parsed_dataclass_field(value, node, scope, depth)):
                out.add(field)
            else:
                fallback = True
        if fallback:
            found = self.attr_lookup(attr, node, depth)
            if found.values or not base.unknown:
                out.add(found)
            else:
                out.add(_unknown(expr_text(node)))
                out.notes.extend(n for n in found.notes if n not in out.notes)
        return out

    def _parsed_dataclass_field(self, value: Opaque, node: ast.Attribute, scope: Scope, depth: int) -> Res | None:
        """``script_args.dataset_name`` of ``script_args, ... = parser.parse_args_into_dataclasses()`` with
        ``parser = HfArgumentParser((ScriptArguments, ...))``: the field of the dataclass at that position,
        wherever the project defines it; None when it is not found (issue 10: another class's attribute of
        that name, a callback's ``dataset_name="eval_dataset"``, is not this object's)."""
        match = _DATACLASS_PARSE_RE.fullmatch(value.text)
        if match is None:
            return None
        receiver = ast.Name(match["parser"], ast.Load())
        receiver.lineno, receiver.col_offset = node.lineno, node.col_offset
        attr = node.attr
        classes: list[str] = []
        for built in self.resolve(receiver, scope, depth).values:
            try:
                call = ast.parse(built.text, mode="eval").body if isinstance(built, Opaque) else None
            except SyntaxError:
                call = None
            if not isinstance(call, ast.Call) or not call.args:
                continue
            first = call.args[0]
            elts = first.elts if isinstance(first, (ast.Tuple, ast.List)) else [first]
            position = int(match["index"] or 0)
            if position < len(elts):
                classes.append(expr_text(elts[position]).rpartition(".")[2])
        out: Res | None = None
        for cls in classes:
            found = self.project.class_field(cls, attr)
            if found is not None:
                out = out or Res(indirect=True)
                out.add(_known(*found, indirect=True) if found else _unknown(f"{cls}.{attr}"))
        return out

    def qname_attr(self, value: QName, attr: str) -> Res:
        """``attr`` of an imported module or class: a project constant, else a longer QName."""
        found = self.project_lookup(value.name, attr)
        parts = value.name.split(".")
        # `Config.Model.NAME` of `from app.config import Config`: module `app.config`, key `Config.Model.NAME`
        for cut in range(len(parts) - 1, max(0, len(parts) - 1 - MAX_CLASS_NESTING), -1):
            if found is not _MISSING:
                break
            found = self.project_lookup(".".join(parts[:cut]), ".".join([*parts[cut:], attr]))
        if found is _MISSING and len(parts) >= 2 and parts[-1][:1].islower():
            # `settings.embedding_model` after `from app.config import settings` (`settings = Settings()`):
            # the attribute as that module's classes and objects give it (its `.attr` key), not another's
            found = self.project_lookup(".".join(parts[:-1]), "." + attr)
        known = [v for v in flatten(found) if not isinstance(v, UnknownValue)] if found is not _MISSING else []
        if known:
            return _known(*known, indirect=True)
        if value.name in ("os.environ",):
            return _unknown(f"os.environ.{attr}")
        return _known(QName(f"{value.name}.{attr}"), indirect=True)

    def _self_or_class_attr(self, cls: Scope, attr: str, node: ast.expr, depth: int) -> Res:
        """``self.attr`` in a method of ``cls``: the class's binding or its nearest base's, every subclass's
        override, a base of another project module's exported ``Base.attr``, else a method of that name
        (:mod:`modelclear.scan.pyclasses`); when none of them binds it, any attribute of that name."""
        tree = hierarchy(self.index)
        bindings, imported = tree.attr_bindings(cls, attr)
        inherited: list[object] = []
        for dotted in imported:
            module, _, last = dotted.rpartition(".")
            found = self.project_lookup(module, f"{last}.{attr}") if module else _MISSING
            if found is not _MISSING:
                inherited.extend(flatten(found))
        if bindings or inherited:
            out = self._self_attr(id(cls), attr, bindings, node, depth) if bindings else Res(indirect=True)
            out.add(_known(*inherited, indirect=True))
            return out
        methods = tree.methods_named(cls, attr)
        if methods:
            return _known(*(FuncRef(m) for m in methods), indirect=True)
        return self.attr_lookup(attr, node, depth)

    def _self_attr(self, cls: int, attr: str, bindings: list[tuple], node: ast.expr, depth: int) -> Res:
        """``self.attr`` of a class: every ``self.attr = ...`` / class-level binding, memoised.

        Unknown when met again while being resolved: ``self.buf = self.buf + new`` and
        ``self.buf = new + self.buf`` would otherwise fan out exponentially.
        """
        def bound() -> Res:
            out = Res(indirect=True)
            for binding in bindings:
                out.add(self.binding(binding, depth))
            return out

        done = self._self_memo.get((cls, attr), bound)
        return _unknown(expr_text(node)) if done is None else done

    def attr_lookup(self, attr: str, node: ast.expr, depth: int) -> Res:
        """Attribute of an object we cannot type: every argparse option, field or ``x.attr =`` of that name.

        Memoised per attribute name, and unknown when met again while being resolved: attribute chains
        (``a.x = b.y or c.x``) otherwise fan out exponentially.
        """
        done = self._attr_memo.get(attr, lambda: self._attr_lookup(attr, node, depth))
        if done is None:
            return _unknown(expr_text(node))
        if done.unknown and not done.values:
            return _unknown(expr_text(node), note=done.notes[0] if done.notes else "")
        return done

    def _attr_lookup(self, attr: str, node: ast.expr, depth: int) -> Res:
        bindings = self.index.attr_index.get(attr)
        out = Res(indirect=True)
        if bindings:
            for binding in bindings:
                out.add(self.binding(binding, depth))
            if attr in self.index.argparse_dests:
                out.notes.append(f"argparse default of {self.index.argparse_dests[attr]}")
            return out
        project = self._imported_attr(attr) or self.project_attr(attr)
        if project:
            for value in project:
                if isinstance(value, UnknownValue):
                    out.add(_unknown(expr_text(node), note=value.note))
                else:
                    out.add(_known(value, indirect=True))
            return out
        return _unknown(expr_text(node))



    def _imported_attr(self, attr: str) -> list[object]:
        """Values the project modules this module imports give to attribute ``attr`` (``args.model_path``
        whose option ``add_model_args`` of an imported module adds): when one of them gives it, the other
        modules' options of that name (another script's ``--model-path`` default) are not this one's."""
        memo = self._imported_attr_memo.get(attr)
        if memo is not None:
            return memo
        out: list[object] = []
        seen: set[str] = set()
        for dotted in list(self.index.imports.values())[:MAX_IMPORTED_MODULES]:
            for module in (dotted.rpartition(".")[0], dotted):
                if not module or module in seen:
                    continue
                seen.add(module)
                found = self.project.lookup(module, "." + attr)
                if found is not _MISSING:
                    out.extend(flatten(found))
        if not out:  # `from pkg.model import add_model_args` re-exported by the package: its submodules
            names = _sorted_modules(self.project)
            for package in sorted(m for m in seen if m.count(".") >= 1)[:MAX_IMPORTED_MODULES]:
                start = bisect.bisect_left(names, package + ".")
                for module in names[start:start + MAX_IMPORTED_MODULES]:
                    if not module.startswith(package + "."):
                        break
                    found = self.project.lookup(module, "." + attr)
                    if found is not _MISSING:
                        out.extend(flatten(found))
        self._imported_attr_memo[attr] = out
        return out
