"""timm model names: ``timm:NAME``, or ``hf:ORG/NAME`` for ``hf-hub:`` names (shared with fastai)."""

from __future__ import annotations

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    Builder,
    Hit,
    Site,
    local_hit,
    looks_local,
    main_arg,
)
from modelclear.scan.pyvalues import Res


def build_timm(site: Site) -> list[Hit]:
    """timm.create_model(name, pretrained=True): timm:NAME, or hf:ORG/NAME for "hf-hub:" names."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    return site.each(res, build_timm_name)


def build_timm_name(value: str) -> list[Hit]:
    """A timm model name (``hf-hub:ORG/NAME`` names a Hub repo)."""
    text = value.strip()
    for prefix in ("hf-hub:", "hf_hub:"):
        if text.startswith(prefix):
            ref = ids.try_parse(f"hf:{text[len(prefix):].split('@')[0]}")
            return [Hit(ref.id if ref else None, value, Kind.MODEL)]
    if looks_local(text):
        return [local_hit(text, Kind.MODEL)]
    ref = ids.try_parse(f"timm:{text}")
    return [Hit(ref.id if ref else None, value, Kind.MODEL)]


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "timm": build_timm,
}
