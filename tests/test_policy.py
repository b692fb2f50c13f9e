"""Policy as code: loading with precise errors, the gate, waivers, licence lists and the baseline."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modelclear import api, cli, policy
from modelclear.model import Status

ROOT = Path(__file__).resolve().parents[1]
VISION = ROOT / "tests" / "fixtures" / "projects" / "vision_training"
EXE = Path(sys.executable).with_name("modelclear")


def load(path: Path) -> policy.Policy:
    kb = api.load_knowledge()

    def check_id(text: str) -> None:
        from modelclear import ids

        try:
            ids.parse(text)
        except ids.IdError as exc:
            raise ValueError(str(exc)) from None

    return policy.load(path, license_key=kb.license_key, law_code=kb.law_code, check_id=check_id)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
[project]
name = "demo"

[tool.modelclear]
jurisdictions = ["JP", "EU", "US"]
activity = "serve"
purpose = "commercial"
accepted = ["dataset:imagenet-1k"]
fail-on = "prohibited"
licenses = { allow = ["MIT", "apache-2.0"], deny = ["AGPL-3.0"] }

[[tool.modelclear.waivers]]
id = "dataset:cifar-10"
reason = "internal benchmark only"
approved_by = "legal@example.com"
expires = 2027-03-31
"""


@pytest.mark.parametrize("name", ["pyproject.toml", "team-policy.toml"])
def test_tool_table_loads(tmp_path: Path, name: str) -> None:
    pol = load(write(tmp_path, name, GOOD))
    assert pol.jurisdictions == ("JP", "EU", "US")
    assert pol.activity == "serve" and pol.fail_on == "prohibited"
    assert pol.allow_licenses == ("MIT", "Apache-2.0")  # canonical ids from the knowledge base
    assert pol.deny_licenses == ("AGPL-3.0-only",)  # the alias resolves to the SPDX id
    (w,) = pol.waivers
    assert (w.id, w.approved_by, w.expires, w.line) == ("dataset:cifar-10", "legal@example.com",
                                                         dt.date(2027, 3, 31), 12)


def test_yaml_policy_loads(tmp_path: Path) -> None:
    pol = load(write(tmp_path, "policy.yaml", "jurisdictions: JP,EU\nwaivers:\n  - id: hf:acme/x\n"
                                             "    reason: r\n    approved-by: me\n    expires: '2027-01-01'\n"))
    assert pol.jurisdictions == ("JP", "EU") and pol.waivers[0].expires == dt.date(2027, 1, 1)


@pytest.mark.parametrize(("name", "text", "line", "key", "words"), [
    ("pyproject.toml", "[tool.modelclear]\njurisdictions = ['JP']\nfail_onn = 'prohibited'\n", 3, "fail_onn",
     "did you mean 'fail-on'"),
    ("modelclear.toml", "activity = 'deploy'\njurisdictions = 3\n", 2, "jurisdictions", "list of strings"),
    ("modelclear.toml", "fail-on = 'sometimes'\n", 1, "fail-on", "not one of"),
    ("modelclear.toml", "\n\nlicenses = { deny = ['AGPL-3.0', 'NOT-A-LICENCE-9'] }\n", 3, "licenses.deny[1]",
     "unknown licence id 'NOT-A-LICENCE-9'"),
    ("modelclear.toml", "[licenses]\nallow = ['MIT']\nmaybe = ['MIT']\n", 3, "licenses.maybe", "unknown key"),
    ("modelclear.toml", "jurisdictions = ['JP', 'XX']\n", 1, "jurisdictions[1]", "unknown jurisdiction"),
    ("modelclear.toml", "[[waivers]]\nid = 'hf:acme/x'\nreason = 'r'\napproved_by = 'me'\nexpires = '2027-02-30'\n",
     5, "waivers[0].expires", "bad date"),
    ("modelclear.toml", "[[waivers]]\nid = 'hf:acme/x'\nreason = 'r'\napproved_by = 'me'\nexpires = 2027-01-01\n"
     "[[waivers]]\nid = 'hf:acme/y'\nreason = 'r'\nexpires = 2027-01-01\n", 6, "waivers[1]", "missing 'approved-by'"),
    ("modelclear.toml", "waivers = [\n  {id = 'hf:acme/x', reason = 'r', approved_by = 'me', expires = 2027-01-01},\n"
     "  {id = 'hf:acme/y', reason = 'r', approved_by = 'me', expires = 5},\n]\n", 3, "waivers[1].expires",
     "must be a date"),
    ("modelclear.toml", "[[waivers]]\nid = 'nope:what'\nreason = 'r'\napproved_by = 'me'\nexpires = 2027-01-01\n",
     2, "waivers[0].id", "nope"),
    ("modelclear.toml", "obtained-on = 2027-13-01\n", 1, "", "not valid TOML"),
    ("policy.yaml", "jurisdictions: [JP]\nwaivers:\n  - id: hf:acme/x\n    reason: r\n    approved_by: me\n"
     "    expires: tomorrow\n", 6, "waivers[0].expires", "bad date"),
])
def test_bad_policy_names_file_line_and_key(tmp_path: Path, name: str, text: str, line: int, key: str,
                                            words: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(policy.PolicyError) as info:
        load(path)
    err = info.value
    assert err.path.endswith(name) and err.line == line and err.key == key, str(err)
    assert words in str(err)
    assert str(err).startswith(f"{err.path}:{line}: ")


def test_bad_policy_on_the_command_line_exits_3_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "modelclear.toml", "jurisdictions = ['JP']\n\n[licenses]\ndeny = ['WTFPL-9']\n")
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    result = subprocess.run([*cmd, "scan", str(VISION), "--policy", str(path)], capture_output=True, text=True,
                            timeout=120, env={**os.environ})
    assert result.returncode == 3
    assert "modelclear.toml:4: licenses.deny[0]: unknown licence id 'WTFPL-9'" in result.stderr
    assert "Traceback" not in result.stderr


def test_find_walks_up_and_stops_at_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    deep = repo / "src" / "pkg"
    deep.mkdir(parents=True)
    (repo / ".git").mkdir()
    write(tmp_path, "modelclear.toml", "fail-on = 'prohibited'\n")  # outside the repository: never used
    assert policy.find(deep) is None
    write(repo, "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.modelclear]: skipped
    assert policy.find(deep) is None
    write(repo, "pyproject.toml", "[project]\nname = 'x'\n[tool.modelclear]\nfail-on = 'unknown'\n")
    assert policy.find(deep) == (repo / "pyproject.toml").resolve()
    write(repo / "src", "modelclear.toml", "fail-on = 'prohibited'\n")
    assert policy.find(deep / "module.py") == (repo / "src" / "modelclear.toml").resolve()


# --- the gate ---------------------------------------------------------------------------------


def assessments(*args: tuple[str, str, str]) -> list:
    return [api.check(aid, jurisdiction=j, activity=act, purpose="commercial") for aid, j, act in args]


IMAGENET_TRAIN = ("dataset:imagenet-1k", "JP", "train")  # prohibited (contract)
UNKNOWN = ("hf:acme-ai/never-heard-of-it", "JP", "deploy")  # unknown
RESNET = ("torchvision:ResNet50_Weights.IMAGENET1K_V2", "JP", "deploy")  # allowed
TODAY = dt.date(2027, 6, 1)


def test_default_gate_matches_the_documented_exit_codes() -> None:
    assert policy.evaluate(assessments(RESNET), today=TODAY).exit_code == 0
    assert policy.evaluate(assessments(RESNET, UNKNOWN), today=TODAY).exit_code == 2
    assert policy.evaluate(assessments(UNKNOWN, IMAGENET_TRAIN), today=TODAY).exit_code == 1


def test_fail_on_moves_the_threshold() -> None:
    both = assessments(UNKNOWN, IMAGENET_TRAIN)
    assert policy.evaluate(both[:1], policy.Policy(fail_on="prohibited"), today=TODAY).exit_code == 0
    assert policy.evaluate(both[:1], policy.Policy(fail_on="unknown"), today=TODAY).exit_code == 2
    assert policy.evaluate(both, policy.Policy(fail_on="prohibited"), today=TODAY).exit_code == 1


def waiver(aid: str, expires: dt.date) -> policy.Waiver:
    return policy.Waiver(id=aid, reason="accepted by legal", approved_by="legal@example.com", expires=expires)


def test_waiver_passes_until_it_expires_then_fails_naming_it() -> None:
    found = assessments(IMAGENET_TRAIN)
    pol = policy.Policy(waivers=(waiver("dataset:imagenet-1k", dt.date(2027, 6, 30)),))
    ok = policy.evaluate(found, pol, today=dt.date(2027, 6, 30))  # the last day it applies
    assert ok.exit_code == 0 and ok.items[0].waived and not ok.items[0].counted and not ok.expired
    late = policy.evaluate(found, pol, today=dt.date(2027, 7, 1))
    assert late.exit_code == 1 and not late.items[0].waived and late.items[0].counted
    assert [w.id for w in late.expired] == ["dataset:imagenet-1k"]
    (line,) = policy.messages(late, lambda key, **p: f"{key} {p}")
    assert "ui.gate.waiver_expired" in line and "dataset:imagenet-1k" in line


def test_expired_waiver_fails_even_when_nothing_needs_it() -> None:
    pol = policy.Policy(waivers=(waiver("hf:acme/old", dt.date(2026, 1, 1)),))
    assert policy.evaluate(assessments(RESNET), pol, today=TODAY).exit_code == 1


def test_unused_waiver_is_reported_but_does_not_fail() -> None:
    pol = policy.Policy(waivers=(waiver("torchvision:ResNet50_Weights.IMAGENET1K_V2", dt.date(2030, 1, 1)),))
    gate = policy.evaluate(assessments(RESNET), pol, today=TODAY)
    assert gate.exit_code == 0 and [w.id for w in gate.unused] == ["torchvision:ResNet50_Weights.IMAGENET1K_V2"]


def test_deny_list_makes_a_licence_prohibited_with_the_reason() -> None:
    found = assessments(("hf:google-bert/bert-base-uncased", "JP", "deploy"))
    kb = api.load_knowledge()
    gate = policy.evaluate(found, policy.Policy(deny_licenses=("Apache-2.0",)), today=TODAY,
                           license_key=kb.license_key)
    (item,) = gate.items
    assert item.status is Status.PROHIBITED and item.verdict is not Status.PROHIBITED and gate.exit_code == 1
    assert item.policy_reasons[0].key == "ui.gate.denied" and item.policy_reasons[0].params["license"] == "Apache-2.0"
    allow = policy.evaluate(found, policy.Policy(allow_licenses=("MIT",)), today=TODAY, license_key=kb.license_key)
    assert allow.items[0].status is Status.UNCERTAIN and allow.exit_code == 2
    allowed = policy.evaluate(found, policy.Policy(allow_licenses=("Apache-2.0",)), today=TODAY,
                              license_key=kb.license_key)
    assert allowed.exit_code == found[0].verdict.exit_code


def test_deny_list_reads_licence_expressions() -> None:
    deny = {"agpl-3.0"}
    assert policy._symbols_denied("AGPL-3.0 AND MIT", lambda s: s.lower() in deny)
    assert not policy._symbols_denied("AGPL-3.0 OR MIT", lambda s: s.lower() in deny)
    assert policy._symbols_denied("llama2", lambda s: s == "llama2")


def test_baseline_fails_only_on_new_or_worse(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    cli.main(["check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--no-policy", "--format", "json",
              "-o", str(old)])
    baseline = policy.load_baseline(old)
    assert baseline == {("dataset:imagenet-1k", "JP"): Status.PROHIBITED}
    same = policy.evaluate(assessments(IMAGENET_TRAIN), today=TODAY, baseline=baseline)
    assert same.exit_code == 0 and same.items[0].in_baseline
    new = policy.evaluate(assessments(IMAGENET_TRAIN, UNKNOWN), today=TODAY, baseline=baseline)
    assert new.exit_code == 2
    (tmp_path / "junk.json").write_text('{"schema": "other"}', encoding="utf-8")
    with pytest.raises(policy.BaselineError):
        policy.load_baseline(tmp_path / "junk.json")


# --- end to end: a scan with a policy ----------------------------------------------------------


def test_scan_with_waivers_for_the_prohibited_artifacts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plain.json"
    assert cli.main(["scan", str(VISION), "-j", "JP", "--no-policy", "--format", "json", "-o", str(out)]) == 1
    prohibited = json.loads(out.read_text(encoding="utf-8"))["summary"]["prohibited"]
    assert prohibited
    waivers = "".join(f'\n[[waivers]]\nid = "{aid}"\nreason = "reviewed"\napproved_by = "legal@example.com"\n'
                      f"expires = 2027-03-31\n" for aid in prohibited)
    pol = write(tmp_path, "modelclear.toml", f'jurisdictions = ["JP"]\nfail-on = "prohibited"\n{waivers}')
    report = tmp_path / "gated.json"
    args = ["scan", str(VISION), "--policy", str(pol), "--format", "json", "-o", str(report)]
    assert cli.main([*args, "--today", "2027-03-31"]) == 0
    gate = json.loads(report.read_text(encoding="utf-8"))["gate"]
    assert gate["passed"] and {i["artifact"] for i in gate["items"] if i["waived"]} == set(prohibited)
    capsys.readouterr()
    assert cli.main([*args, "--today", "2027-04-01"]) == 1
    err = capsys.readouterr().err
    for aid in prohibited:
        assert f"waiver for {aid} expired on 2027-03-31" in err
    gate = json.loads(report.read_text(encoding="utf-8"))["gate"]
    assert not gate["passed"] and set(gate["expired_waivers"]) == set(prohibited)


def test_policy_supplies_the_scenario_and_side_by_side_jurisdictions(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".git").mkdir()
    write(project, "pyproject.toml", '[tool.modelclear]\njurisdictions = ["JP", "EU"]\nactivity = "train"\n')
    write(project, "train.py", 'from datasets import load_dataset\nds = load_dataset("imagenet-1k")\n')
    out = tmp_path / "r.json"
    code = cli.main(["scan", str(project), "--format", "json", "-o", str(out)])
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [s["jurisdiction"] for s in doc["scenarios"]] == ["JP", "EU"]
    assert {a["scenario"]["activity"] for a in doc["assessments"]} == {"train"}
    assert doc["gate"]["policy"].endswith("pyproject.toml")
    assert code == 1  # training on ImageNet for a product: prohibited by its terms of access
