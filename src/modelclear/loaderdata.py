"""The loader data files (``data/loaders/*.yaml``), read once, checked against the schema, and shared.

Each file describes one library (or one concern, such as local-path heuristics or weight hosts). Two
readers use them: :mod:`modelclear.ids` takes the id schemes a file declares (its ``schemes:``
list), and :mod:`modelclear.scan.pyloaders` takes the Python call signatures (its ``loaders:``
list). This module sits below both so that neither imports the other (``ids`` must stay importable
without the scan package). Every file is checked against the ``loaders`` kind of
:mod:`modelclear.knowledge.schema`, the same schema ``--kb`` overlays' loader files are checked
against when the knowledge loader (:mod:`modelclear.catalog.bundled`) reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import yaml

from modelclear.knowledge import schema

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def documents() -> Mapping[str, Mapping[str, object]]:
    """Every bundled loader data file that is a mapping, keyed by file stem, in name order.

    Raises:
        KnowledgeError: a bundled file breaks the schema (a bug in the shipped data).
    """
    folder = resources.files("modelclear").joinpath("data", "loaders")
    out: dict[str, Mapping[str, object]] = {}
    problems: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        doc = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER)
        problems += schema.problems(f"loaders/{entry.name}", doc)
        if isinstance(doc, dict):
            out[entry.name[: -len(".yaml")]] = doc
    if problems:
        raise schema.KnowledgeError(problems)
    return out
