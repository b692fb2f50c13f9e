"""ultralytics YOLO/RTDETR/SAM/...: a released asset (the ``assets`` table), a local checkpoint, or
nothing for a ``.yaml`` model config."""

from __future__ import annotations

import re

from modelclear.model import Kind
from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    main_arg,
    url_hit,
)
from modelclear.scan.pyloaders import items
from modelclear.scan.pyvalues import Res


def build_ultralytics(site: Site) -> list[Hit]:
    """ultralytics YOLO/RTDETR/SAM/...: a released asset, a local checkpoint, or nothing for a .yaml."""
    res = main_arg(site)
    if res is None:
        return [site.unresolved(None)]
    if not isinstance(res, Res):
        return []
    assets = [re.compile(str(p)) for p in items(site.scan.table.table("ultralytics").get("assets"))]

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if URL_RE.match(text):
            return [url_hit(text, Kind.MODEL)]
        lowered = text.lower()
        if lowered.endswith((".yaml", ".yml")):
            return []
        name = text.replace("\\", "/").rsplit("/", 1)[-1]
        stem = re.sub(r"\.pt$", "", name)
        if "/" not in text.replace("\\", "/") and any(p.match(stem) for p in assets):
            return [Hit(f"ultralytics:{stem}", value, Kind.MODEL)]
        return [local_hit(text, Kind.MODEL, "local weights")]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "ultralytics": build_ultralytics,
}
