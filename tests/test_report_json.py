"""``--format json``: the documents validate against the JSON Schemas shipped in the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from modelclear import cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "src" / "modelclear" / "report" / "schema"
PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def run_json(tmp_path: Path, *args: str) -> tuple[int, Any]:
    out = tmp_path / "out.json"
    code = cli.main([*args, "--format", "json", "-o", str(out), "--no-policy"])
    return code, json.loads(out.read_text(encoding="utf-8"))


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(v: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(doc)]


def test_schemas_ship_in_the_package() -> None:
    from importlib.resources import files

    for name in ("check-1.json", "scan-1.json", "scan-2.json"):
        assert json.loads(files("modelclear.report").joinpath("schema", name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("args", "verdict"), [
    (["dataset:imagenet-1k", "-j", "JP", "-a", "train"], "prohibited"),
    (["hf:llava-hf/llava-1.5-7b-hf", "-j", "JP"], None),
    (["hf:acme-ai/never-heard-of-it", "-j", "US"], "unknown"),
])
def test_check_document_validates(tmp_path: Path, args: list[str], verdict: str | None) -> None:
    _, doc = run_json(tmp_path, "check", *args)
    assert errors(validator("check-1.json"), doc) == []
    assert doc["schema"] == "modelclear/check/1"
    if verdict:
        assert doc["verdict"] == verdict
    assert doc["gate"]["fail_on"] == "uncertain"


def test_check_with_lineage_has_real_content(tmp_path: Path) -> None:
    _, doc = run_json(tmp_path, "check", "hf:llava-hf/llava-1.5-7b-hf", "-j", "JP")
    ids = {c["id"] for c in doc["lineage"]["children"]}
    assert "hf:lmsys/vicuna-7b-v1.5" in ids
    assert any(c["relation"] == "trained_on" for c in doc["lineage"]["children"])
    assert {u["artifact"]["id"] for u in doc["upstream"]} >= {"hf:meta-llama/Llama-2-7b-hf"}
    assert all(c["url"].startswith("http") for f in doc["layers"] for c in f["citations"])


def test_several_jurisdictions_give_one_check_document_each(tmp_path: Path) -> None:
    _, docs = run_json(tmp_path, "check", "dataset:imagenet-1k", "-j", "JP,EU", "-a", "train")
    assert [d["scenario"]["jurisdiction"] for d in docs] == ["JP", "EU"]
    v = validator("check-1.json")
    for d in docs:
        assert errors(v, d) == []
        assert [it["jurisdiction"] for it in d["gate"]["items"]] == [d["scenario"]["jurisdiction"]]


def test_schema_rejects_a_wrong_document(tmp_path: Path) -> None:
    _, doc = run_json(tmp_path, "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train")
    v = validator("check-1.json")
    assert errors(v, {**doc, "verdict": "maybe"})
    assert errors(v, {**doc, "surprise": 1})
    broken = json.loads(json.dumps(doc))
    broken["layers"][0]["citations"].append({"label": "x"})
    assert errors(v, broken)


@pytest.mark.parametrize("project", ["llm_app", "vision_training"])
def test_scan_document_validates_with_real_content(tmp_path: Path, project: str) -> None:
    code, doc = run_json(tmp_path, "scan", str(PROJECTS / project), "-j", "JP")
    assert errors(validator("scan-2.json"), doc) == []
    assert doc["schema"] == "modelclear/scan/2"
    assert doc["references"] and doc["assessments"]
    assert all(r["path"] and r["line"] >= 0 for r in doc["references"])
    assert any(a["lineage"] and a["lineage"]["children"] for a in doc["assessments"])
    assert any(a["artifact"]["license"] for a in doc["assessments"])
    if project == "vision_training":
        assert doc["summary"]["prohibited"] and code == 1


def test_scan_side_by_side_jurisdictions(tmp_path: Path) -> None:
    _, doc = run_json(tmp_path, "scan", str(PROJECTS / "vision_training"), "-j", "JP,EU,US")
    assert errors(validator("scan-2.json"), doc) == []
    assert [s["jurisdiction"] for s in doc["scenarios"]] == ["JP", "EU", "US"]
    ids = {a["artifact"]["id"] for a in doc["assessments"]}
    assert len(doc["assessments"]) == 3 * len(ids)
    resolved = [r for r in doc["references"] if r["verdict"]]
    assert resolved and all(set(r["verdicts"]) == {"JP", "EU", "US"} for r in resolved)
    order = ["not_applicable", "allowed", "conditional", "uncertain", "unknown", "prohibited"]
    for r in resolved:
        assert r["verdict"] == max(r["verdicts"].values(), key=order.index)


def test_scan_document_lists_each_upstream_assessment_once(tmp_path: Path) -> None:
    """``nodes`` holds every upstream judgement once; each assessment names its upstream by key."""
    _, doc = run_json(tmp_path, "scan", str(PROJECTS / "llm_app"), "-j", "JP,EU")
    assert errors(validator("scan-2.json"), doc) == []
    nodes = doc["nodes"]
    listed = [key for a in doc["assessments"] for key in a["upstream"]]
    assert listed and set(listed) == set(nodes)  # every key resolves; no entry is unused
    assert len(listed) > len(nodes)  # some upstream artifact is shared, and written once
    for a in doc["assessments"]:
        assert len(a["upstream"]) == len(set(a["upstream"]))
        code = a["scenario"]["jurisdiction"]
        for key in a["upstream"]:
            node = nodes[key]
            assert key == f"{node['scenario']['jurisdiction']}:{node['scenario']['activity']}:{node['artifact']['id']}"
            assert node["scenario"]["jurisdiction"] == code
            assert "upstream" not in node and "lineage" not in node
    # The lineage tree carries each upstream node's verdict, the same as its entry in ``nodes``.
    for a in doc["assessments"]:
        verdicts = {nodes[k]["artifact"]["id"]: nodes[k]["verdict"] for k in a["upstream"]}
        stack = list(a["lineage"]["children"]) if a["lineage"] else []
        while stack:
            n = stack.pop()
            stack += n["children"]
            if n["id"] in verdicts and not n["cycle"]:
                assert n["verdict"] == verdicts[n["id"]]


def test_earlier_scan_documents_still_validate_as_baselines(tmp_path: Path) -> None:
    """A ``modelclear/scan/1`` document (upstream written in full) is still read as a ``--baseline``."""
    from modelclear.policy import load_baseline

    _, doc = run_json(tmp_path, "scan", str(PROJECTS / "vision_training"), "-j", "JP")
    old = json.loads(json.dumps(doc))
    old["schema"] = "modelclear/scan/1"
    nodes = old.pop("nodes")
    for a in old["assessments"]:
        a["upstream"] = [nodes[k] for k in a["upstream"]]
    assert errors(validator("scan-1.json"), old) == []
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    path2 = tmp_path / "baseline2.json"
    path2.write_text(json.dumps(doc), encoding="utf-8")
    assert load_baseline(path) == load_baseline(path2) != {}
