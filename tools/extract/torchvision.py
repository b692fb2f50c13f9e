"""torchvision: every member of every ``WeightsEnum`` in ``torchvision/models/**.py``.

A weights enum member is ``NAME = Weights(url=..., transforms=..., meta={...})``; ``DEFAULT = NAME``
is an alias. Builders (``resnet50``) are tied to their enum through the ``weights:`` annotation
(``Optional[ResNet50_Weights]``); ``register_model(name=...)`` gives the name ``get_model`` uses.
The training data come from ``meta["_metrics"]`` (the benchmark the weights were trained for),
the member name (``SWAG``, ``IMAGENET22K``, optical-flow stage letters) and the backbone the
builder initialises detection and segmentation models from (``weights_backbone``), which becomes
a ``finetune`` base model. ``meta["unquantized"]`` becomes a ``quantized`` base model.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator, Opaque, OpaqueCall, dotted_name
from ._common import BaseModel, Catalogue, ModelRecord, datasets_from_tokens, tokens

PACKAGE = "torchvision"
FAMILY = "torchvision"

#: ``meta["_metrics"]`` keys -> the dataset the weights were trained on.
METRIC_DATASETS: Mapping[str, tuple[str, ...]] = {
    "ImageNet-1K": ("dataset:imagenet-1k",),
    "COCO-val2017": ("dataset:coco",),
    "COCO-val2017-VOC-labels": ("dataset:coco",),
    "Kinetics-400": ("dataset:kinetics-400",),
}

#: Member-name tokens -> extra training data. SWAG weights were pre-trained on Instagram hashtags
#: (IG-3.6B, recorded under the IG id); optical-flow names list their training stages: C =
#: FlyingChairs, T = FlyingThings3D, SKHT = Sintel + KITTI + HD1K + Things, K = KITTI-2015.
NAME_DATASETS: Mapping[str, tuple[str, ...]] = {
    "swag": ("dataset:ig-3.5b",),
    "imagenet22k": ("dataset:imagenet-21k",),
    "c": ("dataset:flyingchairs",),
    "t": ("dataset:flyingthings3d",),
    "skht": ("dataset:mpi-sintel", "dataset:kitti", "dataset:hd1k", "dataset:flyingthings3d"),
    "k": ("dataset:kitti",),
}

#: ``meta["license"]`` values (torchvision writes the URL of the licence file) -> licence id.
#: facebookresearch/SWAG README: "SWAG models are released under the CC-BY-NC 4.0 license."
LICENSE_URLS: Mapping[str, str] = {
    "https://github.com/facebookresearch/SWAG/blob/main/LICENSE": "CC-BY-NC-4.0",
}

TASKS: Mapping[str, str] = {
    "": "image-classification",
    "quantization": "image-classification",
    "detection": "object-detection",
    "segmentation": "image-segmentation",
    "video": "video-classification",
    "optical_flow": "optical-flow",
}


@dataclass(frozen=True)
class Member:
    """One enum member as found in the source."""

    enum: str
    name: str
    url: str | None
    meta: Mapping[str, Any]
    subpackage: str


@dataclass(frozen=True)
class Builder:
    """A model builder function and what it says about weights."""

    function: str
    registered: str | None
    enum: str | None
    backbone: str | None  # "Enum.MEMBER" the builder initialises its backbone from
    legacy: str | None  # "Enum.MEMBER" that pretrained=True selects
    subpackage: str

    @property
    def public_name(self) -> str:
        """The name ``torchvision.models.get_model`` knows (``register_model(name=...)`` or the function)."""
        return self.registered or self.function


def _is_weights_enum(node: ast.ClassDef) -> bool:
    return any((dotted_name(b) or "").endswith("WeightsEnum") for b in node.bases)


def _weights_names(annotation: ast.expr | None) -> list[str]:
    if annotation is None:
        return []
    return [n.id for n in ast.walk(annotation) if isinstance(n, ast.Name) and n.id.endswith("Weights")
            and n.id != "WeightsEnum"]


def parse_module(source: str, filename: str, subpackage: str) -> tuple[list[Member], dict[str, str], list[Builder]]:
    """Members, ``enum.ALIAS -> enum.MEMBER`` aliases and builders of one torchvision models module."""
    evaluator = ModuleEvaluator.from_source(source, filename)
    members: list[Member] = []
    aliases: dict[str, str] = {}
    enums_here: set[str] = set()
    builders: list[Builder] = []
    for node in evaluator.tree.body:
        if isinstance(node, ast.ClassDef) and _is_weights_enum(node):
            enums_here.add(node.name)
            for stmt in node.body:
                if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and isinstance(stmt.targets[0], ast.Name)):
                    continue
                name = stmt.targets[0].id
                if isinstance(stmt.value, ast.Name):
                    aliases[f"{node.name}.{name}"] = f"{node.name}.{stmt.value.id}"
                elif isinstance(stmt.value, ast.Call):
                    value = evaluator.eval(stmt.value)
                    if not isinstance(value, OpaqueCall):
                        continue
                    kw = value.kw
                    url = kw.get("url") if isinstance(kw.get("url"), str) else None
                    meta = kw["meta"] if isinstance(kw.get("meta"), dict) else {}
                    members.append(Member(node.name, name, url, meta, subpackage))
    for node in evaluator.tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            builder = _builder(node, enums_here, subpackage)
            if builder is not None:
                builders.append(builder)
    return members, aliases, builders


def _builder(node: ast.FunctionDef, enums_here: set[str], subpackage: str) -> Builder | None:
    args = {a.arg: a for a in [*node.args.args, *node.args.kwonlyargs]}
    weights = args.get("weights")
    if weights is None:
        return None
    candidates = _weights_names(weights.annotation)
    enum = next((c for c in candidates if c in enums_here), candidates[0] if candidates else None)
    registered: str | None = None
    backbone: str | None = None
    legacy: str | None = None
    for deco in node.decorator_list:
        if not isinstance(deco, ast.Call):
            continue
        name = dotted_name(deco.func) or ""
        if name.endswith("register_model"):
            for kw in deco.keywords:
                if kw.arg == "name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    registered = kw.value.value
        elif name.endswith("handle_legacy_interface"):
            for kw in deco.keywords:
                if isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                    target = dotted_name(kw.value.elts[1])
                    if kw.arg == "weights":
                        legacy = target
                    elif kw.arg == "weights_backbone":
                        backbone = target
    if backbone is None:
        defaults = dict(zip([a.arg for a in node.args.kwonlyargs], node.args.kw_defaults, strict=True))
        positional = [a.arg for a in node.args.args]
        defaults.update(zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults, strict=True))
        default = defaults.get("weights_backbone")
        backbone = dotted_name(default) if default is not None else None
    return Builder(node.name, registered, enum, backbone, legacy, subpackage)


def _datasets(member: Member) -> tuple[str, ...]:
    metrics = member.meta.get("_metrics")
    keys = list(metrics) if isinstance(metrics, dict) else []
    from_metrics = [d for k in keys for d in METRIC_DATASETS.get(k, ())]
    name_tokens = [t for t in tokens(member.name) if not t.startswith("v") or not t[1:].isdigit()]
    from_name = list(datasets_from_tokens(name_tokens, NAME_DATASETS))
    if member.subpackage == "optical_flow":
        return tuple(dict.fromkeys(from_name))
    return tuple(dict.fromkeys([*from_name, *from_metrics]))


def records(members: list[Member], aliases: Mapping[str, str], builders: list[Builder]) -> list[ModelRecord]:
    """Catalogue records for the parsed members, with DEFAULT and builder aliases and base models."""
    by_enum: dict[str, list[Builder]] = {}
    legacy_for: dict[str, list[str]] = {}
    for builder in builders:
        if builder.enum:
            by_enum.setdefault(builder.enum, []).append(builder)
        if builder.legacy:
            legacy_for.setdefault(builder.legacy, []).append(builder.public_name)
    alias_of: dict[str, list[str]] = {}
    for alias, target in aliases.items():
        alias_of.setdefault(target, []).append(alias)
    out: list[ModelRecord] = []
    for member in members:
        full = f"{member.enum}.{member.name}"
        names = [f"torchvision:{a}" for a in alias_of.get(full, [])]
        is_default = any(a.endswith(".DEFAULT") for a in alias_of.get(full, []))
        bases: list[BaseModel] = []
        for builder in by_enum.get(member.enum, []):
            if is_default:
                names.extend([f"torchvision:{member.enum}", f"torchvision:{builder.public_name}"])
            if builder.backbone and builder.backbone != full:
                bases.append(BaseModel(f"torchvision:{builder.backbone}", "finetune"))
        unquantized = member.meta.get("unquantized")
        if isinstance(unquantized, Opaque) and not isinstance(unquantized, OpaqueCall):
            bases.append(BaseModel(f"torchvision:{unquantized.name}", "quantized"))
        facts: dict[str, Any] = {"task": TASKS.get(member.subpackage, "image-classification")}
        if member.subpackage == "quantization":
            facts["quantized"] = True
        license_url = member.meta.get("license")
        license_id: str | None = None
        if isinstance(license_url, str):
            facts["license_url"] = license_url
            license_id = LICENSE_URLS.get(license_url)
        recipe = member.meta.get("recipe")
        if isinstance(recipe, str):
            facts["recipe"] = recipe
        if full in legacy_for:
            facts["legacy_pretrained_for"] = sorted(set(legacy_for[full]))
        num_params = member.meta.get("num_params")
        if isinstance(num_params, int):
            facts["num_params"] = num_params
        out.append(ModelRecord(
            id=f"torchvision:{full}",
            name=_display_name(member),
            aliases=tuple(dict.fromkeys(names)),
            datasets=_datasets(member),
            base_models=tuple(dict.fromkeys(bases)),
            license=license_id,
            facts=facts,
            url=member.url,
        ))
    return out


def _subpackage(inner: str) -> str:
    parts = inner.split("/")
    return parts[2] if len(parts) > 3 else ""


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every weights-enum member of the torchvision release in ``archive``."""
    members: list[Member] = []
    aliases: dict[str, str] = {}
    builders: list[Builder] = []
    read: list[str] = []
    for member in sorted(set(archive.glob("torchvision/models/*.py"))):
        source = archive.read(member)
        if "WeightsEnum" not in source:
            continue
        inner = archive.inner(member)
        found, found_aliases, found_builders = parse_module(source, inner, _subpackage(inner))
        if found or found_builders:
            read.append(inner)
        members.extend(found)
        aliases.update(found_aliases)
        builders.extend(found_builders)
    # A quantized builder (quantized_resnet50) accepts the float enum too; keep only its own enum.
    builders = [b for b in builders if b.enum]
    seen: set[str] = set()
    for m in members:
        key = f"{m.enum}.{m.name}"
        if key in seen:
            raise ValueError(f"weights {key} defined twice")
        seen.add(key)
    result = records(members, aliases, builders)
    return Catalogue(FAMILY, PACKAGE, version, tuple(_drop_conflicting_aliases(result)), tuple(read))


def _drop_conflicting_aliases(models: list[ModelRecord]) -> list[ModelRecord]:
    """Remove an alias that two records claim (it names neither reliably)."""
    owners: dict[str, set[str]] = {}
    for m in models:
        for a in m.aliases:
            owners.setdefault(a.lower(), set()).add(m.id)
    return [replace(m, aliases=tuple(a for a in m.aliases if len(owners[a.lower()]) == 1)) for m in models]


def _display_name(member: Member) -> str:
    if member.enum.endswith("_QuantizedWeights"):
        return f"{member.enum.removesuffix('_QuantizedWeights')} quantized ({member.name})"
    return f"{member.enum.removesuffix('_Weights')} ({member.name})"
