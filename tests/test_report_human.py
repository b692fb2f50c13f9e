"""``--format markdown`` and ``--format html``, and the lineage graph layout."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

from modelclear import cli, graph

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def render(tmp_path: Path, fmt: str, *args: str) -> str:
    out = tmp_path / f"out.{fmt}"
    cli.main([*args, "--format", fmt, "-o", str(out), "--no-policy"])
    return out.read_text(encoding="utf-8")


def test_markdown_answers_the_question_with_sources(tmp_path: Path) -> None:
    md = render(tmp_path, "markdown", "check", "dataset:imagenet-1k", "-j", "JP,EU", "-a", "train")
    assert "May we train on it, for a commercial purpose, in JP, EU?" in md
    assert "| Artifact | Kind | Licence | JP | EU |" in md
    assert "#### Contract — JP, EU: ⛔ prohibited" in md  # identical answers are shown once, side by side
    assert re.search(r"\[ImageNet Terms of Access[^\]]*\]\(<https://[^>]+>\) — \[V\] primary source — checked "
                     r"\d{4}-\d{2}-\d{2}", md)
    assert md.count("it is not legal advice") == 1


def test_markdown_in_japanese(tmp_path: Path) -> None:
    md = render(tmp_path, "markdown", "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train", "--lang", "ja")
    assert "JP において、商用目的で学習に使うことは許されるか。" in md
    assert "利用不可" in md and "出典" in md and "一次資料" in md
    assert md.count("法的助言ではありません") == 1


def test_markdown_scan_lists_where_and_lineage(tmp_path: Path) -> None:
    md = render(tmp_path, "markdown", "scan", str(PROJECTS / "llm_app"), "-j", "JP")
    assert "### Where the code loads it" in md and re.search(r"`[\w/.-]+\.(py|ipynb|ya?ml|json|txt|toml|cfg):\d+`", md)
    assert "### Lineage" in md and "- fine-tuned from: hf:Qwen/Qwen2.5-0.5B" in md
    assert "<svg" in md


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_one_self_contained_file(tmp_path: Path) -> None:
    page = render(tmp_path, "html", "scan", str(PROJECTS / "llm_app"), "-j", "JP,EU")
    parser = _Collect()
    parser.feed(page)
    names = [t for t, _ in parser.tags]
    assert "link" not in names and "img" not in names and "iframe" not in names
    # One inline script (the filter), no src, allowed by its hash alone: the CSP names that hash.
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{}]
    from modelclear.report.html import SCRIPT, SCRIPT_HASH

    assert f"<script>{SCRIPT}</script>" in page and f"script-src '{SCRIPT_HASH}'" in page
    for tag, attrs in parser.tags:
        if tag != "a":
            assert not any((v or "").startswith(("http:", "https:", "//")) for k, v in attrs.items()
                           if k in ("src", "href", "data", "srcset")), (tag, attrs)
    assert "@import" not in page and "url(http" not in page
    assert "default-src 'none'" in page
    assert names.count("svg") >= 3
    assert 'data-id="hf:qwen/qwen2.5-0.5b"' in page
    assert page.count("it is not legal advice") == 1
    assert "<th>JP</th><th>EU</th>" in page.replace("\n", "")


def test_html_in_japanese(tmp_path: Path) -> None:
    page = render(tmp_path, "html", "check", "hf:llava-hf/llava-1.5-7b-hf", "-j", "JP", "--lang", "ja")
    assert '<html lang="ja">' in page
    assert "系譜" in page and "ファインチューニング元" in page and "学習データ" in page


def test_graph_layout_keeps_boxes_apart_and_layers_ordered() -> None:
    nodes = [graph.GraphNode("root", "hf:acme/root", ("Licence: MIT", "Verdict: allowed"), "allowed")]
    edges = []
    for i in range(5):
        nodes.append(graph.GraphNode(f"d{i}", f"dataset:some-very-long-dataset-name-{i}", ("Licence: —",), "unknown",
                                     known=False))
        edges.append(graph.GraphEdge("root", f"d{i}", "trained on"))
    nodes.append(graph.GraphNode("base", "hf:acme/base", ("Licence: llama2",), "conditional"))
    edges += [graph.GraphEdge("d0", "base", "derived from"), graph.GraphEdge("base", "root", "cycle", dashed=True)]
    boxes = graph.layout(nodes, edges, "root")
    assert boxes["root"].y < boxes["d0"].y < boxes["base"].y
    layer = sorted((boxes[f"d{i}"] for i in range(5)), key=lambda b: b.x)
    for a, b in itertools.pairwise(layer):
        assert a.x + a.width <= b.x
    assert min(b.x for b in boxes.values()) >= 0
    svg = graph.to_svg(nodes, edges, "root", title="t", prefix="x")
    assert svg.count('class="mc-node') == len(nodes) and 'stroke-dasharray="5 4"' in svg


def test_graph_text_width_counts_wide_characters() -> None:
    assert graph.text_width("学習データ", 12) > graph.text_width("abcde", 12) * 1.5
    assert graph.shorten("x" * 100, 20).count("…") == 1 and len(graph.shorten("x" * 100, 20)) == 20


def test_wording_no_licence_is_not_allowed_and_no_cli_flag_for_browsers(tmp_path: Path) -> None:
    """Issue 15: a licence layer with no licence granted says no licence is needed, never "allowed"; the
    privity message names the web form's field, not only a command-line flag."""
    md = render(tmp_path, "markdown", "check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "-j", "JP")
    assert "| **Licence** | ✅ no licence needed |" in md and "#### Licence — JP: ✅ no licence needed" in md
    assert "“Terms you or your employer accepted”" in md and "Declare --accepted" not in md
    ja = render(tmp_path, "html", "check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "-j", "JP", "--lang", "ja")
    assert "ライセンス不要" in ja and "「あなたまたは雇用主が同意した利用条件」" in ja
    # a licence that grants the act still reads "allowed"
    mit = render(tmp_path, "markdown", "check", "hf:sentence-transformers/all-MiniLM-L6-v2", "-j", "JP")
    assert "| **Licence** | ✅ allowed |" in mit


def test_lineage_verdicts_are_said_to_be_hypothetical(tmp_path: Path) -> None:
    """Issue 15: an upstream verdict is what it would be if you used that artifact yourself, in every format."""
    args = ("check", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "-j", "JP")
    html = render(tmp_path, "html", *args)
    assert re.search(r'<figure class="graph"[^>]*>.*<figcaption class="hypothetical">Upstream verdicts are '
                     r"hypothetical", html, flags=re.S)
    md = render(tmp_path, "markdown", *args)
    lineage = md.split("### Lineage")[1]
    assert lineage.lstrip().startswith("*Upstream verdicts are hypothetical: each is the verdict you would get if")
    text = render(tmp_path, "text", *args)
    assert "Upstream verdicts are hypothetical" in text.split("Lineage")[1][:200]
    ja = render(tmp_path, "markdown", *args, "--lang", "ja")
    assert "上流の判定は仮定です" in ja
