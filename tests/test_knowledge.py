"""The knowledge base as a whole: every entry sourced, dated and graded; no dangling reference; no duplicate id."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from modelclear import ids
from modelclear.catalog import KnowledgeBase
from modelclear.catalog.bundled import DATA_DIR, load_file, load_raw
from modelclear.catalog.records import RecordError, build_artifact, build_law, build_license
from modelclear.explain import stats


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(use_cache=False)


def _sources(record: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(record, dict):
        for key, value in record.items():
            if key == "sources" and isinstance(value, list):
                out += value
            else:
                out += _sources(value)
    elif isinstance(record, list):
        for v in record:
            out += _sources(v)
    return out


def test_every_record_builds(kb: KnowledgeBase) -> None:
    for lid in kb.license_ids():
        assert kb.license(lid) is not None
    for aid in kb.artifact_ids():
        assert kb.artifact(aid) is not None
    for code in kb.jurisdictions():
        assert kb.law(code) is not None
    for pid in kb.platform_ids():
        assert kb.platform(pid) is not None


def test_every_source_has_url_date_and_confidence() -> None:
    raw = load_raw(DATA_DIR, use_cache=False)
    entries = [e for _, e in raw.licenses] + [e for _, e, _ in raw.artifacts] + [e for _, e in raw.laws]
    entries += [e for _, e in raw.platforms] + [e for _, e in raw.families.values()]
    entries += raw.rules.get("interactions", {}).get("rules", [])
    bad = []
    for e in entries:
        for s in _sources(e):
            if not s.get("url") or not s.get("checked") or str(s.get("confidence")) not in ("V", "S", "U"):
                bad.append((e.get("id") or e.get("family"), s))
    assert not bad, bad[:5]


def test_every_artifact_and_licence_has_sources(kb: KnowledgeBase) -> None:
    for aid in kb.artifact_ids():
        art = kb.artifact(aid)
        assert art is not None and art.sources, f"{aid} has no sources"
    for lid in kb.license_ids():
        lic = kb.license(lid)
        assert lic is not None and lic.sources, f"{lid} has no sources"


def test_no_duplicate_ids_or_aliases() -> None:
    raw = load_raw(DATA_DIR, use_cache=False)
    generated_ids = {e["id"].lower() for w, e, _ in raw.artifacts if "/_generated/" in w or "/_imported/" in w}
    seen: dict[str, str] = {}
    dupes = []
    for where, entry, _ in raw.artifacts:
        key = entry["id"].lower()
        hand = "/_" not in where
        if key in seen and not (hand and key in generated_ids):  # a hand entry may override a generated one
            dupes.append((key, seen[key], where))
        seen[key] = where
    assert not dupes, dupes[:10]
    owners: dict[str, str] = {}
    clashes = []
    for _, entry, _ in raw.artifacts:
        for alias in entry.get("aliases") or ():
            a = str(alias).lower()
            if a in owners and owners[a] != entry["id"].lower():
                clashes.append((a, owners[a], entry["id"]))
            owners[a] = entry["id"].lower()
    assert not clashes, clashes[:10]
    lic_ids = Counter(e["id"].lower() for _, e in raw.licenses)
    assert [k for k, n in lic_ids.items() if n > 1] == []


def test_no_dangling_references(kb: KnowledgeBase) -> None:
    problems = []
    for aid in kb.artifact_ids():
        art = kb.artifact(aid)
        assert art is not None
        for rel in art.upstream:
            if kb.canonical(rel.target) is None:
                problems.append(f"{aid}: upstream {rel.target}")
        for lid in [art.license, *(h.license for h in art.history)]:
            if lid and kb.license_key(lid) is None and " AND " not in lid and " OR " not in lid:
                problems.append(f"{aid}: licence {lid}")
        for tid in art.terms:
            if kb.license_key(tid) is None:
                problems.append(f"{aid}: terms {tid}")
        content = art.facts.get("content_license")
        if content and content not in ("none", "per-item", "unknown") and kb.license_key(str(content)) is None:
            problems.append(f"{aid}: content licence {content}")
        via = art.distributed_via
        if via and via != "none" and "." not in via and kb.platform(via) is None:
            problems.append(f"{aid}: platform {via}")
    for code in kb.jurisdictions():
        law = kb.law(code)
        assert law is not None
        if law.parent:
            assert kb.law(law.parent) is not None, f"{code}: parent {law.parent}"
    assert not problems, f"{len(problems)} dangling references, e.g. {problems[:15]}"


def test_every_id_is_well_formed(kb: KnowledgeBase) -> None:
    bad = [aid for aid in kb.artifact_ids() if ids.try_parse(aid) is None]
    assert not bad, bad[:10]


def test_record_builders_reject_missing_facts() -> None:
    with pytest.raises(RecordError, match="sources"):
        build_artifact({"id": "hf:a/b"}, "x.yaml")
    with pytest.raises(RecordError, match="checked"):
        build_artifact({"id": "hf:a/b", "sources": [{"url": "https://x", "confidence": "V"}]}, "x.yaml")
    with pytest.raises(RecordError, match="confidence"):
        build_artifact({"id": "hf:a/b", "sources": [{"url": "https://x", "checked": "2026-01-01",
                                                     "confidence": "maybe"}]}, "x.yaml")
    with pytest.raises(RecordError, match="acceptance"):
        build_license({"id": "X", "name": "X", "kind": "license", "category": "permissive", "acceptance": "yes"}, "x")
    with pytest.raises(RecordError, match="act"):
        build_law({"id": "law:XX", "jurisdiction": "XX", "name": {"en": "X", "ja": "X"},
                   "rules": [{"act": "dance", "effect": "covers"}]}, "x")


def test_stale_entries_are_reported(kb: KnowledgeBase) -> None:
    now = stats(kb, today=dt.date(2026, 11, 28))
    assert now["stale_sources"] == 0
    later = stats(kb, today=dt.date(2028, 6, 1))
    assert later["stale_sources"] > 0
    assert "stale (> 1 year)" in later["sources_by_age"]


def test_data_files_are_valid_yaml_or_json() -> None:
    for path in Path(DATA_DIR).rglob("*"):
        if path.suffix in (".yaml", ".yml", ".json"):
            load_file(path)


def test_coverage_targets(kb: KnowledgeBase) -> None:
    s = stats(kb)
    assert s["licenses"] >= 80
    assert len(s["jurisdictions"]) >= 9
    assert s["families"].get("torchvision", 0) >= 100
    assert s["families"].get("timm", 0) >= 1000
    assert s["families"].get("open_clip", 0) >= 100
    assert s["hf_models"] >= 150
    assert s["artifacts"].get("dataset", 0) >= 2500
    assert s["hand_reviewed"].get("dataset", 0) >= 40
