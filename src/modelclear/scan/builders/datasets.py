"""``datasets.load_dataset``: ``hf-dataset:ID`` (config in the note); packaged builders reading the
user's own files (``csv``, ``json``, ``imagefolder``...) are not references."""

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
from modelclear.scan.placeholders import placeholder_value
from modelclear.scan.pyloaders import items
from modelclear.scan.pyvalues import Res


def build_hf_dataset(site: Site) -> list[Hit]:
    """datasets.load_dataset: hf-dataset:ID (config in the note); packaged builders are not references."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    local_builders = {str(x) for x in items(site.scan.table.table("datasets").get("local_builders"))}
    config = site.value(site.options.get("config_arg"))  # type: ignore[arg-type]
    configs = string_values(config) if config is not None else []
    note = f"config {', '.join(repr(c) for c in configs)}" if configs else (
        "config not known statically" if config is not None else "")

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text in local_builders:
            return []
        placeholder = placeholder_value(site, text, "hf-dataset", Kind.DATASET)  # "my_org/my_dataset"
        if placeholder is not None:
            return [placeholder]
        if looks_local(text, site.scan.root):
            return [local_hit(text, Kind.DATASET)]
        ref = ids.try_parse(f"hf-dataset:{text}")
        if ref is None:
            return [Hit(None, value, Kind.DATASET, note="not a Hub dataset id")]
        return [Hit(ref.id, value, Kind.DATASET, note=note)]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "hf_dataset": build_hf_dataset,
}
