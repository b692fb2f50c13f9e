"""``--format sarif``: SARIF 2.1.0 that passes the OASIS schema and GitHub code scanning's rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modelclear import cli

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "tests" / "fixtures" / "projects"
SARIF_SCHEMA = ROOT / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json"  # vendored, see README there
LEVEL = {"prohibited": "error", "uncertain": "warning", "unknown": "warning", "conditional": "note",
         "allowed": "none", "not_applicable": "none"}
ORDER = ["not_applicable", "allowed", "conditional", "uncertain", "unknown", "prohibited"]


def sarif(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "out.sarif"
    code = cli.main([*args, "--format", "sarif", "-o", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def official_errors(doc: dict[str, Any]) -> list[str]:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(doc)]


def github_problems(doc: dict[str, Any]) -> list[str]:
    """What GitHub code scanning needs beyond the schema (docs: 'SARIF support for code scanning')."""
    problems = []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    if not run["tool"]["driver"].get("name"):
        problems.append("tool.driver.name missing")
    for r in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            if not r.get(key, {}).get("text"):
                problems.append(f"rule {r['id']}: {key}.text missing")
    if len({r["id"] for r in rules}) != len(rules):
        problems.append("duplicate rule ids")
    for i, res in enumerate(run["results"]):
        if rules[res["ruleIndex"]]["id"] != res["ruleId"]:
            problems.append(f"result {i}: ruleIndex does not point at ruleId")
        if not res["message"]["text"]:
            problems.append(f"result {i}: empty message")
        if not res.get("partialFingerprints"):
            problems.append(f"result {i}: no partialFingerprints")
        if res.get("kind", "fail") != "fail" and res["level"] != "none":
            problems.append(f"result {i}: kind {res['kind']} needs level none")
        for loc in res["locations"]:
            phys = loc.get("physicalLocation")
            if phys is None:
                continue
            uri = phys["artifactLocation"]["uri"]
            if uri.startswith("/") or re.match(r"^[a-z]+:", uri) or phys["artifactLocation"].get("uriBaseId") != \
                    "%SRCROOT%":
                problems.append(f"result {i}: uri {uri!r} is not relative to %SRCROOT%")
            if phys["region"]["startLine"] < 1:
                problems.append(f"result {i}: startLine < 1")
    return problems


@pytest.mark.parametrize("project", ["llm_app", "vision_training", "misc_loaders"])
def test_scan_sarif_validates_and_fits_github(tmp_path: Path, project: str) -> None:
    _, doc = sarif(tmp_path, "scan", str(PROJECTS / project), "-j", "JP", "--no-policy")
    assert official_errors(doc) == []
    assert github_problems(doc) == []
    run = doc["runs"][0]
    out = tmp_path / "scan.json"
    cli.main(["scan", str(PROJECTS / project), "-j", "JP", "--no-policy", "--format", "json", "-o", str(out)])
    refs = json.loads(out.read_text(encoding="utf-8"))["references"]
    assert len(run["results"]) == len(refs)  # one result per reference
    assert sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]) == \
        sorted((ref["path"], max(ref["line"], 1)) for ref in refs)
    prints = [next(iter(r["partialFingerprints"].values())) for r in run["results"]]
    assert len(set(prints)) == len(prints)
    for r in run["results"]:
        if "verdicts" in r["properties"]:
            assert r["level"] == LEVEL[max(r["properties"]["verdicts"].values(), key=ORDER.index)]


def test_prohibited_scan_result_is_an_error_with_citations(tmp_path: Path) -> None:
    code, doc = sarif(tmp_path, "scan", str(PROJECTS / "vision_training"), "-j", "JP", "--no-policy")
    assert code == 1
    run = doc["runs"][0]
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert errors
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for r in errors:
        assert r["ruleId"].startswith(("MC-PROHIBITED", "MC-CONTRACT-TERMS"))
        assert r["properties"]["citations"], r["ruleId"]
        rule = rules[r["ruleId"]]
        assert rule["defaultConfiguration"]["level"] == "error"
        # The rule's own page in docs/rules/, the same whatever the run cites.
        assert rule["helpUri"].endswith(f"/docs/rules/{r['ruleId']}.md")
        assert (Path(__file__).resolve().parents[1] / "docs" / "rules" / f"{r['ruleId']}.md").is_file()


def test_check_gives_one_result_with_a_logical_location(tmp_path: Path) -> None:
    code, doc = sarif(tmp_path, "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--no-policy")
    assert code == 1
    assert official_errors(doc) == []
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "MC-CONTRACT-TERMS" and result["level"] == "error"
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "dataset:imagenet-1k"
    assert "ImageNet" in result["message"]["text"]


def test_official_schema_catches_a_broken_log(tmp_path: Path) -> None:
    _, doc = sarif(tmp_path, "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--no-policy")
    doc["runs"][0]["results"][0]["level"] = "fatal"
    del doc["runs"][0]["tool"]["driver"]["name"]
    errors = official_errors(doc)
    assert any("fatal" in e for e in errors) and any("name" in e for e in errors), errors


def test_check_allowed_is_a_pass(tmp_path: Path) -> None:
    code, doc = sarif(tmp_path, "check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "-j", "JP", "--no-policy")
    (result,) = doc["runs"][0]["results"]
    assert code == 0 and result["level"] == "none" and result["kind"] == "pass"


def test_waiver_becomes_a_suppression_and_baseline_a_state(tmp_path: Path) -> None:
    policy = tmp_path / "modelclear.toml"
    policy.write_text('[[waivers]]\nid = "dataset:imagenet-1k"\nreason = "licensed from Princeton"\n'
                      'approved_by = "legal@example.com"\nexpires = 2030-01-01\n', encoding="utf-8")
    code, doc = sarif(tmp_path, "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--policy", str(policy),
                      "--today", "2029-12-31")
    assert code == 0
    (result,) = doc["runs"][0]["results"]
    assert result["suppressions"][0]["status"] == "accepted"
    assert "licensed from Princeton" in result["suppressions"][0]["justification"]
    assert official_errors(doc) == []
    base = tmp_path / "base.json"
    cli.main(["check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--no-policy", "--format", "json",
              "-o", str(base)])
    code, doc = sarif(tmp_path, "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--no-policy",
                      "--baseline", str(base))
    assert code == 0
    assert doc["runs"][0]["results"][0]["baselineState"] == "unchanged"
