"""Scans of uploads as jobs in the database (issue 13, item 6), on SQLite and PostgreSQL.

Any web application over the same database shows any scan; on PostgreSQL the jobs go through the
procrastinate queue and real ``modelclear worker`` processes share them; the upload is emptied from the
database when its scan ends, finished scans are bounded, a ``modelclear.lock`` in the upload is honoured,
and on SQLite jobs a stopped process left behind are taken up by the next one.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from servicedb import PG_URL, db_url, fresh_url  # noqa: F401  (fixture)
from sqlalchemy import select, text

from modelclear.web import db, jobs
from modelclear.web.app import create_app
from modelclear.web.models import ScanJob, ScanOutput

APP_PY = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('meta-llama/Llama-2-7b-hf')\n"
PINNED = "hf:someone/pinned-upload-model"


def _paste(client: TestClient, source: str = APP_PY) -> str:
    r = client.post("/scan", data={"jurisdiction": "JP", "kind": "python", "text": source}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return str(r.headers["location"])


def _upload(client: TestClient, data: bytes, name: str = "project.zip") -> str:
    r = client.post("/scan", files={"archive": (name, data, "application/zip")}, data={"jurisdiction": "JP"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return str(r.headers["location"])


def _finished(client: TestClient, location: str, polls: int = 900):
    """The page once the job is neither queued nor running (at most ``polls`` reads, 0.1 s apart)."""
    for _ in range(polls):
        page = client.get(location)
        if 'id="scan-state"' not in page.text:
            return page
        assert page.headers["refresh"] == "2" and page.headers["cache-control"] == "no-store"
        time.sleep(0.1)
    raise AssertionError(f"{location} still pending after {polls} reads")


def _token(location: str) -> str:
    return location.split("/scan/", 1)[1].split("?")[0]


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, body in entries.items():
            z.writestr(name, body)
    return buffer.getvalue()


def test_any_web_app_over_the_database_shows_any_scan(db_url: str) -> None:  # noqa: F811
    """Submitted to one application (which runs it: threads on SQLite, its own queue worker on PostgreSQL),
    shown with every download by another one over the same database, with the upload emptied afterwards."""
    first, second = db.open_database(db_url), db.open_database(db_url)
    try:
        with TestClient(create_app(database=first, scan_workers=1)) as a:
            b = TestClient(create_app(database=second, scan_workers=0))
            location = _paste(a)
            pending = b.get(location)
            assert pending.status_code == 200
            page = _finished(b, location)
            assert page.status_code == 200 and "Scan of main.py" in page.text
            assert "hf:meta-llama/Llama-2-7b-hf" in page.text
            token = _token(location)
            doc = b.get(f"/scan/{token}/report.json").json()
            assert "hf:meta-llama/Llama-2-7b-hf" in {r["id"] for r in doc["references"]}
            for suffix in ("html", "sarif", "md", "txt", "cdx.json", "spdx.json", "notice.txt"):
                assert b.get(f"/scan/{token}/report.{suffix}").status_code == 200, suffix
            assert a.get(f"/scan/{token}/report.json").json() == doc
        with second.session() as s:
            job = s.scalar(select(ScanJob).where(ScanJob.token_sha256 == jobs.token_hash(token)))
            assert job is not None and job.state == "done" and job.upload is None and job.upload_bytes == len(APP_PY)
            assert job.worker.endswith(f":{os.getpid()}")  # run inside the first application's process
            assert token not in job.token_sha256
    finally:
        first.close()
        second.close()


def test_finished_scans_are_bounded_and_too_many_waiting_are_refused(db_url: str,  # noqa: F811
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    database = db.open_database(db_url)
    monkeypatch.setattr(jobs, "KEEP", 2)
    try:
        with TestClient(create_app(database=database, scan_workers=1)) as client:
            locations = []
            for i in range(4):
                locations.append(_paste(client, f"x = {i}\n"))
                _finished(client, locations[-1])
            gone = client.get(locations[0])
            assert gone.status_code == 404 and "keeps the newest 2" in gone.text
            assert client.get(f"/scan/{_token(locations[0])}/report.json").status_code == 404
            assert _finished(client, locations[-1]).status_code == 200
            with database.session() as s:
                kept = s.scalars(select(ScanJob.id)).all()
                assert len(kept) == 2
                assert set(s.scalars(select(ScanOutput.job_id))) <= set(kept)
            monkeypatch.setattr(jobs, "MAX_WAITING", 0)
            busy = client.post("/scan", data={"jurisdiction": "JP", "kind": "python", "text": "x = 1\n"})
            assert busy.status_code == 503 and "scans waiting" in busy.text
    finally:
        database.close()


def test_a_lock_in_the_upload_is_honoured(db_url: str) -> None:  # noqa: F811
    """As ``modelclear scan`` in a repository: the lock's facts answer ids the knowledge base does not know,
    for that scan only (the same upload without the lock leaves the id unknown)."""
    from modelclear.catalog import lock as lockmod

    entry = lockmod.LockEntry(id=PINNED, repo=PINNED[3:], kind="model", revision="e" * 40,
                              read_on=dt.date(2026, 11, 30), license="mit",
                              source=f"https://huggingface.co/{PINNED[3:]}/blob/{'e' * 40}/README.md")
    app_py = f"from transformers import AutoModel\nm = AutoModel.from_pretrained('{PINNED[3:]}')\n"
    with_lock = _zip({"project/app.py": app_py, "project/modelclear.lock": lockmod.dumps([entry])})
    without = _zip({"project/app.py": app_py})
    bad = _zip({"project/app.py": app_py, "project/modelclear.lock": "schema = 99\n"})
    database = db.open_database(db_url)
    try:
        with TestClient(create_app(database=database, scan_workers=1)) as client:
            locked, plain, broken = _upload(client, with_lock), _upload(client, without), _upload(client, bad)
            for location in (locked, plain):
                assert _finished(client, location).status_code == 200
            art = {a["artifact"]["id"]: a for a in client.get(f"/scan/{_token(locked)}/report.json").json()
                   ["assessments"]}[PINNED]
            assert art["artifact"]["license"] == "MIT", art["artifact"]
            other = {a["artifact"]["id"]: a for a in client.get(f"/scan/{_token(plain)}/report.json").json()
                     ["assessments"]}[PINNED]
            assert other["artifact"]["license"] in (None, "", "unknown") and other["verdict"] == "unknown"
            refused = _finished(client, broken)
            assert refused.status_code == 400 and "modelclear.lock in the upload cannot be used" in refused.text
            assert "modelclear-upload-" not in refused.text  # no server path in the message
    finally:
        database.close()


def test_sqlite_takes_up_jobs_a_stopped_process_left(tmp_path: Path) -> None:
    """A job queued (never started) and one running in a process of this machine that is gone are run by
    the next application that starts; one running in a live process is left to it."""
    url = fresh_url("sqlite", tmp_path)
    database = db.open_database(url)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    host = jobs.worker_name().rpartition(":")[0]
    tokens = {}
    try:
        for state, worker in (("queued", ""), ("running", f"{host}:{gone}"), ("running", f"{host}:{os.getppid()}")):
            sub = jobs.Submission(name=f"{state}.py", kind="python", data=b"x = 1\n", jurisdictions=("JP",),
                                  activity="deploy", purpose="commercial", lang="en")
            token, job_id = jobs.submit(database, sub)
            with database.session() as s:
                s.get(ScanJob, job_id).state = state  # type: ignore[union-attr]
                s.get(ScanJob, job_id).worker = worker  # type: ignore[union-attr]
            tokens[worker or "queued"] = token
        with TestClient(create_app(database=database, scan_workers=1)) as client:
            for key in ("queued", f"{host}:{gone}"):
                assert _finished(client, f"/scan/{tokens[key]}").status_code == 200, key
            alive = client.get(f"/scan/{tokens[f'{host}:{os.getppid()}']}")
            assert 'data-state="running"' in alive.text
    finally:
        database.close()


if PG_URL:  # defined only where PostgreSQL is there (CI, scripts/with-postgres.sh), so never skipped

    def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
        code = "import sys; from modelclear.cli import main; sys.exit(main())"
        with log.open("wb") as out:
            return subprocess.Popen([sys.executable, "-c", code, "worker", "--db", url], stdout=out,
                                    stderr=subprocess.STDOUT)

    def test_two_worker_processes_share_the_queue(tmp_path: Path) -> None:
        """Two real ``modelclear worker`` processes take the jobs that one web application queued; another
        application over the same database shows every result; the workers stop cleanly on SIGTERM."""
        url = fresh_url("postgresql", tmp_path)
        first, second = db.open_database(url), db.open_database(url)
        workers = [_worker(url, tmp_path / f"worker{i}.log") for i in range(2)]
        try:
            for _ in range(600):  # both registered with the queue (procrastinate's heartbeat table)
                with first.engine.connect() as c:
                    if c.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar() == 2:
                        break
                assert all(w.poll() is None for w in workers), [p.read_text() for p in tmp_path.glob("*.log")]
                time.sleep(0.1)
            else:
                raise AssertionError("the workers did not start")
            a = TestClient(create_app(database=first, scan_workers=0))
            b = TestClient(create_app(database=second, scan_workers=0))
            sources = [APP_PY + "".join(f"x{j} = {i}\n" for j in range(200)) for i in range(8)]
            locations = [_paste(a, src) for src in sources]
            for location in locations:
                page = _finished(b, location)
                assert page.status_code == 200 and "hf:meta-llama/Llama-2-7b-hf" in page.text
            with second.session() as s:
                ran = [s.scalar(select(ScanJob.worker).where(ScanJob.token_sha256 == jobs.token_hash(_token(loc))))
                       for loc in locations]
            pids = {str(w.pid) for w in workers}
            assert {r.rpartition(":")[2] for r in ran if r} == pids, ran  # each worker ran some, nothing else did
            with first.engine.connect() as c:  # finished queue jobs are deleted; the results stay in scan_jobs
                assert c.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar() == 0
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            codes = [w.wait(timeout=60) for w in workers]
            first.close()
            second.close()
        logs = "".join(p.read_text() for p in tmp_path.glob("*.log"))
        assert codes == [0, 0], logs
        assert "Traceback" not in logs and re.search(r"worker \S+:\d+ taking scans", logs), logs

    def test_a_scan_whose_worker_was_killed_is_run_again(tmp_path: Path) -> None:
        """A worker killed in the middle of a scan: once its heartbeat is older than STALLED_AFTER, the
        periodic task (every minute) puts the job back on the queue and another worker runs it."""
        from modelclear.catalog import KnowledgeBase

        url = fresh_url("postgresql", tmp_path)
        database = db.open_database(url)
        first = _worker(url, tmp_path / "first.log")
        second = None
        ids = sorted(i for i in KnowledgeBase.load().artifact_ids() if i.startswith("hf:") and "/" in i
                     and " " not in i)[:200]
        source = "from transformers import AutoModel\n" + "".join(
            f"m{i} = AutoModel.from_pretrained({mid[3:]!r})\n" for i, mid in enumerate(ids))
        try:
            client = TestClient(create_app(database=database, scan_workers=0))
            location = _paste(client, source)
            for _ in range(1200):
                with database.session() as s:
                    state = s.scalar(select(ScanJob.state).where(ScanJob.token_sha256 == jobs.token_hash(
                        _token(location))))
                if state != "queued":
                    break
                time.sleep(0.05)
            assert state == "running", state
            first.kill()
            first.wait(timeout=30)
            second = _worker(url, tmp_path / "second.log")
            page = _finished(client, location, polls=1800)
            assert page.status_code == 200 and ids[0] in page.text
            with database.session() as s:
                job = s.scalar(select(ScanJob).where(ScanJob.token_sha256 == jobs.token_hash(_token(location))))
                assert job is not None and job.worker.endswith(f":{second.pid}") and job.upload is None
        finally:
            if first.poll() is None:
                first.kill()
            if second is not None:
                second.send_signal(signal.SIGTERM)
                second.wait(timeout=60)
            database.close()
        assert "its worker stopped answering; queued again" in (tmp_path / "second.log").read_text()
