"""detectron2 model zoo config paths -> ``detectron2:PATH`` (without ``.yaml``/``.py``)."""

from __future__ import annotations

import re

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    Builder,
    Hit,
    Site,
    local_hit,
    main_arg,
)
from modelclear.scan.pyvalues import Res


def build_detectron2(site: Site) -> list[Hit]:
    """detectron2 model zoo config path -> detectron2:PATH (without .yaml/.py)."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    note = str(site.options.get("note") or "")

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text.startswith(("/", "./", "~")):
            return [local_hit(text, Kind.MODEL)]
        stem = re.sub(r"\.(yaml|py)$", "", text)
        ref = ids.try_parse(f"detectron2:{stem}")
        return [Hit(ref.id if ref else None, value, Kind.MODEL, note=note)]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "detectron2": build_detectron2,
}
