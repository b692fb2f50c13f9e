"""Extract model-family catalogues from the real libraries' source, never importing them.

Each module reads one library's pinned release (a wheel or sdist fetched with ``pip download``)
with :mod:`ast` and returns a :class:`~._common.Catalogue`; ``scripts/extract_models.py`` writes
them to ``src/modelclear/data/models/_generated/<family>.json``. A build-time tool, not part of the
installed package. The hand-reviewed ``data/models/<family>.yaml``
files add the licences and notes that the code does not state.

Some modules run on their own (``python -m tools.extract.<name>``): :mod:`.mteb_tasks` (the Hub datasets of
MTEB's tasks, from the mteb wheel) and the registries read from a git snapshot of a public repository
(:mod:`.spacy_models`, :mod:`.tfhub`, :mod:`.onnx_zoo`; ``--git-dir DIR``), written to
``data/datasets/_generated/`` and ``data/models/_registries/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import coqui_tts, keras, keras_hub, mteb, open_clip, timm, torchvision, ultralytics, unsloth, whisper
from ._archive import SourceArchive
from ._common import Catalogue


@dataclass(frozen=True)
class Extractor:
    """One family: the package and pinned version it is read from, and the function that reads it."""

    family: str
    package: str
    version: str
    run: Callable[[SourceArchive, str], Catalogue]


#: The pinned releases the committed catalogue was generated from (change a pin, rerun the script).
EXTRACTORS: tuple[Extractor, ...] = (
    Extractor("torchvision", torchvision.PACKAGE, "0.29.1", torchvision.extract),
    Extractor("timm", timm.PACKAGE, "1.0.31", timm.extract),
    Extractor("open_clip", open_clip.PACKAGE, "3.3.0", open_clip.extract),
    Extractor("keras", keras.PACKAGE, "3.15.1", keras.extract),
    Extractor("keras_hub", keras_hub.PACKAGE, "0.32.0", keras_hub.extract),
    Extractor("ultralytics", ultralytics.PACKAGE, "8.4.190", ultralytics.extract),
    Extractor("whisper", whisper.PACKAGE, "20250625", whisper.extract),
    Extractor("mteb", mteb.PACKAGE, "2.26.24", mteb.extract),
    Extractor("unsloth", unsloth.PACKAGE, unsloth.VERSION, unsloth.extract),
    Extractor("coqui_tts", coqui_tts.PACKAGE, coqui_tts.VERSION, coqui_tts.extract),
)

__all__ = ["EXTRACTORS", "Catalogue", "Extractor", "SourceArchive"]
