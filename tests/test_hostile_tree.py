"""A hostile or unusual repository never breaks a scan, and errors that are not verdicts never exit 1.

Every input is built at test time in ``tmp_path``: file names that are not UTF-8 or that carry
Markdown, HTML and terminal control sequences; symbolic links out of the tree; FIFOs and unreadable
files; deep policy files; closed or full outputs. Each test states the outcome (a report with a
warning, or exit 3 with one line) and, where work could blow up, a bound. The CLI runs as a real
subprocess of the installed console script, as a user or CI runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("modelclear")
FORMATS = ("text", "json", "markdown", "html", "sarif", "cyclonedx", "spdx", "notice")
BERT = 'from transformers import AutoModel\nAutoModel.from_pretrained("bert-base-uncased")\n'
TIMM = 'import timm\ntimm.create_model("resnet50", pretrained=True)\n'
GPT2 = 'from transformers import AutoModel\nAutoModel.from_pretrained("openai-community/gpt2")\n'

#: A file name that breaks out of a Markdown code span, starts a heading, opens raw HTML and a link.
INJECT = "a`b\n# Fake heading <script>alert(1)<\\script> [x](javascript:alert(1)) `.py"
#: A file name that would clear the terminal, set its title and open rich markup.
ESCAPES = "esc\x1b]0;pwned\x07\x1b[2J[bold red]x\u202ey.py"


def run(*args: str, cwd: Path | None = None, stdin: int | None = subprocess.DEVNULL,
        prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    return subprocess.run([*prefix, *cmd, *args], capture_output=True, timeout=300, cwd=cwd, stdin=stdin,
                          env={**os.environ, "NO_COLOR": "1"})


def one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.startswith("modelclear: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / os.fsdecode(b"bad\xff\xfename.py")).write_text(BERT)
    (root / INJECT).write_text(TIMM)
    (root / ESCAPES).write_text(TIMM.replace("resnet50", "vit_base_patch16_224"))
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "other.py").write_text(GPT2)
    (root / "sibling").symlink_to(outside, target_is_directory=True)
    (root / "rootfs").symlink_to("/", target_is_directory=True)
    (root / "stolen.py").symlink_to(outside / "other.py")
    return root


@pytest.fixture(scope="module")
def reports(hostile_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reports")
    texts = {}
    for fmt in FORMATS:
        target = out / f"report.{fmt}"
        proc = run("scan", str(hostile_tree), "-j", "JP", "--no-policy", "-f", fmt, "-o", str(target))
        assert proc.returncode == 0, (fmt, proc.stderr.decode("utf-8", "replace"))
        texts[fmt] = target.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    return texts


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_utf8_file_name_is_reported_escaped_in_every_format(reports: dict[str, str], fmt: str) -> None:
    text = reports[fmt]
    if fmt in ("cyclonedx", "spdx", "notice"):  # SBOMs and notices list artifacts, not files: still written
        assert "bert-base-uncased" in text
        return
    if fmt == "sarif":  # a URI: the original bytes, percent-encoded
        assert "bad%FF%FEname.py" in text
        return
    assert "bad\\xff\\xfename.py" in text.replace("\\\\", "\\")


def test_json_paths_are_escaped_and_references_complete(reports: dict[str, str]) -> None:
    doc = json.loads(reports["json"])
    paths = {r["path"] for r in doc["references"]}
    assert "bad\\xff\\xfename.py" in paths
    assert "a`b\\n# Fake heading <script>alert(1)<\\script> [x](javascript:alert(1)) `.py" in paths
    assert "esc\\x1b]0;pwned\\x07\\x1b[2J[bold red]x\\u202ey.py" in paths
    assert all(not any(ord(c) < 32 for c in p) for p in paths)


def test_links_out_of_the_root_are_warnings_not_references(reports: dict[str, str]) -> None:
    doc = json.loads(reports["json"])
    assert "openai-community/gpt2" not in reports["json"]
    assert all(not r["path"].startswith(("sibling", "rootfs", "stolen")) for r in doc["references"])
    outside = {w["path"] for w in doc["warnings"] if w["code"] == "symlink-outside"}
    assert outside == {"sibling", "rootfs", "stolen.py"}
    assert "gpt2" not in reports["sarif"]


def test_markdown_cannot_be_injected(reports: dict[str, str]) -> None:
    md = reports["markdown"]
    assert "<script>" not in md.replace("`", "") or "<script>alert" not in _outside_code_spans(md)
    assert "](javascript:" not in _outside_code_spans(md)
    assert not any(line.startswith("# Fake") for line in md.splitlines())
    line = next(ln for ln in md.splitlines() if "Fake heading" in ln)
    assert line.startswith("- ``a`b\\n# Fake heading"), line  # a code span a backtick cannot close


def _outside_code_spans(md: str) -> str:
    """The Markdown text with every code span removed (what a renderer would interpret)."""
    import re

    out, i = [], 0
    for m in re.finditer(r"(`+)(.+?)\1(?!`)", md, flags=re.S):
        out.append(md[i:m.start()])
        i = m.end()
    out.append(md[i:])
    return "".join(out)


def test_html_and_sarif_escape_names(reports: dict[str, str]) -> None:
    html = reports["html"]
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert 'href="javascript:' not in html
    sarif = json.loads(reports["sarif"])
    for run_ in sarif["runs"]:
        for result in run_["results"]:
            md = result["message"].get("markdown", "")
            assert "<script>" not in md and "](javascript:" not in md


def test_terminal_output_has_no_control_sequences(reports: dict[str, str], hostile_tree: Path) -> None:
    for text in reports.values():
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "esc\\x1b]0;pwned\\x07" in reports["text"]
    screen = _on_a_terminal("scan", str(hostile_tree), "-j", "JP", "--no-policy")
    assert b"pwned" in screen
    assert b"\x1b]" not in screen and b"\x07" not in screen and b"\x1b[2J" not in screen  # no title, bell, clear
    assert b"\xe2\x80\xae" not in screen  # no right-to-left override


def _on_a_terminal(*args: str) -> bytes:
    """What the CLI writes to a real terminal (a pseudo-terminal of 200 columns): colours and all."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    proc = subprocess.Popen([*cmd, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks)


def test_fifo_unreadable_and_special_files_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(BERT)
    os.mkfifo(tmp_path / "pipe.py")
    secret = tmp_path / "secret.py"
    secret.write_text(GPT2)
    secret.chmod(0)
    proc = run("scan", str(tmp_path), "-j", "JP", "--no-policy", "-f", "json",
               prefix=_without_root_privileges())
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [r["path"] for r in doc["references"]] == ["ok.py"]
    codes = {(w["path"], w["code"]) for w in doc["warnings"]}
    assert ("pipe.py", "special") in codes
    assert ("secret.py", "unreadable") in codes


def _without_root_privileges() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root reads everything otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    assert setpriv, "util-linux's setpriv is needed to test permissions as root"
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search")


def test_unreadable_scan_root_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "locked"
    root.mkdir()
    (root / "a.py").write_text(BERT)
    root.chmod(0)
    try:
        proc = run("scan", str(root), "-j", "JP", prefix=_without_root_privileges())
    finally:
        root.chmod(0o755)
    assert proc.returncode == 3
    assert "cannot read" in one_line_error(proc)


def test_many_empty_files_scan_in_bounded_time(tmp_path: Path) -> None:
    import time

    for i in range(100):
        folder = tmp_path / f"d{i:03d}"
        folder.mkdir()
        for j in range(1000):
            (folder / f"f{j:04d}.py").touch()
    (tmp_path / "d000" / "real.py").write_text(BERT)
    start = time.monotonic()
    proc = run("scan", str(tmp_path), "-j", "JP", "--no-policy", "-f", "json")
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [r["path"] for r in doc["references"]] == ["d000/real.py"]
    assert elapsed < 120, elapsed  # a safety net, not a benchmark (bench/ has the numbers)


# --- errors that are not verdicts -------------------------------------------------------------


@pytest.mark.parametrize("target", ["missing-folder/out.json", "."], ids=["missing-folder", "a-folder"])
def test_output_that_cannot_be_written_exits_3(tmp_path: Path, target: str) -> None:
    proc = run("check", "timm:resnet50", "-j", "JP", "--no-policy", "-o", str(tmp_path / target))
    assert proc.returncode == 3
    assert "cannot write the report" in one_line_error(proc)


def test_full_disk_exits_3() -> None:
    if not Path("/dev/full").exists():
        pytest.fail("/dev/full is part of every Linux system this project supports")
    proc = run("check", "timm:resnet50", "-j", "JP", "--no-policy", "-o", "/dev/full")
    assert proc.returncode == 3
    assert "No space left" in one_line_error(proc)


def test_closed_stdout_exits_3_without_traceback() -> None:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    shell = " ".join(cmd) + " check timm:resnet50 -j JP --no-policy -f json | head -c0; exit ${PIPESTATUS[0]}"
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert b"Traceback" not in proc.stderr and b"Exception ignored" not in proc.stderr


@pytest.mark.parametrize("name, text", [
    ("modelclear.toml", "x = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ("modelclear.toml", "[tool]\n" + "a = {" * 5000 + "}" * 5000 + "\n"),
])
def test_deep_auto_discovered_policy_exits_3(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text)
    (tmp_path / "a.py").write_text(BERT)
    proc = run("scan", str(tmp_path), "-j", "JP")
    assert proc.returncode == 3
    assert "bad policy file" in one_line_error(proc)


@pytest.mark.parametrize("text", [
    "x: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)),
], ids=["deep", "alias-bomb"])
def test_hostile_yaml_policy_exits_3(tmp_path: Path, text: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    proc = run("check", "timm:resnet50", "-j", "JP", "--policy", str(policy))
    assert proc.returncode == 3
    assert "bad policy file" in one_line_error(proc)


@pytest.mark.parametrize("args, words", [
    (("scan", ".", "-j", "JP", "--jobs", "0"), "--jobs 0"),
    (("scan", ".", "-j", "JP", "--jobs", "-2"), "--jobs -2"),
    (("check", "timm:resnet50", "-j", "JP", "--kb", "no-such-folder"), "--kb no-such-folder"),
    (("check", "timm:resnet50", "-j", "JP", "--hf-cache", "file.txt"), "--hf-cache file.txt"),
    (("check", "timm:resnet50", "-j", "JP", "--accepted", "::"), "--accepted ::"),
    (("check", "::", "-j", "JP"), "malformed id"),
    (("check", "timm:resnet50", "-j", "XX"), "unknown jurisdiction"),
    (("check", "timm:resnet50", "-j", "JP", "-f", "pdf"), "unknown format"),
])
def test_bad_options_exit_3_with_one_line(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    (tmp_path / "file.txt").write_text("not a cache")
    proc = run(*args, "--no-policy", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert words in one_line_error(proc)


def test_internal_error_exits_4_with_a_short_message(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from modelclear import cli

    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_check", broken)  # fault injection: a bug anywhere below the command
    assert cli.main(["check", "timm:resnet50", "-j", "JP"]) == 4
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError: a bug)" in err and "--debug" in err
    assert "Traceback" not in err
    assert cli.main(["check", "timm:resnet50", "-j", "JP", "--debug"]) == 4
    assert "Traceback" in capsys.readouterr().err


def test_a_missing_extra_names_it_and_exits_3(tmp_path: Path) -> None:
    """Without the 'sbom' extra, CycloneDX exits 3 naming the extra; HTML works on the plain install."""
    code = (
        "import sys; sys.modules['cyclonedx'] = None; sys.modules['fastapi'] = None\n"
        "from modelclear import cli\n"
        f"rc1 = cli.main(['check', 'timm:resnet50', '-j', 'JP', '--no-policy', '-f', 'cyclonedx', '-o', "
        f"{str(tmp_path / 'x.json')!r}])\n"
        f"rc2 = cli.main(['check', 'timm:resnet50', '-j', 'JP', '--no-policy', '-f', 'html', '-o', "
        f"{str(tmp_path / 'x.html')!r}])\n"
        "sys.exit(rc1 * 10 + rc2)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 30, proc.stderr
    assert "needs the 'sbom' extra" in proc.stderr and "pip install 'modelclear[sbom]'" in proc.stderr
    assert "<html" in (tmp_path / "x.html").read_text(encoding="utf-8")
