"""The loader data files (``data/loaders/*.yaml``), read once and shared.

Each file describes one library (or one concern, such as local-path heuristics or weight hosts). Two
readers use them: :mod:`modelclear.ids` takes the id schemes a file declares (its ``schemes:``
list), and :mod:`modelclear.scan.pyloaders` takes the Python call signatures (its ``loaders:``
list). This module sits below both so that neither imports the other (``ids`` must stay importable
without the scan package).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def documents() -> Mapping[str, Mapping[str, object]]:
    """Every bundled loader data file that is a mapping, keyed by file stem, in name order."""
    folder = resources.files("modelclear").joinpath("data", "loaders")
    out: dict[str, Mapping[str, object]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        doc = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER)
        if isinstance(doc, dict):
            out[entry.name[: -len(".yaml")]] = doc
    return out
