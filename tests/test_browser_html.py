"""The HTML report of a scan opens in headless Chromium with the network blocked and shows the lineage.

Needs Debian's Chromium (/usr/bin/chromium) and the ``playwright`` package, both installed by
``scripts/setup-browser.sh``; Playwright drives the system browser and never downloads one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelclear import cli

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def open_offline(browser, path: Path, attempted: list[str]):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1200, "height": 900})

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else attempted.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page


def test_scan_report_shows_the_lineage_graph_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "report.html"
    cli.main(["scan", str(PROJECTS / "llm_app"), "-j", "JP,EU", "--format", "html", "-o", str(report), "--no-policy"])
    attempted: list[str] = []
    page = open_offline(browser, report, attempted)
    node = page.locator('g[data-id="hf:qwen/qwen2.5-0.5b-instruct"]')
    figure = page.locator("figure.graph").filter(has=node)
    # The details are collapsed: open the artifact's row as a reader would.
    page.locator("article.artifact").filter(has=figure).locator("summary").click()
    figure.scroll_into_view_if_needed()
    svg = figure.locator("svg")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    labels = svg.locator("g.mc-node > text").all_text_contents()
    assert "hf:Qwen/Qwen2.5-0.5B-Instruct" in labels and "hf:Qwen/Qwen2.5-0.5B" in labels
    assert any(t.startswith("Licence: ") for t in labels)
    assert "fine-tuned from" in svg.locator("g.mc-edge-label text").all_text_contents()
    for node in svg.locator("g.mc-node rect").all()[:4]:
        assert node.is_visible()
    shot = tmp_path / "lineage.png"
    figure.screenshot(path=str(shot))
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    assert shot.stat().st_size > 5000
    # the sources are ordinary links, never fetched
    assert page.locator("a[href^='https://']").count() > 10
    assert page.evaluate("document.styleSheets.length") == 1
    assert attempted == []
    page.close()


def test_japanese_report_renders_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "ja.html"
    cli.main(["check", "hf:llava-hf/llava-1.5-7b-hf", "-j", "JP", "--lang", "ja", "--format", "html", "-o",
              str(report), "--no-policy"])
    attempted: list[str] = []
    page = open_offline(browser, report, attempted)
    assert page.locator("h1").inner_text().endswith("を使ってよいか")
    page.locator("article.artifact summary").first.click()
    svg = page.locator("figure.graph svg").first
    assert svg.is_visible()
    assert "学習データ" in svg.locator("g.mc-edge-label text").all_text_contents()
    page.screenshot(path=str(tmp_path / "ja.png"), full_page=False)
    assert attempted == []
    page.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_reads_on_a_phone_and_a_desktop_worst_first(browser, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    """390 px without sideways scrolling and 1280 px; the summary's groups are the JSON gate's; rows worst first;
    the filter narrows the rows; details open for printing."""
    import json

    (tmp_path / "modelclear.toml").write_text('licenses = { deny = ["Apache-2.0"] }\n', encoding="utf-8")
    args = ["scan", str(PROJECTS / "llm_app"), "-j", "JP,EU", "--lang", lang, "--policy",
            str(tmp_path / "modelclear.toml"), "--today", "2026-12-01"]
    report, data = tmp_path / "r.html", tmp_path / "r.json"
    cli.main([*args, "--format", "html", "-o", str(report)])
    cli.main([*args, "--format", "json", "-o", str(data)])
    groups = json.loads(data.read_text(encoding="utf-8"))["gate"]["groups"]
    assert groups["block"] and sum(len(v) for v in groups.values()) >= 4
    for width in (390, 1280):
        attempted: list[str] = []
        page = open_offline(browser, report, attempted)
        page.set_viewport_size({"width": width, "height": 900})
        shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#summary .group')].map(
            g => [g.dataset.group, [...g.querySelectorAll(':scope > ul > li')].map(li => li.dataset.id)]))""")
        assert shown == groups
        order = page.evaluate("[...document.querySelectorAll('article.artifact')].map(a => a.dataset.group)")
        rank = ["block", "review", "duties", "fine"]
        assert order == sorted(order, key=rank.index) and order[0] == "block"
        # every details section opened (as for printing): still no sideways scrolling
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 390:
            nav = page.locator("#summary .group h3").first.bounding_box()
            assert nav is not None and nav["x"] + nav["width"] <= 390
        page.screenshot(path=str(tmp_path / f"{lang}-{width}.png"))
        # the filter narrows the rows to the ones matching (by id, licence or file)
        box = page.locator("#filter")
        assert box.is_visible()
        first = page.locator("article.artifact").first.get_attribute("data-id") or ""
        box.fill(first.lower())
        visible = page.evaluate("[...document.querySelectorAll('article.artifact')].filter(a => !a.hidden).length")
        assert 1 <= visible < len(order)
        box.fill("")
        assert page.evaluate("[...document.querySelectorAll('article.artifact')].filter(a => a.hidden).length") == 0
        # printing: every details open, the filter hidden
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
        assert not box.is_visible()
        assert attempted == []
        page.close()
