"""The CI integration as written (issue 15): the GitHub Action's steps, the pre-commit hook and the
docs' recipes, run as they are written on a fixture project (no ``act``: the same commands).

The action's ``run:`` steps are run by bash with their ``env:`` expanded from the inputs' defaults,
``github.action_path`` (this repository) and the outputs of earlier steps, the way the runner does.
The install step runs with ``python`` pointed at a recorder (it must not reinstall the package under
test); what it would install is checked against ``pyproject.toml``. ``uses:`` steps are third-party
actions: their inputs are checked to name the files the scan wrote.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SARIF_SCHEMA = ROOT / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]

APP = '''from ultralytics import YOLO
from transformers import AutoModel
model = YOLO("yolov8n.pt")
llama = AutoModel.from_pretrained("meta-llama/Llama-2-7b-hf")
'''
POLICY = '''jurisdictions = ["JP"]
fail-on = "prohibited"
licenses = { deny = ["AGPL-3.0"] }
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "modelclear.toml").write_text(POLICY, encoding="utf-8")
    return root


def action() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return doc


def expand(text: str, ctx: dict[str, str]) -> str:
    """GitHub's ``${{ name }}`` expressions, for the plain names the action's ``env:`` uses."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        assert name in ctx, f"unexpected expression {name!r} in action.yml"
        return ctx[name]

    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def run_action(project: Path, tmp_path: Path, **inputs: str) -> tuple[list[tuple[str, int, str]], dict[str, str]]:
    """Run every ``run:`` step of action.yml in ``project``; returns (name, exit code, stdout) per step."""
    doc = action()
    ctx = {f"inputs.{k}": str(v.get("default", "")) for k, v in doc["inputs"].items()}
    ctx.update({f"inputs.{k.replace('_', '-')}": v for k, v in inputs.items()})
    ctx["github.action_path"] = str(ROOT)
    recorder = tmp_path / "recorder"
    recorder.mkdir(exist_ok=True)
    (recorder / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$MC_RECORD"\n', encoding="utf-8")
    (recorder / "python").chmod(0o755)
    results: list[tuple[str, int, str]] = []
    outputs: dict[str, str] = {}
    for step in doc["runs"]["steps"]:
        if "uses" in step:
            for value in (step.get("with") or {}).values():
                expand(str(value), ctx)  # every expression it uses is one we know
            continue
        assert step["shell"] == "bash"
        out_file = tmp_path / f"output-{len(results)}"
        out_file.write_text("", encoding="utf-8")
        env = {**os.environ, "GITHUB_OUTPUT": str(out_file), "MC_RECORD": str(tmp_path / "pip-args"),
               **{k: expand(str(v), ctx) for k, v in (step.get("env") or {}).items()}}
        env["PATH"] = f"{recorder if step['name'].startswith('Install') else BIN}{os.pathsep}{env['PATH']}"
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=project,
                              env=env, capture_output=True, text=True, timeout=300)
        results.append((step["name"], proc.returncode, proc.stdout + proc.stderr))
        for line in out_file.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            outputs[f"{step.get('id')}.{key}"] = value
            ctx[f"steps.{step.get('id')}.outputs.{key}"] = value
    return results, outputs


def test_action_is_composite_and_complete() -> None:
    doc = action()
    assert doc["runs"]["using"] == "composite"
    names = [s.get("name") or s["uses"] for s in doc["runs"]["steps"]]
    assert names == ["actions/setup-python@v5", "Install modelclear", "Scan", "Upload SARIF to code scanning", "Gate"]
    upload = doc["runs"]["steps"][3]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif }}"
    assert doc["outputs"]["exit-code"]["value"] == "${{ steps.scan.outputs.code }}"


def test_action_steps_fail_on_the_gate_and_write_the_reports(project: Path, tmp_path: Path) -> None:
    results, outputs = run_action(project, tmp_path, extras="sbom")
    by_name = {name: (code, out) for name, code, out in results}
    # install: the action's own checkout, with the extras asked for (one that pyproject.toml declares)
    assert by_name["Install modelclear"][0] == 0
    pip = (tmp_path / "pip-args").read_text(encoding="utf-8").splitlines()
    assert pip == ["-m", "pip", "install", "--disable-pip-version-check", f"{ROOT}[sbom]"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert "sbom" in extras
    # scan: exit code kept, SARIF valid with the denied AGPL model as an error, HTML written
    assert by_name["Scan"][0] == 0, by_name["Scan"][1]
    assert outputs["scan.code"] == "1"
    sarif = json.loads((project / "modelclear.sarif").read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    levels = {r["properties"]["artifact"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels == {"ultralytics:yolov8n": "error", "hf:meta-llama/Llama-2-7b-hf": "note"}
    assert 'data-group="block"' in (project / "modelclear.html").read_text(encoding="utf-8")
    # gate: fails the job, naming why
    code, out = by_name["Gate"]
    assert code == 1 and "::error::modelclear: a prohibited verdict" in out


def test_action_passes_and_can_report_without_failing(project: Path, tmp_path: Path) -> None:
    results, outputs = run_action(project, tmp_path, args="-j JP --no-policy", html="")
    assert outputs["scan.code"] == "0" and [c for _, c, _ in results] == [0, 0, 0]
    assert not (project / "modelclear.html").exists()
    results, outputs = run_action(project, tmp_path, fail="false")
    assert outputs["scan.code"] == "1" and results[-1][1] == 0 and "::error::" in results[-1][2]


def test_action_scan_step_fails_on_a_usage_error(project: Path, tmp_path: Path) -> None:
    results, outputs = run_action(project, tmp_path, args="-j XX")
    assert outputs["scan.code"] == "3"
    assert results[1][1] == 3 and "error" in results[1][2]


def test_pre_commit_hook_runs_its_entry(project: Path) -> None:
    """The hook as pre-commit runs it: ``entry`` plus ``args`` in the repository root, no file names."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "modelclear-scan" and hook["language"] == "python" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "src/app.py") and re.search(hook["files"], "notebooks/a.ipynb")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    blocked = subprocess.run([*shlex.split(hook["entry"]), *hook.get("args", [])], cwd=project, env=env,
                             capture_output=True, text=True, timeout=300)
    assert blocked.returncode == 1 and "Fails the run: ultralytics:yolov8n" in blocked.stdout
    allowed = subprocess.run([*shlex.split(hook["entry"]), "-j", "JP", "--no-policy"], cwd=project, env=env,
                             capture_output=True, text=True, timeout=300)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def _yaml_blocks(text: str) -> list[Any]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]


def test_docs_name_a_real_tag_and_install_the_extras_they_use() -> None:
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    tag = f"v{VERSION}"
    revs = re.findall(r"rev: (\S+)", docs) + re.findall(r"uses: modelclear/modelclear@(\S+)", docs)
    assert revs and set(revs) == {tag}
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert set(re.findall(r"rev: (\S+)", hooks)) == {tag}
    tags = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True)
    if tags.returncode == 0 and tags.stdout.split():  # a checkout that carries tags: the named one is among them
        assert tag in tags.stdout.split(), f"docs name {tag}: create it with git tag -a {tag}"
    workflows = 0
    for block in _yaml_blocks(docs):
        if not isinstance(block, dict) or not ("jobs" in block or "steps" in block):
            continue
        workflows += 1
        steps = [s for job in block["jobs"].values() for s in job["steps"]] if "jobs" in block else block["steps"]
        installed = " ".join(str(s.get("run", "")) for s in steps if "pip install" in str(s.get("run", "")))
        installed += " ".join(f"[{s['with']['extras']}]" for s in steps
                              if str(s.get("uses", "")).startswith("modelclear/") and "extras" in s.get("with", {}))
        used = set(re.findall(r"--format (\w+)", " ".join(str(s.get("run", "")) for s in steps)))
        if used & {"cyclonedx", "spdx"}:
            assert "sbom" in installed, f"a docs workflow writes {used} without installing the sbom extra"
    assert workflows == 2
