"""The check service (issue 9): one path for every entry point, and ``--kb`` overlays in every output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from modelclear import api, cli
from modelclear.report import get
from modelclear.service import Limits, Question, Service, UsageError, load_knowledge
from modelclear.web.app import create_app

SOURCE = [{"url": "https://acme.example/card", "checked": "2026-11-28", "confidence": "S"}]
LICENCE = {
    "id": "Acme-Model-License-1.0",
    "spdx": None,
    "name": "Acme Model Licence 1.0",
    "aliases": ["acme-model-1.0"],
    "kind": "license",
    "category": "permissive",
    "acceptance": "none",
    "yields_to_exceptions": True,
    "passes_to_derivatives": False,
    "effective": None,
    "url": "https://acme.example/model-licence",
    "summary": {"en": "Acme's own permissive licence.", "ja": "Acme 独自の許諾型ライセンス。"},
    "grants": "all",
    "terms": [{"id": "commercial-use", "effect": "allowed", "activities": "all", "purposes": ["commercial"],
               "summary": {"en": "Commercial use is permitted.", "ja": "商用利用が認められる。"},
               "clause": "§1", "url": "https://acme.example/model-licence", "confidence": "S"}],
    "sources": SOURCE,
}
DISCLAIMER = "Acme's reviewers wrote this overlay; it is not legal advice."


@pytest.fixture(scope="module")
def overlay(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An overlay with its own licence, a model under it and a translation of its own."""
    root = tmp_path_factory.mktemp("overlay")
    for folder in ("licenses", "models", "i18n"):
        (root / folder).mkdir()
    (root / "licenses" / "Acme-Model-License-1.0.yaml").write_text(yaml.safe_dump(LICENCE), encoding="utf-8")
    family = {"family": "acme", "publisher": "Acme", "distributed_via": "huggingface",
              "license": "Acme-Model-License-1.0", "sources": SOURCE,
              "models": [{"id": "hf:acme/vision-1", "name": "Acme Vision 1"}]}
    (root / "models" / "acme.yaml").write_text(yaml.safe_dump(family), encoding="utf-8")
    (root / "i18n" / "en.yaml").write_text(yaml.safe_dump({"ui.disclaimer": DISCLAIMER}), encoding="utf-8")
    return root


def run(tmp_path: Path, fmt: str, *args: str) -> tuple[int, Any]:
    out = tmp_path / f"out.{fmt}"
    code = cli.main([*args, "--format", fmt, "-o", str(out), "--no-policy"])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_overlay_licence_and_translation_reach_json(tmp_path: Path, overlay: Path) -> None:
    code, doc = run(tmp_path, "json", "check", "hf:acme/vision-1", "-j", "JP", "--kb", str(overlay))
    assert code == 0 and doc["verdict"] == "allowed"
    assert doc["artifact"]["license_in_force"] == "Acme-Model-License-1.0"
    assert doc["disclaimer"] == DISCLAIMER  # the overlay's own text, not the bundled one


def test_overlay_licence_reaches_cyclonedx(tmp_path: Path, overlay: Path) -> None:
    _, doc = run(tmp_path, "cyclonedx", "check", "hf:acme/vision-1", "-j", "JP", "--kb", str(overlay))
    model = next(c for c in doc["components"] if c["name"].endswith("vision-1"))
    licences = [x["license"] for x in model["licenses"]]
    assert {"name": "Acme Model Licence 1.0"}.items() <= licences[0].items()
    assert licences[0]["url"] == "https://acme.example/model-licence"
    props = {p["name"]: p["value"] for p in doc["metadata"]["properties"]}
    assert props["modelclear:disclaimer"] == DISCLAIMER


def test_overlay_licence_reaches_spdx(tmp_path: Path, overlay: Path) -> None:
    _, doc = run(tmp_path, "spdx", "check", "hf:acme/vision-1", "-j", "JP", "--kb", str(overlay))
    graph = doc["@graph"]
    licence = next(x for x in graph if x.get("type") == "simplelicensing_LicenseExpression")
    assert licence["name"] == "Acme Model Licence 1.0"
    assert licence["simplelicensing_customIdToUri"][0]["value"] == "https://acme.example/model-licence"
    assert any(x.get("comment") == DISCLAIMER for x in graph if x.get("type") == "CreationInfo")


def test_overlay_reaches_the_web_api(overlay: Path) -> None:
    client = TestClient(create_app((str(overlay),)))
    doc = client.get("/api/check", params={"id": "hf:acme/vision-1", "jurisdiction": "JP"}).json()
    assert doc["disclaimer"] == DISCLAIMER and doc["artifact"]["license"] == "Acme-Model-License-1.0"


def test_report_carries_the_knowledge_base_it_was_made_with(overlay: Path) -> None:
    service = Service.open([overlay])
    report = service.check(Question(id="hf:acme/vision-1", jurisdictions=("JP",)))
    assert report.kb is service.kb is load_knowledge([overlay])
    assert report.knowledge().license("Acme-Model-License-1.0") is not None
    assert DISCLAIMER in get("markdown").render(report)


# --- one validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "code"), [
    (Question(id="", jurisdictions=("JP",)), "missing_id"),
    (Question(id="::", jurisdictions=("JP",)), "malformed_id"),
    (Question(id="x" * 600, jurisdictions=("JP",)), "id_too_long"),
    (Question(id="timm:resnet50", jurisdictions=()), "missing_jurisdiction"),
    (Question(id="timm:resnet50", jurisdictions=("JP",) * 13), "too_many_jurisdictions"),
    (Question(id="timm:resnet50", jurisdictions=("JP", "XX")), "unknown_jurisdiction"),
    (Question(id="timm:resnet50", jurisdictions=("JP",), activity="sell"), "unknown_activity"),
    (Question(id="timm:resnet50", jurisdictions=("JP",), purpose="fun"), "unknown_purpose"),
    (Question(id="timm:resnet50", jurisdictions=("JP",), obtained_on="2024-13-01"), "bad_date"),
    (Question(id="timm:resnet50", jurisdictions=("JP",), accepted=("::",)), "malformed_id"),
    (Question(id="timm:resnet50", jurisdictions=("JP",), lang="fr"), "bad_lang"),
])
def test_every_bad_input_is_one_usage_error(question: Question, code: str) -> None:
    with pytest.raises(UsageError) as info:
        Service().check(question, Limits(max_id=512, max_jurisdictions=12))
    assert info.value.code == code and str(info.value)


def test_usage_errors_are_exit_3_and_http_400(tmp_path: Path) -> None:
    assert cli.main(["check", "timm:resnet50", "-j", "JP", "-a", "train", "--obtained-on", "soon",
                     "--no-policy", "-o", str(tmp_path / "x")]) == 3
    client = TestClient(create_app())
    r = client.get("/api/check", params={"id": "timm:resnet50", "jurisdiction": "JP", "obtained_on": "soon"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_date"


def test_api_check_report_is_the_cli_json(tmp_path: Path) -> None:
    _, docs = run(tmp_path, "json", "check", "dataset:imagenet-1k", "-j", "JP,EU", "-a", "train")
    report = api.check_report("dataset:imagenet-1k", ["JP", "EU"], "train")
    assert report.scenarios and [s.jurisdiction for s in report.scenarios] == ["JP", "EU"]
    mine = json.loads(get("json").render(report))
    for doc in (*docs, *mine):
        doc.pop("gate", None)
    assert mine == docs


def test_with_gate_does_not_walk_the_report_again() -> None:
    from modelclear import policy

    report = api.check_report("timm:resnet50", "JP")
    gate = policy.evaluate(report.assessments, policy.Policy(), today=report.scenarios[0].as_of,
                           license_key=report.knowledge().license_key)
    gated = report.with_gate(gate)
    assert gated.gate is not None and report.gate is None
    assert gated.assessments is report.assessments and gated.kb is report.kb
