"""Catalog sources beyond the bundled knowledge: the local Hugging Face cache and the Hub itself.

Both read model cards (the uploader's claims, confidence ``S``) through :mod:`modelclear.catalog.hf`,
which uses ``huggingface_hub``'s own cache layout and HTTP session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelclear.catalog import KnowledgeBase
from modelclear.model import Artifact, ArtifactRef

_HF_SCHEMES = {"hf": "model", "hf-dataset": "dataset"}


def _repo(ref: ArtifactRef) -> tuple[str, str] | None:
    scheme, _, name = ref.id.partition(":")
    kind = _HF_SCHEMES.get(scheme)
    return (name, kind) if kind and "/" in name else None


@dataclass
class HFCacheSource:
    """Model and dataset cards found in the local Hugging Face cache (``~/.cache/huggingface/hub``).

    The cache folder is listed once (:class:`modelclear.catalog.hf.CacheIndex`, listed again only
    when the folder changes); each lookup then reads one repo's ``refs/main`` and snapshot files.
    """

    kb: KnowledgeBase
    cache_dir: Path | None = None
    name: str = "hf-cache"
    _index: Any = field(default=None, init=False, repr=False, compare=False)

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The artifact built from the cached card of ``ref``, if the cache holds it."""
        from modelclear.catalog import hf

        repo = _repo(ref)
        if repo is None:
            return None
        if self._index is None:
            self._index = hf.CacheIndex(self.cache_dir)
        found = hf.read_cached_card(repo[0], repo[1], index=self._index)
        if found is None:
            return None
        local, when = found
        return hf.artifact_from_card(ref.id, local.card, "hf-cache", when, self.kb.license_key)


@dataclass
class HFHubSource:
    """Cards read from the Hugging Face Hub (only with ``--online``), cached with the date fetched."""

    kb: KnowledgeBase
    name: str = "hf-hub"

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The artifact built from the Hub card of ``ref``, or ``None`` when offline or absent."""
        from modelclear.catalog import hf

        repo = _repo(ref)
        if repo is None:
            return None
        fetched = hf.fetch_card(repo[0], repo[1])
        if not fetched.ok or fetched.text is None or fetched.fetched_on is None:
            return None
        card = hf.parse_card(fetched.text)
        return hf.artifact_from_card(ref.id, card, "hf-hub", fetched.fetched_on, self.kb.license_key)
