"""Keras: KerasHub ``from_preset`` presets and Keras Applications builders."""

from __future__ import annotations

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    looks_local,
    main_arg,
)
from modelclear.scan.builders.hf import hf_one
from modelclear.scan.pyvalues import Res


def build_keras_preset(site: Site) -> list[Hit]:
    """KerasHub ``from_preset``: keras:<preset>, hf:ORG/NAME for ``hf://`` handles, or a local preset."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text.startswith("hf://"):
            return hf_one(site, text[len("hf://"):], "hf", Kind.MODEL)
        if text.startswith("kaggle://"):
            parts = [p for p in text[len("kaggle://"):].split("/") if p]
            variation = parts[3] if len(parts) >= 4 else ""
            ref = ids.try_parse(f"keras:{variation}") if variation else None
            return [Hit(ref.id if ref else None, value, Kind.MODEL, note="Kaggle Models handle")]
        if URL_RE.match(text) or looks_local(text) or "/" in text:
            return [local_hit(text, Kind.MODEL)]
        ref = ids.try_parse(f"keras:{text}")
        return [Hit(ref.id if ref else None, value, Kind.MODEL, note="KerasHub preset")]

    return site.each(res, one)


def build_keras_app(site: Site) -> list[Hit]:
    """A Keras Applications builder: keras:NAME unless weights=None (default weights="imagenet")."""
    name = site.groups.get("name", "")
    res = site.value(site.options.get("weights_arg"))  # type: ignore[arg-type]
    if res is None:
        return [Hit(f"keras:{name}", site.qualname, Kind.MODEL, note='default weights="imagenet"')]
    hits: list[Hit] = []
    for value in res.values:
        if value is None:
            continue
        if isinstance(value, str):
            if value.strip().lower() == "imagenet":
                hits.append(Hit(f"keras:{name}", site.qualname, Kind.MODEL))
            else:
                hits.append(local_hit(value, Kind.MODEL, "local weights"))
        else:
            hits.append(Hit(f"keras:{name}", site.qualname, Kind.MODEL, confidence="low",
                            note="weights value not known statically"))
    if res.unknown:
        hits.append(Hit(f"keras:{name}", site.qualname, Kind.MODEL, confidence="low",
                        note="weights value not known statically"))
    return hits


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "keras_preset": build_keras_preset,
    "keras_app": build_keras_app,
}
