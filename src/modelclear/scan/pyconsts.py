"""The project constant index as the Python resolver reads it: constants of other project modules.

The runner (:mod:`modelclear.scan`) gives every file the constants each project module defines
(``ScanContext.project_constants``: dotted module name -> constants, see
:func:`modelclear.scan.pyexports.module_constants`). :class:`ProjectIndex` answers the two questions
the resolver asks of it, each in time independent of the number of modules:

* :meth:`ProjectIndex.lookup`: constant ``NAME`` of the module an import names. An import is matched
  to a project module by dotted suffix, either way round (``from app.config import X`` finds the
  module registered as ``src.app.config`` or as ``config``); when several match, the module listed
  first wins (the runner lists shallower paths first). A table of every dotted suffix of every
  module name is built once per project; answers, misses included, are memoised.
* :meth:`ProjectIndex.attr`: the values any module gives to an attribute ``x.attr`` (argparse option
  defaults, dataclass fields, ``x.attr = ...``; the ``.attr`` keys of the index).

One index is kept per process for the last project mapping seen (every file of a scan shares it).
"""

from __future__ import annotations

from collections.abc import Mapping

from modelclear.scan.pyvalues import _MISSING, flatten

Constants = Mapping[str, Mapping[str, object]]


class ProjectIndex:
    """Constants of the project's modules, looked up by dotted-suffix module names."""

    _last: ProjectIndex | None = None

    def __init__(self, modules: Constants) -> None:
        self.modules = modules
        self._order: dict[str, int] = {}
        self._suffixes: dict[str, tuple[int, str]] = {}
        for position, key in enumerate(modules):
            self._order[key] = position
            parts = key.split(".")
            for i in range(len(parts)):
                self._suffixes.setdefault(".".join(parts[i:]), (position, key))
        self._keys: dict[str, str | None] = {}
        self._attrs: dict[str, list[object]] | None = None

    @classmethod
    def of(cls, modules: Constants) -> ProjectIndex:
        """The index of ``modules``, shared while the same mapping is passed again."""
        last = cls._last
        if last is not None and last.modules is modules:
            return last
        made = cls(modules)
        cls._last = made
        return made

    def __bool__(self) -> bool:
        return bool(self.modules)

    def module_key(self, module: str) -> str | None:
        """The project module an import of ``module`` refers to (matched by dotted suffix), or None."""
        if module in self._order:
            return module
        if module in self._keys:
            return self._keys[module]
        stripped = module.lstrip(".")
        best = self._suffixes.get(stripped)  # modules whose name ends with the import
        parts = stripped.split(".")
        for i in range(1, len(parts)):  # modules whose name is a proper suffix of the import
            position = self._order.get(".".join(parts[i:]))
            if position is not None and (best is None or position < best[0]):
                best = (position, ".".join(parts[i:]))
        found = best[1] if best is not None else None
        self._keys[module] = found
        return found

    def lookup(self, module: str, name: str) -> object:
        """Constant ``name`` of the project module ``module`` refers to, or ``_MISSING``."""
        if not self.modules:
            return _MISSING
        key = self.module_key(module)
        if key is None:
            return _MISSING
        return self.modules[key].get(name, _MISSING)

    def attr(self, attr: str) -> list[object]:
        """Values the project's modules give to attribute ``attr`` (``.attr`` keys), in module order."""
        if self._attrs is None:
            table: dict[str, list[object]] = {}
            for constants in self.modules.values():
                for key, value in constants.items():
                    if key.startswith("."):
                        table.setdefault(key[1:], []).extend(flatten(value))
            self._attrs = table
        return self._attrs.get(attr, [])
