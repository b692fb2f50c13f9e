"""New knowledge, re-judged (issue 13, item 4): after an upgrade, each project's newest report is judged
again with the running knowledge (on start and with ``modelclear web reassess``), the projects whose
verdicts changed are listed, and the pages show the new verdict beside the reported one.

The "old knowledge" is a real stored report whose rows say what an older modelclear concluded (a
verdict and a knowledge date different from today's); the re-judgement runs the real check service.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from servicedb import db_url, sign_in  # noqa: F401  (fixture)
from sqlalchemy import select

from modelclear.cli import main
from modelclear.web import db, projects
from modelclear.web.app import create_app
from modelclear.web.models import Reassessment, Report
from modelclear.web.reassess import knowledge_stamp, reassess

FLUX = "hf:black-forest-labs/FLUX.1-dev"
BERT = "hf:google-bert/bert-base-uncased"
CODE = ('from diffusers import FluxPipeline\nfrom transformers import AutoModel\n'
        'pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")\n'
        'enc = AutoModel.from_pretrained("google-bert/bert-base-uncased")\n')


@pytest.fixture
def setup(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, db.Database]]:  # noqa: F811
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "app.py").write_text(CODE, encoding="utf-8")
    out = tmp_path / "report.json"
    assert main(["scan", str(folder), "-j", "JP", "-f", "json", "-o", str(out), "--no-policy", "-q"]) == 1
    database = db.open_database(db_url)
    with database.session() as s:
        for name in ("image-studio", "text-bot"):
            project, _ = projects.create_project(s, name)
            report = projects.store_report(s, project, out.read_bytes())
            if name == "image-studio":  # what an older modelclear said: FLUX.1-dev allowed, knowledge of 2025
                report.knowledge_as_of = "2025-01-01"
                next(i for i in report.items if i.artifact_id == FLUX).verdict = "allowed"
    app = create_app(database=database)
    with TestClient(app, base_url="https://testserver") as client:
        yield client, database
    database.close()


def test_reports_judged_with_older_knowledge_are_judged_again(setup) -> None:  # type: ignore[no-untyped-def]
    client, database = setup
    service = client.app.state.service  # type: ignore[attr-defined]
    outcome = reassess(database, service)
    assert outcome.reports == 1  # text-bot's report was judged with today's knowledge already
    assert list(outcome.changed) == ["image-studio"]
    [change] = outcome.changed["image-studio"]
    assert (change.artifact_id, change.jurisdiction, change.before, change.after) == (FLUX, "JP", "allowed",
                                                                                      "prohibited")
    with database.session() as s:
        [run] = s.scalars(select(Reassessment))
        assert run.knowledge == knowledge_stamp(service)
        report = s.scalars(select(Report).order_by(Report.id)).first()
        assert report is not None
        flux = next(i for i in report.items if i.artifact_id == FLUX)
        bert = next(i for i in report.items if i.artifact_id == BERT)
        assert flux.verdict == "allowed" and flux.rejudged == "prohibited" and bert.rejudged is None

    again = reassess(database, service)  # already judged with this knowledge: nothing to do
    assert again.reports == 0 and again.changed == {}

    sign_in(client, database, "vera", "viewer")
    page = client.get("/projects/image-studio")
    row = page.text.split(f'data-id="{FLUX}"')[1].split("</tr>")[0]
    assert "s-prohibited" in row and "re-judged with newer knowledge; the report said allowed" in row
    listing = client.get("/projects").text
    assert "1 verdict(s) changed when re-judged" in listing
    assert "再判定" in client.get("/projects?lang=ja").text


def _stored_stale_report(tmp_path: Path, flux_verdict: str, tool: str | None = None,
                         knowledge_as_of: str | None = None) -> str:
    """A SQLite database (its URL) holding project image-studio's scan report of CODE, made to look judged
    earlier: by another tool version or older knowledge, with FLUX.1-dev's stored verdict ``flux_verdict``."""
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "app.py").write_text(CODE, encoding="utf-8")
    out = tmp_path / "report.json"
    main(["scan", str(folder), "-j", "JP", "-f", "json", "-o", str(out), "--no-policy", "-q"])
    url = f"sqlite:///{tmp_path / 's.db'}"
    database = db.open_database(url)
    with database.session() as s:
        project, _ = projects.create_project(s, "image-studio")
        report = projects.store_report(s, project, out.read_bytes())
        if tool is not None:
            report.tool = tool
        if knowledge_as_of is not None:
            report.knowledge_as_of = knowledge_as_of
        next(i for i in report.items if i.artifact_id == FLUX).verdict = flux_verdict
    database.close()
    return url


def test_reassess_command_lists_changed_projects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _stored_stale_report(tmp_path, tool="0.0.9", flux_verdict="conditional")
    capsys.readouterr()
    assert main(["web", "reassess", "--db", url]) == 0
    text = capsys.readouterr().out
    assert "verdicts changed in 1 project(s)" in text
    assert f"image-studio:\n    {FLUX} JP: conditional -> prohibited" in text
    assert main(["web", "reassess", "--db", url]) == 0
    assert "re-judged 0 report(s)" in capsys.readouterr().out


def test_web_start_reassesses_and_lists_changed_projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`modelclear web` re-judges on start, before it serves (uvicorn.run is replaced so the test does not block)."""
    import uvicorn

    url = _stored_stale_report(tmp_path, knowledge_as_of="2024-06-30", flux_verdict="uncertain")
    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    capsys.readouterr()
    assert main(["web", "--db", url, "--port", "8123"]) == 0
    err = capsys.readouterr().err
    assert "verdicts changed in 1 project(s)" in err and f"{FLUX} JP: uncertain -> prohibited" in err
    assert len(served) == 1 and served[0][1]["port"] == 8123  # type: ignore[index]
