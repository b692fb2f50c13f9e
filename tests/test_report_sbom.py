"""``--format cyclonedx`` and ``--format spdx``: ML-BOMs that pass their official validators."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from modelclear import cli

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "tests" / "fixtures" / "projects"
SPDX_VALIDATE = ROOT / "tests" / "data" / "schemas" / "spdx-3.0.1" / "validate.py"  # vendored, see README there


def render(tmp_path: Path, fmt: str, *args: str) -> dict[str, Any]:
    out = tmp_path / f"out.{fmt}.json"
    cli.main([*args, "--format", fmt, "-o", str(out), "--no-policy"])
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def cyclonedx_error(doc: dict[str, Any]) -> Any:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))


def walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for c in components:
        out.append(c)
        out += walk(c.get("pedigree", {}).get("ancestors", []))
    return out


@pytest.mark.parametrize("project", ["llm_app", "vision_training"])
def test_cyclonedx_scan_validates_with_real_content(tmp_path: Path, project: str) -> None:
    doc = render(tmp_path, "cyclonedx", "scan", str(PROJECTS / project), "-j", "JP")
    assert cyclonedx_error(doc) is None
    assert doc["specVersion"] == "1.6"
    comps = walk(doc["components"])
    refs = {c["bom-ref"]: c for c in comps}
    models = [c for c in comps if c["type"] == "machine-learning-model"]
    data = [c for c in comps if c["type"] == "data"]
    assert models and data
    # training datasets referenced from model cards resolve to data components
    linked = [d["ref"] for m in models for d in m.get("modelCard", {}).get("modelParameters", {}).get("datasets", [])]
    assert linked and all(refs[r]["type"] == "data" for r in linked)
    for c in comps:
        props = {p["name"]: p["value"] for p in c.get("properties", [])}
        assert props["modelclear:id"]
        if props.get("modelclear:known") != "false":
            assert props["modelclear:verdict"] in ("allowed", "conditional", "prohibited", "uncertain", "unknown")
            assert {"modelclear:layer:copyright", "modelclear:layer:contract", "modelclear:layer:license",
                    "modelclear:layer:provenance"} <= set(props)
        for lic in c.get("licenses", []):
            if "license" in lic and "id" in lic["license"]:
                from cyclonedx.spdx import is_supported_id

                assert is_supported_id(lic["license"]["id"]), lic
            elif "license" in lic:
                assert lic["license"]["name"]
        if c.get("purl"):
            assert c["purl"].startswith(("pkg:huggingface/", "pkg:pypi/"))
    if project == "llm_app":
        assert any(c.get("pedigree", {}).get("ancestors") for c in models)  # base models
        assert any(c.get("purl", "").startswith("pkg:huggingface/") for c in models)
        assert any(lic.get("license", {}).get("id") for c in comps for lic in c.get("licenses", []))
    if project == "vision_training":
        verdicts = {p["value"] for c in comps for p in c.get("properties", []) if p["name"] == "modelclear:verdict"}
        assert "prohibited" in verdicts
        assert any(p["name"] == "modelclear:reference" for c in comps for p in c.get("properties", []))


def test_cyclonedx_non_spdx_licence_is_named_with_url(tmp_path: Path) -> None:
    doc = render(tmp_path, "cyclonedx", "check", "hf:meta-llama/Llama-2-7b-hf", "-j", "JP")
    assert cyclonedx_error(doc) is None
    (comp,) = doc["components"]
    (lic,) = comp["licenses"]
    assert "id" not in lic["license"]
    assert lic["license"]["name"].startswith("Llama 2") and lic["license"]["url"].startswith("https://")
    assert comp["purl"] == "pkg:huggingface/meta-llama/Llama-2-7b-hf"


def test_cyclonedx_validator_catches_a_broken_bom(tmp_path: Path) -> None:
    doc = render(tmp_path, "cyclonedx", "check", "hf:meta-llama/Llama-2-7b-hf", "-j", "JP")
    doc["components"][0]["licenses"] = [{"license": {"id": "llama2"}}]
    assert cyclonedx_error(doc) is not None


def spdx_validate(path: Path) -> subprocess.CompletedProcess[str]:
    assert SPDX_VALIDATE.is_file(), f"the vendored SPDX validator is missing: {SPDX_VALIDATE}"
    import pyshacl  # noqa: F401 - in the test extra; the validator below needs it

    return subprocess.run([sys.executable, str(SPDX_VALIDATE), str(path)], capture_output=True, text=True,
                          timeout=300)


def test_spdx_scan_validates_with_ai_and_dataset_profiles(tmp_path: Path) -> None:
    doc = render(tmp_path, "spdx", "scan", str(PROJECTS / "vision_training"), "-j", "JP,EU")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = spdx_validate(path)
    assert result.returncode == 0, result.stdout[-3000:]
    graph = doc["@graph"]
    types = {n["type"] for n in graph}
    assert {"ai_AIPackage", "dataset_DatasetPackage", "simplelicensing_LicenseExpression", "Annotation",
            "SpdxDocument", "Relationship"} <= types
    rels = {n["relationshipType"] for n in graph if n["type"] == "Relationship"}
    assert {"trainedOn", "ancestorOf", "hasDeclaredLicense", "hasConcludedLicense", "dependsOn"} <= rels
    by_id = {n.get("spdxId"): n for n in graph}
    imagenet = next(n for n in graph if n.get("name") == "dataset:imagenet-1k")
    assert imagenet["dataset_datasetAvailability"] == "clickthrough"
    verdicts = [n["statement"] for n in graph if n["type"] == "Annotation" and n["subject"] == imagenet["spdxId"]]
    assert len(verdicts) == 2 and any(", JP: " in s for s in verdicts) and any(", EU: " in s for s in verdicts)
    # base model: torchvision ResNet50 is the ancestor of the Faster R-CNN weights
    ancestor = [n for n in graph if n["type"] == "Relationship" and n["relationshipType"] == "ancestorOf"]
    assert any(by_id[r["from"]]["name"] == "torchvision:ResNet50_Weights.IMAGENET1K_V1"
               and any(by_id[t]["name"].startswith("torchvision:FasterRCNN") for t in r["to"]) for r in ancestor)
    exprs = {n["simplelicensing_licenseExpression"] for n in graph if n["type"] == "simplelicensing_LicenseExpression"}
    from modelclear.report.view import is_spdx

    assert exprs and all(is_spdx(e) or e.startswith("LicenseRef-modelclear-") for e in exprs)


def test_spdx_check_non_spdx_licence_is_a_licenseref(tmp_path: Path) -> None:
    doc = render(tmp_path, "spdx", "check", "hf:llava-hf/llava-1.5-7b-hf", "-j", "JP")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = spdx_validate(path)
    assert result.returncode == 0, result.stdout[-3000:]
    exprs = [n for n in doc["@graph"] if n["type"] == "simplelicensing_LicenseExpression"]
    llama = next(n for n in exprs if "llama2" in n["simplelicensing_licenseExpression"])
    assert llama["simplelicensing_licenseExpression"] == "LicenseRef-modelclear-llama2"
    assert llama["simplelicensing_customIdToUri"][0]["value"].startswith("https://")
    assert any(n["simplelicensing_licenseExpression"] == "MIT" for n in exprs)
    trained = [n for n in doc["@graph"] if n["type"] == "Relationship" and n["relationshipType"] == "trainedOn"]
    assert trained


def test_spdx_validator_catches_a_broken_document(tmp_path: Path) -> None:
    doc = render(tmp_path, "spdx", "check", "dataset:imagenet-1k", "-j", "JP", "-a", "train")
    for n in doc["@graph"]:
        if n["type"] == "dataset_DatasetPackage":
            n["dataset_datasetAvailability"] = "by-carrier-pigeon"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert spdx_validate(path).returncode != 0


def test_spdx_document_lists_its_elements_in_creation_order(tmp_path: Path) -> None:
    """The document's element list must not depend on where objects happen to sit in memory."""
    doc = render(tmp_path, "spdx", "scan", str(PROJECTS / "vision_training"), "-j", "JP")
    document = next(o for o in doc["@graph"] if o["type"] == "SpdxDocument")
    counters = [int(e.rsplit("-", 1)[1]) for e in document["element"]]
    assert len(counters) > 20
    assert counters == sorted(counters)


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_two_runs_give_byte_identical_sboms(tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reproducible SBOMs: ids and serial numbers from the content, the time from SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    args = ["scan", str(PROJECTS / "llm_app"), "-j", "JP,EU", "--format", fmt, "--no-policy"]
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    cli.main([*args, "-o", str(first)])
    cli.main([*args, "-o", str(second)])
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert "2023-11-14T22:13:20" in text  # SOURCE_DATE_EPOCH, not the clock
    # Another question (one jurisdiction less) is another document: another serial number / namespace.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001")
    other = tmp_path / "3.json"
    cli.main([*args[:3], "JP", *args[4:], "-o", str(other)])
    doc, doc3 = json.loads(text), json.loads(other.read_text(encoding="utf-8"))
    if fmt == "cyclonedx":
        assert doc["serialNumber"].startswith("urn:uuid:") and doc["serialNumber"] != doc3["serialNumber"]
    else:
        ns = next(e["spdxId"] for e in doc["@graph"] if e["type"] == "SpdxDocument").rsplit("/", 1)[0]
        ns3 = next(e["spdxId"] for e in doc3["@graph"] if e["type"] == "SpdxDocument").rsplit("/", 1)[0]
        assert ns != ns3 and "00000000-0000" not in ns


def test_sbom_time_is_the_clock_without_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = render(tmp_path, "cyclonedx", "check", "dataset:imagenet-1k", "-j", "JP")
    made = dt.datetime.fromisoformat(doc["metadata"]["timestamp"])
    assert abs((dt.datetime.now(dt.UTC) - made).total_seconds()) < 600
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code = cli.main(["check", "dataset:imagenet-1k", "-j", "JP", "--format", "spdx", "-o", str(tmp_path / "x")])
    assert code == 3


def test_spdx_without_the_sbom_extra_exits_3_naming_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['spdx_python_model'] = None\n"
            "from modelclear import cli\n"
            f"sys.exit(cli.main(['check', 'timm:resnet50', '-j', 'JP', '--no-policy', '-f', 'spdx', '-o', "
            f"{str(tmp_path / 'x.json')!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "--format spdx needs the 'sbom' extra" in proc.stderr and "pip install 'modelclear[sbom]'" in proc.stderr
