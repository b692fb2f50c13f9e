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
    assert "判定: 利用可" in ja.stdout and "リスク: 低" in ja.stdout
    assert "契約は当事者のみを拘束する" in ja.stdout


def test_case_a_prohibited_by_contract_not_copyright() -> None:
    en = run(*CASE_A)
    assert en.returncode == 1
    assert "Verdict: prohibited" in en.stdout
    assert "Decided by: Contract" in en.stdout and "Copyright: allowed" in en.stdout
    assert "Art. 30-4" in en.stdout and "clause 6" in en.stdout
    ja = run(*CASE_A, "--lang", "ja")
    assert ja.returncode == 1
    assert "判定: 利用不可" in ja.stdout and "決め手：契約" in ja.stdout and "著作権: 利用可" in ja.stdout


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


def test_version_quiet_and_gate_line(tmp_path: Path) -> None:
    from modelclear import __version__

    v = run("--version")
    assert v.returncode == 0 and v.stdout == f"modelclear {__version__}\n" and v.stderr == ""
    q = run(*CASE_A, "--quiet")
    assert q.returncode == 1
    assert q.stdout == "modelclear: CI gate: fails (exit code 1) · Fails the run: dataset:imagenet-1k\n"
    assert q.stderr == ""
    # -q still writes the report given with -o, and prints only the gate line.
    out = tmp_path / "r.json"
    q = run("-q", *CASE_B, "--format", "json", "-o", str(out))
    assert q.returncode == 0 and q.stdout == "modelclear: CI gate: passes\n"
    assert json.loads(out.read_text(encoding="utf-8"))["verdict"] == "allowed"


def test_no_color_and_no_color_env_and_logs_on_stderr() -> None:
    """Colours only on a terminal without --no-color / NO_COLOR; stdout holds the report and nothing else."""
    import pty

    def on_a_terminal(*args: str, env: dict[str, str]) -> str:
        cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
        leader, follower = pty.openpty()
        proc = subprocess.run([*cmd, *args], stdout=follower, stderr=subprocess.PIPE, timeout=120,
                              env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "TERM": "xterm",
                                   "COLUMNS": "200", **env})
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(leader)
        assert proc.returncode == 0, proc.stderr
        return b"".join(chunks).decode("utf-8", "replace")

    import re

    colour = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m")  # an SGR foreground colour
    assert colour.search(on_a_terminal(*CASE_B, env={}))
    assert not colour.search(on_a_terminal(*CASE_B, "--no-color", env={}))
    assert not colour.search(on_a_terminal("--no-color", *CASE_B, env={}))
    assert not colour.search(on_a_terminal(*CASE_B, env={"NO_COLOR": "1"}))
    piped = run(*CASE_B, "--format", "json")
    assert json.loads(piped.stdout)["verdict"] == "allowed" and piped.stderr == ""


def test_shell_completion_scripts() -> None:
    import shutil

    bash = run("completion", "bash")
    assert bash.returncode == 0 and "complete -F _modelclear modelclear" in bash.stdout
    probe = ('comp() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _modelclear; '
             'echo "${COMPREPLY[*]}"; }\n'
             "comp modelclear sc\ncomp modelclear scan --format s\ncomp modelclear check x --lang ''\n"
             "comp modelclear kb s\ncomp modelclear completion ''\n")
    shell = shutil.which("bash") or "/bin/bash"
    got = subprocess.run([shell, "-c", bash.stdout + probe], capture_output=True, text=True, timeout=30)
    expected = ["scan", "sarif spdx", "en ja", "stats search", "bash zsh fish --help -h"]
    assert got.stdout.splitlines() == expected, got.stderr
    zsh = run("completion", "zsh").stdout
    assert "bashcompinit" in zsh and zsh.split("\n", 3)[3] == bash.stdout.split("\n", 1)[1]
    fish = run("completion", "fish").stdout
    assert "complete -c modelclear -n '__fish_seen_subcommand_from scan' -l format -x -a" in fish
    assert "-a 'prohibited uncertain unknown'" in fish
    for shell_name in ("zsh", "fish"):
        if shutil.which(shell_name):
            assert subprocess.run([shell_name, "-n", "-c" if shell_name == "zsh" else "--no-execute"],
                                  input=run("completion", shell_name).stdout, text=True).returncode == 0
    assert run("completion", "tcsh").returncode == 3


def test_cli_vocabularies_match_the_knowledge_schema() -> None:
    from modelclear import cli_args
    from modelclear.knowledge.vocab import ACTIVITIES, PURPOSES

    assert cli_args.ACTIVITIES == ACTIVITIES and cli_args.PURPOSES == PURPOSES


def test_help_is_fast() -> None:
    """``modelclear --help`` imports nothing heavy (its own import time, not the machine's load)."""
    cmd = [sys.executable, "-X", "importtime", "-c", "from modelclear.cli import main; main(['--help'])"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    modules = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert not {"rich", "yaml", "jinja2", "modelclear.model", "modelclear.service"} & set(modules)


def test_kb_search_ranks_by_relevance() -> None:
    """``llama`` gives Meta's models first, not the medical datasets whose names contain the word."""
    out = run("kb", "search", "llama", "--limit", "10")
    assert out.returncode == 0
    ids = [line.split()[0] for line in out.stdout.splitlines()[:10]]
    assert all(i.startswith("hf:meta-llama/") for i in ids[:8]), ids
    assert not any("dpc." in i for i in ids)
    assert out.stdout.splitlines()[-1].endswith("more (use --limit)")
    assert run("kb", "search", "no-such-thing-at-all").stdout == "nothing matches 'no-such-thing-at-all'\n"


def test_text_table_never_wraps_or_cuts_an_id(tmp_path: Path) -> None:
    """A long id and a long path stay whole on their row, on a terminal narrower than the row."""
    org, name = "an-organisation-with-a-long-name", "a-model-name-that-is-long-enough-to-wrap-" + "x" * 40
    deep = tmp_path / ("folder-" * 6 + "end")
    deep.mkdir(parents=True)
    (deep / "load.py").write_text("from transformers import AutoModel\n"
                                  f"m = AutoModel.from_pretrained('{org}/{name}')\n", encoding="utf-8")
    out = run("scan", str(tmp_path), "-j", "JP", "--no-policy", env={"COLUMNS": "60"})
    assert out.returncode == 2  # unknown: needs review
    rows = [line for line in out.stdout.splitlines() if f"hf:{org}/{name}" in line]
    assert rows and rows[0].startswith(f"{deep.relative_to(tmp_path)}/load.py:2 ")
