"""The web UI in headless Chromium: fill the form, submit, read the verdict; nothing leaves 127.0.0.1.

Needs Debian's Chromium (/usr/bin/chromium) and the ``playwright`` package, both installed by
``scripts/setup-browser.sh``; Playwright drives the system browser and never downloads one. The app
runs in uvicorn on a free local port in a background thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from liveserver import serve

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    pytest.importorskip("uvicorn", reason="the web extra is not installed")
    from modelclear.web.app import create_app

    with serve(create_app()) as url:
        yield url


def test_fill_the_form_and_see_the_verdict(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else elsewhere.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    assert page.locator("h1").inner_text().startswith("May we use this model or dataset")

    # typing asks /api/search and fills the datalist with the knowledge base's matches
    with page.expect_response(lambda r: "/api/search?" in r.url and "q=imagenet" in r.url) as searched:
        page.locator("#f-id").press_sequentially("imagenet", delay=20)
    assert searched.value.ok
    page.wait_for_function("document.querySelectorAll('#id-suggestions option').length <= 15")
    assert page.locator("#id-suggestions option").first.get_attribute("value") == "dataset:imagenet-1k"

    page.locator("#f-id").fill("dataset:imagenet-1k")
    page.locator("#f-jurisdiction").select_option(["JP", "EU"])
    page.locator("#f-activity").select_option("train")
    page.locator("#f-purpose").select_option("commercial")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/check?**")
    page.wait_for_load_state("load")

    verdicts = page.locator(".verdict")
    assert verdicts.count() == 2
    jp = page.locator('.verdict[data-jurisdiction="JP"]')
    assert jp.locator(".badge.big").inner_text() == "prohibited"
    assert "Decided by: Contract" in jp.inner_text()
    assert jp.locator(".badge.big").is_visible()
    # the layer table and a citation link are on the page, styled by the local stylesheet
    assert page.locator("table.layers").is_visible()
    assert page.locator(".block a[href^='https://']").count() > 3
    colour = jp.locator(".badge.big").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(198, 40, 40)"  # --prohibited
    shot = tmp_path / "check.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20000
    assert elsewhere == [] and errors == []
    page.close()


def test_japanese_result_with_lineage(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/?lang=ja")
    page.locator("#f-id").fill("torchvision:ResNet50_Weights.IMAGENET1K_V2")
    page.locator("#f-activity").select_option("deploy")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/check?**")
    assert page.locator('.verdict[data-jurisdiction="JP"] .badge.big').inner_text() == "利用可"
    assert "判定" in page.locator(".verdict").first.inner_text()
    svg = page.locator("figure.graph svg")
    svg.scroll_into_view_if_needed()
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 150 and box["height"] > 80
    assert "学習データ" in svg.locator("g.mc-edge-label text").all_text_contents()
    page.screenshot(path=str(tmp_path / "ja.png"), full_page=False)
    page.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pages_fit_a_phone(server: str, browser, lang: str) -> None:  # type: ignore[no-untyped-def]
    """390 px wide: no page scrolls sideways, and the navigation (four links) stays on screen (issue 15)."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    for path in ("/", "/check?id=hf:meta-llama/Llama-2-7b-hf&jurisdiction=JP&jurisdiction=EU",
                 "/explain/dataset:imagenet-1k", "/explain?q=llama", "/explain/law:JP", "/scan"):
        page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        links = page.locator("nav.nav a")
        assert links.count() == 4
        for i in range(4):
            box = links.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, i)
            assert box["height"] < 40, (path, i)  # one line: a label broken over lines is the bug this catches
    page.close()


def test_upload_a_project_archive_and_open_its_report(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, item 1: the upload form in a real browser, then the result page and the full report."""
    import zipfile

    archive = tmp_path / "project.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project/app.py", "from ultralytics import YOLO\nmodel = YOLO('yolov8n.pt')\n")
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{server}/scan?lang=ja")
    page.set_input_files("#f-archive", str(archive))
    page.click("#scan-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "/scan/" in page.url and "project.zip のスキャン結果" in page.inner_text("main"), page.inner_text("main")
    page.wait_for_selector("#summary", timeout=120_000)  # a job: the page says queued/running and reloads itself
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("[data-group] li[data-id='ultralytics:yolov8n']").count() == 1
    page.click("text=レポート全体を開く")
    page.wait_for_load_state("load")
    assert page.url.endswith("/report.html") and "ultralytics:yolov8n" in page.inner_text("body")
    page.close()
