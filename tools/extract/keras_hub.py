"""Keras Hub presets: every entry of ``backbone_presets`` in ``keras_hub/src/models/*/*_presets.py``.

A preset is a name (``gemma3_1b``) that ``keras_hub.models.X.from_preset(NAME)`` downloads from
its ``kaggle_handle`` (``kaggle://keras/gemma3/keras/gemma3_1b/3``); its ``metadata`` gives a
description, the parameter count and the model folder (``path``). The wheel states no licence
per preset: its README says only that some underlying models (BART, BLOOM, Llama, Mistral, ...)
"are provided by third parties, and subject to separate licenses". The licence recorded for a
preset is therefore the licence of the **original release** the Keras weights convert, chosen per
Kaggle model (the handle's second part) in :data:`ORIGIN_LICENSES`, with per-preset overrides
where one Kaggle model holds releases under different licences (Llama 3 / 3.1 / 3.2; Qwen2.5 3B
and 72B; Depth Anything V2). That mapping is an inference, graded ``U`` in the hand-reviewed
family file ``data/models/keras_hub.yaml``; a Kaggle model whose origin or licence is not known
here gets ``unknown``.
"""

from __future__ import annotations

import re
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator
from ._common import Catalogue, ModelRecord, check_unique

PACKAGE = "keras-hub"
FAMILY = "keras_hub"
PRESETS_GLOB = "keras_hub/src/models/*/*_presets.py"
UNKNOWN = "unknown"

#: Kaggle model (``kaggle://OWNER/MODEL/...``) -> licence id of the original release it converts (``None``: that
#: release grants no licence, as torchvision's weights).
ORIGIN_LICENSES: dict[str, str | None] = {
    # Google releases under Apache-2.0
    "keras/albert": "Apache-2.0", "keras/bert": "Apache-2.0", "keras/electra": "Apache-2.0",
    "keras/t5": "Apache-2.0", "keras/f_net": "Apache-2.0", "keras/siglip": "Apache-2.0",
    # Gemma family (Gemma Terms of Use)
    "keras/gemma": "gemma", "keras/codegemma": "gemma", "keras/gemma2": "gemma", "google/shieldgemma": "gemma",
    "keras/vaultgemma": "gemma", "keras/gemma3": "gemma", "keras/function-gemma": "gemma",
    "keras/translategemma": "gemma", "keras/embeddinggemma": "gemma", "keras/gemma-3n": "gemma",
    "keras/mobilenetv5": "gemma", "keras/t5-gemma": "gemma", "keras/t5gemma-2": "gemma",
    "keras/paligemma": "gemma", "keras/paligemma2": "gemma",
    # Meta
    "keras/llama2": "llama2", "keras/vicuna": "llama2", "keras/llama3": "llama3",
    "keras/opt": "opt-175b-license", "keras/metaclip2": "CC-BY-NC-4.0", "keras/dinov2": "Apache-2.0",
    "keras/dinov3": "dinov3-license", "keras/sam": "Apache-2.0", "keras/deit": "Apache-2.0",
    "keras/bart": "MIT", "keras/roberta": "MIT", "keras/xlm_roberta": "MIT", "keras/esm-2": "MIT",
    # Mistral AI
    "keras/mistral": "Apache-2.0", "keras/mixtral": "Apache-2.0", "keras/magistral": "Apache-2.0",
    # Qwen (overrides below for the releases under other terms)
    "keras/qwen": "Apache-2.0", "keras/qwen2-5-coder": "Apache-2.0", "keras/qwen2-5-math": "Apache-2.0",
    "keras/qwen-3": "Apache-2.0", "keras/qwen-3-moe": "Apache-2.0", "keras/qwen3-coder": "Apache-2.0",
    "keras/qwen-3-embedding": "Apache-2.0", "keras/qwen-1.5-moe": "tongyi-qianwen",
    # others
    "keras/phi3": "MIT", "keras/gpt2": "LicenseRef-gpt2-modified-mit", "keras/gpt-oss": "Apache-2.0",
    "keras/gpt-oss-safeguard": "Apache-2.0", "keras/bloom": "bigscience-bloom-rail-1.0",
    "keras/falcon": "Apache-2.0", "keras/smollm3": "Apache-2.0", "keras/distil_bert": "Apache-2.0",
    "keras/deberta_v3": "MIT", "keras/bge": "MIT", "keras/multilingual-e5": "MIT",
    "keras/mxbai-embed": "Apache-2.0", "keras/sentence-transformers": "Apache-2.0", "keras/clip": "MIT",
    "keras/whisper": "MIT", "keras/moonshine": "MIT", "keras/swin-transformer": "MIT",
    "keras/stablediffusion3": "stabilityai-community", "keras/stablediffusion-3.5": "stabilityai-community",
    "keras/depth-anything": "CC-BY-NC-4.0",
    # image models converted from other libraries' weights (tools/checkpoint_conversion/convert_*_checkpoints.py)
    "keras/xception": "MIT",            # keras.applications.Xception(weights="imagenet"), documented MIT by Keras
    "keras/resnetv1": "Apache-2.0",     # timm resnet{18,50,101,152}.a1_in1k (timm's pretrained cfg: apache-2.0)
    "keras/resnetv2": "Apache-2.0",     # timm resnetv2_{50,101}.a1h_in1k
    "keras/retinanet": None,            # torchvision RetinaNet_ResNet50_FPN(_V2)_Weights: no licence for the weights
}

#: Kaggle model -> datasets the original release was trained on (only where the conversion names the release).
ORIGIN_DATASETS: dict[str, tuple[str, ...]] = {
    "keras/xception": ("dataset:imagenet-1k",),
    "keras/resnetv1": ("dataset:imagenet-1k",),
    "keras/resnetv2": ("dataset:imagenet-1k",),
    "keras/retinanet": ("dataset:coco",),
}

#: Presets whose original release is under other terms than the rest of their Kaggle model (regex on the name).
PRESET_OVERRIDES: tuple[tuple[str, str], ...] = (
    (r"^llama3\.1_", "llama3.1"),
    (r"^llama3\.2_", "llama3.2"),
    (r"^qwen2\.5_(?:coder_)?(?:instruct_)?3b", "tongyi-qianwen-research"),  # Qwen RESEARCH LICENSE (2024)
    (r"^qwen2\.5_(?:instruct_)?72b", "qwen"),                     # Qwen LICENSE AGREEMENT (19 Sep 2024)
    (r"^qwen2\.5_math_(?:instruct_)?72b", UNKNOWN),               # Qwen2.5-Math-72B: licence not read
    (r"^depth_anything_v2_small", "Apache-2.0"),                    # only the small V2 model is Apache-2.0
)


def kaggle_model(handle: str) -> str:
    """``kaggle://keras/gemma3/keras/gemma3_1b/3`` -> ``keras/gemma3``."""
    parts = handle.removeprefix("kaggle://").split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 else ""


def license_for(preset: str, model: str) -> str | None:
    """The licence id recorded for ``preset`` of Kaggle model ``model`` (``unknown`` when not mapped, ``None``
    when the original release grants none)."""
    for pattern, lid in PRESET_OVERRIDES:
        if re.search(pattern, preset):
            return lid
    return ORIGIN_LICENSES.get(model, UNKNOWN)


def presets(source: str, filename: str) -> dict[str, dict[str, Any]]:
    """The evaluated ``backbone_presets`` mapping of one presets module (entries that evaluate fully)."""
    table = ModuleEvaluator.from_source(source, filename).env.get("backbone_presets")
    if not isinstance(table, dict):
        return {}
    return {str(k): v for k, v in table.items() if isinstance(v, dict) and isinstance(v.get("kaggle_handle"), str)}


def records(found: dict[str, tuple[str, dict[str, Any]]]) -> list[ModelRecord]:
    """One record per preset name (``keras:NAME``), sorted by name."""
    out: list[ModelRecord] = []
    for name in sorted(found):
        folder, entry = found[name]
        handle = str(entry["kaggle_handle"])
        model = kaggle_model(handle)
        meta = entry.get("metadata") if isinstance(entry.get("metadata"), dict) else {}
        facts: dict[str, Any] = {"keras_hub_model": folder, "kaggle_model": model, "kaggle_handle": handle}
        params = meta.get("params") if isinstance(meta, dict) else None
        if isinstance(params, int):
            facts["params"] = params
        description = meta.get("description") if isinstance(meta, dict) else None
        if isinstance(description, str) and description.strip():
            facts["description"] = " ".join(description.split())
        out.append(ModelRecord(id=f"keras:{name}", name=f"Keras Hub preset {name}",
                               license=license_for(name, model), datasets=ORIGIN_DATASETS.get(model, ()),
                               facts=facts))
    check_unique(out)
    return out


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every Keras Hub preset in the keras-hub wheel in ``archive``."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    files = sorted(archive.glob(PRESETS_GLOB))
    for member in files:
        inner = archive.inner(member)
        folder = inner.split("/")[-2]
        for name, entry in presets(archive.read(member), inner).items():
            found.setdefault(name, (folder, entry))
    return Catalogue(FAMILY, PACKAGE, version, tuple(records(found)), tuple(archive.inner(m) for m in files))
