"""open_clip: every pretrained tag in ``open_clip/pretrained.py`` (the ``open_clip_torch`` wheel).

``_PRETRAINED`` maps an architecture to ``{tag: _pcfg(url=..., hf_hub=...)}``; a loop then adds a
``<arch>-quickgelu`` copy of each tag trained with QuickGELU. Both are interpreted by :mod:`._ast`.
The training data is read from the tag (``laion2b_s34b_b79k``, ``datacomp_xl_s13b_b90k``,
``commonpool_m_clip_s128m_b4k``, ``openai``, ``webli`` ...). open_clip states no weight licence, so
``license`` stays ``None`` here; the family file says what is known.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator
from ._common import Catalogue, ModelRecord, datasets_from_tokens, tokens

PACKAGE = "open_clip_torch"
FAMILY = "open_clip"
SOURCE = "open_clip/pretrained.py"

#: Tag tokens (and adjacent pairs) naming training data -> dataset ids. LAION-Aesthetics ("laion
#: aesthetic") is a subset of LAION-2B-en; DataComp-S/M/L pools are subsets of CommonPool;
#: DataCompDR is DataComp-1B with synthetic captions; DFNDR-2B likewise for DFN-2B.
DATASET_TOKENS: Mapping[str, tuple[str, ...]] = {
    "laion2b": ("dataset:laion-2b-en",),
    "laion400m": ("dataset:laion-400m",),
    "laion5b": ("dataset:laion-5b",),
    "laion_aesthetic": ("dataset:laion-2b-en",),
    "mscoco": ("dataset:coco",),
    "openai": ("dataset:openai-clip-webimagetext",),
    "yfcc15m": ("dataset:yfcc100m",),
    "cc12m": ("dataset:cc12m",),
    "datacomp1b": ("dataset:datacomp-1b",),
    "datacomp_xl": ("dataset:datacomp-1b",),
    "datacomp_s34b": ("dataset:datacomp-1b",),
    "datacompdr": ("dataset:datacomp-1b",),
    "datacomp_s": ("dataset:commonpool",),
    "datacomp_m": ("dataset:commonpool",),
    "datacomp_l": ("dataset:commonpool",),
    "commonpool": ("dataset:commonpool",),
    "dfn2b": ("dataset:dfn-2b",),
    "dfndr2b": ("dataset:dfn-2b",),
    "dfn5b": ("dataset:dfn-5b",),
    "metaclip_400m": ("dataset:metaclip-400m",),
    "metaclip_fullcc": ("dataset:metaclip-2.5b",),
    "metaclip2_worldwide": ("dataset:metaclip-2-worldwide",),
    "webli": ("dataset:webli",),
}


def hub_repo(hf_hub: str) -> str | None:
    """The ``org/name`` Hub repository of an open_clip ``hf_hub`` value (which may add a file name)."""
    parts = [p for p in hf_hub.split("/") if p]
    return "/".join(parts[:2]) if len(parts) >= 2 else None


def pretrained_table(source: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The evaluated ``_PRETRAINED`` table (architecture -> tag -> cfg) of ``pretrained.py``."""
    evaluator = ModuleEvaluator.from_source(source, SOURCE)
    table = evaluator.env.get("_PRETRAINED")
    if not isinstance(table, dict):
        raise ValueError(f"{SOURCE}: _PRETRAINED could not be evaluated")
    return {
        arch: {tag: cfg for tag, cfg in tags.items() if isinstance(cfg, dict)}
        for arch, tags in table.items()
        if isinstance(arch, str) and isinstance(tags, dict)
    }


def clean_tag(tag: str) -> str:
    """open_clip's tag normalisation (lower case, ``-`` to ``_``)."""
    return tag.lower().replace("-", "_")


def records_from_table(table: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[ModelRecord]:
    """One record per (architecture, tag) with weights (a url or an HF Hub location)."""
    out: list[ModelRecord] = []
    for arch, tags in table.items():
        for raw_tag, cfg in tags.items():
            url = cfg.get("url") if isinstance(cfg.get("url"), str) and cfg.get("url") else None
            hub = cfg.get("hf_hub") if isinstance(cfg.get("hf_hub"), str) and cfg.get("hf_hub") else None
            if not url and not hub:
                continue
            tag = clean_tag(raw_tag)
            generative = arch.lower().startswith("coca")
            facts: dict[str, Any] = {
                "task": "image-text-to-text" if generative else "zero-shot-image-classification",
                "multimodal": True,
                "generative": generative,
                "pretrained_tag": tag,
            }
            if cfg.get("quick_gelu") is True or arch.endswith("-quickgelu"):
                facts["quick_gelu"] = True
            out.append(ModelRecord(
                id=f"open_clip:{arch}/{tag}",
                name=f"OpenCLIP {arch} ({tag})",
                aliases=(f"open_clip:{arch}/{raw_tag}",) if raw_tag != tag else (),
                datasets=datasets_from_tokens(tokens(tag), DATASET_TOKENS),
                facts=facts,
                url=url,
                hf_hub_id=hub_repo(hub) if hub else None,
            ))
    return out


#: open_clip's own GitHub release of weights (v0.2-weights: the LAION-400M, YFCC-15M and CC12M models it trained).
OWN_RELEASES = "https://github.com/mlfoundations/open_clip/releases/download/"


def add_url_aliases(models: list[ModelRecord]) -> list[ModelRecord]:
    """The address of each tag's weights on open_clip's own release (:data:`OWN_RELEASES`) as an alias
    ``url:ADDRESS``, so code that downloads the file directly resolves to the tag; an address two tags share (an
    architecture and its ``-quickgelu`` copy) names the tag whose architecture is spelt in the file name, else
    neither. Weights open_clip points to on other hosts (OpenAI's CLIP files ...) are left to those releases'
    records."""
    owners: dict[str, list[int]] = {}
    for i, model in enumerate(models):
        if model.url and model.url.startswith(OWN_RELEASES):
            owners.setdefault(model.url, []).append(i)
    chosen: dict[int, str] = {}
    for url, indexes in owners.items():
        if len(indexes) > 1:
            quick = "quickgelu" in url.rsplit("/", 1)[-1]
            indexes = [i for i in indexes if ("-quickgelu/" in models[i].id) == quick]
        if len(indexes) == 1:
            chosen[indexes[0]] = url
    return [dataclasses.replace(m, aliases=(*m.aliases, f"url:{chosen[i]}")) if i in chosen else m
            for i, m in enumerate(models)]


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every pretrained tag of the open_clip release in ``archive``."""
    table = pretrained_table(archive.read_inner(SOURCE))
    models = add_url_aliases(records_from_table(table))
    return Catalogue(FAMILY, PACKAGE, version, tuple(models), (SOURCE,))
