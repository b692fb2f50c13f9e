"""Load test of the team service on loopback (issue 13; run by hand, asserts nothing).

    .venv/bin/python bench/bench_service.py [--db URL] [--uploads 50] [--checks 200] [--refs 200]

Starts the real server (`modelclear web --db URL --port P`, a new SQLite file unless --db is given) in a
child process, adds a project (`modelclear web project add`), scans a generated project that loads
--refs distinct catalogued Hugging Face models (`modelclear scan -f json`: a real report), then sends
--uploads concurrent `POST /api/projects/bench/reports` of that report and --checks concurrent
`GET /api/check` (one thread per request, all released together), and prints errors, wall time and
p50 / p99 / max latency of each. The machine's other load is not controlled: note it with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

EXE = str(Path(sys.executable).with_name("modelclear"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_ids(n: int) -> list[str]:
    from modelclear.catalog import KnowledgeBase

    kb = KnowledgeBase.load()
    ids = sorted(i for i in kb.artifact_ids() if i.startswith("hf:") and "/" in i and " " not in i)
    return ids[:n]


def together(n: int, call: object) -> tuple[list[float], list[str], float]:
    """Run ``call(i)`` in ``n`` threads released at once; latencies, errors, wall time."""
    barrier = threading.Barrier(n + 1)
    times: list[float] = [0.0] * n
    errors: list[str] = []

    def worker(i: int) -> None:
        barrier.wait()
        t0 = time.perf_counter()
        try:
            call(i)  # type: ignore[operator]
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        times[i] = time.perf_counter() - t0

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return times, errors, time.perf_counter() - t0


def line(name: str, times: list[float], errors: list[str], wall: float) -> str:
    q = statistics.quantiles(times, n=100, method="inclusive")
    return (f"| {name} | {len(times)} | {len(errors)} | {wall:.2f} s | {statistics.median(times) * 1000:.0f} ms | "
            f"{q[98] * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--uploads", type=int, default=50)
    ap.add_argument("--checks", type=int, default=200)
    ap.add_argument("--refs", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.db or f"sqlite:///{work / 'service.db'}"
        env = dict(os.environ, MODELCLEAR_DATA=str(work / "data"))
        ids = model_ids(args.refs)
        project = work / "project"
        project.mkdir()
        code = ["from transformers import AutoModel"]
        code += [f'm{i} = AutoModel.from_pretrained("{mid[3:]}")' for i, mid in enumerate(ids)]
        (project / "app.py").write_text("\n".join(code) + "\n", encoding="utf-8")
        report = work / "report.json"
        subprocess.run([EXE, "scan", str(project), "-j", "JP", "-f", "json", "-o", str(report), "--no-policy", "-q"],
                       env=env, check=False)
        body = report.read_bytes()
        refs = len(json.loads(body)["references"])
        token = subprocess.run([EXE, "web", "project", "add", "bench", "--db", url], env=env, capture_output=True,
                               text=True, check=True).stdout.strip()
        port = free_port()
        server = subprocess.Popen([EXE, "web", "--db", url, "--port", str(port)], env=env,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).read()
                    break
                except (urllib.error.URLError, OSError):
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)

            def upload(i: int) -> None:
                req = urllib.request.Request(base + "/api/projects/bench/reports", data=body, method="POST",
                                             headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=300) as r:
                    if r.status != 201:
                        raise RuntimeError(f"HTTP {r.status}")

            def check(i: int) -> None:
                q = urllib.parse.urlencode({"id": ids[i % len(ids)], "jurisdiction": "JP"})
                with urllib.request.urlopen(f"{base}/api/check?{q}", timeout=300) as r:
                    json.loads(r.read())

            up = together(args.uploads, upload)
            ch = together(args.checks, check)
        finally:
            server.terminate()
            server.wait(timeout=30)
        backend = url.split(":", 1)[0]
        print(f"report: {refs} references, {len(body) // 1024} KiB; database: {backend}; cores: {os.cpu_count()}")
        print("| requests | n | errors | wall | p50 | p99 | max |")
        print("|---|---|---|---|---|---|---|")
        print(line(f"POST report ({refs} refs)", *up))
        print(line("GET /api/check", *ch))
        for e in sorted(set(up[1] + ch[1]))[:5]:
            print("error:", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
