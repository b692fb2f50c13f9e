"""The classes of one module as a hierarchy: what ``self.attr`` may be in a method (issue 10, cause 1-2).

A project often keeps a model id in a class attribute that subclasses override
(``class BaseRanker: model_name = "org/a"`` and ``class MultilingualRanker(BaseRanker): model_name = "org/b"``)
and loads it in a method of the base class (``CrossEncoder(self.model_name)``), or asks a method that
subclasses override (``self.default_tokenizer()``). In a method of a class, ``self.attr`` may therefore be:

* what the class itself binds (class-level ``attr = ...``, ``self.attr = ...`` in its methods);
* else what its nearest base class of the module binds (inheritance), or, for a base imported from
  another project module, that module's exported ``Base.attr`` (read by the resolver);
* and, in either case, what every subclass of the module binds to it (an override is the value
  ``self.attr`` has when the method runs on an object of the subclass).

A method (``self.default_tokenizer``) is looked up the same way among the classes' ``def``s.
:class:`Hierarchy` works this out from the module's syntax tree once per module (bases named by a plain
name or a dotted import), bounded by :data:`MAX_CLASSES` classes and :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from modelclear.scan.pyindex import ModuleIndex, Scope

#: Most classes of a module put in the hierarchy (a generated module may define thousands).
MAX_CLASSES = 2048
#: Deepest chain of base classes followed (up and down).
MAX_DEPTH = 8


class Hierarchy:
    """Base and subclass relations among the module-level classes of one module."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        #: id(class scope) -> its base classes of this module (in order).
        self.bases: dict[int, list[Scope]] = {}
        #: id(class scope) -> the classes of this module that name it as a base.
        self.subclasses: dict[int, list[Scope]] = {}
        #: id(class scope) -> the dotted names of its bases imported from elsewhere.
        self.imported_bases: dict[int, list[str]] = {}
        classes: dict[str, Scope] = {}
        for name, bindings in index.module.assigns.items():
            for binding in bindings:
                if binding[0] == "class" and isinstance(binding[2], Scope) and len(classes) < MAX_CLASSES:
                    classes.setdefault(name, binding[2])
        #: The module-level classes, in the order of the module's bindings.
        self.classes: list[Scope] = list(classes.values())
        for scope in classes.values():
            node = scope.node
            if not isinstance(node, ast.ClassDef):
                continue
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in classes and classes[base.id] is not scope:
                    parent = classes[base.id]
                    self.bases.setdefault(id(scope), []).append(parent)
                    self.subclasses.setdefault(id(parent), []).append(scope)
                    continue
                dotted = _dotted(base)
                if dotted:
                    head, _, rest = dotted.partition(".")
                    imported = index.imports.get(head)
                    if imported:
                        self.imported_bases.setdefault(id(scope), []).append(
                            f"{imported}.{rest}" if rest else imported)

    def descendants(self, cls: Scope) -> list[Scope]:
        """The subclasses of ``cls`` in this module, at any depth (breadth first, each once)."""
        return _breadth_first(cls, self.subclasses)

    def ancestors(self, cls: Scope) -> list[Scope]:
        """The base classes of ``cls`` in this module, nearest first (each once)."""
        return _breadth_first(cls, self.bases)

    def attr_bindings(self, cls: Scope, attr: str) -> tuple[list[tuple], list[str]]:
        """The bindings ``self.attr`` may have in a method of ``cls``: its own or its nearest module base's,
        and every subclass's override; and the imported bases to ask when neither ``cls`` nor a base of
        the module binds it (``pkg.base.BaseRanker``)."""
        attrs = self.index.class_attrs
        own = list(attrs.get(id(cls), {}).get(attr, ()))
        imported: list[str] = []
        if not own:
            for base in self.ancestors(cls):
                found = attrs.get(id(base), {}).get(attr)
                if found:
                    own = list(found)
                    break
            else:
                for scope in (cls, *self.ancestors(cls)):
                    imported.extend(self.imported_bases.get(id(scope), ()))
        for sub in self.descendants(cls):
            own.extend(attrs.get(id(sub), {}).get(attr, ()))
        return own, imported

    def methods_named(self, cls: Scope, name: str) -> list[Scope]:
        """The method ``name`` a call ``self.name()`` in ``cls`` may run: its own or its nearest base's,
        and every subclass's override."""
        out = _defs(cls, name)
        if not out:
            for base in self.ancestors(cls):
                out = _defs(base, name)
                if out:
                    break
        for sub in self.descendants(cls):
            out.extend(_defs(sub, name))
        return out


def _defs(cls: Scope, name: str) -> list[Scope]:
    return [b[2] for b in cls.assigns.get(name, ()) if b[0] == "def" and isinstance(b[2], Scope)]


def _dotted(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def hierarchy(index: ModuleIndex) -> Hierarchy:
    """The class hierarchy of the module ``index`` describes, built once per module (kept on the index,
    so it lives and dies with it)."""
    made = index.hierarchy
    if isinstance(made, Hierarchy):
        return made
    made = index.hierarchy = Hierarchy(index)
    return made


def _breadth_first(cls: Scope, links: Mapping[int, Sequence[Scope]]) -> list[Scope]:
    """The classes reached from ``cls`` through ``links`` (by ``id``), breadth first, each once, at most
    :data:`MAX_DEPTH` levels deep."""
    out: list[Scope] = []
    seen = {id(cls)}
    level = [cls]
    for _ in range(MAX_DEPTH):
        following: list[Scope] = []
        for scope in level:
            for linked in links.get(id(scope), ()):
                if id(linked) not in seen:
                    seen.add(id(linked))
                    out.append(linked)
                    following.append(linked)
        if not following:
            break
        level = following
    return out
