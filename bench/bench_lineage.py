"""Benchmark: lineage of many cached model cards (issue 8), run by hand.

    .venv/bin/python bench/bench_lineage.py diamond [--levels 14] [--width 4] [--timeout 120]
    .venv/bin/python bench/bench_lineage.py chain [--length 10000] [--timeout 120]

``diamond`` writes ``levels × width`` model cards into a Hugging Face cache layout, each card naming
all ``width`` cards of the next level as ``base_model``, and times ``modelclear check`` of one card of
the first level. ``chain`` writes ``length`` cards, each the fine-tune of the next, and times
``modelclear scan EMPTY --hf-cache`` over them. Both run the CLI in a child process (wall-clock
seconds and the child's peak resident memory); a run past ``--timeout`` is killed and reported.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = str(Path(sys.executable).with_name("modelclear"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hflayout import cache_repo  # noqa: E402  (the test suite's writer of the cache layout)


def card(repo_id: str, bases: list[str]) -> str:
    """A minimal model card naming ``bases`` as its base models."""
    lines = ["---", "license: apache-2.0"]
    if bases:
        lines.append("base_model:")
        lines += [f"- {b}" for b in bases]
        lines.append("base_model_relation: finetune")
    lines += ["pipeline_tag: text-classification", "---", f"# {repo_id}", ""]
    return "\n".join(lines)


def diamond_ids(levels: int, width: int) -> list[list[str]]:
    """Repo ids level by level: ``bench/d{level}-{i}``."""
    return [[f"bench/d{level}-{i}" for i in range(width)] for level in range(levels)]


def write_diamond(cache: Path, levels: int = 14, width: int = 4) -> list[list[str]]:
    """``levels × width`` cards; each names every card of the next level as a base model."""
    grid = diamond_ids(levels, width)
    for level, row in enumerate(grid):
        bases = grid[level + 1] if level + 1 < levels else []
        for repo_id in row:
            cache_repo(cache, repo_id, {"README.md": card(repo_id, bases)})
    return grid


def write_chain(cache: Path, length: int = 10_000) -> list[str]:
    """``length`` cards ``bench/c{i}``, each the fine-tune of ``bench/c{i+1}``."""
    chain = [f"bench/c{i}" for i in range(length)]
    for i, repo_id in enumerate(chain):
        cache_repo(cache, repo_id, {"README.md": card(repo_id, chain[i + 1:i + 2])})
    return chain


def run(cmd: list[str], timeout: float) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the child in MB, and an outcome ('exit N' or 'killed after T s')."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        _, err = proc.communicate(timeout=timeout)
        outcome = f"exit {proc.returncode}"
        if proc.returncode not in (0, 1):
            outcome += ": " + err.decode(errors="replace").strip()[-2000:]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        outcome = f"killed after {timeout:.0f} s"
    secs = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return secs, rss_mb, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=("diamond", "chain"))
    parser.add_argument("--levels", type=int, default=14)
    parser.add_argument("--width", type=int, default=4)
    parser.add_argument("--length", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--format", default="json", help="report format passed to the CLI (default: json)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mc-lineage-") as tmp:
        cache = Path(tmp) / "hub"
        t0 = time.perf_counter()
        if args.case == "diamond":
            grid = write_diamond(cache, args.levels, args.width)
            what = f"{args.levels}x{args.width} diamond ({args.levels * args.width} cards)"
            cmd = [EXE, "check", f"hf:{grid[0][0]}", "-j", "JP", "--hf-cache", str(cache),
                   "--format", args.format, "--no-policy"]
        else:
            write_chain(cache, args.length)
            what = f"chain of {args.length} cards"
            project = Path(tmp) / "project"
            project.mkdir()
            cmd = [EXE, "scan", str(project), "-j", "JP", "--hf-cache", str(cache), "--format",
                   args.format, "--no-policy"]
        made = time.perf_counter() - t0
        secs, rss, outcome = run(cmd, args.timeout)
    print(f"{what}: cards written in {made:.1f} s")
    print(f"command: {' '.join(cmd[:2])} … --hf-cache CACHE --format {args.format} --no-policy")
    print(f"wall {secs:.2f} s, peak RSS {rss:.0f} MB, {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
