"""Reviews that close the loop (issue 13, item 3): a reviewer approves an artifact for a scenario on its
page, ``modelclear policy pull`` writes the approval into the policy file as a waiver, and the CI gate
(``modelclear scan``) passes; rejections and revocations take it away; every decision is audited.

The service runs in uvicorn on a loopback port; the CLI talks to it over real HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from liveserver import serve
from servicedb import csrf_of, db_url, sign_in  # noqa: F401  (fixture)
from sqlalchemy import select

from modelclear.cli import main
from modelclear.web import db, projects, reviews
from modelclear.web.app import create_app
from modelclear.web.models import AuditEvent

FLUX = "hf:black-forest-labs/FLUX.1-dev"
FLUX_CODE = 'from diffusers import FluxPipeline\npipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")\n'


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[dict]:  # type: ignore[type-arg]  # noqa: F811
    database = db.open_database(db_url)
    with database.session() as s:
        token = projects.create_project(s, "image-studio")[1]
        projects.create_project(s, "other")
    app = create_app(database=database)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "app.py").write_text(FLUX_CODE, encoding="utf-8")
    with serve(app) as url, TestClient(app, base_url="https://testserver") as client:
        yield {"url": url, "db": database, "token": token, "client": client,
               "project": project, "policy": tmp_path / "modelclear.toml"}
    database.close()


def decide(client: TestClient, csrf: str, **fields: str) -> object:
    data = {"decision": "approve", "project": "image-studio", "jurisdiction": "JP", "activity": "deploy",
            "purpose": "commercial", "reason": "FLUX.1-dev commercial licence bought from BFL, contract 2026-114",
            "expires": (dt.date.today() + dt.timedelta(days=90)).isoformat(), "csrf": csrf, **fields}
    return client.post(f"/artifacts/{FLUX}/reviews", data=data, follow_redirects=False)


def gate(svc: dict) -> int:  # type: ignore[type-arg]
    return main(["scan", str(svc["project"]), "-j", "JP", "-a", "deploy", "--policy", str(svc["policy"]), "-q"])


def pull(svc: dict, *extra: str) -> int:  # type: ignore[type-arg]
    return main(["policy", "pull", svc["url"], "--project", "image-studio", "--policy", str(svc["policy"]), *extra])


def test_an_approval_on_the_page_becomes_a_waiver_the_gate_honours(svc, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    client, database = svc["client"], svc["db"]
    svc["policy"].write_text('# our policy\njurisdictions = ["JP"]\nactivity = "deploy"\n', encoding="utf-8")
    assert gate(svc) == 1  # FLUX.1-dev (non-commercial licence) is prohibited for a commercial deployment

    sign_in(client, database, "rita", "reviewer")
    csrf = csrf_of(client, f"/artifacts/{FLUX}")
    assert 'id="review-form"' in client.get(f"/artifacts/{FLUX}").text
    r = decide(client, csrf)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    page = client.get(f"/artifacts/{FLUX}?lang=ja")
    assert 'data-state="approve"' in page.text and "contract 2026-114" in page.text and "承認" in page.text
    assert "JP · 製品に組み込む · 商用" in page.text  # the scenario in the page's language
    assert 'data-state="approve"' in client.get("/reviews").text

    monkeypatch.setenv("MODELCLEAR_TOKEN", svc["token"])
    assert pull(svc) == 0
    assert "wrote 1 waiver(s) for image-studio" in capsys.readouterr().err
    text = svc["policy"].read_text(encoding="utf-8")
    assert text.startswith("# our policy\n")
    waivers = tomllib.loads(text)["waivers"]
    assert [w["id"] for w in waivers] == [FLUX] and waivers[0]["approved-by"] == "rita"
    assert "contract 2026-114" in waivers[0]["reason"] and "JP deploy commercial" in waivers[0]["reason"]
    assert gate(svc) == 0  # the CI gate passes: waived

    assert pull(svc) == 0  # a second pull replaces the block
    assert svc["policy"].read_text(encoding="utf-8").count("[[waivers]]") == 1

    r = decide(client, csrf, decision="reject", reason="licence not renewed")  # the newest decision stands
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert pull(svc) == 0
    assert "[[waivers]]" not in svc["policy"].read_text(encoding="utf-8")
    assert gate(svc) == 1

    with database.session() as s:
        events = [(e.actor, e.action, e.target) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert ("rita", "review.approve", FLUX) in events and ("rita", "review.reject", FLUX) in events


def test_revocation_expiry_scope_and_scenario(svc, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    client, database = svc["client"], svc["db"]
    sign_in(client, database, "rita", "reviewer")
    csrf = csrf_of(client, f"/artifacts/{FLUX}")
    assert decide(client, csrf, project="other").status_code == 303  # type: ignore[attr-defined]
    assert decide(client, csrf, project="", jurisdiction="US").status_code == 303  # type: ignore[attr-defined]
    today = dt.date.today()
    with database.session() as s:
        image = projects.project_by_name(s, "image-studio")
        assert image is not None
        got = reviews.waivers(s, image, today)
        assert [(w["id"], w["jurisdiction"]) for w in got] == [(FLUX, "US")]  # 'other' is another project's
        assert "all projects" in got[0]["reason"]
        assert reviews.waivers(s, image, today + dt.timedelta(days=91)) == []  # expired
        review_id = got[0]["review"]
    monkeypatch.setenv("MODELCLEAR_TOKEN", svc["token"])
    svc["policy"].write_text('jurisdictions = ["JP"]\n', encoding="utf-8")
    assert pull(svc) == 0
    assert "[[waivers]]" not in svc["policy"].read_text(encoding="utf-8")  # a US approval is not for a JP policy
    svc["policy"].unlink()
    assert pull(svc) == 0  # no policy yet: created, with every approval
    assert tomllib.loads(svc["policy"].read_text(encoding="utf-8"))["waivers"][0]["id"] == FLUX

    page = client.get(f"/artifacts/{FLUX}")
    assert f'data-review="{review_id}" data-state="approve"' in page.text
    assert client.post(f"/reviews/{review_id}/revoke", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert f'data-review="{review_id}" data-state="revoked"' in client.get(f"/artifacts/{FLUX}").text
    assert pull(svc) == 0
    assert "[[waivers]]" not in svc["policy"].read_text(encoding="utf-8")


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"reason": "  "}, 400, "Give a reason"),
    ({"reason": "x" * 2001}, 400, "Give a reason"),
    ({"expires": "2001-01-01"}, 400, "The expiry is a date after today"),
    ({"expires": "tomorrow"}, 400, "The expiry is a date after today"),
    ({"expires": "2999-01-01"}, 400, "The expiry is a date after today"),
    ({"jurisdiction": "XX"}, 400, "jurisdiction"),
    ({"activity": "steal"}, 400, "activity"),
    ({"decision": "maybe"}, 400, "decision"),
    ({"project": "nope"}, 400, "There is no project called"),
    ({"csrf": "forged"}, 403, "did not come from this site"),
])
def test_bad_decisions_are_refused_with_a_message(svc, fields: dict, status: int, message: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    client, database = svc["client"], svc["db"]
    sign_in(client, database, "rita", "reviewer")
    fields = dict(fields)
    csrf = fields.pop("csrf", None) or csrf_of(client, f"/artifacts/{FLUX}")
    r = decide(client, csrf, **fields)
    assert r.status_code == status and message in r.text  # type: ignore[attr-defined]
    assert "Traceback" not in r.text  # type: ignore[attr-defined]


def test_only_reviewers_decide(svc) -> None:  # type: ignore[no-untyped-def]
    client, database = svc["client"], svc["db"]
    sign_in(client, database, "vera", "viewer")
    assert 'id="review-form"' not in client.get(f"/artifacts/{FLUX}").text
    assert decide(client, csrf_of(client)).status_code == 403  # type: ignore[attr-defined]


def test_waivers_api_needs_the_project_token(svc) -> None:  # type: ignore[no-untyped-def]
    client = svc["client"]
    assert client.get("/api/projects/image-studio/waivers").status_code == 401
    r = client.get("/api/projects/image-studio/waivers", headers={"Authorization": f"Bearer {svc['token']}"})
    assert r.status_code == 200 and r.json()["waivers"] == []
    assert client.get("/api/projects/other/waivers",
                      headers={"Authorization": f"Bearer {svc['token']}"}).status_code == 401


def test_hostile_reasons_are_escaped_in_toml_and_html(svc, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    client, database = svc["client"], svc["db"]
    sign_in(client, database, "rita", "reviewer")
    evil = 'ok"\nexpires = 2099-01-01\n[[waivers]]\nid = "hf:evil/x" \\ \t """ <script>alert(1)</script>'
    assert decide(client, csrf_of(client, f"/artifacts/{FLUX}"), reason=evil).status_code == 303  # type: ignore[attr-defined]
    assert "<script>alert(1)" not in client.get(f"/artifacts/{FLUX}").text
    monkeypatch.setenv("MODELCLEAR_TOKEN", svc["token"])
    assert pull(svc) == 0
    waivers = tomllib.loads(svc["policy"].read_text(encoding="utf-8"))["waivers"]
    assert len(waivers) == 1 and waivers[0]["id"] == FLUX and waivers[0]["reason"].startswith(evil.strip())
    assert re.search(r"^expires = \d{4}-\d{2}-\d{2}$", svc["policy"].read_text(encoding="utf-8"), re.M)


def test_pull_refuses_bad_input(svc, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MODELCLEAR_TOKEN", raising=False)
    assert pull(svc) == 3 and "MODELCLEAR_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("MODELCLEAR_TOKEN", "mct_wrong")
    assert pull(svc) == 3 and "HTTP 401" in capsys.readouterr().err
    monkeypatch.setenv("MODELCLEAR_TOKEN", svc["token"])
    svc["policy"].write_text("fail-on = 'sometimes'\n", encoding="utf-8")
    assert pull(svc) == 3 and "does not load before pulling" in capsys.readouterr().err
    assert svc["policy"].read_text(encoding="utf-8") == "fail-on = 'sometimes'\n"
    assert main(["policy", "pull", "file:///etc/passwd", "--project", "x"]) == 3
