"""``modelclear explain`` and ``modelclear kb``: what the knowledge base holds, with its sources."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from modelclear import ids
from modelclear.api import load_knowledge
from modelclear.catalog import KnowledgeBase
from modelclear.i18n import Translator

STALE_AFTER_DAYS = 365


def _dump(value: Any, lang: str, indent: int = 0) -> list[str]:
    """A readable, YAML-like dump of a raw record, picking one language for bilingual texts."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        if set(value) <= {"en", "ja"} and "en" in value:
            return [pad + str(value.get(lang) or value["en"])]
        for k, v in value.items():
            if isinstance(v, dict) and set(v) <= {"en", "ja"} and "en" in v:
                lines.append(f"{pad}{k}: {v.get(lang) or v['en']}")
            elif isinstance(v, (dict, list)):
                if not v:
                    continue
                lines.append(f"{pad}{k}:")
                lines += _dump(v, lang, indent + 1)
            else:
                lines.append(f"{pad}{k}: {v}")
    elif isinstance(value, list):
        for item in value:
            sub = _dump(item, lang, indent + 1)
            if sub:
                lines.append(pad + "- " + sub[0].strip())
                lines += sub[1:]
    else:
        lines.append(pad + str(value))
    return lines


def lookup(kb: KnowledgeBase, text: str) -> tuple[str, dict[str, Any]] | None:
    """Find the raw record for ``license:ID``, ``law:XX``, ``platform:ID`` or an artifact id/alias."""
    t = text.strip()
    low = t.lower()
    if low.startswith("license:") or low.startswith("licence:"):
        lid = kb.license_key(t.split(":", 1)[1])
        return ("license", kb._licenses[lid.lower()][1]) if lid else None
    if low.startswith("law:"):
        code = kb.law_code(t.split(":", 1)[1])
        return ("law", kb._laws[code][1]) if code else None
    if low.startswith("platform:"):
        item = kb._platforms.get(t.split(":", 1)[1].lower())
        return ("platform", item[1]) if item else None
    ref = ids.try_parse(t)
    raw = kb.raw_artifact(ref.id if ref else t)
    if raw is not None:
        where, entry, family = raw
        merged = dict(entry)
        if family:
            fam = kb.family(family)
            if fam:
                merged = {**{k: v for k, v in fam[1].items() if k not in ("models",)}, **entry}
        merged["_file"] = where
        return ("artifact", merged)
    lid = kb.license_key(t)
    if lid:
        return ("license", kb._licenses[lid.lower()][1])
    return None


def explain(text: str, lang: str = "en", fmt: str = "text", overlays: tuple[str, ...] = ()) -> tuple[str, bool]:
    """The record behind ``text`` as text or JSON, and whether it was found."""
    kb = load_knowledge(overlays)
    found = lookup(kb, text)
    t = Translator(kb.i18n, lang)
    if found is None:
        message = {"en": f"{text!r} is not in the knowledge base (try `modelclear kb search`).",
                   "ja": f"{text!r} はナレッジベースにありません（`modelclear kb search` で検索できます）。"}[lang]
        return (json.dumps({"found": False, "query": text}) + "\n" if fmt == "json" else message + "\n"), False
    kind, record = found
    if fmt == "json":
        return json.dumps({"found": True, "kind": kind, "record": record}, ensure_ascii=False, indent=2) + "\n", True
    head = f"{kind}: {record.get('id')}"
    lines = [head, "=" * len(head), *_dump(record, lang), "", t("ui.disclaimer")]
    return "\n".join(lines) + "\n", True


def _all_sources(record: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(record, dict):
        if "url" in record and "checked" in record:
            out.append(record)
        for v in record.values():
            out += _all_sources(v)
    elif isinstance(record, list):
        for v in record:
            out += _all_sources(v)
    return out


def stats(kb: KnowledgeBase | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Counts by kind, family, confidence and age of the knowledge base."""
    kb = kb or load_knowledge()
    today = today or dt.date.today()
    artifacts = list(kb.iter_raw_artifacts())
    kinds = Counter(kb._kind_of(e).value for _, e, _ in artifacts)
    families = Counter((f or e["id"].split(":", 1)[0]) for _, e, f in artifacts)
    reviewed = Counter(kb._kind_of(e).value for w, e, _ in artifacts if "/_" not in w)
    confidence: Counter[str] = Counter()
    stale = 0
    ages: Counter[str] = Counter()
    reviewed_records: list[Any] = [e for _, e in kb._licenses.values()]
    reviewed_records += [e for _, e in kb._laws.values()]
    reviewed_records += [e for _, e in kb._platforms.values()]
    reviewed_records += [e for w, e, _ in artifacts if "/_" not in w]
    reviewed_records += [e for _, e in kb._families.values()]
    for record in reviewed_records:
        for src in _all_sources(record):
            confidence[str(src.get("confidence", "?"))] += 1
            try:
                age = (today - dt.date.fromisoformat(str(src["checked"]))).days
            except ValueError:
                continue
            bucket = "< 90 days" if age < 90 else "< 1 year" if age <= STALE_AFTER_DAYS else "stale (> 1 year)"
            ages[bucket] += 1
            stale += age > STALE_AFTER_DAYS
    return {
        "knowledge_as_of": kb.knowledge_as_of().isoformat(),
        "licenses": len(kb._licenses),
        "artifacts": dict(sorted(kinds.items())),
        "hand_reviewed": dict(sorted(reviewed.items())),
        "families": dict(sorted(families.items())),
        "hf_models": sum(1 for _, e, _ in artifacts if str(e.get("id", "")).startswith("hf:")),
        "jurisdictions": kb.jurisdictions(),
        "platforms": len(kb._platforms),
        "sources_by_confidence": dict(sorted(confidence.items())),
        "sources_by_age": dict(sorted(ages.items())),
        "stale_sources": stale,
    }


def kb_stats(fmt: str = "text") -> str:
    """``modelclear kb stats`` output."""
    s = stats()
    if fmt == "json":
        return json.dumps(s, indent=2) + "\n"
    lines = [f"Knowledge as of {s['knowledge_as_of']}", f"licences: {s['licenses']}"]
    for kind, n in s["artifacts"].items():
        lines.append(f"{kind}s: {n} (hand-reviewed: {s['hand_reviewed'].get(kind, 0)})")
    lines.append(f"Hugging Face models: {s['hf_models']}")
    lines.append(f"jurisdictions: {len(s['jurisdictions'])} ({', '.join(s['jurisdictions'])})")
    lines.append(f"platforms: {s['platforms']}")
    lines.append("by family: " + ", ".join(f"{k} {v}" for k, v in sorted(s["families"].items(), key=lambda x: -x[1])))
    lines.append("sources by confidence: " + ", ".join(f"[{k}] {v}" for k, v in s["sources_by_confidence"].items()))
    lines.append("sources by age: " + ", ".join(f"{k}: {v}" for k, v in s["sources_by_age"].items()))
    if s["stale_sources"]:
        lines.append(f"stale: {s['stale_sources']} sources were checked more than a year ago")
    return "\n".join(lines) + "\n"


def kb_search(text: str, limit: int = 30) -> str:
    """``modelclear kb search`` output: ids, names and aliases containing ``text``."""
    kb = load_knowledge()
    needle = text.strip().lower()
    hits: list[tuple[int, str, str]] = []
    for _, e in kb._licenses.values():
        hay = " ".join([str(e.get("id")), str(e.get("name")), *map(str, e.get("aliases") or ())]).lower()
        if needle in hay:
            hits.append((0 if needle == str(e.get("id")).lower() else 1, f"license:{e['id']}", str(e.get("name"))))
    for _, e, _ in kb.iter_raw_artifacts():
        hay = " ".join([str(e.get("id")), str(e.get("name", "")), *map(str, e.get("aliases") or ())]).lower()
        if needle in hay:
            hits.append((0 if needle in str(e.get("id")).lower() else 1, str(e["id"]), str(e.get("name", ""))))
    for code, (_, e) in kb._laws.items():
        name = e.get("name", {})
        hay = f"{code} {name.get('en', '')} {name.get('ja', '')}".lower()
        if needle in hay:
            hits.append((0, f"law:{code}", str(name.get("en", ""))))
    hits.sort()
    lines = [f"{i:<60} {n}" for _, i, n in hits[:limit]]
    more = len(hits) - limit
    if more > 0:
        lines.append(f"… {more} more (use --limit)")
    if not hits:
        lines.append(f"nothing matches {text!r}")
    return "\n".join(lines) + "\n"
