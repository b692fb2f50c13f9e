"""Hugging Face model and dataset cards, for artifacts the bundled knowledge base does not know.

A card's YAML front matter is the uploader's claim about licence, base model and training data.
This module reads it from three places, in order of preference for an offline tool:

* a local model folder (``README.md``, ``config.json``, ``adapter_config.json``): :func:`read_model_dir`;
* the Hugging Face cache (``models--ORG--NAME/snapshots/<rev>/``): :func:`find_in_cache`, or a
  :class:`CacheIndex` that lists the cache folder once for many lookups;
* the Hub itself, only when the network is allowed: :func:`fetch_card`, which keeps what it fetched,
  with the date, under ``~/.cache/modelclear/cards/``; :func:`read_repo` reads a repository's commit,
  gating and card at that commit for the knowledge lock (:mod:`modelclear.catalog.lock`).

:func:`artifact_from_card` turns a card into a :class:`~modelclear.model.Artifact` whose every fact is
sourced to the card at confidence ``S`` (an uploader's claim is not a primary licence text).

Nothing here raises on bad input: malformed YAML, YAML bombs and huge files give a :class:`CardData`
with ``warnings``; a missing network gives a :class:`CardFetch` with a ``reason``.

The code lives in modules by concern — :mod:`~modelclear.catalog.hfcard` (front matter),
:mod:`~modelclear.catalog.hflocal` (model folders), :mod:`~modelclear.catalog.hfindex` (the HF cache),
:mod:`~modelclear.catalog.hfhub` (the Hub) and :mod:`~modelclear.catalog.hfrecord` (records); this
module re-exports their names so that callers keep importing from here.
"""

from __future__ import annotations

from modelclear.catalog.hfcard import (
    MAX_CARD_BYTES,
    MAX_FRONT_MATTER_CHARS,
    MAX_YAML_ALIASES,
    MAX_YAML_DEPTH,
    MAX_YAML_EVENTS,
    CardData,
    parse_card,
    read_card_file,
)
from modelclear.catalog.hfhub import (
    DEFAULT_MAX_AGE,
    DEFAULT_TIMEOUT,
    CardFetch,
    RepoRead,
    fetch_card,
    modelclear_cache_dir,
    read_repo,
)
from modelclear.catalog.hfindex import CacheIndex, find_in_cache, hf_hub_cache_dir, read_cached_card
from modelclear.catalog.hflocal import LocalModel, read_model_dir
from modelclear.catalog.hfrecord import GENERATIVE_PIPELINE_TAGS, artifact_from_card, hub_url

__all__ = [
    "DEFAULT_MAX_AGE", "DEFAULT_TIMEOUT", "GENERATIVE_PIPELINE_TAGS", "MAX_CARD_BYTES", "MAX_FRONT_MATTER_CHARS",
    "MAX_YAML_ALIASES", "MAX_YAML_DEPTH", "MAX_YAML_EVENTS", "CacheIndex", "CardData", "CardFetch", "LocalModel",
    "RepoRead",
    "artifact_from_card", "fetch_card", "find_in_cache", "hf_hub_cache_dir", "hub_url", "modelclear_cache_dir",
    "parse_card", "read_cached_card", "read_card_file", "read_model_dir", "read_repo",
]
