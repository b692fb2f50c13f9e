"""torchvision: model builders (``weights=`` enums and strings, legacy ``pretrained=True``),
``get_model`` and ``get_weight``; the builder -> weights enum table is the ``builders`` table of
``data/loaders/torchvision.yaml``. ``enum_of`` and ``weights_hits`` are shared with fastai.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    Builder,
    Hit,
    Site,
    main_arg,
    string_values,
)
from modelclear.scan.pyvalues import Opaque, QName, Res, expr_text, find_arg


def _torchvision_tables(site: Site) -> tuple[Mapping[str, object], str]:
    data = site.scan.table.table("torchvision")
    return data.get("builders") or {}, str(data.get("legacy_default") or "IMAGENET1K_V1")  # type: ignore[return-value]


def enum_of(site: Site, builder: str) -> tuple[str | None, str | None]:
    builders, legacy = _torchvision_tables(site)
    entry = builders.get(builder)
    if entry is None:
        return None, None
    if isinstance(entry, dict):
        return str(entry.get("enum")), str(entry.get("legacy") or legacy)
    return str(entry), legacy


def weights_hits(site: Site, builder: str, res: Res, what: str) -> list[Hit]:
    hits = _tv_weights_hits_raw(site, builder, res, what)
    if res.indirect or len(res.values) > 1:
        hits = [h if h.confidence else Hit(h.id, h.raw, h.kind, h.note, "medium") for h in hits]
    return hits


def _tv_weights_hits_raw(site: Site, builder: str, res: Res, what: str) -> list[Hit]:
    enum, _ = enum_of(site, builder)
    hits: list[Hit] = []
    for value in res.values:
        if value is None:
            continue
        if isinstance(value, QName):
            parts = value.name.split(".")
            if len(parts) >= 2 and parts[-2].endswith("Weights"):
                hits.append(Hit(f"torchvision:{parts[-2]}.{parts[-1]}", value.name, Kind.MODEL))
            else:
                hits.append(Hit(f"torchvision:{builder}", value.name, Kind.MODEL, confidence="low",
                                note=f"{what} value {value.name} not understood"))
        elif isinstance(value, str):
            text = value.strip()
            if "." in text and text.split(".")[0].endswith("Weights"):
                ref = ids.try_parse(f"torchvision:{text}")
            elif enum:
                ref = ids.try_parse(f"torchvision:{enum}.{text}")
            else:
                ref = None
            if ref is not None:
                hits.append(Hit(ref.id, value, Kind.MODEL))
            else:
                hits.append(Hit(f"torchvision:{builder}", value, Kind.MODEL, note=f"{what}={value!r}"))
        elif (isinstance(value, Opaque) and value.loader) or value is False:
            continue
        else:
            hits.append(Hit(f"torchvision:{builder}", expr_text(site.call), Kind.MODEL, confidence="low",
                            note=f"{what} value not known statically"))
    if res.unknown:
        hits.append(Hit(f"torchvision:{builder}", site.text({"kw": [what]}), Kind.MODEL, confidence="low",
                        note=f"{what} value not known statically; the builder loads pretrained weights if it is set"))
    return hits


def _bool_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, bool)


def _tv_builder_hits(site: Site, builder: str, known_builder: bool, positional: bool = True) -> list[Hit]:
    call = site.call
    resolver = site.scan.resolver
    hits: list[Hit] = []
    weights = find_arg(call, None, ("weights",))
    pretrained = find_arg(call, None, ("pretrained",))
    if pretrained is None and positional:
        pretrained = find_arg(call, 0, ())
        if pretrained is not None and not known_builder and not _bool_literal(pretrained):
            # a name the builders table does not hold (torchvision.models.resnet.conv1x1(in_planes, out_planes)
            # is a layer helper): its first positional argument is the legacy flag only when written as one
            pretrained = None
    if weights is not None:
        hits.extend(weights_hits(site, builder, resolver.resolve(weights, site.scope), "weights"))
    elif pretrained is not None:
        res = resolver.resolve(pretrained, site.scope)
        enum, legacy = enum_of(site, builder)
        truthy = [v for v in res.values if v is True or (isinstance(v, (int, str)) and v and v is not False)]
        if truthy or res.unknown or any(isinstance(v, Opaque) for v in res.values):
            target = f"torchvision:{enum}.{legacy}" if enum else f"torchvision:{builder}"
            low = bool(res.unknown) or not truthy
            hits.append(Hit(target, f"{builder}(pretrained=True)", Kind.MODEL,
                            confidence="low" if low else "medium" if res.indirect else "",
                            note="legacy pretrained=True" + ("; value not known statically" if low else "")))
    elif not known_builder:
        return []
    backbone = find_arg(call, None, ("weights_backbone",))
    if backbone is not None:
        for hit in weights_hits(site, builder, resolver.resolve(backbone, site.scope), "weights_backbone"):
            if hit.id and hit.id.split(":", 1)[1].split(".")[0].endswith("Weights"):
                hits.append(Hit(hit.id, hit.raw, hit.kind, "backbone weights", hit.confidence))
    return hits


def build_torchvision_builder(site: Site) -> list[Hit]:
    """A torchvision model builder: ``weights=`` enum/string, legacy ``pretrained=True``."""
    name = site.groups.get("name", "")
    if name in (site.options.get("not_builders") or ()):  # type: ignore[operator]
        return []
    known = enum_of(site, name)[0] is not None
    return _tv_builder_hits(site, name, known)


def build_torchvision_get_model(site: Site) -> list[Hit]:
    """torchvision.models.get_model(name, weights=...)."""
    res = site.value(site.spec.arg)
    if res is None:
        return [site.unresolved(None)]
    hits: list[Hit] = []
    for name in string_values(res):
        hits.extend(_tv_builder_hits(site, name.lower(), True, positional=False))
    if res.unknown and find_arg(site.call, None, ("weights",)) is not None:
        hits.append(site.unresolved(res, what="torchvision.models.get_model name"))
    return hits


def build_torchvision_weight(site: Site) -> list[Hit]:
    """torchvision.models.get_weight("ResNet50_Weights.IMAGENET1K_V2")."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        ref = ids.try_parse(f"torchvision:{value.strip()}")
        return [Hit(ref.id, value, Kind.MODEL)] if ref else [Hit(None, value, Kind.MODEL, note="not a weights name")]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "torchvision_builder": build_torchvision_builder,
    "torchvision_get_model": build_torchvision_get_model,
    "torchvision_weight": build_torchvision_weight,
}
