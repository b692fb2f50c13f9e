"""Re-uploads inferred by name: a quantised or converted copy of a recorded model, judged as that model's copy.

``rules/reuploads.yaml`` lists organisations that publish copies of others' models under the original's name
(TheBloke, bartowski, unsloth, mlx-community ...) and the suffixes such copies carry (``-GGUF``, ``-AWQ``,
``-bnb-4bit``, ``-4bit``, ``-exl2`` ...). A Hub id under one of those organisations, or whose name ends with one
of those suffixes, whose name with the suffixes removed is the name of exactly one recorded base model (a
model record or alias, or an id a name-prefix family vouches for, outside the re-upload organisations) is
built as a record of its own: the base's licence, the base as its ``quantized`` base model, ``origin``
``inferred``, one source graded U, and a licence note saying the relation was inferred from the name. The
licence layer shows that note first and never judges such a record stronger than ``uncertain``
(:mod:`modelclear.assess.license`). An id no rule matches, a name no base has, or a name more than one base
has (that no other of them is a copy of) stays unknown.

The index of base names is built once per knowledge base, when the first candidate is asked about.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: A bound on the suffixes removed from one name (each removal shortens it; this only bounds the loop).
MAX_STRIPS = 8


@dataclass(frozen=True, slots=True)
class Inference:
    """What a name was inferred to be: the base's canonical id, the format, and the raw record to build."""

    base: str
    format: str
    raw: dict[str, Any]


class Rules:
    """The re-upload rules of one knowledge base (``kb.rules["reuploads"]``) and its index of base names."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        """Read ``doc`` (``rules/reuploads.yaml``, checked by the schema)."""
        self.orgs: dict[str, dict[str, Any]] = {str(o["name"]).lower(): o for o in doc.get("organisations") or ()}
        self.suffixes = [(re.compile(f"(?:{s['pattern']})$", re.IGNORECASE), s) for s in doc.get("suffixes") or ()]
        self.base_suffixes = [re.compile(f"(?:{s['pattern']})$", re.IGNORECASE) for s in doc.get("base_suffixes") or ()]
        self.note: Mapping[str, str] = doc.get("note") or {}
        self.memo: dict[str, Inference | None] = {}  # lower-cased id -> what it was inferred to be
        self.names: dict[str, set[str]] | None = None  # normalised base name -> canonical ids (built lazily)
        self.prefixes: list[tuple[str, str]] = []  # (lower-cased name stem, the family's id prefix)

    def strip(self, name: str) -> tuple[str, dict[str, Any] | None]:
        """``name`` without its quantisation suffixes, and the entry of the outermost one removed (``None``: none)."""
        first = None
        for _ in range(MAX_STRIPS):
            for pattern, entry in self.suffixes:
                m = pattern.search(name)
                if m and m.start() > 0:
                    name = name[:m.start()]
                    first = first or entry
                    break
            else:
                break
        return name, first

    def base_key(self, name: str) -> str:
        """A base name as compared: lower-cased, its own conversion suffixes (``-hf``) removed."""
        for pattern in self.base_suffixes:
            m = pattern.search(name)
            if m and m.start() > 0:
                name = name[:m.start()]
        return name.lower()

    def index(self, ids: Iterable[tuple[str, str]], prefixes: Iterable[str]) -> None:
        """Index the ``hf:`` model ids (each with its record's canonical id) by name, and the ``hf:`` family
        ``prefixes``; names under a re-upload organisation are left out."""
        names: dict[str, set[str]] = {}
        for hub_id, cid in ids:
            org, _, name = hub_id[3:].rpartition("/")
            if org.lower() in self.orgs:
                continue
            names.setdefault(self.base_key(name), set()).add(cid)
        self.names = names
        for prefix in prefixes:
            org, _, stem = prefix[3:].rpartition("/")
            if org and stem and org.lower() not in self.orgs:  # (a family of a whole organisation names no base)
                self.prefixes.append((stem.lower(), prefix))

    def candidates(self, name: str) -> set[str]:
        """The recorded base ids whose name is ``name`` (already stripped of quantisation suffixes): the records
        of that name, else the ids name-prefix families vouch for (a record is more specific than a family)."""
        key = self.base_key(name)
        found = set((self.names or {}).get(key, ()))
        if found:
            return found
        for stem, prefix in self.prefixes:
            if key.startswith(stem) and len(key) > len(stem):
                found.add(prefix + name[len(stem):])
        return found

    def applies(self, key: str) -> bool:
        """Whether the lower-cased id ``key`` is a candidate at all: a Hub id under a re-upload organisation,
        or whose name ends with a quantisation suffix (cheap: no index)."""
        if not key.startswith("hf:"):
            return False
        org, _, name = key[3:].rpartition("/")
        return bool(name) and (org in self.orgs or any(p.search(name) for p, _ in self.suffixes))

    def raw_record(self, artifact_id: str, base: str, entry: Mapping[str, Any] | None,
                   base_record: Any) -> dict[str, Any]:
        """The raw record of ``artifact_id`` as a quantized copy of ``base`` (whose record is ``base_record``)."""
        org, _, name = artifact_id[3:].rpartition("/")
        fmt = str(entry.get("format") or "") if entry else ""
        fmt = fmt or "a copy under the original's name"
        org_entry = self.orgs.get(org.lower())
        source = (org_entry["sources"][0] if org_entry else entry["sources"][0] if entry else {})
        note = {lang: str(text).replace("{base}", base).replace("{format}", fmt) for lang, text in self.note.items()}
        facts = dict(base_record.facts) if base_record is not None and base_record.facts else {}
        facts["quantized"] = fmt
        return {
            "id": artifact_id,
            "name": name,
            "kind": "model",
            "origin": "inferred",
            "publisher": org,
            "license": base_record.license if base_record is not None else None,
            "license_note": note,
            "distributed_via": "huggingface",
            "base_models": [{"target": base, "relation": "quantized"}],
            "facts": facts,
            "sources": [{"url": str(source.get("url") or f"https://huggingface.co/{artifact_id[3:]}"),
                         "checked": str(source.get("checked") or ""), "confidence": "U",
                         "note": f"inferred from the repository name: a re-upload of {base}"}],
        }


def infer(kb: Any, key: str, artifact_id: str) -> Inference | None:
    """What the id ``artifact_id`` (lower-cased ``key``) is inferred to be from its name, or ``None``.

    ``kb`` is the :class:`~modelclear.catalog.KnowledgeBase`; the caller has found no record and no
    name-prefix family for the id.
    """
    rules = _rules(kb)
    if rules is None or not rules.applies(key):
        return None
    if key not in rules.memo:
        rules.memo[key] = _infer(kb, rules, key, artifact_id)
    return rules.memo[key]


def _infer(kb: Any, rules: Rules, key: str, artifact_id: str) -> Inference | None:
    org, _, name = artifact_id.strip()[3:].rpartition("/")
    stripped, entry = rules.strip(name)
    if entry is None and org.lower() not in rules.orgs:
        return None
    if rules.names is None:
        rules.index(kb.hub_model_ids(), kb.hub_prefixes())
    found = rules.candidates(stripped)
    if len(found) > 1:  # copies of one original (a record naming another candidate as its base) are left out
        found = {c for c in found if not _copies_another(kb, c, found)}
    if len(found) != 1:
        return None
    base = next(iter(found))
    if base.lower() == key:
        return None
    base_record = kb.artifact(base)
    raw = rules.raw_record(artifact_id.strip(), base, entry, base_record)
    return Inference(base, str(raw["facts"]["quantized"]), raw)


def _copies_another(kb: Any, cid: str, found: set[str]) -> bool:
    art = kb.artifact(cid)
    lowered = {f.lower() for f in found} - {cid.lower()}
    return art is not None and any(r.target.lower() in lowered for r in art.upstream)


#: The rules (and index) of each knowledge base, built when it is first asked about a candidate.
_RULES: weakref.WeakKeyDictionary[Any, Rules | None] = weakref.WeakKeyDictionary()


def _rules(kb: Any) -> Rules | None:
    if kb in _RULES:
        return _RULES[kb]
    doc = kb.rules.get("reuploads")
    found = _RULES[kb] = Rules(doc) if isinstance(doc, Mapping) else None
    return found
