"""The user's domicile (issue 11, law gap 4) through every entry point: CLI, policy, web form, JSON API, Python API.

The Llama 3.2 / Llama 4 Acceptable Use Policies withhold the multimodal rights from individuals domiciled
in, and companies with their principal place of business in, the EU, wherever the model runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from modelclear import api
from modelclear.service import UsageError, check_domicile
from modelclear.web.app import create_app

VISION = "hf:meta-llama/Llama-3.2-11B-Vision"
EXE = Path(sys.executable).with_name("modelclear")
SCHEMA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "report" / "schema" / "check-1.json"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ})


def test_cli_domicile_eu_withholds_the_multimodal_licence_in_japan() -> None:
    base = ["check", VISION, "--jurisdiction", "JP", "--activity", "deploy", "--no-policy"]
    home = run(*base)
    assert home.returncode == 0, home.stderr
    eu = run(*base, "--domicile", "EU")
    assert eu.returncode == 1, eu.stdout + eu.stderr
    assert "Verdict: prohibited" in eu.stdout
    assert "European Union" in eu.stdout
    bad = run(*base, "--domicile", "Europe")
    assert bad.returncode == 3 and "two-letter" in bad.stderr


def test_policy_domicile_is_used_and_the_option_wins(tmp_path: Path) -> None:
    (tmp_path / "modelclear.toml").write_text('jurisdictions = ["JP"]\ndomicile = "FR"\n', encoding="utf-8")
    pol = run("check", VISION, "--activity", "deploy", cwd=tmp_path)
    assert pol.returncode == 1, pol.stdout + pol.stderr
    over = run("check", VISION, "--activity", "deploy", "--domicile", "JP", cwd=tmp_path)
    assert over.returncode == 0, over.stdout + over.stderr
    (tmp_path / "modelclear.toml").write_text('jurisdictions = ["JP"]\ndomicile = "France"\n', encoding="utf-8")
    bad = run("check", VISION, "--activity", "deploy", cwd=tmp_path)
    assert bad.returncode == 3 and "domicile" in bad.stderr


def test_scan_takes_the_domicile(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'from transformers import AutoModel\nm = AutoModel.from_pretrained("meta-llama/Llama-3.2-11B-Vision")\n',
        encoding="utf-8")
    base = ["scan", str(tmp_path), "--jurisdiction", "JP", "--activity", "deploy", "--no-policy"]
    assert run(*base).returncode == 0
    assert run(*base, "--domicile", "EU").returncode == 1


def test_web_form_and_json_api_take_the_domicile() -> None:
    client = TestClient(create_app(), raise_server_exceptions=True)
    params = {"id": VISION, "jurisdiction": "JP", "activity": "deploy", "purpose": "commercial"}
    assert client.get("/api/check", params=params).json()["verdict"] == "conditional"
    doc = client.get("/api/check", params={**params, "domicile": "EU"}).json()
    assert doc["verdict"] == "prohibited" and doc["scenario"]["domicile"] == "EU"
    Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(doc)
    assert "domicile" not in client.get("/api/check", params=params).json()["scenario"]
    page = client.get("/check", params={**params, "domicile": "EU", "lang": "ja"})
    assert page.status_code == 200
    assert 'name="domicile"' in page.text and 'value="EU"' in page.text
    bad = client.get("/api/check", params={**params, "domicile": "E<U"})
    assert bad.status_code == 400


def test_python_api_domicile() -> None:
    assert api.check(VISION, "JP", "deploy").verdict.value == "conditional"
    assert api.check(VISION, "JP", "deploy", domicile="de").verdict.value == "prohibited"
    assert api.check_report(VISION, ("JP", "US"), "deploy", domicile="EU").assessments[1].verdict.value == "prohibited"


@pytest.mark.parametrize(("text", "code"), [("eu", "EU"), (" jp ", "JP"), ("GB", "UK"), ("", None), (None, None)])
def test_domicile_codes(text: str | None, code: str | None) -> None:
    assert check_domicile(text) == code


@pytest.mark.parametrize("text", ["EUR", "E1", "日本", "E U"])
def test_bad_domicile(text: str) -> None:
    with pytest.raises(UsageError):
        check_domicile(text)


def test_without_a_domicile_the_eu_clause_is_a_condition_not_silence() -> None:
    def duties(domicile: str | None, model: str = VISION) -> str:
        a = api.check(model, "JP", "deploy", domicile=domicile)
        return " ".join(str(m.params.get("text")) for f in a.layers for m in f.obligations)

    assert "domiciled in" in duties(None)      # assumed domiciled where the act is: shown as a condition
    assert "domiciled in" not in duties("JP")  # a domicile outside the EU: the clause does not reach the user
    assert "domiciled in" not in duties(None, "hf:meta-llama/Llama-3.2-1B")  # text-only: not a multimodal model
