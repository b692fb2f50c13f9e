"""Every format tells the gate's story (issue 15): with a licence deny list, a denied AGPL model blocks in
the text, Markdown and HTML summaries, is an ``error`` in SARIF and is in the JSON ``gate.groups.block``;
a conditional licence (Llama 2) has its own group with its duties; the SARIF rules have their pages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from modelclear import cli
from modelclear.report.view import GROUP_LEVELS, GROUPS, KINDS

ROOT = Path(__file__).resolve().parents[1]
YOLO, LLAMA, RESNET = "ultralytics:yolov8n", "hf:meta-llama/Llama-2-7b-hf", "torchvision:ResNet50_Weights.IMAGENET1K_V2"
EXPECTED = {"block": [YOLO], "review": [], "duties": [LLAMA], "fine": [RESNET]}

APP = '''from ultralytics import YOLO
from transformers import AutoModel
import torchvision
model = YOLO("yolov8n.pt")
llama = AutoModel.from_pretrained("meta-llama/Llama-2-7b-hf")
resnet = torchvision.models.resnet50(weights="IMAGENET1K_V2")
'''
POLICY = '''jurisdictions = ["JP"]
activity = "deploy"
purpose = "commercial"
fail-on = "prohibited"
licenses = { deny = ["AGPL-3.0"] }
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("agpl")
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "modelclear.toml").write_text(POLICY, encoding="utf-8")
    return root


def render(project: Path, fmt: str, *extra: str) -> str:
    out = project.parent / f"{project.name}-{fmt}-{len(extra)}.out"
    code = cli.main(["scan", str(project), "--format", fmt, "-o", str(out), "--today", "2026-12-01", *extra])
    assert code == (0 if "--no-policy" in extra else 1)  # prohibited by the deny list; no policy: nothing fails
    return out.read_text(encoding="utf-8")


def test_json_gate_groups_and_summary(project: Path) -> None:
    doc = json.loads(render(project, "json"))
    assert doc["gate"]["groups"] == EXPECTED
    assert doc["summary"] == {"prohibited": [YOLO], "review": [], "fine": [LLAMA, RESNET]}
    (item,) = [it for it in doc["gate"]["items"] if it["artifact"] == YOLO]
    assert item["verdict"] == "allowed" and item["status"] == "prohibited" and item["counted"]


def test_without_the_policy_the_agpl_model_is_fine(project: Path) -> None:
    doc = json.loads(render(project, "json", "--no-policy", "-j", "JP"))
    assert doc["gate"]["groups"] == {"block": [], "review": [], "duties": [LLAMA], "fine": [YOLO, RESNET]}


def test_text_summary_and_gate_footer(project: Path) -> None:
    text = render(project, "text")
    assert f"Blocks a commercial launch (1): {YOLO} (fails the run)" in text
    assert "Needs review (0): —" in text
    assert f"Allowed with duties (1): {LLAMA}" in text
    assert f"{LLAMA}: §2: If, on the version release date" in text  # the duties, spelled out
    assert f"Fine (1): {RESNET}" in text
    assert f"Fails the run: {YOLO}" in text.split("CI gate: fails (exit code 1)")[1]
    # the references table and the artifact's line show the status the gate sees, marked as the policy's
    assert re.search(r"app\.py:4 +ultralytics:yolov8n +prohibited \(by the policy\) +low", text)
    assert f"{YOLO}  JP: prohibited (by the policy) (low)" in text


def test_markdown_summary_and_gate(project: Path) -> None:
    md = render(project, "markdown")
    assert "- **Blocks a commercial launch (1)**: [ultralytics:yolov8n](#a1) (fails the run)" in md
    assert "- **Allowed with duties (1)**: [hf:meta-llama/Llama-2-7b-hf](#a2)" in md
    assert "  - hf:meta-llama/Llama-2-7b-hf: §2: If, on the version release date" in md
    assert "⛔ prohibited (by the policy)" in md
    assert "- **Fails the run: ultralytics:yolov8n**" in md


class _Groups(HTMLParser):
    """The summary's groups and the artifact rows of the HTML report, by their data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[str, list[str]] = {}
        self.rows: list[tuple[str, str]] = []
        self._group = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and "group" in (a.get("class") or "").split():
            self._group = a["data-group"] or ""
            self.groups[self._group] = []
        elif tag == "li" and self._group and a.get("data-id"):
            self.groups[self._group].append(a["data-id"] or "")
        elif tag == "article":
            self._group = ""
            self.rows.append((a["data-id"] or "", a["data-group"] or ""))


def test_html_groups_rows_worst_first_and_no_backticks(project: Path) -> None:
    page = render(project, "html")
    p = _Groups()
    p.feed(page)
    assert p.groups == EXPECTED
    assert p.rows == [(YOLO, "block"), (LLAMA, "duties"), (RESNET, "fine")]  # worst first
    assert "Fails the run: ultralytics:yolov8n" in page
    text = re.sub(r"<script>.*?</script>|<[^>]+>", "", page, flags=re.S)
    assert "`" not in text
    assert "<code>*_SWAG_*</code>" in page  # a code span from the knowledge base, as code


def test_html_in_japanese_has_the_same_groups(project: Path) -> None:
    page = render(project, "html", "--lang", "ja")
    p = _Groups()
    p.feed(page)
    assert p.groups == EXPECTED
    assert "義務を守れば利用可 (1)" in page and "実行を失敗させるもの: ultralytics:yolov8n" in page


def test_sarif_levels_follow_the_groups(project: Path) -> None:
    doc = json.loads(render(project, "sarif"))
    levels: dict[str, Any] = {}
    for r in doc["runs"][0]["results"]:
        levels[r["properties"]["artifact"]] = (r["level"], r["ruleId"])
    assert levels[YOLO] == ("error", "MC-POLICY-DENIED-LICENSE")
    assert levels[LLAMA] == ("note", "MC-CONDITIONS")
    assert levels[RESNET] == ("none", "MC-ALLOWED")


def test_every_rule_has_its_page() -> None:
    """docs/rules/<RULE>.md for every SARIF rule, titled with the rule's English short description."""
    import yaml

    en = yaml.safe_load((ROOT / "src" / "modelclear" / "data" / "i18n" / "en.yaml").read_text(encoding="utf-8"))
    index = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    for rule in KINDS:
        page = (ROOT / "docs" / "rules" / f"{rule}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {rule}: {en[f'ui.sarif.{rule}.short']}\n"), rule
        assert f"({rule}.md)" in index
    listed = {p.stem for p in (ROOT / "docs" / "rules").glob("MC-*.md")}
    assert listed == set(KINDS)
    assert set(GROUP_LEVELS) == set(GROUPS)
