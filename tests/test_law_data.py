"""Checks every law file (``data/law/*.yaml``) and platform file (``data/platforms/*.yaml``).

The files are read as plain YAML, exactly as shipped in the package, and validated against the
format in ``docs/knowledge-format.md``: required fields, ISO dates, known acts/effects, sources with
a confidence tag on every rule, case and block, bilingual texts, EU membership and parent links.
Each validator returns a list of problems so that the tests can also show it rejects bad records.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data"
LAW_DIR = DATA / "law"
PLATFORM_DIR = DATA / "platforms"

EXPECTED_JURISDICTIONS = {"JP", "EU", "DE", "UK", "US", "SG", "KR", "CN", "IL"}
EU_MEMBERS = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"}
EU_MEMBERS |= {"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
EXPECTED_PLATFORMS = {"huggingface", "pytorch-downloads", "pytorch-hub", "github", "kaggle", "tensorflow-hub"}
EXPECTED_PLATFORMS |= {"keras-storage", "ultralytics-assets", "openai-public"}

ACTS = {"analysis", "use_weights", "distribute_weights", "use_outputs", "distribute_data"}
EFFECTS = {"covers", "covers_unless_optout", "needs_licence", "uncertain", "conditional"}
PURPOSES = {"commercial", "research"}
ACTIVITIES = {"train", "finetune", "distill", "evaluate", "deploy", "serve", "distribute", "outputs"}
CONFIDENCES = {"V", "S", "U"}
WEIGHTS_LIKELIHOOD = {"unlikely", "unsettled", "likely"}
MODEL_COPY_LIKELIHOOD = {"unlikely", "only_if_memorised", "unsettled", "likely"}
GENERATIVE_EFFECTS = {"allowed", "uncertain"}
OVERRIDE_SCOPES = {"research", "analysis"}
ACCEPTANCE = {"none", "click-through", "by-use"}
LAW_KEYS = {"id", "jurisdiction", "parent", "name", "summary", "contract_override"}
LAW_KEYS |= {"weights_work", "model_copy", "rules", "cases", "sources"}
RULE_KEYS = {"id", "act", "purposes", "effect", "citation", "url", "effective", "summary", "conditions", "sources"}
CASE_KEYS = {"id", "name", "court", "date", "summary", "sources"}
PLATFORM_KEYS = {"id", "name", "acceptance", "restricts_commercial", "summary", "notes", "sources"}

# Hiragana, katakana and CJK ideographs: a Japanese text must contain at least one of them.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_CODE = re.compile(r"^[A-Z]{2}$")


def _load(path: Path) -> dict[str, Any]:
    """Parse one YAML file into a mapping."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def _is_date(value: object) -> bool:
    """True for an ISO date parsed by YAML (a ``date``, not a ``datetime`` or a string)."""
    return isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)


def text_problems(value: object, where: str) -> list[str]:
    """Problems with a bilingual text ``{en, ja}``: both present, non-empty, ``ja`` in Japanese."""
    if not isinstance(value, Mapping):
        return [f"{where}: expected {{en, ja}}, got {type(value).__name__}"]
    problems = []
    for lang in ("en", "ja"):
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: missing or empty '{lang}'")
    ja = value.get("ja")
    if isinstance(ja, str) and ja.strip() and not _JAPANESE.search(ja):
        problems.append(f"{where}: 'ja' contains no Japanese characters")
    return problems


def source_problems(sources: object, where: str, today: _dt.date) -> list[str]:
    """Problems with a ``sources`` list: non-empty; each has a URL, a past check date, a V/S/U tag."""
    if not isinstance(sources, list) or not sources:
        return [f"{where}: sources must be a non-empty list"]
    problems = []
    for i, src in enumerate(sources):
        at = f"{where}.sources[{i}]"
        if not isinstance(src, Mapping):
            problems.append(f"{at}: not a mapping")
            continue
        if not isinstance(src.get("url"), str) or not _URL.match(src["url"]):
            problems.append(f"{at}: bad url {src.get('url')!r}")
        if not _is_date(src.get("checked")) or src["checked"] > today:
            problems.append(f"{at}: 'checked' must be an ISO date not in the future")
        if src.get("confidence") not in CONFIDENCES:
            problems.append(f"{at}: confidence must be V, S or U")
        if "note" in src and not isinstance(src["note"], str):
            problems.append(f"{at}: note must be a string")
    return problems


def weakest(sources: Iterable[Mapping[str, Any]]) -> str:
    """The weakest confidence tag among ``sources`` (U < S < V)."""
    order = {"U": 0, "S": 1, "V": 2}
    return min((s["confidence"] for s in sources), key=order.__getitem__)


def rule_problems(rule: object, where: str, today: _dt.date) -> list[str]:
    """Problems with one rule of a law file."""
    if not isinstance(rule, Mapping):
        return [f"{where}: not a mapping"]
    problems = [f"{where}: missing '{k}'" for k in sorted(RULE_KEYS - rule.keys())]
    if rule.get("act") not in ACTS:
        problems.append(f"{where}: unknown act {rule.get('act')!r}")
    if rule.get("effect") not in EFFECTS:
        problems.append(f"{where}: unknown effect {rule.get('effect')!r}")
    purposes = rule.get("purposes")
    if not isinstance(purposes, list) or not purposes or not set(purposes) <= PURPOSES:
        problems.append(f"{where}: purposes must be a non-empty subset of {sorted(PURPOSES)}")
    if not isinstance(rule.get("citation"), str) or not rule.get("citation", "").strip():
        problems.append(f"{where}: citation must be a non-empty string")
    if not isinstance(rule.get("url"), str) or not _URL.match(rule["url"]):
        problems.append(f"{where}: bad url {rule.get('url')!r}")
    if not _is_date(rule.get("effective")):
        problems.append(f"{where}: 'effective' must be an ISO date")
    if "until" in rule and not (
        _is_date(rule["until"]) and _is_date(rule.get("effective")) and rule["until"] > rule["effective"]
    ):
        problems.append(f"{where}: 'until' must be an ISO date after 'effective'")
    problems += text_problems(rule.get("summary"), f"{where}.summary")
    conditions = rule.get("conditions")
    if not isinstance(conditions, list):
        problems.append(f"{where}: conditions must be a list")
    else:
        for i, cond in enumerate(conditions):
            problems += text_problems(cond, f"{where}.conditions[{i}]")
    problems += source_problems(rule.get("sources"), where, today)
    if not problems and rule["effect"] == "covers" and weakest(rule["sources"]) == "U":
        problems.append(f"{where}: a 'covers' rule must not rest only on [U] sources")
    return problems


def case_problems(case: object, where: str, today: _dt.date) -> list[str]:
    """Problems with one case: court, an ISO date not after the check date, summary, sources."""
    if not isinstance(case, Mapping):
        return [f"{where}: not a mapping"]
    problems = [f"{where}: missing '{k}'" for k in sorted(CASE_KEYS - case.keys())]
    for key in ("id", "name", "court"):
        if key in case and (not isinstance(case[key], str) or not case[key].strip()):
            problems.append(f"{where}: '{key}' must be a non-empty string")
    if not _is_date(case.get("date")) or case["date"] > today:
        problems.append(f"{where}: 'date' must be an ISO date not in the future")
    problems += text_problems(case.get("summary"), f"{where}.summary")
    problems += source_problems(case.get("sources"), where, today)
    return problems


def block_problems(block: object, where: str, today: _dt.date, likelihoods: set[str]) -> list[str]:
    """Problems with a ``weights_work`` / ``model_copy`` block."""
    if not isinstance(block, Mapping):
        return [f"{where}: not a mapping"]
    problems = []
    if block.get("likelihood") not in likelihoods:
        problems.append(f"{where}: likelihood must be one of {sorted(likelihoods)}")
    problems += text_problems(block.get("summary"), f"{where}.summary")
    problems += source_problems(block.get("sources"), where, today)
    return problems


def law_problems(law: Mapping[str, Any], stem: str, today: _dt.date) -> list[str]:
    """Every problem with one law file (``stem`` is the file name without ``.yaml``)."""
    problems = [f"{stem}: missing '{k}'" for k in sorted(LAW_KEYS - law.keys())]
    if problems:
        return problems
    code = law["jurisdiction"]
    if code != stem or not _CODE.match(str(code)):
        problems.append(f"{stem}: jurisdiction {code!r} must equal the file name and be two capitals")
    if law["id"] != f"law:{code}":
        problems.append(f"{stem}: id must be 'law:{code}'")
    problems += text_problems(law["name"], f"{stem}.name")
    problems += text_problems(law["summary"], f"{stem}.summary")
    problems += source_problems(law["sources"], stem, today)

    override = law["contract_override"]
    if not isinstance(override, Mapping) or not isinstance(override.get("value"), bool):
        problems.append(f"{stem}.contract_override: 'value' must be true or false")
    else:
        if "scope" in override and override["scope"] not in OVERRIDE_SCOPES:
            problems.append(f"{stem}.contract_override: scope must be one of {sorted(OVERRIDE_SCOPES)}")
        problems += text_problems(override.get("summary"), f"{stem}.contract_override.summary")
        problems += source_problems(override.get("sources"), f"{stem}.contract_override", today)

    problems += block_problems(law["weights_work"], f"{stem}.weights_work", today, WEIGHTS_LIKELIHOOD)
    problems += block_problems(law["model_copy"], f"{stem}.model_copy", today, MODEL_COPY_LIKELIHOOD)
    if isinstance(law["model_copy"], Mapping) and law["model_copy"].get("generative_effect") not in GENERATIVE_EFFECTS:
        problems.append(f"{stem}.model_copy: generative_effect must be one of {sorted(GENERATIVE_EFFECTS)}")

    rules = law["rules"]
    if not isinstance(rules, list) or not rules:
        problems.append(f"{stem}: rules must be a non-empty list")
        rules = []
    for i, rule in enumerate(rules):
        problems += rule_problems(rule, f"{stem}.rules[{i}]", today)
    problems += _overlap_problems(rules, stem)

    cases = law["cases"]
    if not isinstance(cases, list):
        problems.append(f"{stem}: cases must be a list")
        cases = []
    for i, case in enumerate(cases):
        problems += case_problems(case, f"{stem}.cases[{i}]", today)

    for i, obligation in enumerate(law.get("obligations", [])):
        problems += obligation_problems(obligation, f"{stem}.obligations[{i}]", today)
    return problems


def _overlap_problems(rules: list[Any], stem: str) -> list[str]:
    """Two rules for the same act and purpose must not be in force on the same day."""
    seen: dict[tuple[str, str], list[tuple[_dt.date, _dt.date]]] = {}
    problems = []
    for rule in rules:
        if not isinstance(rule, Mapping) or not _is_date(rule.get("effective")):
            continue
        start = rule["effective"]
        end = rule.get("until") if _is_date(rule.get("until")) else _dt.date.max
        for purpose in rule.get("purposes") or []:
            key = (str(rule.get("act")), str(purpose))
            for other_start, other_end in seen.get(key, []):
                if start < other_end and other_start < end:
                    problems.append(f"{stem}: two rules for {key} overlap in time ({rule.get('id')})")
            seen.setdefault(key, []).append((start, end))
    return problems


def obligation_problems(obligation: object, where: str, today: _dt.date) -> list[str]:
    """Problems with a top-level obligation (e.g. AI Act Art. 53 duties of GPAI providers)."""
    if not isinstance(obligation, Mapping):
        return [f"{where}: not a mapping"]
    problems = [
        f"{where}: missing '{k}'"
        for k in ("id", "applies_to", "summary", "citation", "effective", "sources")
        if k not in obligation
    ]
    applies = obligation.get("applies_to")
    if not isinstance(applies, Mapping):
        problems.append(f"{where}: applies_to must be a mapping")
    else:
        activities = applies.get("activities")
        if not isinstance(activities, list) or not activities or not set(activities) <= ACTIVITIES:
            problems.append(f"{where}: applies_to.activities must be a non-empty subset of {sorted(ACTIVITIES)}")
        if not isinstance(applies.get("facts"), Mapping) or not applies["facts"]:
            problems.append(f"{where}: applies_to.facts must be a non-empty mapping")
    if not _is_date(obligation.get("effective")):
        problems.append(f"{where}: 'effective' must be an ISO date")
    problems += text_problems(obligation.get("summary"), f"{where}.summary")
    problems += source_problems(obligation.get("sources"), where, today)
    return problems


def platform_problems(platform: Mapping[str, Any], stem: str, today: _dt.date) -> list[str]:
    """Every problem with one platform file."""
    problems = [f"{stem}: missing '{k}'" for k in sorted(PLATFORM_KEYS - platform.keys())]
    if problems:
        return problems
    if platform["id"] != stem:
        problems.append(f"{stem}: id must equal the file name")
    if not isinstance(platform["name"], str) or not platform["name"].strip():
        problems.append(f"{stem}: name must be a non-empty string")
    if platform["acceptance"] not in ACCEPTANCE:
        problems.append(f"{stem}: acceptance must be one of {sorted(ACCEPTANCE)}")
    if platform["restricts_commercial"] not in (True, False, None):
        problems.append(f"{stem}: restricts_commercial must be true, false or null")
    problems += text_problems(platform["summary"], f"{stem}.summary")
    if not isinstance(platform["notes"], list):
        problems.append(f"{stem}: notes must be a list")
    else:
        for i, note in enumerate(platform["notes"]):
            problems += text_problems(note, f"{stem}.notes[{i}]")
    problems += source_problems(platform["sources"], stem, today)
    return problems


LAW_PATHS = sorted(LAW_DIR.glob("*.yaml"))
PLATFORM_PATHS = sorted(PLATFORM_DIR.glob("*.yaml"))
TODAY = _dt.date.today()


def _laws() -> dict[str, dict[str, Any]]:
    """All law files by jurisdiction code."""
    return {p.stem: _load(p) for p in LAW_PATHS}


def test_every_jurisdiction_has_a_file() -> None:
    """The nine jurisdictions of the knowledge base are all present."""
    assert {p.stem for p in LAW_PATHS} >= EXPECTED_JURISDICTIONS


@pytest.mark.parametrize("path", LAW_PATHS, ids=lambda p: p.stem)
def test_law_file_is_valid(path: Path) -> None:
    """Each law file has every required field, valid values and sourced, bilingual texts."""
    assert law_problems(_load(path), path.stem, TODAY) == []


def test_rule_and_case_ids_are_unique() -> None:
    """Rule, case and obligation ids are unique across all law files."""
    ids: list[str] = []
    for law in _laws().values():
        for key in ("rules", "cases", "obligations"):
            ids += [item["id"] for item in law.get(key) or []]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


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


@pytest.mark.parametrize("path", PLATFORM_PATHS, ids=lambda p: p.stem)
def test_platform_file_is_valid(path: Path) -> None:
    """Each platform file has every required field, valid values and sourced, bilingual texts."""
    assert platform_problems(_load(path), path.stem, TODAY) == []


def test_keras_weights_finding_is_sourced_to_the_maintainer() -> None:
    """The 'weights have their own licence' finding cites keras#13362 as primary text seen [V]."""
    keras = _load(PLATFORM_DIR / "keras-storage.yaml")
    assert any(s["url"].endswith("keras-team/keras/issues/13362") and s["confidence"] == "V" for s in keras["sources"])
    assert any("13362" in note["en"] for note in keras["notes"])


# --- the validators must reject bad records -------------------------------------------------------


def _src(url: str, year: int, confidence: str) -> dict[str, Any]:
    """A source checked on 1 January of ``year``."""
    return {"url": url, "checked": _dt.date(year, 1, 1), "confidence": confidence}


def _good_rule() -> dict[str, Any]:
    """A minimal valid rule, used to build invalid variants."""
    return {
        "id": "xx-rule",
        "act": "analysis",
        "purposes": ["commercial"],
        "effect": "covers",
        "citation": "Act s.1",
        "url": "https://example.org/act",
        "effective": _dt.date(2020, 1, 1),
        "summary": {"en": "Permits it.", "ja": "これを認める。"},
        "conditions": [],
        "sources": [{"url": "https://example.org/act", "checked": _dt.date(2026, 1, 1), "confidence": "S"}],
    }


def test_validators_accept_a_good_rule() -> None:
    """The minimal rule passes, so the rejections below come from the single change made."""
    assert rule_problems(_good_rule(), "r", _dt.date(2026, 11, 28)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"act": "train"}, "unknown act"),
        ({"effect": "allowed"}, "unknown effect"),
        ({"purposes": ["personal"]}, "purposes"),
        ({"effective": "1 Jan 2020"}, "'effective'"),
        ({"until": _dt.date(2019, 1, 1)}, "'until'"),
        ({"summary": {"en": "Permits it.", "ja": "Permits it."}}, "no Japanese"),
        ({"summary": {"en": "Permits it."}}, "missing or empty 'ja'"),
        ({"sources": []}, "non-empty list"),
        ({"sources": [_src("https://example.org", 2026, "X")]}, "V, S or U"),
        ({"sources": [_src("example.org", 2026, "S")]}, "bad url"),
        ({"sources": [_src("https://example.org", 2027, "S")]}, "future"),
        ({"sources": [_src("https://example.org", 2026, "U")]}, "[U]"),
    ],
)
def test_validators_reject_bad_rules(change: dict[str, Any], expected: str) -> None:
    """Each broken field is reported."""
    rule = _good_rule() | change
    problems = rule_problems(rule, "r", _dt.date(2026, 11, 28))
    assert any(expected in p for p in problems), problems


def test_overlapping_rules_are_rejected() -> None:
    """Two rules for the same act and purpose in force at once are reported."""
    first = _good_rule()
    second = _good_rule() | {"id": "xx-other", "effective": _dt.date(2021, 1, 1)}
    assert _overlap_problems([first, second], "XX")
    assert _overlap_problems([first | {"until": _dt.date(2021, 1, 1)}, second], "XX") == []


def test_platform_validator_rejects_bad_values() -> None:
    """An unknown acceptance mode and a non-boolean restriction are reported."""
    platform = _load(PLATFORM_DIR / "huggingface.yaml") | {"acceptance": "maybe", "restricts_commercial": "no"}
    problems = platform_problems(platform, "huggingface", TODAY)
    assert any("acceptance" in p for p in problems)
    assert any("restricts_commercial" in p for p in problems)
