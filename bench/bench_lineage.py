"""Benchmark: lineage of many cached model cards (issue 8) and of a synthetic knowledge base (issue 14).

    .venv/bin/python bench/bench_lineage.py diamond [--levels 14] [--width 4] [--timeout 120]
    .venv/bin/python bench/bench_lineage.py chain [--length 10000] [--timeout 120]
    .venv/bin/python bench/bench_lineage.py kb [--artifacts 100000] [--seed 14] [--jurisdictions JP]

``diamond`` writes ``levels × width`` model cards into a Hugging Face cache layout, each card naming
all ``width`` cards of the next level as ``base_model``, and times ``modelclear check`` of one card of
the first level. ``chain`` writes ``length`` cards, each the fine-tune of the next, and times
``modelclear scan EMPTY --hf-cache`` over them. Both run the CLI in a child process (wall-clock
seconds and the child's peak resident memory); a run past ``--timeout`` is killed and reported.

``kb`` writes a synthetic ``--kb`` overlay of ``--artifacts`` artifacts (``bench/kbgen.py``: fine-tune
chains, merges, adapters, shared datasets; fixed ``--seed``), loads it, and assesses every *leaf* (an
artifact no other artifact names as upstream) with its whole upstream, the way ``scan`` assesses the
artifacts it finds: the service builds the lineage of all leaves once, then each leaf is assessed under
each scenario (deploy, commercial) with its upstream list. It runs in this process and prints each
phase apart (CPU seconds, and the peak resident memory of the process so far): writing the overlay,
loading the knowledge, finding the leaves, the lineage (resolving every artifact through the catalog and
building the DAGs), and the assessment. Run it in a fresh process per size: the peak is per process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = str(Path(sys.executable).with_name("modelclear"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from hflayout import cache_repo  # noqa: E402  (the test suite's writer of the cache layout)
from kbgen import write_overlay  # noqa: E402  (the synthetic --kb overlay)


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
    """Wall seconds, peak RSS of the child in MB, and an outcome ('exit N' or 'killed after T s').

    The outcome ends with the child's CPU seconds (user + system), the figure to compare on a busy machine.
    """
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return secs, after.ru_maxrss / 1024, f"{outcome}, CPU {cpu:.2f} s"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _leaves(folder: Path) -> list[str]:
    """The overlay's artifacts that no other artifact names as upstream, in file order (read as JSON)."""
    named: set[str] = set()
    ids: list[str] = []
    for path in sorted((folder / "datasets").glob("*.json")) + sorted((folder / "models").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for entry in doc["models"] if isinstance(doc, dict) else doc:
            ids.append(entry["id"])
            named.update(link["target"].lower() for key in ("base_models", "upstream") for link in entry.get(key, ()))
            named.update(d.lower() for d in entry.get("datasets", ()))
    return [i for i in ids if i.lower() not in named]


def run_kb(n_artifacts: int, seed: int, jurisdictions: list[str]) -> dict[str, float]:
    """Write, load and assess a synthetic knowledge base; print and return the phases' numbers."""
    from modelclear import ids, lineage
    from modelclear.catalog import Catalog
    from modelclear.service import Service, load_knowledge

    numbers: dict[str, float] = {}

    def phase(name: str, started: float) -> None:
        numbers[name] = time.process_time() - started
        print(f"{name:<34} {numbers[name]:8.2f} s CPU   peak RSS {_peak_mb():7.0f} MB", flush=True)

    with tempfile.TemporaryDirectory(prefix="mc-kb-") as tmp:
        folder = Path(tmp) / "overlay"
        t0 = time.process_time()
        counts = write_overlay(folder, n_artifacts, seed)
        phase(f"overlay written ({counts['bytes'] / 1e6:.0f} MB)", t0)
        t0 = time.process_time()
        kb = load_knowledge([folder])  # as every entry point loads it (once per process)
        phase("knowledge loaded", t0)
        t0 = time.process_time()
        leaves = _leaves(folder)
        phase(f"leaves found ({len(leaves)})", t0)
    service = Service(catalog=Catalog(kb=kb))
    scenarios = service.scenarios(jurisdictions, "deploy", "commercial")
    t0 = time.process_time()
    refs = [service.catalog.resolve(ids.parse(i)) for i in leaves]
    artifacts = [service.catalog.lookup(r) for r in refs]
    memo = service.judgements(artifacts)
    forest = memo.lineages
    assert isinstance(forest, lineage.Forest)
    phase(f"lineage ({len(forest)} DAGs, {forest.built} own builds)", t0)
    t0 = time.process_time()
    verdicts: dict[str, int] = {}
    listed = 0
    for ref, artifact in zip(refs, artifacts, strict=True):
        for sc in scenarios:
            a = memo.assess(ref, artifact, sc)
            verdicts[a.verdict.value] = verdicts.get(a.verdict.value, 0) + 1
            listed += len(a.upstream)
    phase(f"assessment ({memo.judged} judgements)", t0)
    print(f"{len(leaves)} leaves x {len(scenarios)} scenario(s): {listed} upstream entries; verdicts {verdicts}")
    return numbers


def main(argv: list[str] | None = None) -> int:
    """Run one benchmark case from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=("diamond", "chain", "kb"))
    parser.add_argument("--levels", type=int, default=14)
    parser.add_argument("--width", type=int, default=4)
    parser.add_argument("--length", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--format", default="json", help="report format passed to the CLI (default: json)")
    parser.add_argument("--artifacts", type=int, default=100_000, help="kb: artifacts in the overlay")
    parser.add_argument("--seed", type=int, default=14, help="kb: the generator's seed")
    parser.add_argument("--jurisdictions", default="JP", help="kb: comma-separated (default: JP)")
    args = parser.parse_args(argv)
    if args.case == "kb":
        run_kb(args.artifacts, args.seed, args.jurisdictions.split(","))
        return 0
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
