"""timm: every pretrained tag in the ``default_cfgs`` of ``timm/models/*.py``.

Each model module builds ``default_cfgs = generate_default_cfgs({'arch.tag': _cfg(...), ...})``.
The helper functions (``_cfg`` and friends) and any loops that derive more tags are interpreted by
:mod:`._ast`; a tag is *pretrained* when its cfg has a ``url``, ``file`` or ``hf_hub_id`` (timm's
``PretrainedCfg.has_weights``). ``hf_hub_id='timm/'`` is completed to ``timm/<arch>.<tag>`` as timm
does, and the untagged ``timm:<arch>`` is an alias of the architecture's default tag, chosen by
timm's rule (an untagged entry or a tag ending in ``*`` first, else the first tag with weights).
Names timm has retired (``register_model_deprecations(__name__, {'old': 'new.tag'})``, e.g. the pre-0.9
``swinv2_base_window12to24_192to384_22kft1k``) still load in timm with a warning, so each becomes an alias
of the tag it now resolves to. A tag's weight address on pytorch-image-models' GitHub releases is an alias too.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Mapping
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator, OpaqueCall
from ._common import Catalogue, ModelRecord, datasets_from_tokens, normalize_license, tokens

PACKAGE = "timm"
FAMILY = "timm"

#: Tag tokens naming a training dataset -> dataset ids. A tag lists every stage of its recipe
#: (``laion2b_ft_in12k_in1k``), so all matching tokens count. in12k is timm's 11,821-class subset of
#: ImageNet-22k and carries that dataset's terms.
DATASET_TOKENS: Mapping[str, tuple[str, ...]] = {
    "in1k": ("dataset:imagenet-1k",),
    "in21k": ("dataset:imagenet-21k",),
    "in22k": ("dataset:imagenet-21k",),
    "inw21k": ("dataset:imagenet-21k",),
    "in12k": ("dataset:imagenet-21k",),
    "laion2b": ("dataset:laion-2b-en",),
    "laion400m": ("dataset:laion-400m",),
    "openai": ("dataset:openai-clip-webimagetext",),
    "ig1b": ("dataset:ig-3.5b",),
    "ig3b": ("dataset:ig-3.5b",),
    "wsl": ("dataset:ig-3.5b",),
    "swsl": ("dataset:ig-3.5b",),
    "swag": ("dataset:ig-3.5b",),
    "jft": ("dataset:jft-300m",),
    "jft300m": ("dataset:jft-300m",),
    "datacomp1b": ("dataset:datacomp-1b",),
    "datacompxl": ("dataset:datacomp-1b",),
    "dc": ("dataset:datacomp-1b",),
    "yfcc100m": ("dataset:yfcc100m",),
    "yfcc15m": ("dataset:yfcc100m",),
    "cc12m": ("dataset:cc12m",),
    "webli": ("dataset:webli",),
    "lvd142m": ("dataset:lvd-142m",),
    "sa1b": ("dataset:sa-1b",),
    "dfn2b": ("dataset:dfn-2b",),
    "dfndr2b": ("dataset:dfn-2b",),
    "dfn5b": ("dataset:dfn-5b",),
    "metaclip_400m": ("dataset:metaclip-400m",),
    "metaclip_2pt5b": ("dataset:metaclip-2.5b",),
    "metaclip2_worldwide": ("dataset:metaclip-2-worldwide",),
    "lvd1689m": ("dataset:lvd-1689m",),
    "sat493m": ("dataset:sat-493m",),
}

_WEIGHT_KEYS = ("url", "file", "hf_hub_id")

#: Address prefixes of the weights timm's author released himself (GitHub release assets of pytorch-image-models).
TIMM_RELEASES = ("https://github.com/rwightman/pytorch-image-models/releases/",
                 "https://github.com/huggingface/pytorch-image-models/releases/")


def split_name(key: str) -> tuple[str, str]:
    """``'resnet50.a1_in1k'`` -> ``('resnet50', 'a1_in1k')`` (tag ``''`` when untagged)."""
    arch, _, tag = key.partition(".")
    return arch, tag


def has_weights(cfg: Mapping[str, Any]) -> bool:
    """timm's ``PretrainedCfg.has_weights``: a url, file or HF Hub id is set."""
    return any(isinstance(cfg.get(k), str | tuple) and cfg.get(k) for k in _WEIGHT_KEYS)


def default_tags(keys: list[tuple[str, bool]]) -> dict[str, str]:
    """The default tag of each architecture, following ``generate_default_cfgs``.

    ``keys`` are the cfg keys in source order with whether each has weights. Returns arch -> tag
    for architectures whose default has weights.
    """
    order: dict[str, list[str]] = {}
    pretrained: dict[str, bool] = {}
    weights_of: dict[tuple[str, str], bool] = {}
    prioritised: set[str] = set()
    for key, weighted in keys:
        arch, raw_tag = split_name(key)
        is_default_set = arch in prioritised
        priority = (weighted and not raw_tag) or (raw_tag.endswith("*") and not is_default_set)
        tag = raw_tag.strip("*")
        tags = order.setdefault(arch, [])
        if priority:
            tags.insert(0, tag)
            prioritised.add(arch)
        elif weighted and not pretrained.get(arch, False):
            tags.insert(0, tag)
        else:
            tags.append(tag)
        if weighted:
            pretrained[arch] = True
        weights_of[(arch, tag)] = weighted
    return {arch: tags[0] for arch, tags in order.items() if tags and weights_of[(arch, tags[0])]}


def module_cfgs(source: str, filename: str) -> dict[str, dict[str, Any]]:
    """The evaluated ``default_cfgs`` of one timm model module (``{}`` when it has none)."""
    if "default_cfgs" not in source:
        return {}
    evaluator = ModuleEvaluator.from_source(source, filename)
    value = evaluator.env.get("default_cfgs")
    if isinstance(value, OpaqueCall) and value.name.endswith("generate_default_cfgs") and value.args:
        value = value.args[0]
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, dict)}


def _url(cfg: Mapping[str, Any]) -> str | None:
    url = cfg.get("url")
    if isinstance(url, tuple):
        url = next((u for u in url if isinstance(u, str) and u), None)
    return url if isinstance(url, str) and url else None


def records_from_cfgs(cfgs: Mapping[str, Mapping[str, Any]]) -> list[ModelRecord]:
    """One record per pretrained tag of the given ``'arch.tag' -> cfg`` entries (source order kept)."""
    defaults = default_tags([(k, has_weights(v)) for k, v in cfgs.items()])
    out: list[ModelRecord] = []
    for key, cfg in cfgs.items():
        if not has_weights(cfg):
            continue
        arch, raw_tag = split_name(key)
        tag = raw_tag.strip("*")
        full = f"{arch}.{tag}" if tag else arch
        hub = cfg.get("hf_hub_id")
        hub_id = hub + full if hub == "timm/" else (hub if isinstance(hub, str) and hub else None)
        aliases = [f"timm:{arch}"] if defaults.get(arch) == tag and tag else []
        num_classes = cfg.get("num_classes", 1000)
        facts: dict[str, Any] = {
            "task": "image-classification" if isinstance(num_classes, int) and num_classes > 0
            else "image-feature-extraction",
            "pretrained_tag": tag,
        }
        raw_license = cfg.get("license")
        origin = cfg.get("origin_url")
        if isinstance(origin, str) and origin:
            facts["origin_url"] = origin
        out.append(ModelRecord(
            id=f"timm:{full}",
            name=f"{arch} ({tag})" if tag else arch,
            aliases=tuple(aliases),
            datasets=datasets_from_tokens(tokens(tag), DATASET_TOKENS),
            license=normalize_license(raw_license if isinstance(raw_license, str) else None),
            facts=facts,
            url=_url(cfg),
            hf_hub_id=hub_id,
        ))
    return out


def deprecated_names(source: str, filename: str = "<timm>") -> dict[str, str]:
    """The ``register_model_deprecations(__name__, {'old': 'new'})`` table of one module: old name -> new name.

    Only string literals are read; a module without the call gives ``{}``.
    """
    if "register_model_deprecations" not in source:
        return {}
    out: dict[str, str] = {}
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or len(node.args) < 2 or not isinstance(node.args[1], ast.Dict):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name != "register_model_deprecations":
            continue
        for key, value in zip(node.args[1].keys, node.args[1].values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) \
                    and isinstance(value, ast.Constant) and isinstance(value.value, str):
                out[key.value] = value.value
    return out


def add_deprecated_aliases(models: list[ModelRecord], deprecated: Mapping[str, str]) -> list[ModelRecord]:
    """Each retired name as an alias (``timm:OLD``) of the record its new name resolves to (by id, else by
    alias: an untagged new name is the architecture's default tag); names already taken are left alone."""
    owner: dict[str, int] = {}
    for i, model in enumerate(models):
        for name in (model.id, *model.aliases):
            owner.setdefault(name.lower(), i)
    extra: dict[int, list[str]] = {}
    for old, new in sorted(deprecated.items()):
        alias = f"timm:{old}"
        target = owner.get(f"timm:{new}".lower())
        if target is None or alias.lower() in owner:
            continue
        extra.setdefault(target, []).append(alias)
        owner[alias.lower()] = target
    return [dataclasses.replace(m, aliases=(*m.aliases, *extra[i])) if i in extra else m
            for i, m in enumerate(models)]


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every pretrained tag of the timm release in ``archive``, with retired names as aliases."""
    members = sorted(m for m in archive.glob("timm/models/*.py"))
    models: list[ModelRecord] = []
    deprecated: dict[str, str] = {}
    read: list[str] = []
    for member in members:
        source = archive.read(member)
        cfgs = module_cfgs(source, member)
        if cfgs:
            read.append(archive.inner(member))
            models.extend(records_from_cfgs(cfgs))
        deprecated.update(deprecated_names(source, member))
    return Catalogue(FAMILY, PACKAGE, version, tuple(add_url_aliases(add_deprecated_aliases(models, deprecated))),
                     tuple(read))


def add_url_aliases(models: list[ModelRecord]) -> list[ModelRecord]:
    """The weight address of each tag that timm itself released (a GitHub release asset of pytorch-image-models,
    :data:`TIMM_RELEASES`) as an alias ``url:ADDRESS``, so code that downloads the file directly resolves to the tag;
    an address two tags share names neither. Weights timm points to on other hosts (torchvision's, Meta's ...) are
    left to the records of those releases."""
    counts: dict[str, int] = {}
    for model in models:
        if model.url and model.url.startswith(TIMM_RELEASES):
            counts[model.url] = counts.get(model.url, 0) + 1
    return [dataclasses.replace(m, aliases=(*m.aliases, f"url:{m.url}"))
            if m.url and counts.get(m.url) == 1 else m for m in models]

