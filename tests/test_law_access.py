"""Lawful access (issue 11, law gap 1) for content that is not pirated but was taken around access controls.

A dataset recorded with ``lawful_access: no`` (a paywall circumvented) loses the TDM exceptions that need
lawful access (DE §44b(2), SG s.244(2)(d)); in Japan Art. 30-4 has no such condition, but the ACA's proviso
examples keep the answer uncertain (rule R8-JP-unlawful-access). Tested on a real overlay knowledge base.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from modelclear.catalog import KnowledgeBase
from modelclear.service import Question, Service

DATA = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Service:
    record = yaml.safe_load((DATA / "datasets" / "books3.yaml").read_text(encoding="utf-8"))
    record.update(id="dataset:paywalled-news", name="Paywalled news (test)", aliases=[], publisher="a news site",
                  distributed_via="", notes=[{"en": "A test record.", "ja": "テスト用の記録。"}])
    facts = record["facts"]
    for key in ("withdrawn", "card_license"):
        facts.pop(key, None)
    facts.update(pirated_content=False, lawful_access={
        "value": "no",
        "summary": {"en": "Scraped by getting around the site's paywall.", "ja": "ペイウォールを回避して収集した。"},
        "sources": [{"url": "https://example.org/paywall", "checked": "2026-11-28", "confidence": "S"}]})
    overlay = tmp_path_factory.mktemp("kb")
    (overlay / "datasets").mkdir()
    (overlay / "datasets" / "paywalled-news.yaml").write_text(yaml.safe_dump(record, allow_unicode=True),
                                                              encoding="utf-8")
    return Service(KnowledgeBase.load(overlays=[overlay], use_cache=False))


def _layers(service: Service, jurisdiction: str, purpose: str = "commercial") -> tuple[str, dict[str, str], set[str]]:
    report = service.check(Question(id="dataset:paywalled-news", jurisdictions=(jurisdiction,), activity="train",
                                    purpose=purpose, as_of=dt.date(2026, 11, 28)))
    a = report.assessments[0]
    copyright_layer = next(f for f in a.layers if f.layer.value == "copyright")
    keys = {m.key for m in copyright_layer.reasons} | {f"rule:{m.params.get('rule')}" for m in copyright_layer.reasons}
    return a.verdict.value, {f.layer.value: f.status.value for f in a.layers}, keys


@pytest.mark.parametrize("jurisdiction", ["DE", "FR", "SG"])
def test_circumvented_paywall_loses_the_tdm_exception(service: Service, jurisdiction: str) -> None:
    verdict, layers, keys = _layers(service, jurisdiction)
    assert (verdict, layers["copyright"]) == ("prohibited", "prohibited")
    assert "copyright.requirement.no" in keys


def test_circumvented_paywall_in_japan_is_uncertain_not_allowed(service: Service) -> None:
    verdict, layers, keys = _layers(service, "JP")
    assert layers["copyright"] == "uncertain" and verdict != "allowed"
    assert "rule:R8-JP-unlawful-access" in keys and "rule:R8-JP-piracy" not in keys


def test_circumvented_paywall_in_the_us_is_never_clear(service: Service) -> None:
    verdict, layers, _ = _layers(service, "US")
    assert layers["copyright"] in ("uncertain", "prohibited") and verdict not in ("allowed", "conditional")
