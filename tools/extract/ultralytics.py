"""ultralytics: the model assets the package downloads by name (``ultralytics/utils/downloads.py``).

``GITHUB_ASSETS_NAMES`` is built with comprehensions (``yolov8{k}{suffix}.pt`` ...), interpreted by
:mod:`._ast`; each weights file (``.pt``, ``.ts``, ``.onnx``) becomes ``ultralytics:<stem>``. The
download URL uses the default ``release`` of ``attempt_download_asset``. The package and the assets
it distributes are AGPL-3.0 (Ultralytics also sells an Enterprise licence); the training data come
from the task suffix, and assets ported from another publisher's release say so in ``facts``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator
from ._common import Catalogue, ModelRecord

PACKAGE = "ultralytics"
FAMILY = "ultralytics"
SOURCE = "ultralytics/utils/downloads.py"
LICENSE = "AGPL-3.0-only"
_WEIGHT_SUFFIXES = (".pt", ".ts", ".onnx")

#: Stem suffix -> (task, training datasets). Checked longest first.
SUFFIXES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "-cls": ("image-classification", ("dataset:imagenet-1k",)),
    "-seg": ("instance-segmentation", ("dataset:coco",)),
    "-pose": ("pose-estimation", ("dataset:coco",)),
    "-pose-p6": ("pose-estimation", ("dataset:coco",)),
    "-obb": ("oriented-object-detection", ("dataset:dota",)),
    "-oiv7": ("object-detection", ("dataset:open-images-v7",)),
    "-sem-ade20k": ("semantic-segmentation", ("dataset:ade20k",)),
    "-objv1-150": ("object-detection", ("dataset:objects365",)),
    "-objv1-seg": ("instance-segmentation", ("dataset:objects365",)),
    "-world": ("open-vocabulary-detection", ()),
    "-worldv2": ("open-vocabulary-detection", ()),
    "-seg-pf": ("open-vocabulary-segmentation", ()),
    "-sem": ("semantic-segmentation", ()),
    "-depth": ("depth-estimation", ()),
    "-distill": ("image-feature-extraction", ()),
    "-reid": ("person-reidentification", ()),
    "-grayscale": ("object-detection", ()),
}

#: Stem prefix -> (task, datasets, original publisher) for families Ultralytics did not train.
PREFIXES: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "sam2.1_": ("image-segmentation", ("dataset:sa-1b",), "Meta AI (SAM 2.1)"),
    "sam2_": ("image-segmentation", ("dataset:sa-1b",), "Meta AI (SAM 2)"),
    "sam_": ("image-segmentation", ("dataset:sa-1b",), "Meta AI (Segment Anything)"),
    "mobile_sam": ("image-segmentation", ("dataset:sa-1b",), "MobileSAM authors (Kyung Hee University)"),
    "FastSAM-": ("image-segmentation", ("dataset:sa-1b",), "CASIA-IVA-Lab (FastSAM)"),
    "rtdetr-": ("object-detection", ("dataset:coco",), "Baidu (RT-DETR)"),
    "yolo_nas_": ("object-detection", ("dataset:coco",), "Deci AI (YOLO-NAS)"),
    "yolov9": ("object-detection", ("dataset:coco",), "WongKinYiu (YOLOv9)"),
    "yolov10": ("object-detection", ("dataset:coco",), "Tsinghua University (YOLOv10)"),
    "yolo12": ("object-detection", ("dataset:coco",), "YOLOv12 authors"),
    "mobileclip": ("zero-shot-image-classification", (), "Apple (MobileCLIP)"),
    "yoloe-": ("open-vocabulary-segmentation", (), "THU-MIG (YOLOE)"),
}


def asset_names(source: str) -> tuple[list[str], str | None]:
    """``GITHUB_ASSETS_NAMES`` and the default release tag of ``attempt_download_asset``."""
    evaluator = ModuleEvaluator.from_source(source, SOURCE)
    names = evaluator.env.get("GITHUB_ASSETS_NAMES")
    if not isinstance(names, frozenset | set | list | tuple):
        raise ValueError(f"{SOURCE}: GITHUB_ASSETS_NAMES could not be evaluated")
    release: str | None = None
    for node in evaluator.tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "attempt_download_asset":
            params = [*node.args.args]
            for param, default in zip(params[len(params) - len(node.args.defaults):], node.args.defaults, strict=True):
                if param.arg == "release" and isinstance(default, ast.Constant):
                    release = str(default.value)
    return sorted(str(n) for n in names), release


def classify(stem: str) -> tuple[str, tuple[str, ...], str | None]:
    """(task, datasets, original publisher or ``None``) of an asset stem."""
    task, origin = "object-detection", None
    datasets: tuple[str, ...] = ("dataset:coco",)
    for prefix, (prefix_task, prefix_datasets, prefix_origin) in PREFIXES.items():
        if stem.startswith(prefix):
            task, datasets, origin = prefix_task, prefix_datasets, prefix_origin
            break
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if stem.endswith(suffix):
            suffix_task, suffix_datasets = SUFFIXES[suffix]
            return suffix_task, datasets if origin else suffix_datasets, origin
    return task, datasets, origin


#: Where the release assets are; code in the wild downloads a weights file by its address under one of the tags.
ASSETS = "https://github.com/ultralytics/assets/releases/download/"

#: Release tags of ultralytics/assets that code downloads weights from by address (``.../download/v8.3.0/yolo11n.pt``):
#: the file name names the asset whatever the tag, so each tag's address is an alias of the asset's record.
#: Tags seen in public code: v0.0.0 (the YOLOv8 launch), v8.1.0, v8.2.0, v8.3.0 (YOLO11), v8.4.0.
RELEASE_TAGS = ("v0.0.0", "v8.1.0", "v8.2.0", "v8.3.0", "v8.4.0")


def release_aliases(name: str, release: str | None) -> tuple[str, ...]:
    """``url:`` aliases of one asset: its address under the default tag and under :data:`RELEASE_TAGS`."""
    tags = [*([release] if release else []), *(t for t in RELEASE_TAGS if t != release)]
    return tuple(f"url:{ASSETS}{tag}/{name}" for tag in tags)


def records(names: list[str], release: str | None, version: str) -> list[ModelRecord]:
    """One record per weights asset, plus the ``pypi:ultralytics`` package itself."""
    out: list[ModelRecord] = []
    for name in names:
        if not name.endswith(_WEIGHT_SUFFIXES):
            continue
        stem = name.rpartition(".")[0]
        task, datasets, origin = classify(stem)
        facts: dict[str, Any] = {"task": task, "asset": name}
        if origin:
            facts["original_publisher"] = origin
        url = f"{ASSETS}{release}/{name}" if release else None
        out.append(ModelRecord(
            id=f"ultralytics:{stem}",
            name=f"Ultralytics {stem}",
            aliases=((f"ultralytics:{name}",) if name.endswith(".ts") else ()) + release_aliases(name, release),
            datasets=datasets,
            license=LICENSE,
            facts=facts,
            url=url,
        ))
    out.append(ModelRecord(
        id="pypi:ultralytics",
        name="ultralytics (Python package)",
        license=LICENSE,
        facts={"version_read": version},
        url="https://pypi.org/project/ultralytics/",
        kind="package",
    ))
    return out


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every downloadable model asset named in the ultralytics release in ``archive``."""
    names, release = asset_names(archive.read_inner(SOURCE))
    return Catalogue(FAMILY, PACKAGE, version, tuple(records(names, release, version)), (SOURCE,))
