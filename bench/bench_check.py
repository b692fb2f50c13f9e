"""Benchmark: start-up of `modelclear --help`, knowledge-base load, and one `check` (run by hand).

    .venv/bin/python bench/bench_check.py

Targets (issues 2 and 3): `--help` < 0.2 s; loading the knowledge base for one check < 0.3 s.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = str(Path(sys.executable).with_name("modelclear"))


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        out.append(time.perf_counter() - t0)
    return out


def in_process(env_cache: str) -> tuple[float, float, float]:
    os.environ["MODELCLEAR_CACHE"] = env_cache
    from modelclear.catalog import KnowledgeBase

    t0 = time.perf_counter()
    kb = KnowledgeBase.load(use_cache=False)
    cold = time.perf_counter() - t0
    KnowledgeBase.load()  # writes the compiled index
    t0 = time.perf_counter()
    kb = KnowledgeBase.load()
    warm = time.perf_counter() - t0
    from modelclear import api

    catalog = api.default_catalog(kb)
    t0 = time.perf_counter()
    api.check("torchvision:ResNet50_Weights.IMAGENET1K_V2", "JP", "deploy", "commercial", catalog=catalog)
    one = time.perf_counter() - t0
    return cold, warm, one


def main() -> None:
    cache = tempfile.mkdtemp(prefix="mc-bench-")
    env = {**os.environ, "MODELCLEAR_CACHE": cache}
    rows = []
    help_t = timed([EXE, "--help"], env, 10)
    rows.append(("modelclear --help (process)", statistics.median(help_t), "< 0.2 s"))
    cold, warm, one = in_process(cache)
    rows.append(("KB load, no index (parse all files)", cold, "-"))
    rows.append(("KB load from the compiled index", warm, "< 0.3 s"))
    rows.append(("one check after load (assess + lineage)", one, "-"))
    check_t = timed([EXE, "check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "-j", "JP", "-f", "json"], env, 5)
    rows.append(("modelclear check … (whole process, warm)", statistics.median(check_t), "-"))
    shutil.rmtree(cache, ignore_errors=True)
    print(f"{'what':45} {'seconds':>9}  target")
    print("-" * 66)
    for name, sec, target in rows:
        print(f"{name:45} {sec:9.3f}  {target}")


if __name__ == "__main__":
    main()
