"""Checks every law file (``data/law/*.yaml``) and platform file (``data/platforms/*.yaml``).

The files are read as plain YAML, exactly as shipped in the package. Their format (required fields,
ISO dates, known acts and effects, sourced and bilingual texts, unique ids, rules that never overlap,
parents that exist) is the knowledge schema's, checked by ``tests/test_knowledge_schema.py``; these
tests check what the files say: which jurisdictions and platforms exist, EU membership, DE under EU,
training answered for both purposes, the GPAI duties.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import yaml

from modelclear.knowledge import vocab

DATA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data"
LAW_DIR = DATA / "law"
PLATFORM_DIR = DATA / "platforms"

EXPECTED_JURISDICTIONS = {"JP", "EU", "DE", "UK", "US", "SG", "KR", "CN", "IL"}
EU_MEMBERS = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"}
EU_MEMBERS |= {"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
EXPECTED_PLATFORMS = {"huggingface", "pytorch-downloads", "pytorch-hub", "github", "kaggle", "tensorflow-hub"}
EXPECTED_PLATFORMS |= {"keras-storage", "ultralytics-assets", "openai-public"}

PURPOSES = set(vocab.PURPOSES)
_CODE = re.compile(r"^[A-Z]{2}$")


def _load(path: Path) -> dict[str, Any]:
    """Parse one YAML file into a mapping."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


LAW_PATHS = sorted(LAW_DIR.glob("*.yaml"))
PLATFORM_PATHS = sorted(PLATFORM_DIR.glob("*.yaml"))


def _laws() -> dict[str, dict[str, Any]]:
    """All law files by jurisdiction code."""
    return {p.stem: _load(p) for p in LAW_PATHS}


def test_every_jurisdiction_has_a_file() -> None:
    """The nine jurisdictions of the knowledge base are all present."""
    assert {p.stem for p in LAW_PATHS} >= EXPECTED_JURISDICTIONS


def test_parents_exist_and_de_inherits_from_eu() -> None:
    """Every parent is a law file, chains end (no cycles), and Germany's parent is the EU."""
    laws = _laws()
    assert laws["DE"]["parent"] == "EU"
    for code, law in laws.items():
        seen = {code}
        parent = law["parent"]
        while parent is not None:
            assert parent in laws, f"{code}: unknown parent {parent}"
            assert parent not in seen, f"{code}: parent cycle"
            seen.add(parent)
            parent = laws[parent]["parent"]


def test_eu_lists_its_members() -> None:
    """The EU file lists the 27 member states by ISO code, so e.g. FR resolves to EU law."""
    members = _laws()["EU"]["members"]
    assert len(members) == len(set(members))
    assert set(members) == EU_MEMBERS
    assert all(_CODE.match(m) for m in members)


def test_every_jurisdiction_answers_training_for_both_purposes() -> None:
    """For each jurisdiction an ``analysis`` rule exists for commercial and research use (own or parent's)."""
    laws = _laws()
    for code in laws:
        covered: set[str] = set()
        current: str | None = code
        while current is not None:
            for rule in laws[current]["rules"]:
                if rule["act"] == "analysis":
                    covered |= set(rule["purposes"])
            current = laws[current]["parent"]
        assert covered == PURPOSES, f"{code}: training not answered for {sorted(PURPOSES - covered)}"


def test_eu_has_gpai_obligations() -> None:
    """AI Act Art. 53(1)(c) and (d) are encoded as obligations for GPAI providers from 2 Aug 2025."""
    obligations = {o["id"]: o for o in _laws()["EU"]["obligations"]}
    for oid in ("eu-ai-act-53-1-c", "eu-ai-act-53-1-d"):
        assert obligations[oid]["applies_to"]["facts"] == {"gpai": True}
        assert obligations[oid]["effective"] == _dt.date(2025, 8, 2)


def test_every_platform_has_a_file() -> None:
    """The download platforms the engine refers to are all present."""
    assert {p.stem for p in PLATFORM_PATHS} >= EXPECTED_PLATFORMS


def test_keras_weights_finding_is_sourced_to_the_maintainer() -> None:
    """The 'weights have their own licence' finding cites keras#13362 as primary text seen [V]."""
    keras = _load(PLATFORM_DIR / "keras-storage.yaml")
    assert any(s["url"].endswith("keras-team/keras/issues/13362") and s["confidence"] == "V" for s in keras["sources"])
    assert any("13362" in note["en"] for note in keras["notes"])
