"""One runner for every scenario in tests/scenarios/*.yaml (situations as data, openfisca-style).

Each case names its input (id, jurisdiction, activity, purpose, accepted, obtained_on), the fact it
rests on, and the expected verdict, risk and layer statuses; optional `reasons_include` lists message
codes that must appear in a layer's reasons. Every case is also rendered in English and Japanese.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear.report import get
from modelclear.report.data import check_document
from modelclear.service import Question, Service

SCENARIO_DIR = Path(__file__).parent / "scenarios"
AS_OF = dt.date(2026, 11, 28)


def _cases() -> list[Any]:
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            out.append(pytest.param(case, id=f"{path.stem}[{i}]:{case.get('name', '')[:60]}"))
    return out


CASES = _cases()


def test_there_are_at_least_thirty_situations() -> None:
    assert len(CASES) >= 30


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


@pytest.mark.parametrize("case", CASES)
def test_scenario(case: dict[str, Any], service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert case.get("fact"), "every situation states the fact it rests on"
    inp = case["input"]
    artifact_id = inp.get("id")
    if "local" in inp:  # your own model (issue 12): its files written here, checked as `check ./PATH`
        from localfiles import write_files

        write_files(tmp_path, inp["local"]["files"])
        monkeypatch.chdir(tmp_path)
        artifact_id = "./" + inp["local"]["path"]
    question = Question(id=artifact_id, jurisdictions=(inp["jurisdiction"],), activity=inp["activity"],
                        purpose=inp["purpose"], accepted=tuple(inp.get("accepted", [])),
                        obtained_on=inp.get("obtained_on"), as_of=AS_OF, domicile=inp.get("domicile"))
    report = service.check(question)
    a = report.assessments[0]
    exp = case["expect"]
    got_layers = {f.layer.value: f.status.value for f in a.layers}
    detail = json.dumps(check_document(report), ensure_ascii=False, indent=1)[:6000]
    assert a.verdict.value == exp["verdict"], detail
    if "risk" in exp:
        assert a.risk.value == exp["risk"], detail
    for layer, status in (exp.get("layers") or {}).items():
        assert got_layers[layer] == status, f"{layer}: {got_layers[layer]} != {status}\n{detail}"
    for layer, codes in (exp.get("reasons_include") or {}).items():
        finding = next(f for f in a.layers if f.layer.value == layer)
        got = {m.key for m in finding.reasons} | {f"rule:{m.params.get('rule')}" for m in finding.reasons}
        for code in codes:
            assert code in got, f"{layer} lacks {code}: {sorted(got)}"
    if "license_in_force" in exp:
        assert a.license_in_force == exp["license_in_force"]
    if "artifact" in exp:
        assert a.artifact is not None and a.artifact.id == exp["artifact"]
    for lang in ("en", "ja"):
        text = get("text").render(dataclasses.replace(report, lang=lang))
        assert not re.search(r"\{[a-z_]+\}", text), f"unfilled placeholder in {lang} output"
        prose = re.sub(r"\S*https?://\S+", "", text)
        assert not re.search(r"(?<![\w/.-])(ui|copyright|contract|license|provenance|rule)\.[a-z_]+\b", prose), \
            f"untranslated key in {lang}"
        if lang == "ja":
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)
