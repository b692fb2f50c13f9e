"""``torch.hub.load(repo[:ref], entry)`` -> ``torchhub:OWNER/REPO:ENTRY``."""

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
    string_values,
)
from modelclear.scan.pyvalues import Res


def build_torchhub(site: Site) -> list[Hit]:
    """torch.hub.load(repo[:ref], entry) -> torchhub:OWNER/REPO:ENTRY."""
    source = site.value(site.options.get("source_arg"))  # type: ignore[arg-type]
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    local_source = source is not None and "local" in string_values(source)
    entry = site.value(site.options.get("entry_arg"))  # type: ignore[arg-type]
    entries = string_values(entry) if entry is not None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if local_source or "/" not in text or looks_local(text):
            return [local_hit(text, Kind.MODEL)]
        repo, _, ref = text.partition(":")
        note = f"git ref {ref}" if ref else ""
        if not entries:
            parsed = ids.try_parse(f"torchhub:{repo}")
            return [Hit(parsed.id if parsed else None, value, Kind.MODEL, confidence="low",
                        note="; ".join(x for x in (note, "entry point not known statically") if x))]
        out = []
        for name in entries:
            parsed = ids.try_parse(f"torchhub:{repo}:{name}")
            out.append(Hit(parsed.id if parsed else None, f"{value} {name}", Kind.MODEL, note=note))
        return out

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "torchhub": build_torchhub,
}
