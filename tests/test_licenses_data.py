"""Checks every licence / terms record in ``src/modelclear/data/licenses`` against the data format.

The format is specified in ``docs/knowledge-format.md``. These tests read the YAML files as data
(``yaml.safe_load``); they do not depend on the loader, so a broken file is caught even before the
engine sees it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from license_expression import get_spdx_licensing

LICENSES_DIR = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data" / "licenses"

ACTIVITIES = frozenset({"train", "finetune", "distill", "evaluate", "deploy", "serve", "distribute", "outputs"})
PURPOSES = frozenset({"commercial", "research"})
EFFECTS = frozenset({"prohibited", "conditional", "uncertain", "allowed"})
CONFIDENCES = frozenset({"V", "S", "U"})
KINDS = frozenset({"license", "terms"})
CATEGORIES = frozenset(
    {
        "public-domain",
        "permissive",
        "weak-copyleft",
        "copyleft",
        "network-copyleft",
        "share-alike",
        "non-commercial",
        "responsible-ai",
        "research-only",
        "proprietary",
        "terms-of-access",
        "unknown",
    }
)
ACCEPTANCES = frozenset({"none", "by-use", "click-through", "registration", "notice"})
REQUIRED_FIELDS = (
    "id",
    "spdx",
    "name",
    "aliases",
    "kind",
    "category",
    "acceptance",
    "yields_to_exceptions",
    "passes_to_derivatives",
    "url",
    "summary",
    "grants",
    "terms",
    "sources",
)
TERM_FIELDS = ("id", "effect", "activities", "summary", "clause", "url", "confidence")

# SPDX ids added to the SPDX License List after the list bundled with ``license-expression``.
# Each entry names the SPDX release that added it (checked in spdx/license-list-XML).
SPDX_NEWER_THAN_BUNDLED = {"OpenMDW-1.0": "3.28.0"}

# Licence identifiers that Hugging Face model and dataset cards accept
# (https://huggingface.co/docs/hub/repositories-licenses; the Hub's list as of 2026).
HF_LICENSE_IDS = [
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "h-research",
    "intel-research",
    "lppl-1.3c",
    "ms-pl",
    "apple-ascl",
    "apple-amlr",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openmdw-1.0",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "grok2-community",
    "gemma",
    "unknown",
    "other",
]


def _license_files() -> list[Path]:
    return sorted(LICENSES_DIR.glob("*.yaml"))


@lru_cache(maxsize=1)
def _records() -> dict[Path, Any]:
    return {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in _license_files()}


@lru_cache(maxsize=1)
def _real_spdx_ids() -> frozenset[str]:
    """SPDX ids (not ScanCode ``LicenseRef-`` keys) listed in the bundled ScanCode LicenseDB index."""
    index = resources.files("license_expression").joinpath("data/scancode-licensedb-index.json")
    entries = json.loads(index.read_text(encoding="utf-8"))
    ids: set[str] = set()
    for entry in entries:
        for key in [entry.get("spdx_license_key") or "", *entry.get("other_spdx_license_keys", [])]:
            if key and not key.startswith("LicenseRef-"):
                ids.add(key)
    return frozenset(ids)


def spdx_problems(value: object) -> list[str]:
    """Why ``value`` is not a single, real SPDX licence id (empty list when it is one)."""
    if not isinstance(value, str) or not value:
        return [f"spdx must be a non-empty string or null, got {value!r}"]
    if value in SPDX_NEWER_THAN_BUNDLED:
        return []
    problems: list[str] = []
    if value.startswith("LicenseRef-"):
        problems.append(f"{value!r} is a LicenseRef, not an SPDX id; use spdx: null")
    info = get_spdx_licensing().validate(value)
    if info.errors:
        problems.extend(info.errors)
    elif value not in _real_spdx_ids():
        problems.append(f"{value!r} is not a known SPDX id (check spelling and case)")
    return problems


def _is_local_text(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("en"), str)
        and isinstance(value.get("ja"), str)
        and bool(value["en"].strip())
        and bool(value["ja"].strip())
    )


def _activity_problems(value: object, where: str) -> Iterator[str]:
    if value == "all":
        return
    if not isinstance(value, list) or not value:
        yield f"{where}: activities must be 'all' or a non-empty list, got {value!r}"
        return
    for item in value:
        if item not in ACTIVITIES:
            yield f"{where}: unknown activity {item!r}"


def _source_problems(sources: object, where: str) -> Iterator[str]:
    if not isinstance(sources, list) or not sources:
        yield f"{where}: sources must be a non-empty list"
        return
    for i, source in enumerate(sources):
        if not isinstance(source, Mapping):
            yield f"{where}: sources[{i}] is not a mapping"
            continue
        if not str(source.get("url", "")).startswith(("http://", "https://")):
            yield f"{where}: sources[{i}] needs an http(s) url"
        if not isinstance(source.get("checked"), dt.date):
            yield f"{where}: sources[{i}].checked must be an ISO date"
        if source.get("confidence") not in CONFIDENCES:
            yield f"{where}: sources[{i}].confidence must be V, S or U"


def _term_problems(term: object, where: str) -> Iterator[str]:
    if not isinstance(term, Mapping):
        yield f"{where}: term is not a mapping"
        return
    for field in TERM_FIELDS:
        if field not in term:
            yield f"{where}: term lacks {field!r}"
    if not isinstance(term.get("id"), str) or not term.get("id"):
        yield f"{where}: term id must be a non-empty string"
    if term.get("effect") not in EFFECTS:
        yield f"{where}: effect {term.get('effect')!r} not in {sorted(EFFECTS)}"
    yield from _activity_problems(term.get("activities"), where)
    purposes = term.get("purposes")
    if purposes is not None and (not isinstance(purposes, list) or not purposes or not set(purposes) <= PURPOSES):
        yield f"{where}: purposes must be a non-empty subset of {sorted(PURPOSES)}"
    jurisdictions = term.get("jurisdictions")
    if jurisdictions is not None and (
        not isinstance(jurisdictions, list) or not all(isinstance(j, str) and j for j in jurisdictions)
    ):
        yield f"{where}: jurisdictions must be a list of codes"
    facts = term.get("requires_facts")
    if facts is not None and not isinstance(facts, Mapping):
        yield f"{where}: requires_facts must be a mapping"
    if not _is_local_text(term.get("summary")):
        yield f"{where}: summary needs non-empty en and ja"
    if not isinstance(term.get("clause"), str) or not term.get("clause", "").strip():
        yield f"{where}: clause must be a non-empty string"
    if not str(term.get("url", "")).startswith(("http://", "https://")):
        yield f"{where}: term url must be http(s)"
    if term.get("confidence") not in CONFIDENCES:
        yield f"{where}: confidence must be V, S or U"
    if term.get("confidence") == "U" and term.get("effect") == "allowed":
        yield f"{where}: an uncertain [U] fact may not yield 'allowed'"
    if "quote" in term and (not isinstance(term["quote"], str) or not term["quote"].strip()):
        yield f"{where}: quote, when present, must be a non-empty string"


def record_problems(path: Path, record: object) -> list[str]:
    """Every format violation found in one licence record (empty list when it is valid)."""
    where = path.name
    if not isinstance(record, Mapping):
        return [f"{where}: top level must be a mapping"]
    problems = [f"{where}: missing field {field!r}" for field in REQUIRED_FIELDS if field not in record]
    if record.get("id") != path.stem:
        problems.append(f"{where}: id {record.get('id')!r} differs from the file name {path.stem!r}")
    if record.get("spdx") is not None:
        problems.extend(f"{where}: {p}" for p in spdx_problems(record["spdx"]))
    if not isinstance(record.get("name"), str) or not record.get("name"):
        problems.append(f"{where}: name must be a non-empty string")
    aliases = record.get("aliases")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.append(f"{where}: aliases must be a list of non-empty strings")
    if record.get("kind") not in KINDS:
        problems.append(f"{where}: kind {record.get('kind')!r} not in {sorted(KINDS)}")
    if record.get("category") not in CATEGORIES:
        problems.append(f"{where}: category {record.get('category')!r} not in the format's list")
    if record.get("acceptance") not in ACCEPTANCES:
        problems.append(f"{where}: acceptance {record.get('acceptance')!r} not in {sorted(ACCEPTANCES)}")
    for flag in ("yields_to_exceptions", "passes_to_derivatives"):
        if not isinstance(record.get(flag), bool):
            problems.append(f"{where}: {flag} must be true or false")
    effective = record.get("effective")
    if effective is not None and not isinstance(effective, dt.date):
        problems.append(f"{where}: effective must be an ISO date or null")
    if not str(record.get("url", "")).startswith(("http://", "https://")):
        problems.append(f"{where}: url must be http(s)")
    if not _is_local_text(record.get("summary")):
        problems.append(f"{where}: summary needs non-empty en and ja")
    grants = record.get("grants")
    if grants != "all" and not (isinstance(grants, list) and set(grants) <= ACTIVITIES):
        problems.append(f"{where}: grants must be 'all' or a list of activities, got {grants!r}")
    terms = record.get("terms")
    if not isinstance(terms, list):
        problems.append(f"{where}: terms must be a list")
    else:
        if not terms and grants != []:
            problems.append(f"{where}: a record without terms must grant nothing (grants: [])")
        term_ids = [t.get("id") for t in terms if isinstance(t, Mapping)]
        if len(term_ids) != len(set(term_ids)):
            problems.append(f"{where}: duplicate term ids {term_ids}")
        for term in terms:
            label = term.get("id") if isinstance(term, Mapping) else "?"
            problems.extend(_term_problems(term, f"{where} term {label!r}"))
    problems.extend(_source_problems(record.get("sources"), where))
    return problems


def name_clashes(records: Mapping[Path, Any]) -> list[str]:
    """Ids or aliases (case-insensitive) claimed by more than one record, or listed twice in one.

    An alias may repeat its own record's id in another case (an HF id such as ``afl-3.0`` next
    to the SPDX id ``AFL-3.0``): it names the same record, so it is no clash.
    """
    owner: dict[str, str] = {}
    clashes: list[str] = []
    for path, record in records.items():
        if not isinstance(record, Mapping):
            continue
        aliases = [a for a in record.get("aliases") or [] if isinstance(a, str)]
        if len(aliases) != len(set(aliases)):
            clashes.append(f"{path.name} lists an alias twice: {aliases}")
        names = {n.strip().lower(): n for n in [record.get("id"), *aliases] if isinstance(n, str)}
        for key, name in names.items():
            if key in owner:
                clashes.append(f"{name!r} in {path.name} is already used by {owner[key]}")
            else:
                owner[key] = path.name
    return clashes


def test_license_directory_is_populated() -> None:
    """The knowledge base ships at least 80 licence records (issue 3)."""
    assert len(_license_files()) >= 80


@pytest.mark.parametrize("path", _license_files(), ids=lambda p: p.name)
def test_record_follows_format(path: Path) -> None:
    """Each file has the required fields, a valid SPDX id, and fully sourced, bilingual terms."""
    assert record_problems(path, _records()[path]) == []


def test_ids_and_aliases_are_unique() -> None:
    """No two records share an id or alias, ignoring case."""
    assert name_clashes(_records()) == []


def test_every_hugging_face_license_id_resolves() -> None:
    """Each licence id a Hugging Face card may carry names exactly one record (id or alias)."""
    known = set()
    for record in _records().values():
        known.add(record["id"].lower())
        known.update(a.lower() for a in record["aliases"])
    missing = [hf_id for hf_id in HF_LICENSE_IDS if hf_id not in known]
    assert missing == []


def test_unknown_and_other_grant_nothing() -> None:
    """HF 'unknown' and 'other' carry no grant, so the engine answers unknown."""
    by_id = {r["id"]: r for r in _records().values()}
    for key in ("unknown", "other"):
        assert by_id[key]["category"] == "unknown"
        assert by_id[key]["grants"] == []


# --- the checks themselves must fail on broken data -------------------------------------------


def _valid_record() -> dict[str, Any]:
    return {
        "id": "example",
        "spdx": "MIT",
        "name": "Example",
        "aliases": ["ex"],
        "kind": "license",
        "category": "permissive",
        "acceptance": "none",
        "yields_to_exceptions": True,
        "passes_to_derivatives": False,
        "effective": dt.date(2020, 1, 1),
        "url": "https://example.org/licence",
        "summary": {"en": "An example.", "ja": "例。"},
        "grants": "all",
        "terms": [
            {
                "id": "notice",
                "effect": "conditional",
                "activities": ["distribute"],
                "summary": {"en": "Keep the notice.", "ja": "表示を残す。"},
                "clause": "§1",
                "url": "https://example.org/licence#1",
                "confidence": "V",
            }
        ],
        "sources": [{"url": "https://example.org/licence", "checked": dt.date(2026, 11, 28), "confidence": "V"}],
    }


def test_checker_accepts_a_valid_record() -> None:
    """The synthetic record used below is valid, so each mutation isolates one defect."""
    assert record_problems(Path("example.yaml"), _valid_record()) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.pop("sources"), "missing field 'sources'"),
        (lambda r: r.update(id="other-name"), "differs from the file name"),
        (lambda r: r.update(spdx="MIT-License"), "Unknown license key"),
        (lambda r: r.update(spdx="LicenseRef-scancode-llama-2-license-2023"), "LicenseRef"),
        (lambda r: r.update(spdx="mit"), "not a known SPDX id"),
        (lambda r: r["terms"][0].pop("clause"), "lacks 'clause'"),
        (lambda r: r["terms"][0].update(activities=["sell"]), "unknown activity 'sell'"),
        (lambda r: r["terms"][0].update(effect="maybe"), "effect 'maybe'"),
        (lambda r: r["terms"][0]["summary"].pop("ja"), "summary needs non-empty en and ja"),
        (lambda r: r["terms"][0].update(confidence="X"), "confidence must be V, S or U"),
        (lambda r: r["terms"][0].update(effect="allowed", confidence="U"), "may not yield 'allowed'"),
        (lambda r: r.update(category="free"), "category"),
        (lambda r: r.update(grants=["everything"]), "grants"),
        (lambda r: r["sources"][0].update(checked="yesterday"), "checked must be an ISO date"),
    ],
)
def test_checker_rejects_broken_records(mutate: Any, expected: str) -> None:
    """Each single defect is reported."""
    record = _valid_record()
    mutate(record)
    problems = record_problems(Path("example.yaml"), record)
    assert any(expected in p for p in problems), problems


def test_clash_checker_rejects_shared_alias() -> None:
    """An alias reused by another record (in another case) is reported."""
    first = _valid_record()
    second = _valid_record() | {"id": "example-2", "aliases": ["EX"]}
    clashes = name_clashes({Path("example.yaml"): first, Path("example-2.yaml"): second})
    assert clashes and "'EX'" in clashes[0]


def test_clash_checker_rejects_shared_id_and_repeated_alias() -> None:
    """Two records with one id, or one alias listed twice, are reported; an alias that only
    changes the case of its own id is not."""
    first = _valid_record() | {"aliases": ["EXAMPLE", "ex"]}
    assert name_clashes({Path("example.yaml"): first}) == []
    twice = _valid_record() | {"aliases": ["ex", "ex"]}
    assert name_clashes({Path("example.yaml"): twice})
    other = _valid_record() | {"aliases": []}
    assert name_clashes({Path("example.yaml"): first, Path("Example.yaml"): other})
