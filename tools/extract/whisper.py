"""Whisper: the model sizes in ``whisper/__init__.py`` (``openai-whisper`` sdist).

``_MODELS`` maps a size name to its checkpoint URL. Names that share a checkpoint (``large`` and
``large-v3``, ``turbo`` and ``large-v3-turbo``) are one model: the name that matches the file is
the id, the others are aliases. OpenAI's README releases the code and weights under MIT; the
training audio (680,000 hours from the web) was not released.
"""

from __future__ import annotations

from ._archive import SourceArchive
from ._ast import ModuleEvaluator
from ._common import Catalogue, ModelRecord

PACKAGE = "openai-whisper"
FAMILY = "whisper"
SOURCE = "whisper/__init__.py"
LICENSE = "MIT"
DATASET = "dataset:whisper-680k"


def model_urls(source: str) -> dict[str, str]:
    """The evaluated ``_MODELS`` table (size name -> checkpoint URL)."""
    table = ModuleEvaluator.from_source(source, SOURCE).env.get("_MODELS")
    if not isinstance(table, dict):
        raise ValueError(f"{SOURCE}: _MODELS could not be evaluated")
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str)}


def records(urls: dict[str, str]) -> list[ModelRecord]:
    """One record per distinct checkpoint, with every size name that loads it."""
    by_url: dict[str, list[str]] = {}
    for name, url in urls.items():
        by_url.setdefault(url, []).append(name)
    out: list[ModelRecord] = []
    for url, names in by_url.items():
        stem = url.rsplit("/", 1)[-1].removesuffix(".pt")
        main = stem if stem in names else names[0]
        out.append(ModelRecord(
            id=f"whisper:{main}",
            name=f"Whisper {main}",
            aliases=(*(f"whisper:{n}" for n in names if n != main), f"url:{url}"),
            datasets=(DATASET,),
            license=LICENSE,
            facts={
                "task": "automatic-speech-recognition",
                "multimodal": True,
                "generative": False,
                "english_only": main.endswith(".en"),
            },
            url=url,
        ))
    return out


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every Whisper checkpoint named in the openai-whisper release in ``archive``."""
    urls = model_urls(archive.read_inner(SOURCE))
    return Catalogue(FAMILY, PACKAGE, version, tuple(records(urls)), (SOURCE,))
