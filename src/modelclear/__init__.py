"""modelclear: may we use this model or dataset commercially — and why?

The public Python API is in :mod:`modelclear.api` (documented in ``docs/api.md``)::

    import modelclear
    modelclear.check("hf:meta-llama/Llama-2-7b-hf", jurisdiction="JP")    # an Assessment
    modelclear.scan("path/to/project", ["JP", "EU"])                      # a Result
    modelclear.explain("license:MIT")                                     # a dict, or None

It is imported lazily so that ``import modelclear`` (and ``modelclear --help``) stays fast.

``scan`` and ``explain`` are also the names of subpackages (:mod:`modelclear.scan`, the scanner;
:mod:`modelclear.explain`). Python binds a subpackage to its parent's attribute once it is imported,
so ``modelclear.scan`` is that module: it is made callable, calling it calls :func:`modelclear.api.scan`
(and likewise for ``explain``), so both ``modelclear.scan(...)`` and ``modelclear.scan.scan_path`` work.
For static typing, import the functions from :mod:`modelclear.api`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "check", "explain", "load_knowledge", "scan"]

#: Names that are both an API function and a subpackage.
_CALLABLE_MODULES = ("scan", "explain")


class _ApiModule(types.ModuleType):
    """A subpackage that, called, runs the API function of the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from modelclear import api

        return getattr(api, self.__name__.rsplit(".", 1)[1])(*args, **kwargs)


class _Package(types.ModuleType):
    """This package: subpackages named like an API function become callable when bound."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CALLABLE_MODULES and type(value) is types.ModuleType:
            value.__class__ = _ApiModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _CALLABLE_MODULES:
        return importlib.import_module(f"{__name__}.{name}")  # bound (and made callable) by the import
    if name in ("check", "load_knowledge"):
        from modelclear import api

        return getattr(api, name)
    raise AttributeError(name)
