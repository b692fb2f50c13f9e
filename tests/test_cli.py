"""The command line as a user runs it (a real subprocess of the installed console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("modelclear")
CASE_B = ["check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "--jurisdiction", "JP", "--activity", "deploy",
          "--purpose", "commercial"]
CASE_A = ["check", "dataset:imagenet-1k", "--jurisdiction", "JP", "--activity", "train", "--purpose", "commercial"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_case_b_allowed_low_risk_in_english_and_japanese() -> None:
    en = run(*CASE_B)
    assert en.returncode == 0, en.stderr
    assert "Verdict: allowed" in en.stdout and "Risk: low" in en.stdout
    assert "grants no licence" in en.stdout
    assert "bind only those who accepted them" in en.stdout
    assert "most likely not a copyrighted work" in en.stdout
    ja = run(*CASE_B, "--lang", "ja")
    assert ja.returncode == 0
    assert "判定: 許容" in ja.stdout and "リスク: 低" in ja.stdout
    assert "契約は当事者のみを拘束する" in ja.stdout


def test_case_a_prohibited_by_contract_not_copyright() -> None:
    en = run(*CASE_A)
    assert en.returncode == 1
    assert "Verdict: prohibited" in en.stdout
    assert "Decided by: Contract" in en.stdout and "Copyright: allowed" in en.stdout
    assert "Art. 30-4" in en.stdout and "clause 6" in en.stdout
    ja = run(*CASE_A, "--lang", "ja")
    assert ja.returncode == 1
    assert "判定: 禁止" in ja.stdout and "決め手：契約" in ja.stdout and "著作権: 許容" in ja.stdout


def test_json_schema_top_level() -> None:
    out = run(*CASE_B, "--format", "json")
    doc = json.loads(out.stdout)
    for key in ("schema", "knowledge_as_of", "scenario", "artifact", "verdict", "risk", "layers", "lineage"):
        assert key in doc
    assert doc["schema"] == "modelclear/check/1"
    assert [layer["layer"] for layer in doc["layers"]] == ["copyright", "contract", "license", "provenance"]
    for layer in doc["layers"]:
        assert {"layer", "status", "reasons", "obligations", "citations"} <= set(layer)
        for c in layer["citations"]:
            assert c["url"].startswith("http") and c["confidence"] in ("V", "S", "U")
    assert doc["lineage"]["children"][0]["id"] == "dataset:imagenet-1k"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["check", "foo:bar", "-j", "JP"], 3, "unknown id scheme"),
        (["check", "hf:a b", "-j", "JP"], 3, "malformed"),
        (["check", "dataset:imagenet-1k", "-j", "XX"], 3, "unknown jurisdiction"),
        (["check", "dataset:imagenet-1k"], 3, "--jurisdiction is required"),
        (["check", "dataset:imagenet-1k", "-j", "JP", "-a", "dance"], 3, "invalid choice"),
        (["check", "dataset:imagenet-1k", "-j", "JP", "--obtained-on", "yesterday"], 3, "bad date"),
        (["check", "dataset:imagenet-1k", "-j", "JP", "--format", "pdf"], 3, "unknown format"),
    ],
)
def test_usage_errors_are_one_line_with_exit_3(args: list[str], code: int, needle: str) -> None:
    out = run(*args)
    assert out.returncode == code
    assert needle in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_id_is_an_answer_with_exit_2() -> None:
    out = run("check", "hf:nobody/no-such-model", "-j", "JP")
    assert out.returncode == 2
    assert "Verdict: unknown" in out.stdout
    assert "Traceback" not in out.stderr


def test_help_imports_nothing_heavy() -> None:
    code = ("import sys, modelclear.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('yaml', 'rich', 'huggingface_hub', 'license_expression', 'cyclonedx', 'jinja2')"
            " if m in sys.modules]\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_explain_law_and_licence() -> None:
    out = run("explain", "law:JP")
    assert out.returncode == 0 and "Art. 30-4" in out.stdout
    out = run("explain", "license:CC-BY-NC-4.0", "--lang", "ja")
    assert out.returncode == 0 and "非営利" in out.stdout
    out = run("explain", "torchvision:resnet50")
    assert out.returncode == 0 and "ResNet50_Weights.IMAGENET1K_V2" in out.stdout
    out = run("explain", "nothing-here-xyz")
    assert out.returncode == 2


def test_kb_stats_and_search() -> None:
    out = run("kb", "stats")
    assert out.returncode == 0 and "licences:" in out.stdout and "jurisdictions: 9" in out.stdout
    out = run("kb", "search", "imagenet")
    assert "dataset:imagenet-1k" in out.stdout


def test_several_jurisdictions_side_by_side() -> None:
    out = run("check", "dataset:imagenet-1k", "-j", "JP,UK", "-a", "train", "--format", "json")
    docs = json.loads(out.stdout)
    assert [d["scenario"]["jurisdiction"] for d in docs] == ["JP", "UK"]
    assert docs[1]["layers"][0]["status"] == "prohibited"


def test_text_report_shows_the_gate_and_waivers(tmp_path: Path) -> None:
    policy = tmp_path / "modelclear.toml"
    policy.write_text('jurisdictions = ["JP"]\nfail-on = "prohibited"\n\n[[waivers]]\n'
                      'id = "torchvision:ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1"\n'
                      'reason = "research demo, removed before launch"\napproved_by = "legal"\n'
                      'expires = "2027-03-31"\n')
    project = Path(__file__).parent / "fixtures" / "projects" / "vision_training"
    ok = run("scan", str(project), "--policy", str(policy), "--today", "2027-01-01")
    assert ok.returncode == 0, ok.stderr
    assert "Waived until 2027-03-31 by legal" in ok.stdout and "CI gate: passes" in ok.stdout
    late = run("scan", str(project), "--policy", str(policy), "--today", "2027-04-01")
    assert late.returncode == 1
    assert "CI gate: fails (exit code 1)" in late.stdout and "expired on 2027-03-31" in late.stdout
