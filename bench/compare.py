"""Issue 14: ``modelclear scan`` side by side with ``rg`` and the PyPI peer scanners, from one command.

Usage::

    python bench/compare.py --work DIR [--sizes 1000,10000,100000] [--runs 3] [--wheels transformers,timm]
                            [--peers ai-bom==3.6.0,aibom-scanner==1.3.5,cisco-aibom==1.10.0]
                            [--peer-max-files N] [--timeout 300] [--out FILE]

``modelclear`` is the one this interpreter's venv runs (``PYTHONPATH=<export>/src`` measures another
tree, e.g. a ``git archive`` of a commit).

What it does, all under ``--work`` (created if missing, reused when already filled):

* generates the trees of ``bench/bench_scan.py`` (fixed seed 7) with 1k / 10k / 100k files;
* downloads the named wheels with ``pip download --no-deps`` (the newest, or ``name==version``) and
  unpacks each into its own folder: the scanned tree is the library's source as installed;
* installs each peer, pinned, in its own virtual environment (``pip install name==version``);
* runs, for every tree: ``modelclear scan TREE -j JP -f json --no-policy`` (this interpreter's
  ``modelclear``), ``rg`` searching the Python prefilter keywords as fixed strings (the floor: reading
  the tree once), and each peer's scan command with its JSON output. Peers run with the network
  unshared (``unshare -rn``) when the kernel allows it, else with proxies pointed at nowhere and the
  Hugging Face / telemetry offline switches set; each run is killed after ``--timeout`` seconds.

Every run is a child process measured with ``wait4``: CPU seconds (user + system, children included),
wall seconds, peak resident memory of the largest process. The table gives the median of ``--runs``
runs (one run for trees of 50,000 files or more and for the peers; a run killed at the timeout is not
repeated), files per CPU second, and the references
each tool reports (modelclear: entries of ``references``; rg: matching lines; peers: the length of
the list their JSON holds, see :func:`_count_peer`). Also timed: ``modelclear --help`` and one
``modelclear check``. The Markdown table goes to stdout and to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scan import generate  # the tree generator of the 10k benchmark

from modelclear.scan.python import PREFILTER

PEERS = {  # name -> (command template, output file it writes); {tree} and {out} are filled in
    "ai-bom": (["ai-bom", "scan", "{tree}", "--format", "json", "--output", "{out}", "--quiet", "--no-telemetry",
                "--no-cache"], "json"),
    "aibom-scanner": (["aibom-scanner", "scan", "--path", "{tree}", "--format", "json", "--output", "{out}"], "json"),
    "cisco-aibom": (["cisco-aibom", "analyze", "{tree}", "--output-format", "json", "--output-file", "{out}",
                     "--no-show-summary"], "json"),
}
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "AI_BOM_TELEMETRY": "0", "DO_NOT_TRACK": "1",
               "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
               "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


@dataclass
class Run:
    """One measured child process."""

    cpu: float
    wall: float
    rss_mb: float
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str


def measure(cmd: list[str], timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` and return its CPU, wall time and peak memory (``wait4``), killing it at ``timeout``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        return _measure(cmd, timeout, env, cwd, out, err)


def _measure(cmd: list[str], timeout: float, env: dict[str, str] | None, cwd: Path | None, out: IO[bytes],
             err: IO[bytes]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
    deadline = start + timeout
    status = None
    usage = None
    while status is None:
        pid, status_raw, usage_raw = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status, usage = status_raw, usage_raw
            break
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            status = None
            break
        time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4 above
    assert usage is not None
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    out.seek(0)
    err.seek(0)
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, code,
               out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def count_files(root: Path) -> int:
    """Regular files under ``root``."""
    return sum(len(files) for _, _, files in os.walk(root))


def prepare_trees(work: Path, sizes: list[int], wheels: list[str]) -> dict[str, Path]:
    """The generated trees and unpacked wheels, made once under ``work``."""
    trees: dict[str, Path] = {}
    for n in sizes:
        root = work / f"gen{n}"
        if not (root / ".done").exists():
            shutil.rmtree(root, ignore_errors=True)
            generate(root, n)
            (root / ".done").write_text("", encoding="utf-8")  # not counted: dot-files below are excluded
        trees[f"generated {n:,}"] = root
    for spec in wheels:
        name = spec.split("==")[0]
        dest = work / f"wheel-{name}"
        if not (dest / ".done").exists():
            shutil.rmtree(dest, ignore_errors=True)
            dl = work / "wheels"
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dl), spec],
                           check=True)
            wheel = max(dl.glob(f"{name.replace('-', '_')}-*.whl"), key=lambda p: p.stat().st_mtime)
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(dest)
            (dest / ".done").write_text(wheel.name, encoding="utf-8")
        trees[f"{(dest / '.done').read_text(encoding='utf-8').split('-py')[0]} wheel"] = dest
    return trees


def prepare_peers(work: Path, peers: list[str]) -> dict[str, Path | str]:
    """Each peer installed in its own venv: name -> its bin folder, or why it could not be installed."""
    out: dict[str, Path | str] = {}
    for spec in peers:
        name = spec.split("==")[0]
        venv = work / "peers" / name
        if not (venv / ".done").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            got = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", spec], capture_output=True, text=True)
            if got.returncode != 0:
                out[name] = f"pip install {spec} failed: {got.stderr.strip().splitlines()[-1:]}"
                continue
            (venv / ".done").write_text(spec, encoding="utf-8")
        out[name] = venv / "bin"
    return out


def _offline(cmd: list[str]) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # a peer runs its own venv only
    env.update(OFFLINE_ENV)
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn", *cmd], env
    return cmd, env


def _count_peer(path: Path) -> int | None:
    """Components a peer's JSON report lists (the longest list found at its first two levels)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, list):
        return len(data)
    best = 0
    for value in data.values() if isinstance(data, dict) else ():
        if isinstance(value, list):
            best = max(best, len(value))
        elif isinstance(value, dict):
            best = max([best, *(len(v) for v in value.values() if isinstance(v, list))])
    return best


def run_modelclear(tree: Path, work: Path, timeout: float) -> tuple[Run, int | None]:
    """One ``modelclear scan`` of ``tree``; its references counted from the JSON report."""
    out = work / f"modelclear-{os.getpid()}.json"
    out.unlink(missing_ok=True)
    exe = str(Path(sys.executable).parent / "modelclear")
    run = measure([exe, "scan", str(tree), "-j", "JP", "-f", "json", "--no-policy", "-o", str(out)], timeout)
    try:
        refs = len(json.loads(out.read_text(encoding="utf-8"))["references"])
    except (OSError, ValueError, KeyError):
        refs = None
    return run, refs


def run_rg(tree: Path, timeout: float) -> tuple[Run, int | None]:
    """``rg`` searching the prefilter keywords: the cost of reading the tree once."""
    rg = shutil.which("rg")
    if rg is None:
        raise FileNotFoundError("rg")
    args = [rg, "--count-matches", "--fixed-strings", "--no-messages", "--no-ignore", "--hidden"]
    for token in sorted(PREFILTER):
        args += ["-e", token.decode()]
    run = measure([*args, str(tree)], timeout)
    return run, sum(int(line.rsplit(":", 1)[1]) for line in run.stdout.splitlines() if ":" in line)


def run_peer(name: str, bin_dir: Path, tree: Path, work: Path, timeout: float) -> tuple[Run, int | None]:
    """One peer scan, offline, with its JSON report counted."""
    template, _ = PEERS[name]
    out = work / f"{name}-{os.getpid()}.json"
    out.unlink(missing_ok=True)
    cmd = [str(bin_dir / template[0]), *(a.format(tree=tree, out=out) for a in template[1:])]
    cmd, env = _offline(cmd)
    run = measure(cmd, timeout, env=env, cwd=work)
    return run, _count_peer(out) if run.code is not None and out.exists() else None


def _tail(run: Run) -> str:
    """The last line a failed run printed (stderr first)."""
    return (run.stderr.strip().splitlines() or run.stdout.strip().splitlines() or [""])[-1][:200]


def _row(tool: str, tree: str, files: int, runs: list[Run], refs: int | None) -> str:
    done = [r for r in runs if r.code is not None]
    if not done:
        return (f"| {tool} | {tree} | {files:,} | — | > {runs[0].wall:.0f} (killed) | {runs[0].rss_mb:,.0f} | — | — "
                f"| {len(runs)} |")
    cpu = statistics.median(r.cpu for r in done)
    wall = statistics.median(r.wall for r in done)
    rss = statistics.median(r.rss_mb for r in done)
    note = "" if all(r.code in (0, 1, 2) for r in done) else f" (exit {done[0].code})"
    return (f"| {tool} | {tree} | {files:,} | {cpu:.2f} | {wall:.2f} | {rss:,.0f} | {files / cpu if cpu else 0:,.0f} "
            f"| {'—' if refs is None else f'{refs:,}'}{note} | {len(done)} |")


def main(argv: list[str] | None = None) -> int:
    """Build the trees and peers, run everything, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="folder for trees, wheels, peer venvs, outputs")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--wheels", default="transformers,timm")
    parser.add_argument("--peers", default="ai-bom==3.6.0,aibom-scanner==1.3.5,cisco-aibom==1.10.0")
    parser.add_argument("--peer-max-files", type=int, default=0,
                        help="run the peers only on trees of at most this many files (default: every tree)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    trees = prepare_trees(work, [int(s) for s in args.sizes.split(",") if s],
                          [w for w in args.wheels.split(",") if w])
    peers = prepare_peers(work, [p for p in args.peers.split(",") if p])
    lines = ["| tool | tree | files | CPU s | wall s | peak RSS MB | files per CPU s | references | runs |",
             "|---|---|---|---|---|---|---|---|---|"]
    notes: list[str] = []
    for label, tree in trees.items():
        files = count_files(tree) - 1  # the .done marker
        runs_n = 1 if files >= 50_000 else args.runs
        mc: list[tuple[Run, int | None]] = []
        for _ in range(runs_n):
            mc.append(run_modelclear(tree, work, args.timeout))
            if mc[-1][0].code is None:
                break  # killed at the timeout: a second try would be too
        lines.append(_row("modelclear scan", label, files, [r for r, _ in mc], mc[-1][1]))
        for run, _ in mc:
            if run.code not in (0, 1, 2, None):
                notes.append(f"modelclear on {label}: exit {run.code}: {_tail(run)}")
        print(lines[-1], flush=True)
        try:
            rg = [run_rg(tree, args.timeout) for _ in range(runs_n)]
            lines.append(_row("rg (prefilter keywords)", label, files, [r for r, _ in rg], rg[-1][1]))
        except FileNotFoundError:
            notes.append("rg is not installed (`apt-get install -y ripgrep`): no floor measured.")
        print(lines[-1], flush=True)
        if args.peer_max_files and files > args.peer_max_files:
            continue
        for name, bin_dir in peers.items():
            if isinstance(bin_dir, str):
                notes.append(f"{name}: {bin_dir}")
                continue
            run, refs = run_peer(name, bin_dir, tree, work, args.timeout)
            lines.append(_row(name, label, files, [run], refs))
            if run.code is not None and (run.code not in (0, 1) or refs is None):
                notes.append(f"{name} on {label}: exit {run.code}, "
                             f"{'no JSON report' if refs is None else 'report counted'}: {_tail(run)}")
            print(lines[-1], flush=True)
    exe = str(Path(sys.executable).parent / "modelclear")
    helps = [measure([exe, "--help"], 60) for _ in range(args.runs)]
    checks = [measure([exe, "check", "hf:google-bert/bert-base-uncased", "-j", "JP", "--no-policy"], 60)
              for _ in range(args.runs)]
    lines.append("")
    median = statistics.median
    lines.append(f"`modelclear --help`: {median(r.wall for r in helps):.2f} s wall, "
                 f"{median(r.cpu for r in helps):.2f} s CPU; one `modelclear check "
                 f"hf:google-bert/bert-base-uncased -j JP`: {median(r.wall for r in checks):.2f} s wall, "
                 f"{median(r.cpu for r in checks):.2f} s CPU, {median(r.rss_mb for r in checks):.0f} MB "
                 f"(medians of {args.runs}).")
    lines.extend(f"- {n}" for n in notes)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
