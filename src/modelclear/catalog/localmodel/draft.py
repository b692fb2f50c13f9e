"""A record being built from the files of one artifact, and the finished :class:`LocalRecord`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modelclear.catalog.hfcard import CardData
from modelclear.catalog.localmodel.files import _Files
from modelclear.catalog.localmodel.names import _clean, resolve_name
from modelclear.catalog.localmodel.records import (
    _RELATIONS,
    MAX_LINKS,
    Evidence,
    Link,
    LocalRecord,
)


@dataclass
class _Draft:
    """A record being built from the files of one artifact."""

    files: _Files
    here: Path
    formats: list[str] = field(default_factory=list)
    relations: list[tuple[int, str, Evidence]] = field(default_factory=list)  # (priority, relation, evidence)
    licenses: list[tuple[str, Evidence]] = field(default_factory=list)
    bases: list[tuple[str, Evidence]] = field(default_factory=list)
    datasets: list[tuple[str, Evidence]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    card: CardData | None = None

    def base(self, raw: object, evidence: Evidence) -> None:
        text = _clean(raw)
        if text and len(self.bases) < MAX_LINKS and text not in (b for b, _ in self.bases):
            self.bases.append((text, Evidence(evidence.file, evidence.key, text)))

    def dataset(self, raw: object, evidence: Evidence) -> None:
        text = _clean(raw)
        if text and len(self.datasets) < MAX_LINKS and text not in (d for d, _ in self.datasets):
            self.datasets.append((text, Evidence(evidence.file, evidence.key, text)))

    def license(self, raw: object, evidence: Evidence) -> None:
        text = _clean(raw)
        if text:
            self.licenses.append((text, Evidence(evidence.file, evidence.key, text)))


def _finish(d: _Draft, artifact_id: str, rel: str) -> LocalRecord:
    relation, relation_evidence = "finetune", None
    if d.relations:
        _, relation, relation_evidence = min(d.relations, key=lambda r: r[0])
    if relation not in _RELATIONS:
        relation = "finetune"
    named = d.bases
    if any(ev.key != "_name_or_path" for _, ev in named):  # config.json's name may be the model's own repo:
        named = [(raw, ev) for raw, ev in named if ev.key != "_name_or_path"]  # bases named elsewhere win
    bases = tuple(Link(raw, resolve_name(raw, d.here, d.files), ev, relation) for raw, ev in named)
    seen: set[str] = set()
    unique = []
    for link in bases:
        key = (link.target or link.raw).lower()
        if key in seen or key == artifact_id.lower():
            continue
        seen.add(key)
        unique.append(link)
    datasets = tuple(Link(raw, resolve_name(raw, d.here, d.files, "hf-dataset"), ev, "trained_on")
                     for raw, ev in d.datasets)
    license_raw, license_ev = (d.licenses[0] if d.licenses else (None, None))
    warnings = list(dict.fromkeys(d.files.warnings))
    if len({lic.lower() for lic, _ in d.licenses}) > 1:
        shown = "; ".join(ev.text() for _, ev in d.licenses[:4])
        warnings.append(f"{rel}: its files declare different licences ({shown}); the first is taken")
    return LocalRecord(id=artifact_id, path=rel, formats=tuple(dict.fromkeys(d.formats)), relation=relation,
                       relation_evidence=relation_evidence, license=license_raw, license_evidence=license_ev,
                       card=d.card, bases=tuple(unique), datasets=datasets,
                       name=d.names[0] if d.names else None, facts=dict(d.facts), warnings=tuple(warnings))
