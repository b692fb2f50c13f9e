"""Local records as catalog artifacts, and :class:`LocalSource`, the catalog source of ``local:`` ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from modelclear.catalog.hfcard import CardData
from modelclear.catalog.localmodel.reader import read_local
from modelclear.catalog.localmodel.records import (
    SCHEME,
    LocalRecord,
)
from modelclear.catalog.localpath import looks_like_path as looks_like_path
from modelclear.model import Artifact, ArtifactRef, Confidence, Kind, LocalText, Relation, Source


def to_artifact(record: LocalRecord, resolve_license: Callable[[str], str | None],
                today: dt.date | None = None) -> Artifact:
    """The :class:`Artifact` of a local record: facts sourced to its own files (confidence ``S``)."""
    from modelclear.catalog.hfrecord import _card_license

    when = today or dt.date.today()
    card = record.card or CardData()
    if record.license is not None:
        card = CardData(license=record.license, license_name=card.license_name, license_link=card.license_link)
    license_id, note = _card_license(card, resolve_license)
    if record.license is None:
        license_id = None
        note = LocalText(en="Your files declare no licence for this model.",
                         ja="このモデルのファイルにはライセンスの記載がない。")
    own = Source(url=record.license_evidence.file if record.license_evidence else record.path, checked=when,
                 confidence=Confidence.SECONDARY,
                 note=f"your own files ({', '.join(record.formats) or 'nothing readable'})")
    upstream: list[Relation] = []
    for link in record.bases:  # a base that names nothing we can look up is still a base: unknown, not absent
        target = link.target if link.target is not None else unresolved_id(record.path, link.raw)
        upstream.append(Relation(target=target, relation=link.relation,
                                 source=Source(url=link.evidence.file, checked=when, confidence=Confidence.SECONDARY,
                                               note=link.evidence.text())))
    for link in record.datasets:
        if link.target is not None:
            upstream.append(Relation(target=link.target, relation="trained_on",
                                     source=Source(url=link.evidence.file, checked=when,
                                                   confidence=Confidence.SECONDARY, note=link.evidence.text())))
    facts: dict[str, object] = {k: v for k, v in record.facts.items()}
    facts["local_formats"] = list(record.formats)
    if record.license_evidence is not None:
        facts["declared_license"] = record.license_evidence.text()
    unresolved = [link.evidence.text() for link in (*record.bases, *record.datasets) if link.target is None]
    if unresolved:
        facts["unresolved_links"] = unresolved
    if record.warnings:
        facts["local_warnings"] = list(record.warnings)
    if record.name:
        facts["name"] = record.name
    return Artifact(id=record.id, kind=Kind.MODEL, name=record.label or record.path, license=license_id,
                    license_note=note, upstream=tuple(upstream), facts=facts, sources=(own,), origin="local")


#: Joins a local artifact's path and a base name it gives that resolves to nothing, in the id of that base.
UNRESOLVED = "#unresolved-base="


def unresolved_id(path: str, raw: str) -> str:
    """The id of a base that ``path``'s files name as ``raw`` but that names nothing we can look up.

    No source knows it (:meth:`LocalSource.lookup` reads nothing for it), so the lineage shows it as an
    unknown base and the licence it may pass on stays unknown, instead of the model looking base-less.
    """
    shown = "".join(c if c.isprintable() else "?" for c in raw)[:200]
    return f"{SCHEME}:{path}{UNRESOLVED}{shown}"


def is_local_id(artifact_id: str) -> bool:
    """Whether ``artifact_id`` is in the ``local`` scheme."""
    return artifact_id.lower().startswith(SCHEME + ":")



@dataclass
class LocalSource:
    """The catalog source of ``local:`` ids: each artifact read once, from under ``root``."""

    resolve_license: Callable[[str], str | None]
    root: Path = Path(".")
    name: str = "local"
    records: dict[str, LocalRecord] = field(default_factory=dict)
    _artifacts: dict[str, Artifact | None] = field(default_factory=dict, repr=False)

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The artifact of a ``local:`` id (read from its path under the root), or ``None``."""
        if not is_local_id(ref.id) or UNRESOLVED in ref.id:
            return None
        key = ref.id.lower()
        if key not in self._artifacts:
            rel = ref.id.split(":", 1)[1]
            record = read_local(self.root / rel, self.root)
            self.records[key] = record
            self._artifacts[key] = to_artifact(record, self.resolve_license) if record.found else None
        return self._artifacts[key]

    def add_training(self, artifact_id: str, datasets: list[tuple[str, str]], where: str) -> None:
        """Add ``trained_on`` edges (dataset id, note) to a local artifact already read, sourced to ``where``."""
        key = artifact_id.lower()
        art = self._artifacts.get(key)
        if art is None:
            return
        have = {r.target.lower() for r in art.upstream}
        when = art.sources[0].checked if art.sources else dt.date.today()
        extra = []
        for dataset, note in datasets:
            if dataset.lower() not in have:
                have.add(dataset.lower())
                src = Source(url=where, checked=when, confidence=Confidence.UNCERTAIN, note=note)
                extra.append(Relation(target=dataset, relation="trained_on", source=src))
        if extra:
            self._artifacts[key] = replace(art, upstream=(*art.upstream, *extra))
