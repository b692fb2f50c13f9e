"""The catalog stage: from a reference to what is known about the artifact.

:class:`KnowledgeBase` holds the bundled data (plus user overlays) with indexes by id and alias.
:class:`Catalog` answers ``lookup(ref)`` by asking its sources in order: the knowledge base, then
(for ``hf:`` ids) the local Hugging Face cache, then, when allowed, the Hub itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from modelclear import ids
from modelclear.catalog.bundled import DATA_DIR, RawStore, kind_of, load_raw, read_blob, register_schemes
from modelclear.catalog.records import (
    Law,
    License,
    Platform,
    RecordError,
    build_artifact,
    build_law,
    build_license,
    build_platform,
)
from modelclear.catalog.records import sources as _parse_sources  # (``sources`` is also a submodule's name)
from modelclear.knowledge.errors import KnowledgeError, OverlayError
from modelclear.model import Artifact, ArtifactRef, Kind, Source


def _k(text: str) -> str:
    return text.strip().lower()


class KnowledgeBase:
    """Everything modelclear knows offline: licences, artifacts, law, platforms, rules, messages."""

    def __init__(self, raw: RawStore, overlays: Iterable[RawStore] = ()) -> None:
        """Index ``raw`` and any ``overlays`` (later ones win)."""
        stores = [raw, *overlays]
        self._licenses: dict[str, tuple[str, dict[str, Any]]] = {}
        self._license_alias: dict[str, str] = {}
        # key -> (where, family, id, kind, entry dict | (open cache file, offset, length))
        self._artifacts: dict[str, tuple[str, str, str, str, Any]] = {}
        self._artifact_alias: dict[str, str] = {}
        self._families: dict[str, tuple[str, dict[str, Any]]] = {}
        self._laws: dict[str, tuple[str, dict[str, Any]]] = {}
        self._platforms: dict[str, tuple[str, dict[str, Any]]] = {}
        self.rules: dict[str, Any] = {}
        self.i18n: dict[str, dict[str, str]] = {}
        self.files = 0
        #: Loader files of the overlays (file stem -> document), later overlays win.
        self.loader_documents: dict[str, dict[str, Any]] = {}
        self.as_of = max(s.as_of for s in stores)
        for store in stores:
            self.files += store.files
            for where, entry in store.licenses:
                lid = str(entry.get("id", ""))
                self._licenses[_k(lid)] = (where, entry)
                for alias in [entry.get("spdx"), *(entry.get("aliases") or ())]:
                    if alias:
                        self._license_alias.setdefault(_k(str(alias)), _k(lid))
            self._families.update(store.families)
            if store.heads is not None:
                self._add_heads(store)
            for where, entry, family in store.artifacts:
                aid = str(entry.get("id", ""))
                if aid:
                    self._add_artifact(where, family, aid, kind_of(entry),
                                       [str(a) for a in entry.get("aliases") or ()], entry)
            for where, entry in store.laws:
                self._laws[str(entry.get("jurisdiction", "")).upper()] = (where, entry)
            for where, entry in store.platforms:
                self._platforms[_k(str(entry.get("id", "")))] = (where, entry)
            for name, content in store.rules.items():
                self.rules[name] = content
            for lang, messages in store.i18n.items():
                self.i18n.setdefault(lang, {}).update(messages)
            self.loader_documents.update(store.loaders or {})
        # Families that vouch for every id with a prefix (e.g. every Detectron2 model-zoo config).
        prefixed = [(str(d["match_prefix"]).lower(), name) for name, (_, d) in self._families.items()
                    if d.get("match_prefix")]
        self._prefixes: list[tuple[str, str]] = sorted(prefixed, key=lambda p: -len(p[0]))
        # Download addresses records list (``downloads``): a url: reference under one means that record.
        downloads = {prefix: (exact, aid) for store in stores for prefix, exact, aid in store.downloads or ()}
        self._downloads = sorted(((p, e, a) for p, (e, a) in downloads.items()), key=lambda d: -len(d[0]))
        self._members: dict[str, str] = {}
        for code, (_, entry) in self._laws.items():
            for member in entry.get("members") or ():
                self._members.setdefault(str(member).upper(), code)
        self._cache: dict[tuple[str, str], Any] = {}
        self._records: dict[str, Artifact] = {}  # canonical id -> the artifact record built from its entry

    def _add_heads(self, store: RawStore) -> None:
        """Index a compiled store's artifacts (the loop of :meth:`_add_artifact`, inlined: a million
        entries are indexed on every start)."""
        artifacts, aliases_of, blobs = self._artifacts, self._artifact_alias, store.blobs
        for where, family, aid, kind, aliases, offset, length in store.heads or ():
            key = aid.strip().lower()
            artifacts[key] = (where, family, aid, kind, (blobs, offset, length))
            for alias in aliases:
                aliases_of[alias.strip().lower()] = key

    def _add_artifact(self, where: str, family: str, aid: str, kind: str, aliases: list[str], source: Any) -> None:
        self._artifacts[_k(aid)] = (where, family, aid, kind, source)
        for alias in aliases:
            self._artifact_alias[_k(alias)] = _k(aid)

    def _entry(self, key: str) -> dict[str, Any]:
        """The raw entry of an artifact, read from the compiled store each time it is asked for (the
        record built from it is kept instead: a million raw entries are not held as well)."""
        source = self._artifacts[key][4]
        if isinstance(source, tuple):
            return read_blob(*source)
        return source

    def iter_raw_artifacts(self) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every artifact entry as (file, raw mapping, family)."""
        for key, (where, family, _aid, _kind, _src) in list(self._artifacts.items()):
            yield where, self._entry(key), family

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: Path | None = None, overlays: Iterable[Path] = (), use_cache: bool = True) -> KnowledgeBase:
        """Load the bundled data (or ``data_dir``) and overlay directories in the same format.

        Overlays are checked against the same schema and compiled to the same cache as the bundled
        data; their loader files' id schemes are declared (:func:`modelclear.ids.add_schemes`).

        Raises:
            KnowledgeError: a bundled file breaks the schema (the message names the file and the field).
            OverlayError: an overlay file does (the message also names the overlay).
        """
        raw = load_raw(data_dir or DATA_DIR, use_cache=use_cache)
        extra = []
        for p in overlays:
            try:
                store = load_raw(Path(p), use_cache=use_cache, overlay=True)
                if store.loaders:  # a cached overlay was not compiled in this process: declare its schemes
                    register_schemes(Path(p), store.loaders)
            except KnowledgeError as exc:
                raise OverlayError([f"--kb {p}: {problem}" for problem in exc.problems]) from None
            except ValueError as exc:
                raise OverlayError([f"--kb {p}: loaders: schemes: {exc}"]) from None
            extra.append(store)
        return cls(raw, extra)

    # --- licences ----------------------------------------------------------------------------

    def license_key(self, text: str) -> str | None:
        """The canonical licence id for an id, SPDX id or alias; ``None`` if unknown."""
        key = _k(text)
        if key in self._licenses:
            return str(self._licenses[key][1]["id"])
        target = self._license_alias.get(key)
        return str(self._licenses[target][1]["id"]) if target else None

    def license(self, text: str) -> License | None:
        """The licence record for an id, SPDX id or alias."""
        lid = self.license_key(text)
        if lid is None:
            return None
        cached = self._cache.get(("license", lid))
        if cached is None:
            where, entry = self._licenses[_k(lid)]
            cached = build_license(entry, where)
            self._cache[("license", lid)] = cached
        return cached

    def license_ids(self) -> list[str]:
        """All licence ids."""
        return sorted(str(e["id"]) for _, e in self._licenses.values())

    # --- artifacts ---------------------------------------------------------------------------

    def canonical(self, artifact_id: str) -> str | None:
        """The canonical id an id or alias refers to, if known."""
        key = _k(artifact_id)
        if key in self._artifacts:
            return self._artifacts[key][2]
        target = self._artifact_alias.get(key)
        if target is None and ":" not in key:
            target = self._artifact_alias.get("dataset:" + key)
        if target is None and key.startswith("url:"):
            target = self._download_for(key)
        if target is None and (self._family_for(key) or self._reupload(key, artifact_id)):
            return artifact_id.strip()
        return self._artifacts[target][2] if target else None

    def _reupload(self, key: str, artifact_id: str) -> Any:
        """A re-upload inferred from its name (:mod:`modelclear.catalog.reupload`), or ``None``."""
        from modelclear.catalog.reupload import infer

        return infer(self, key, artifact_id) if key.startswith("hf:") else None

    def hub_model_ids(self) -> Iterator[tuple[str, str]]:
        """Every ``hf:`` id (lower-cased) of a model record or alias, with the record's canonical id."""
        for key, (_where, _family, aid, kind, _src) in self._artifacts.items():
            if kind == "model" and key.startswith("hf:"):
                yield key, aid
        for key, target in self._artifact_alias.items():
            item = self._artifacts.get(target)
            if key.startswith("hf:") and item is not None and item[3] == "model":
                yield key, item[2]

    def hub_prefixes(self) -> list[str]:
        """The ``hf:`` prefixes name-prefix families vouch for."""
        return [str(d["match_prefix"]) for _, d in self._families.values()
                if str(d.get("match_prefix") or "").lower().startswith("hf:")]

    def _download_for(self, key: str) -> str | None:
        """The key of the record one of whose ``downloads`` covers the url: reference ``key``."""
        for prefix, exact, aid in self._downloads:
            if key == prefix or (not exact and key.startswith(prefix)):
                found = _k(aid)
                return found if found in self._artifacts else self._artifact_alias.get(found)
        return None

    def _family_for(self, key: str) -> str | None:
        for prefix, family in self._prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                return family
        return None

    def artifact(self, artifact_id: str) -> Artifact | None:
        """The artifact record for an id or alias."""
        key = _k(artifact_id)
        item = self._artifacts.get(key)
        if item is not None:  # an id of a record (what :meth:`canonical` finds first), without a second look-up
            cid = item[2]
            cached = self._records.get(cid)
            if cached is None:
                cached = self._records[cid] = self._build(item)
            return cached
        found = self.canonical(artifact_id)
        if found is None:
            return None
        cid = found
        cached = self._records.get(cid)
        if cached is None and _k(cid) not in self._artifacts:
            family = self._family_for(_k(cid))
            if family is None:  # a re-upload inferred from its name (canonical found it)
                cached = build_artifact(self._reupload(_k(cid), cid).raw, "rules/reuploads.yaml")
            else:
                where, defaults = self._families[family]
                name = cid.split(":", 1)[1]
                cached = build_artifact({"id": cid, "name": name, "origin": "family"}, where, defaults)
            self._records[cid] = cached
        if cached is None:
            cached = self._records[cid] = self._build(self._artifacts[_k(cid)])
        return cached

    def _build(self, item: tuple[str, str, str, str, Any]) -> Artifact:
        """The record of an indexed artifact ``(where, family, id, kind, entry or where it is compiled)``."""
        where, family, aid, _kind, source = item
        if isinstance(source, tuple):
            entry = read_blob(*source)
            if entry.get("id") == aid:  # (a fresh mapping) the record keeps the index's id string, not a copy
                entry["id"] = aid
        else:
            entry = source
        defaults = self._families.get(family, ("", {}))[1] if family else {}
        shared = self._family_sources(family, defaults) if family and not entry.get("sources") else None
        return build_artifact(entry, where, defaults, default_sources=shared)

    def _family_sources(self, family: str, defaults: Mapping[str, Any]) -> tuple[Source, ...] | None:
        """The family defaults' sources, built once per family (``None`` when they cannot be built)."""
        key = ("family-sources", family)
        if key not in self._cache:
            try:
                self._cache[key] = _parse_sources(defaults.get("sources"), f"family {family}") or None
            except RecordError:
                self._cache[key] = None  # each artifact reports it, naming its own file
        found: tuple[Source, ...] | None = self._cache[key]
        return found

    def artifact_ids(self, kind: Kind | None = None) -> Iterator[str]:
        """All artifact ids (of one kind)."""
        for _where, _family, aid, kind_text, _src in self._artifacts.values():
            if kind is None or kind_text == kind.value:
                yield aid

    @staticmethod
    def _kind_of(entry: Mapping[str, Any]) -> Kind:
        """The kind of a raw artifact entry (:func:`modelclear.catalog.bundled.kind_of`)."""
        return Kind(kind_of(entry))

    def raw_artifact(self, artifact_id: str) -> tuple[str, dict[str, Any], str] | None:
        """The raw entry behind an artifact (file, mapping, family), for ``explain`` and tests."""
        cid = self.canonical(artifact_id)
        if not cid:
            return None
        where, family = self._artifacts[_k(cid)][:2]
        return where, self._entry(_k(cid)), family

    def family(self, name: str) -> tuple[str, dict[str, Any]] | None:
        """The raw defaults of a model family."""
        return self._families.get(name)

    # --- law and platforms -------------------------------------------------------------------

    def law_code(self, jurisdiction: str) -> str | None:
        """The jurisdiction whose law file applies (an EU member without its own file maps to EU)."""
        code = jurisdiction.strip().upper()
        if code == "GB":
            code = "UK"
        if code in self._laws:
            return code
        return self._members.get(code)

    def law(self, jurisdiction: str) -> Law | None:
        """The law record for a jurisdiction code."""
        code = self.law_code(jurisdiction)
        if code is None:
            return None
        cached = self._cache.get(("law", code))
        if cached is None:
            where, entry = self._laws[code]
            cached = build_law(entry, where)
            self._cache[("law", code)] = cached
        return cached

    def jurisdictions(self) -> list[str]:
        """Jurisdictions with a law file."""
        return sorted(self._laws)

    def platform(self, pid: str) -> Platform | None:
        """A platform record."""
        item = self._platforms.get(_k(pid))
        if item is None:
            return None
        cached = self._cache.get(("platform", pid))
        if cached is None:
            cached = build_platform(item[1], item[0])
            self._cache[("platform", pid)] = cached
        return cached

    def platform_ids(self) -> list[str]:
        """All platform ids."""
        return sorted(str(e["id"]) for _, e in self._platforms.values())

    # --- summary ------------------------------------------------------------------------------

    def knowledge_as_of(self) -> dt.date:
        """The newest ``checked`` date among the reviewed data files."""
        return dt.date.fromisoformat(self.as_of)


class ArtifactSource(Protocol):
    """One place the catalog may find an artifact record."""

    name: str

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The record for ``ref``, or ``None``."""
        ...


@dataclass
class Catalog:
    """Resolve references to artifact records through the knowledge base and further sources."""

    kb: KnowledgeBase
    sources: list[ArtifactSource] = field(default_factory=list)
    _found: dict[str, Artifact | None] = field(default_factory=dict, repr=False)

    def resolve(self, ref: ArtifactRef) -> ArtifactRef:
        """The canonical form of ``ref`` (alias → id), keeping what the user typed as an alias.

        A ``url:`` reference no record claims is tried in its other spellings (http/https, ``gs://`` and
        ``storage.googleapis.com``: :func:`modelclear.catalog.hosted.address_variants`), then read through
        the weight hosts' address schemes (:func:`modelclear.catalog.hosted.hosted_id`): a Hub ``resolve/``
        address is its repository.
        """
        cid = self.kb.canonical(ref.id)
        hosted = None
        if cid is None and ref.scheme == "url":
            from modelclear.catalog.hosted import address_variants, hosted_id
            cid = next(filter(None, map(self.kb.canonical, address_variants(ref.id))), None)
            hosted = hosted_id(ref.id) if cid is None else None
            if hosted is not None:
                cid = self.kb.canonical(hosted) or hosted
        if cid is None or cid == ref.id:
            return ref
        known = self.kb.artifact(cid)
        kind = known.kind if known is not None else ids.parse(cid).kind if hosted else ref.kind
        return ArtifactRef(kind=kind, id=cid, aliases=(ref.id,), raw=ref.raw, scheme=cid.split(":", 1)[0])

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The best record for ``ref``: bundled knowledge first, then the extra sources in order; a record
        only inferred from the id's name (``origin`` inferred) comes after the card the sources read."""
        found = self.kb.artifact(ref.id)
        if found is not None and (found.origin != "inferred" or not self.sources):
            return found
        key = ref.id.lower()
        if key not in self._found:  # cards in the HF cache or on the Hub are read once per catalog
            read = next((a for a in (src.lookup(ref) for src in self.sources) if a is not None), None)
            self._found[key] = read if read is not None else found
        return self._found[key]

    def get(self, artifact_id: str) -> Artifact | None:
        """Lookup by id string (used by lineage); malformed ids are simply unknown."""
        ref = ids.try_parse(artifact_id)
        if ref is None:
            return self.kb.artifact(artifact_id)
        return self.lookup(ref)
