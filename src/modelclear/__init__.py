"""modelclear: may we use this model or dataset commercially — and why?

The public Python API is in :mod:`modelclear.api`; it is imported lazily so that
``import modelclear`` (and ``modelclear --help``) stays fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "check", "explain", "load_knowledge", "scan"]


def __getattr__(name: str) -> Any:
    if name in ("check", "scan", "explain", "load_knowledge"):
        from modelclear import api

        return getattr(api, name)
    raise AttributeError(name)
