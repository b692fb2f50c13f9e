"""open_clip: ``open_clip:ARCH/TAG`` for a pretrained tag, ``hf:ORG/NAME`` for ``hf-hub:`` names."""

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
from modelclear.scan.pyloaders import ArgSpec
from modelclear.scan.pyvalues import Res


def build_open_clip(site: Site) -> list[Hit]:
    """open_clip: hf:ORG/NAME for "hf-hub:" names, else open_clip:ARCH/TAG when a tag is given."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    tags = site.value(site.options.get("pretrained_arg"))  # type: ignore[arg-type]

    def one(value: str) -> list[Hit]:
        arch = value.strip()
        if arch.startswith(("hf-hub:", "hf_hub:")):
            ref = ids.try_parse(f"hf:{arch.split(':', 1)[1]}")
            return [Hit(ref.id if ref else None, value, Kind.MODEL)]
        if tags is None:
            return []
        out: list[Hit] = []
        for tag in tags.values:
            if tag is None or tag == "":
                continue
            if not isinstance(tag, str):
                out.append(site.unresolved(tags, ArgSpec(pos=1, kw=("pretrained",)), "open_clip pretrained tag"))
                continue
            if looks_local(tag) or "/" in tag:
                out.append(local_hit(tag, Kind.MODEL, "local weights"))
                continue
            ref = ids.try_parse(f"open_clip:{arch}/{tag}")
            out.append(Hit(ref.id if ref else None, f"{arch} {tag}", Kind.MODEL))
        if tags.unknown:
            out.append(Hit(None, f"{arch} {site.text({'pos': 1, 'kw': ['pretrained']})}", Kind.MODEL,
                           note="open_clip pretrained tag not known statically"))
        return out

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "open_clip": build_open_clip,
}
