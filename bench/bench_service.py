"""Load test of the team service on loopback (issue 13; run by hand, asserts nothing).

    .venv/bin/python bench/bench_service.py [--db URL] [--uploads 50] [--checks 200] [--refs 200]
        [--scans 10] [--scan-workers 1] [--workers 0]

Starts the real server (`modelclear web --db URL --port P --scan-workers N`, a new SQLite file unless --db
is given) in a child process, adds a project (`modelclear web project add`), scans a generated project
that loads --refs distinct catalogued Hugging Face models (`modelclear scan -f json`: a real report), then
sends --uploads concurrent `POST /api/projects/bench/reports` of that report and --checks concurrent
`GET /api/check` (one thread per request, all released together), and prints errors, wall time and
p50 / p99 / max latency of each.

Then --scans concurrent `POST /scan` of that project as a zip (scans of uploads are jobs: each thread
reads its scan's page every 2 s, as a browser would, until it is done), timed from the upload to the
finished page; on PostgreSQL, --workers extra `modelclear worker --db URL` processes take jobs from the
queue beside the server's own --scan-workers. Prints the CPU seconds (user + sys) of the server and of
each worker, and how many scans each process ran. The machine's other load is not controlled: note it with the results.
"""

from __future__ import annotations

import argparse
import io
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
import zipfile
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and one file ``archive``; the body and its content type."""
    boundary = "modelclear-bench-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="archive"; filename="{name}"\r\n'
                 "Content-Type: application/zip\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def line(name: str, times: list[float], errors: list[str], wall: float) -> str:
    q = statistics.quantiles(times, n=100, method="inclusive")
    return (f"| {name} | {len(times)} | {len(errors)} | {wall:.2f} s | {statistics.median(times) * 1000:.0f} ms | "
            f"{q[98] * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")


def scans_by_process(url: str, tokens: list[str]) -> dict[str, int]:
    """How many of the scans under ``tokens`` each process ran (read from the service's database)."""
    from collections import Counter

    from sqlalchemy import select

    from modelclear.web import db, jobs
    from modelclear.web.models import ScanJob

    database = db.open_database(url)
    try:
        with database.session() as s:
            hashes = [jobs.token_hash(t) for t in tokens]
            ran = s.scalars(select(ScanJob.worker).where(ScanJob.token_sha256.in_(hashes)))
            return dict(Counter(w.rpartition(":")[2] for w in ran))
    finally:
        database.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--uploads", type=int, default=50)
    ap.add_argument("--checks", type=int, default=200)
    ap.add_argument("--refs", type=int, default=200)
    ap.add_argument("--scans", type=int, default=10)
    ap.add_argument("--scan-workers", type=int, default=1)
    ap.add_argument("--workers", type=int, default=0)
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
        server = subprocess.Popen([EXE, "web", "--db", url, "--port", str(port), "--scan-workers",
                                   str(args.scan_workers)], env=env, stderr=subprocess.DEVNULL)
        workers = [subprocess.Popen([EXE, "worker", "--db", url], env=env, stderr=subprocess.DEVNULL)
                   for _ in range(args.workers)]
        base = f"http://127.0.0.1:{port}"
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(project / "app.py", "project/app.py")
        form, form_type = multipart({"jurisdiction": "JP"}, "project.zip", archive.getvalue())
        pages: list[str] = [""] * args.scans
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

            def scan(i: int) -> None:
                req = urllib.request.Request(base + "/scan", data=form, method="POST",
                                             headers={"Content-Type": form_type})
                with urllib.request.urlopen(req, timeout=300) as r:  # 303 followed: the scan's page
                    page, where = r.read().decode(), r.geturl()
                for _ in range(600):  # every 2 s, as the page's own Refresh
                    if 'id="scan-state"' not in page:
                        break
                    time.sleep(2)
                    with urllib.request.urlopen(where, timeout=300) as r:
                        page = r.read().decode()
                if 'id="summary"' not in page:
                    raise RuntimeError("the scan did not finish with a report")
                pages[i] = where.split("/scan/", 1)[1].split("?")[0]

            up = together(args.uploads, upload)
            ch = together(args.checks, check)
            cpu0 = {p.pid: cpu_seconds(p.pid) for p in [server, *workers]}
            sc = together(args.scans, scan) if args.scans else None
            cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu0.items()}
        finally:
            for p in [server, *workers]:
                p.terminate()
            for p in [server, *workers]:
                p.wait(timeout=120)
        backend = url.split(":", 1)[0]
        print(f"report: {refs} references, {len(body) // 1024} KiB; database: {backend}; cores: {os.cpu_count()}")
        print("| requests | n | errors | wall | p50 | p99 | max |")
        print("|---|---|---|---|---|---|---|")
        print(line(f"POST report ({refs} refs)", *up))
        print(line("GET /api/check", *ch))
        if sc is not None:
            print(line(f"POST /scan zip, until done ({refs} refs)", *sc))
            print(f"scans: --scan-workers {args.scan_workers} in the server, {args.workers} worker process(es); "
                  f"CPU s during the scans: server {cpu[server.pid]:.1f}"
                  + "".join(f", worker {w.pid} {cpu[w.pid]:.1f}" for w in workers))
            ran = scans_by_process(url, [p for p in pages if p])
            print("scans run by process (pid: n):", ", ".join(f"{k}: {v}" for k, v in sorted(ran.items())))
        for e in sorted(set(up[1] + ch[1] + (sc[1] if sc else [])))[:5]:
            print("error:", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
