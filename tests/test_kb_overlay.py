"""``--kb`` overlays: checked through the one schema, compiled to the same cache as the bundled data,
and able to add loader files (signatures and id schemes) that the scan then uses.

The cache directory is pointed at a folder of this module's own with ``$MODELCLEAR_CACHE``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from modelclear import cli, ids
from modelclear.catalog import KnowledgeBase, bundled
from modelclear.catalog.bundled import DATA_DIR, load_raw
from modelclear.knowledge.schema import OverlayError
from modelclear.scan.base import ScanOptions
from modelclear.service import Service

SOURCE = {"url": "https://example.org/mylib", "checked": "2026-01-01", "confidence": "S"}


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def cache(module_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODELCLEAR_CACHE", str(module_cache))
    return module_cache


@pytest.fixture(autouse=True)
def schemes(monkeypatch: pytest.MonkeyPatch) -> None:
    """An overlay declares its schemes for the process; each test here gets the bundled ones back after."""
    for name in ("SCHEMES", "_COMPILED", "_REWRITES", "_UNTYPED"):
        value = getattr(ids, name)
        monkeypatch.setattr(ids, name, value.copy())


def _licence_overlay(folder: Path, activity: str = "train") -> Path:
    record = yaml.safe_load((DATA_DIR / "licenses" / "CC-BY-NC-4.0.yaml").read_text(encoding="utf-8"))
    record.update(id="acme-nc", spdx=None, aliases=["acme"], name="ACME Non-Commercial")
    record["terms"][0]["activities"] = [activity]
    (folder / "licenses").mkdir(parents=True)
    (folder / "licenses" / "acme-nc.yaml").write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return folder


def test_a_broken_overlay_is_one_line_naming_file_and_field_and_exit_3(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    overlay = _licence_overlay(tmp_path / "kb", activity="trian")
    code = cli.main(["check", "hf:google-bert/bert-base-uncased", "-j", "JP", "--kb", str(overlay)])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "licenses/acme-nc.yaml: terms[0].activities[0]: unknown value 'trian'" in err
    assert "did you mean 'train'?" in err


def test_an_overlay_licence_loads_and_its_bad_yaml_is_a_usage_error(tmp_path: Path) -> None:
    overlay = _licence_overlay(tmp_path / "kb")
    kb = KnowledgeBase.load(overlays=[overlay])
    assert kb.license_key("acme") == "acme-nc"
    (overlay / "platforms").mkdir()
    (overlay / "platforms" / "x.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(OverlayError, match=r"platforms/x\.yaml: not valid YAML"):
        KnowledgeBase.load(overlays=[overlay])


def test_an_overlay_is_compiled_once_then_opened_lazily(tmp_path: Path, cache: Path) -> None:
    overlay = _licence_overlay(tmp_path / "kb")
    (overlay / "models").mkdir()
    models = [{"id": f"hf:acme/m{i}", "license": "acme-nc", "base_models": [f"hf:acme/m{i + 1}"] if i < 49 else []}
              for i in range(50)]
    (overlay / "models" / "acme.json").write_text(json.dumps({"family": "acme", "sources": [SOURCE],
                                                              "models": models}), encoding="utf-8")
    before = set(cache.iterdir()) if cache.is_dir() else set()
    first = load_raw(overlay, overlay=True, use_cache=False)
    assert first.heads is None  # compiled from the files, nothing written
    assert (set(cache.iterdir()) if cache.is_dir() else set()) == before
    compiled = load_raw(overlay, overlay=True)  # compiled, written, and then read from the written file
    assert compiled.heads is not None
    written = set(cache.iterdir()) - before
    assert len(written) == 1
    second = load_raw(overlay, overlay=True)
    assert second.heads is not None and len(second.heads) == 50  # the index only; entries read on demand
    assert set(cache.iterdir()) - before == written
    assert [e for _, e, _ in second.iter_artifacts()] == [e for _, e, _ in first.iter_artifacts()]
    kb = KnowledgeBase.load(overlays=[overlay])
    art = kb.artifact("hf:acme/m0")
    assert art is not None and art.license == "acme-nc" and art.upstream[0].target == "hf:acme/m1"
    # A changed file changes the signature: the overlay is compiled again, and its problems reported.
    path = overlay / "models" / "acme.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"acme-nc"', '1', 1), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    with pytest.raises(OverlayError, match=r"models/acme\.json: models\[0\]\.license: expected text"):
        KnowledgeBase.load(overlays=[overlay])


def test_a_file_over_the_bound_is_reported_not_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = _licence_overlay(tmp_path / "kb")
    load_raw(DATA_DIR)  # the bundled data, compiled under the real bound
    monkeypatch.setattr(bundled, "MAX_DATA_FILE", 100)
    with pytest.raises(OverlayError, match=r"licenses/acme-nc\.yaml: \d+ bytes, more than the 100 bytes"):
        KnowledgeBase.load(overlays=[overlay])


def _loader_overlay(folder: Path) -> Path:
    (folder / "loaders").mkdir(parents=True)
    (folder / "loaders" / "mylib.yaml").write_text(textwrap.dedent("""\
        library: mylib
        sources:
          - {url: "https://example.org/mylib", checked: 2026-01-01, confidence: S}
        schemes:
          - {name: mylib, kind: model, pattern: '[a-z0-9_]+', example: "mylib:tiny"}
        keywords: [mylib]
        loaders:
          - call: [mylib.load_model]
            kind: model
            arg: {pos: 0, kw: [name]}
            id: template
            template: "mylib:{value}"
        """), encoding="utf-8")
    (folder / "models").mkdir()
    (folder / "models" / "mylib.yaml").write_text(yaml.safe_dump({
        "family": "mylib", "publisher": "My Lib", "license": "MIT", "sources": [SOURCE],
        "models": [{"id": "mylib:tiny", "name": "tiny"}]}), encoding="utf-8")
    return folder


def test_an_overlay_loader_file_adds_a_scheme_and_a_signature_the_scan_uses(tmp_path: Path) -> None:
    overlay = _loader_overlay(tmp_path / "kb")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import mylib\nmodel = mylib.load_model('tiny')\n", encoding="utf-8")
    scenarios = Service.open().scenarios(["JP"], "deploy", "commercial")
    plain = Service.open().scan(project, scenarios, ScanOptions(jobs=1))
    assert plain.entries == () or all(e.reference.id != "mylib:tiny" for e in plain.entries)

    service = Service.open([overlay])
    assert ids.parse("mylib:tiny").id == "mylib:tiny"  # the overlay's scheme, declared when it loaded
    report = service.scan(project, scenarios, ScanOptions(jobs=1))
    found = [e for e in report.entries if e.reference.id == "mylib:tiny"]
    assert found and found[0].reference.line == 2
    assessment = found[0].assessment
    assert assessment is not None and assessment.artifact is not None and assessment.artifact.license == "MIT"


def test_an_overlay_scheme_clashing_with_a_bundled_one_is_a_usage_error(tmp_path: Path) -> None:
    overlay = _loader_overlay(tmp_path / "kb")
    path = overlay / "loaders" / "mylib.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: mylib, kind: model", "name: hf, kind: dataset"),
                    encoding="utf-8")
    shutil.rmtree(overlay / "models")
    with pytest.raises(OverlayError, match=r"loaders/mylib\.yaml: schemes: scheme 'hf' declared twice"):
        KnowledgeBase.load(overlays=[overlay])


def test_a_source_checked_in_the_future_fails_an_overlay_but_not_the_shipped_data(tmp_path: Path) -> None:
    """An overlay's sources are held to the user's clock; the shipped data was held to the release day
    (by the tests), so a machine whose clock is behind still reads it."""
    root = _licence_overlay(tmp_path / "kb")
    path = root / "licenses" / "acme-nc.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["sources"][0]["checked"] = dt.date.today() + dt.timedelta(days=30)
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OverlayError, match=r"licenses/acme-nc\.yaml: sources\[0\]\.checked: date .* is in the future"):
        KnowledgeBase.load(overlays=[root])
    assert load_raw(root, use_cache=False).licenses[0][1]["id"] == "acme-nc"  # as the bundled data folder


def test_the_scan_command_uses_an_overlays_loader_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    overlay = _loader_overlay(tmp_path / "kb")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("from mylib import load_model\nload_model(name='tiny')\n", encoding="utf-8")
    code = cli.main(["scan", str(project), "--kb", str(overlay), "-j", "JP", "--no-policy", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "mylib:tiny" in json.dumps(out)
