"""Search over the knowledge base for the web UI's autocomplete and ``/api/search``.

An in-memory index of every artifact id (with its name and aliases), licence (``license:ID``), law
(``law:XX``) and platform (``platform:ID``), built once per knowledge base. Matches are ranked:
an exact id or alias first, then ids whose name starts with the query, then ids containing it,
then names and aliases containing it; within a tier, entries whose publisher (the organisation part of
``hf:ORG/NAME``) has the query as a whole word (``llama`` → ``meta-llama``), then hand-reviewed entries
before imported ones, shorter ids first. ``modelclear kb search`` and the web UI share this ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modelclear.catalog import KnowledgeBase


@dataclass(frozen=True)
class Entry:
    """One searchable item of the knowledge base."""

    id: str
    name: str
    kind: str  # model | dataset | package | license | law | platform
    aliases: tuple[str, ...] = ()
    reviewed: bool = True

    def as_dict(self) -> dict[str, str]:
        """The entry as JSON data."""
        return {"id": self.id, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class _Row:
    entry: Entry
    id_low: str
    local_low: str  # the id without its scheme
    name_low: str
    aliases_low: tuple[str, ...]
    haystack: str
    org_words: frozenset[str]  # the words of the publisher part of an ``ORG/NAME`` id


def _row(e: Entry) -> _Row:
    id_low = e.id.lower()
    aliases = tuple(a.lower() for a in e.aliases)
    local = id_low.split(":", 1)[-1]
    org = local.split("/", 1)[0] if "/" in local else ""
    return _Row(e, id_low, local, e.name.lower(), aliases, " ".join([id_low, e.name.lower(), *aliases]),
                frozenset(w for w in re.split(r"[^a-z0-9]+", org) if w))


class SearchIndex:
    """Ranked substring search over ids, names and aliases."""

    def __init__(self, entries: list[Entry]) -> None:
        """Index ``entries``."""
        self._rows = [_row(e) for e in entries]

    def __len__(self) -> int:
        """The number of indexed entries."""
        return len(self._rows)

    @classmethod
    def build(cls, kb: KnowledgeBase) -> SearchIndex:
        """The index of a knowledge base (artifacts, licences, laws, platforms)."""
        entries: list[Entry] = []
        for where, raw, _family in kb.iter_raw_artifacts():
            aid = str(raw.get("id", ""))
            if not aid:
                continue
            entries.append(Entry(
                id=aid,
                name=str(raw.get("name") or ""),
                kind=kb._kind_of(raw).value,
                aliases=tuple(str(a) for a in raw.get("aliases") or ()),
                reviewed="/_" not in where,
            ))
        for lid in kb.license_ids():
            record = kb.license(lid)
            name = record.name if record is not None else lid
            entries.append(Entry(id=f"license:{lid}", name=name, kind="license",
                                 aliases=(record.spdx,) if record is not None and record.spdx else ()))
        for code in kb.jurisdictions():
            law = kb.law(code)
            name = f"{law.name.en} / {law.name.ja}" if law is not None else code
            entries.append(Entry(id=f"law:{code}", name=name, kind="law"))
        for pid in kb.platform_ids():
            platform = kb.platform(pid)
            entries.append(Entry(id=f"platform:{pid}", name=platform.name if platform is not None else pid,
                                 kind="platform"))
        return cls(entries)

    def search(self, query: str, limit: int = 20, kinds: frozenset[str] | None = None) -> list[Entry]:
        """The best ``limit`` entries matching every word of ``query`` (case-insensitive)."""
        q = " ".join(query.lower().split())
        if not q or limit <= 0:
            return []
        words = q.split(" ")
        hits: list[tuple[tuple[int, int, int, int, str], Entry]] = []
        for r in self._rows:
            if kinds is not None and r.entry.kind not in kinds:
                continue
            if not all(w in r.haystack for w in words):
                continue
            if q in (r.id_low, r.local_low) or q in r.aliases_low:
                tier = 0
            elif r.local_low.startswith(q) or r.name_low.startswith(q):
                tier = 1
            elif q in r.id_low:
                tier = 2
            else:
                tier = 3
            publisher = 0 if q in r.org_words else 1
            hits.append(((tier, publisher, 0 if r.entry.reviewed else 1, len(r.id_low), r.id_low), r.entry))
        hits.sort(key=lambda h: h[0])
        return [e for _, e in hits[:limit]]

    def reviewed_artifacts(self) -> list[Entry]:
        """Hand-reviewed models, datasets and packages (the form's suggestions before anything is typed)."""
        rows = [r.entry for r in self._rows if r.entry.reviewed and r.entry.kind in ("model", "dataset", "package")]
        rows.sort(key=lambda e: (e.kind != "dataset", e.id.lower()))
        return rows
