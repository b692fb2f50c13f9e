"""``tfds.load("name[/config][:version]")`` -> ``tfds:name[/config]`` (version in the note)."""

from __future__ import annotations

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    Builder,
    Hit,
    Site,
    main_arg,
)
from modelclear.scan.pyvalues import Res


def build_tfds(site: Site) -> list[Hit]:
    """tfds.load("name[/config][:version]") -> tfds:name[/config] (version in the note)."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        name, _, version = value.strip().partition(":")
        ref = ids.try_parse(f"tfds:{name}")
        return [Hit(ref.id if ref else None, value, Kind.DATASET, note=f"version {version}" if version else "")]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "tfds": build_tfds,
}
