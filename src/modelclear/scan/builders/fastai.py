"""fastai: the weights a learner's ``arch`` is built with, and ``untar_data`` dataset archives."""

from __future__ import annotations

from collections.abc import Mapping

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
from modelclear.scan.builders.timm import build_timm_name
from modelclear.scan.builders.torchvision import enum_of, weights_hits
from modelclear.scan.pyloaders import items
from modelclear.scan.pyvalues import Opaque, QName, Res, find_arg


def build_fastai_learner(site: Site) -> list[Hit]:
    """fastai vision_learner / cnn_learner / unet_learner: the weights ``arch`` is built with."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    weights = find_arg(site.call, None, ("weights",))
    table = site.scan.table.table("fastai")
    default_archs = {str(a) for a in items(table.get("default_weight_archs"))}
    hits: list[Hit] = []
    unresolved = bool(res.unknown)
    for value in res.values:
        if isinstance(value, str):
            hits.extend(build_timm_name(value))
            continue
        qualified = value.name if isinstance(value, QName) else ""
        name = qualified.rsplit(".", 1)[-1]
        enum, legacy = enum_of(site, name) if name else (None, None)
        if enum is None:
            if not (isinstance(value, Opaque) and value.loader):
                unresolved = unresolved or not isinstance(value, QName)
            continue
        if weights is not None:
            wres = site.scan.resolver.resolve(weights, site.scope)
            if wres.values and all(v is None for v in wres.values) and not wres.unknown:
                hits.append(Hit(f"torchvision:{enum}.{legacy}", qualified, Kind.MODEL,
                                note="fastai: weights=None with pretrained=True uses the default weights"))
            else:
                hits.extend(weights_hits(site, name, wres, "weights"))
            continue
        member = "DEFAULT" if name in default_archs else legacy
        hits.append(Hit(f"torchvision:{enum}.{member}", qualified, Kind.MODEL,
                        note=f"fastai builds {name}(weights={member!r})" if member == "DEFAULT"
                        else f"fastai builds {name}(pretrained=True)"))
    if unresolved:
        hits.append(site.unresolved(res, what="fastai arch"))
    return hits


def build_fastai_untar(site: Site) -> list[Hit]:
    """fastai untar_data(URLs.X | "https://..."): the dataset archive it downloads."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    urls: Mapping[str, str] = site.scan.table.table("fastai").get("urls") or {}  # type: ignore[assignment]

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if URL_RE.match(text):
            return [url_hit(text, Kind.DATASET)]
        return [local_hit(text, Kind.DATASET)]

    def other(value: object) -> list[Hit] | None:
        if isinstance(value, QName):
            parts = value.name.split(".")
            if len(parts) >= 2 and parts[-2] == "URLs" and parts[-1] in urls:
                return [Hit(str(urls[parts[-1]]), value.name, Kind.DATASET)]
        return None

    return site.each(res, one, other)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "fastai_learner": build_fastai_learner,
    "fastai_untar": build_fastai_untar,
}
