"""Benchmark: a large ``--kb`` overlay, parsed once and then opened from its compiled cache (issue 14).

    .venv/bin/python bench/bench_kb.py [--artifacts 1000000] [--seed 14] [--folder DIR]

Writes a synthetic overlay with :func:`kbgen.write_overlay` (fixed seed; kept in ``--folder`` and
reused when its summary file matches), then times four child processes sharing a cache directory that is empty at first:

0. ``bundled``: ``KnowledgeBase.load()`` without the overlay, so the bundled data's cache is warm;
1. ``first``: ``KnowledgeBase.load(overlays=[DIR])`` with the cache empty: every file parsed,
   checked against the schema and compiled to ``kb2-<signature>.cache``;
2. ``cached``: the same call again: the compiled index is read, entries stay on disk;
3. ``check``: ``modelclear check <a leaf of the overlay> --kb DIR -j JP`` with the cache warm.

Each line gives wall seconds, CPU seconds (user + system of the child) and the child's peak resident
memory; the numbers are printed as one Markdown table for ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kbgen import write_overlay  # the generator next to this script

EXE = str(Path(sys.executable).with_name("modelclear"))
LOAD = ("import sys; from pathlib import Path; from modelclear.catalog import KnowledgeBase; "
        "kb = KnowledgeBase.load(overlays=[Path(sys.argv[1])]); "
        "print(sum(1 for _ in kb.artifact_ids()))")


def run(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and standard output of one child process."""
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out_file, stderr=err_file, text=True)  # files: no pipe to fill
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])} ... exited {code}: {err.strip()[-400:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip()


def overlay(folder: Path, n: int, seed: int) -> dict[str, int]:
    """The overlay in ``folder``, written unless a previous run left the same one there."""
    summary = folder / "kbgen-summary.json"
    if summary.is_file():
        found = json.loads(summary.read_text())
        if found.get("n_artifacts") == n and found.get("seed") == seed:
            return dict(found["counts"])
    counts = write_overlay(folder, n, seed)
    summary.write_text(json.dumps({"n_artifacts": n, "seed": seed, "counts": counts}))
    return counts


def main() -> int:
    """Write (or reuse) the overlay, time the three runs, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--folder", type=Path, default=None, help="where the overlay is written (default: a temp dir)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.gettempdir()) / f"modelclear-kbgen-{args.artifacts}-{args.seed}"
    start = time.perf_counter()
    counts = overlay(folder, args.artifacts, args.seed)
    print(f"overlay: {json.dumps(counts)} ({time.perf_counter() - start:.1f} s to write or find)", flush=True)
    leaf = f"hf:kbgen-o{(counts['models'] - 1) % 1000}/m{counts['models'] - 1}"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "MODELCLEAR_CACHE": cache}
        rows = []
        for name, cmd in (("bundled", [sys.executable, "-c", LOAD.replace("overlays=[Path(sys.argv[1])]", "")]),
                          ("first", [sys.executable, "-c", LOAD, str(folder)]),
                          ("cached", [sys.executable, "-c", LOAD, str(folder)]),
                          ("check", [EXE, "check", leaf, "--kb", str(folder), "-j", "JP", "--format", "json"])):
            wall, cpu, rss, out = run(cmd, env, (0, 1, 2) if name == "check" else (0,))  # check: verdict codes
            note = f"{out} artifacts" if name != "check" else f"{leaf}: {json.loads(out)['verdict']}"
            rows.append(f"| {name} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {note} |")
            print(rows[-1], flush=True)
    print("\n| run | wall s | CPU s | peak RSS MiB | result |\n|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
