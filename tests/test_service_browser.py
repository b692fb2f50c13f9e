"""The team service in headless Chromium, end to end, in English and Japanese: CI uploads a project's
report (``scan --upload`` over HTTP), a reviewer signs in, sees the prohibited model on the project's
page, approves it on the artifact's page with an expiry, CI pulls the waiver (``policy pull``) and the
gate passes. Nothing leaves 127.0.0.1; Debian's Chromium through Playwright (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from liveserver import serve
from servicedb import db_url  # noqa: F401  (fixture)

from modelclear.cli import main
from modelclear.web import accounts, db, projects
from modelclear.web.app import create_app

pytestmark = pytest.mark.browser

FLUX = "hf:black-forest-labs/FLUX.1-dev"
CODE = ('from diffusers import FluxPipeline\nfrom transformers import AutoModel\n'
        'pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")\n'
        'enc = AutoModel.from_pretrained("google-bert/bert-base-uncased")\n')
TEXT = {
    "en": {"sign_in": "Sign in", "prohibited": "prohibited", "approved": "approved", "changes": "Since the previous"},
    "ja": {"sign_in": "サインイン", "prohibited": "利用不可", "approved": "承認", "changes": "前回のレポート"},
}


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[str, str]]:  # noqa: F811
    database = db.open_database(db_url)
    with database.session() as s:
        token = projects.create_project(s, "image-studio")[1]
        accounts.add_user(s, "rita", "reviewer", "correct horse battery")
    app = create_app(database=database, allowed_hosts=accounts.LOCAL_HOSTS)
    with serve(app) as url:
        yield url, token
    database.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_sign_in_see_a_prohibited_model_approve_it_and_the_gate_passes(  # type: ignore[no-untyped-def]
        service, browser, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, token = service
    words = TEXT[lang]
    project = tmp_path / "proj"
    project.mkdir()
    (project / "app.py").write_text(CODE, encoding="utf-8")
    policy = tmp_path / "modelclear.toml"
    policy.write_text('jurisdictions = ["JP"]\nactivity = "deploy"\n', encoding="utf-8")
    monkeypatch.setenv("MODELCLEAR_TOKEN", token)
    gate = ["scan", str(project), "--policy", str(policy), "-q"]
    assert main([*gate, "--upload", url, "--project", "image-studio"]) == 1  # CI: FLUX.1-dev blocks the gate

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(url) else elsewhere.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{url}/projects?lang={lang}")
    page.wait_for_url("**/login?**")
    assert page.locator("h1").inner_text() == words["sign_in"]
    page.locator("#f-name").fill("rita")
    page.locator("#f-password").fill("correct horse battery")
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url("**/projects?**")
    assert page.locator('.who[data-user="rita"]').is_visible()

    page.locator('tr[data-project="image-studio"] a').click()
    page.wait_for_url("**/projects/image-studio?**")
    row = page.locator(f'tr[data-id="{FLUX}"][data-jurisdiction="JP"]')
    assert row.locator(".badge").inner_text() == words["prohibited"]
    assert words["changes"] in page.locator("#changes h2").inner_text()

    row.locator("a").first.click()
    page.wait_for_url("**/artifacts/**")
    expiry = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    form = page.locator("#review-form")
    form.locator('input[name="decision"][value="approve"]').check()
    form.locator("#f-rproject").select_option("image-studio")
    form.locator("#f-rjurisdiction").select_option("JP")
    form.locator("#f-ractivity").select_option("deploy")
    form.locator("#f-rpurpose").select_option("commercial")
    form.locator("#f-rexpires").fill(expiry)
    form.locator("#f-rreason").fill("Commercial licence from BFL, contract 2026-114 <signed>")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    decided = page.locator('#reviews tr[data-state="approve"]')
    assert decided.count() == 1
    assert decided.locator(".badge").inner_text() == words["approved"]
    assert "contract 2026-114 <signed>" in decided.inner_text() and expiry in decided.inner_text()
    page.screenshot(path=str(tmp_path / f"review-{lang}.png"), full_page=True)

    # CI pulls the approval as a waiver, and the gate passes
    assert main(["policy", "pull", url, "--project", "image-studio", "--policy", str(policy)]) == 0
    waivers = tomllib.loads(policy.read_text(encoding="utf-8"))["waivers"]
    assert [(w["id"], w["approved-by"], str(w["expires"])) for w in waivers] == [(FLUX, "rita", expiry)]
    assert main(gate) == 0
    assert elsewhere == [] and errors == []
    page.close()
