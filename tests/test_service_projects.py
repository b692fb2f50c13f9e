"""Projects and history (issue 13, item 2): CI posts its scan report with a project token, the service
stores it, and the pages list projects, a project's verdicts and changes, and who uses an artifact.

Reports are real ``modelclear scan --format json`` output of small projects written at test time; the
``--upload`` test sends one over real HTTP to the service running in uvicorn on a loopback port.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from liveserver import serve
from servicedb import db_url, sign_in  # noqa: F401  (fixture)

from modelclear.cli import main
from modelclear.web import db, projects
from modelclear.web.app import create_app

FLUX = "hf:black-forest-labs/FLUX.1-dev"
BERT = "hf:google-bert/bert-base-uncased"
FLUX_CODE = 'from diffusers import FluxPipeline\npipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")\n'
BERT_CODE = 'from transformers import AutoModel\nenc = AutoModel.from_pretrained("google-bert/bert-base-uncased")\n'
T5_CODE = 'from transformers import AutoModel\nt5 = AutoModel.from_pretrained("google/flan-t5-base")\n'


def scan_json(folder: Path, code: str) -> bytes:
    """A real scan report of a one-file project."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(code, encoding="utf-8")
    out = folder.parent / f"{folder.name}.json"
    assert main(["scan", str(folder), "-j", "JP,US", "-f", "json", "-o", str(out), "--no-policy", "-q"]) in (0, 1, 2)
    return out.read_bytes()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    base = tmp_path_factory.mktemp("projects")
    return {"flux_bert": scan_json(base / "a", FLUX_CODE + BERT_CODE),
            "flux_t5": scan_json(base / "b", FLUX_CODE + T5_CODE),
            "bert": scan_json(base / "c", BERT_CODE)}


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[TestClient, db.Database, dict[str, str]]]:  # noqa: F811
    database = db.open_database(db_url)
    tokens = {}
    with database.session() as s:
        for name in ("shop-backend", "image-studio"):
            tokens[name] = projects.create_project(s, name)[1]
    with TestClient(create_app(database=database), base_url="https://testserver") as client:
        sign_in(client, database, "vera", "viewer")
        yield client, database, tokens
    database.close()


def post(client: TestClient, name: str, body: bytes, token: str | None) -> object:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(f"/api/projects/{name}/reports", content=body, headers=headers)


def test_reports_history_changes_and_who_uses_an_artifact(service, reports) -> None:  # type: ignore[no-untyped-def]
    client, _, tokens = service
    r = post(client, "image-studio", reports["flux_bert"], tokens["image-studio"])
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["project"] == "image-studio" and first["artifacts"] == 2 and first["changes"] == []
    assert first["counts"] == {"prohibited": 1, "allowed": 1}

    r = post(client, "image-studio", reports["flux_t5"], tokens["image-studio"])
    assert r.status_code == 201
    changes = {(c["id"], c["jurisdiction"]): (c["before"], c["after"]) for c in r.json()["changes"]}
    assert changes[(BERT, "JP")] == ("allowed", None)  # gone
    t5 = [k for k in changes if "flan-t5" in k[0]]
    assert t5 and all(changes[k][0] is None for k in t5)  # new
    assert (FLUX, "JP") not in changes  # unchanged

    assert post(client, "shop-backend", reports["flux_bert"], tokens["shop-backend"]).status_code == 201

    page = client.get("/projects")
    assert page.status_code == 200
    assert 'data-project="image-studio"' in page.text and 'data-project="shop-backend"' in page.text

    page = client.get("/projects/image-studio")
    assert page.status_code == 200
    assert f'data-id="{FLUX}" data-jurisdiction="JP"' in page.text
    assert "app.py:2" in page.text  # where the project loads it
    changes_section = page.text.split('id="changes"')[1].split("</section>")[0]
    assert BERT in changes_section and "no longer used" in changes_section
    assert "flan-t5" in changes_section

    # "who ships FLUX.1-dev?": both projects' newest reports use it; BERT only shop-backend's now
    page = client.get(f"/artifacts/{FLUX}")
    assert page.status_code == 200
    assert 'data-project="image-studio"' in page.text and 'data-project="shop-backend"' in page.text
    page = client.get(f"/artifacts/{BERT}")
    assert 'data-project="shop-backend"' in page.text and 'data-project="image-studio"' not in page.text

    page = client.get("/artifacts", params={"q": "flux"})
    assert f'data-id="{FLUX}"' in page.text and "2 project(s)" in page.text
    assert BERT not in page.text
    ja = client.get("/projects/image-studio", params={"lang": "ja"})
    assert "前回のレポートからの変化" in ja.text and "利用不可" in ja.text


def test_tokens_are_per_project_and_checked(service, reports) -> None:  # type: ignore[no-untyped-def]
    client, _, tokens = service
    body = reports["bert"]
    for name, token in (("shop-backend", None), ("shop-backend", "mct_wrong"), ("shop-backend", tokens["image-studio"]),
                        ("no-such-project", tokens["shop-backend"]), ("../x", tokens["shop-backend"])):
        r = post(client, name, body, token)
        assert r.status_code in (401, 404), (name, r.status_code)
        if r.status_code == 401:
            assert r.json()["error"]["code"] == "unauthorised"
            assert r.headers["www-authenticate"].startswith("Bearer")
    r = client.post("/api/projects/shop-backend/reports", content=body,
                    headers={"Authorization": f"Basic {tokens['shop-backend']}"})
    assert r.status_code == 401


@pytest.mark.parametrize(("body", "detail"), [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[1, 2]", "JSON object"),
    (b'{"schema": "modelclear/check/1"}', "schema must be"),
    (b'{"schema": "modelclear/scan/2", "references": {}, "assessments": []}', "must be lists"),
    (b'{"schema": "modelclear/scan/2", "references": [], "assessments": [{"artifact": {"id": "x"}, '
     b'"scenario": {"jurisdiction": "JP"}, "verdict": "maybe"}]}', "verdict"),
    (b'{"schema": "modelclear/scan/2", "references": [], "assessments": [{"artifact": {"id": 5}, '
     b'"scenario": {"jurisdiction": "JP"}, "verdict": "allowed"}]}', "expected a string"),
    (b"[" * 100000, "not JSON"),
])
def test_bad_reports_are_400_with_a_clear_message(service, body: bytes, detail: str) -> None:  # type: ignore[no-untyped-def]
    client, database, tokens = service
    r = post(client, "shop-backend", body, tokens["shop-backend"])
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "bad_report" and "modelclear scan" in err["message"] and detail in err["detail"]
    assert "Traceback" not in r.text
    with database.session() as s:
        p = projects.project_by_name(s, "shop-backend")
        assert p is not None and projects.latest_reports(s, p) == []


def test_report_size_is_bounded_before_reading(service, reports, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    client, _, tokens = service
    monkeypatch.setattr(projects, "MAX_REPORT_BYTES", 1024)
    r = post(client, "shop-backend", reports["bert"], tokens["shop-backend"])
    assert r.status_code == 413 and r.json()["error"]["code"] == "report_too_large"

    def chunks() -> Iterator[bytes]:
        yield reports["bert"]

    r = client.post("/api/projects/shop-backend/reports", content=chunks(),
                    headers={"Authorization": f"Bearer {tokens['shop-backend']}"})
    assert r.status_code == 411  # no Content-Length: refused, not read


def test_names_from_the_report_are_escaped(service, reports) -> None:  # type: ignore[no-untyped-def]
    client, _, tokens = service
    doc = json.loads(reports["bert"])
    evil = "hf:<script>alert(1)</script>/x\"onmouseover=alert(2)"
    for ref in doc["references"]:
        ref["id"], ref["path"] = evil, "<img src=x onerror=alert(3)>.py"
    for a in doc["assessments"]:
        a["artifact"]["id"], a["artifact"]["name"] = evil, "<b>bold</b>"
    assert post(client, "shop-backend", json.dumps(doc).encode(), tokens["shop-backend"]).status_code == 201
    for url in ("/projects/shop-backend", "/artifacts?q=script", "/projects"):
        text = client.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>bold" not in text, url
        assert 'x"onmouseover' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/projects/shop-backend").text


def test_unknown_project_page_is_404(service) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = service
    r = client.get("/projects/nope")
    assert r.status_code == 404 and "There is no project called" in r.text


@pytest.fixture
def served(service) -> Iterator[tuple[str, db.Database, dict[str, str]]]:  # type: ignore[no-untyped-def]
    client, database, tokens = service
    with serve(client.app) as url:
        yield url, database, tokens


def test_scan_upload_sends_the_report_over_http(served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                capsys: pytest.CaptureFixture[str]) -> None:
    url, database, tokens = served
    project = tmp_path / "proj"
    project.mkdir()
    (project / "app.py").write_text(FLUX_CODE, encoding="utf-8")
    scan = ["scan", str(project), "-j", "JP", "--no-policy", "-q"]

    monkeypatch.delenv("MODELCLEAR_TOKEN", raising=False)
    assert main([*scan, "--upload", url, "--project", "image-studio"]) == 3
    assert "MODELCLEAR_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("MODELCLEAR_TOKEN", tokens["image-studio"])
    assert main([*scan, "--upload", url]) == 3  # which project?
    assert main([*scan, "--upload", "ftp://example.org/", "--project", "image-studio"]) == 3
    capsys.readouterr()

    # the gate's exit code is kept (FLUX.1-dev is prohibited for commercial deployment: 1)
    assert main([*scan, "--upload", url, "--project", "image-studio"]) == 1
    assert "uploaded to image-studio as report" in capsys.readouterr().err
    assert main([*scan, "-f", "sarif", "--upload", f"{url}/api/projects/image-studio/reports"]) == 1
    with database.session() as s:
        p = projects.project_by_name(s, "image-studio")
        assert p is not None
        stored = projects.latest_reports(s, p, 5)
        assert len(stored) == 2 and stored[0].schema.startswith("modelclear/scan/")
        assert {i.artifact_id for i in stored[0].items} == {FLUX}

    monkeypatch.setenv("MODELCLEAR_TOKEN", tokens["shop-backend"])  # another project's token
    assert main([*scan, "--upload", url, "--project", "image-studio"]) == 3
    assert "HTTP 401" in capsys.readouterr().err


def test_concurrent_uploads_all_succeed(served, reports) -> None:  # type: ignore[no-untyped-def]
    """Many CIs at once: every upload is stored (SQLite takes the write lock at BEGIN, so none fails half-way)."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    url, database, tokens = served

    def upload(i: int) -> int:
        name = ("image-studio", "shop-backend")[i % 2]
        req = urllib.request.Request(f"{url}/api/projects/{name}/reports", data=reports["flux_bert"], method="POST",
                                     headers={"Authorization": f"Bearer {tokens[name]}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return int(r.status)

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(upload, range(16))) == [201] * 16
    with database.session() as s:
        for name in ("image-studio", "shop-backend"):
            p = projects.project_by_name(s, name)
            assert p is not None and len(projects.latest_reports(s, p, 20)) == 8
