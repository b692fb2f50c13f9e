"""Benchmark: start-up of `modelclear --help`, knowledge-base load, and one `check` (run by hand).

    .venv/bin/python bench/bench_check.py [--runs 11]

Targets (issue 14): `--help` <= 0.15 s; one `check` process <= 0.3 s, both in CPU seconds (user + system)
of the whole process, byte-compiled. Each process figure is the median of ``--runs`` runs after one
warm-up run: the children write and read their bytecode in a private ``PYTHONPYCACHEPREFIX`` (as an
installed wheel has its ``.pyc`` files) and their knowledge caches in a private ``MODELCLEAR_CACHE``.
The machine's load average is printed with the table: on a shared machine, say it beside the numbers.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MAIN = "import sys; from modelclear.cli import main; sys.argv[0] = 'modelclear'; sys.exit(main())"
CHECKS = [
    ["check", "hf:google-bert/bert-base-uncased", "-j", "JP"],
    ["check", "hf:google-bert/bert-base-uncased", "-j", "JP", "--lang", "ja"],
    ["check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "-j", "JP", "-f", "json"],
]


def process_cpu(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median CPU seconds (user + system) and median wall seconds of ``modelclear ARGS``, after a warm-up."""
    cmd = [sys.executable, "-c", MAIN, *args]
    subprocess.run(cmd, capture_output=True, env=env, check=False)
    cpu, wall = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


def in_process(env_cache: str) -> tuple[float, float, float]:
    """CPU seconds of a knowledge load without and with the compiled cache, and of one check after it."""
    os.environ["MODELCLEAR_CACHE"] = env_cache
    from modelclear.catalog import KnowledgeBase

    t0 = time.process_time()
    kb = KnowledgeBase.load(use_cache=False)
    cold = time.process_time() - t0
    KnowledgeBase.load()  # writes the compiled index
    t0 = time.process_time()
    kb = KnowledgeBase.load()
    warm = time.process_time() - t0
    from modelclear import api

    catalog = api.default_catalog(kb)
    t0 = time.process_time()
    api.check("torchvision:ResNet50_Weights.IMAGENET1K_V2", "JP", "deploy", "commercial", catalog=catalog)
    one = time.process_time() - t0
    return cold, warm, one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per process figure (median; default 11)")
    runs = parser.parse_args().runs
    cache = tempfile.mkdtemp(prefix="mc-bench-")
    pycache = tempfile.mkdtemp(prefix="mc-bench-pyc-")
    env = {**os.environ, "MODELCLEAR_CACHE": cache, "PYTHONPYCACHEPREFIX": pycache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows: list[tuple[str, float, float | None, str]] = []
    cpu, wall = process_cpu(["--help"], env, runs)
    rows.append(("modelclear --help", cpu, wall, "<= 0.15 s CPU"))
    for args in CHECKS:
        cpu, wall = process_cpu(args, env, runs)
        rows.append(("modelclear " + " ".join(args[:2]) + " " + " ".join(args[2:]), cpu, wall, "<= 0.3 s CPU"))
    cold, warm, one = in_process(cache)
    rows.append(("in process: KB load, no index (parse all files)", cold, None, "-"))
    rows.append(("in process: KB load from the compiled index", warm, None, "-"))
    rows.append(("in process: one check after load", one, None, "-"))
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(pycache, ignore_errors=True)
    print(f"{'what':78} {'CPU s':>6} {'wall s':>7}  target")
    print("-" * 110)
    for name, sec, wall_s, target in rows:
        shown = f"{wall_s:7.3f}" if wall_s is not None else f"{'':7}"
        print(f"{name:78} {sec:6.3f} {shown}  {target}")
    print(f"medians of {runs} runs after a warm-up, byte-compiled; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
