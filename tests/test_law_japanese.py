"""Japanese output (issue 11, law gap 5): statute names, clause labels and verdict words in the words a
Japanese lawyer would use, wherever the knowledge base or the glossary gives them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from modelclear.api import load_knowledge
from modelclear.i18n import Translator
from modelclear.report import get
from modelclear.service import Question, Service

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


def _ja(service: Service, artifact: str, jurisdiction: str, activity: str, domicile: str | None = None) -> str:
    report = service.check(Question(id=artifact, jurisdictions=(jurisdiction,), activity=activity,
                                    purpose="commercial", as_of=AS_OF, domicile=domicile))
    return str(get("text").render(dataclasses.replace(report, lang="ja")))


def _english_labels() -> list[str]:
    """Every English phrase that has a Japanese label: law-rule citations, courts and the clause glossary."""
    kb = load_knowledge()
    phrases = {r.citation for code in kb.jurisdictions() for law in [kb.law(code)] if law
               for r in law.rules if r.citation_ja}
    phrases |= {c.court for code in kb.jurisdictions() for law in [kb.law(code)] if law
                for c in law.cases if c.court_ja}
    phrases |= {v for k, v in kb.i18n["en"].items() if k.startswith("label.") and kb.i18n["ja"].get(k)}
    return sorted(phrases, key=len, reverse=True)


CASES = [
    ("dataset:books3", "JP", "train", None),            # 著作権法第30条の4, the ACA view
    ("dataset:imagenet-1k", "JP", "train", None),       # contract clauses of the ImageNet terms
    ("hf:meta-llama/Llama-3.2-11B-Vision", "JP", "deploy", "EU"),  # preamble, Acceptable Use Policy
    ("dataset:books3", "DE", "train", None),            # §44b and its lawful-access condition
    ("dataset:openassistant-oasst1", "US", "train", None),  # the express-licence defence
    ("hf:google/gemma-2-9b", "JP", "distill", None),
    ("dataset:alpaca", "US", "train", None),            # fair use and the courts that decided it
]


@pytest.mark.parametrize(("artifact", "jurisdiction", "activity", "domicile"), CASES)
def test_no_english_label_where_a_japanese_one_exists(service: Service, artifact: str, jurisdiction: str,
                                                      activity: str, domicile: str | None) -> None:
    text = _ja(service, artifact, jurisdiction, activity, domicile)
    labels = []
    for line in text.splitlines():
        cited = re.match(r"\s+\[[VSU]\] (.*?) — ", line)  # a citation: its label, not the source's own note
        if cited:
            labels.append(cited.group(1))
        clause = re.match(r"\s+[•–] ([^：]{1,120})：", line)  # a reason or duty: the clause or provision before "："
        if clause:
            labels.append(clause.group(1))
    assert labels
    for label in labels:
        for phrase in _english_labels():
            assert not re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", label), (phrase, label)


def test_statute_names_and_verdict_words(service: Service) -> None:
    jp = _ja(service, "dataset:books3", "JP", "train")
    assert "著作権法第30条の4" in jp and "Copyright Act" not in jp
    assert "判定: 要検討" in jp
    de = _ja(service, "dataset:books3", "DE", "train")
    assert "ドイツ著作権法（UrhG）第44b条第2項" in de and "判定: 利用不可" in de
    llama = _ja(service, "hf:meta-llama/Llama-3.2-11B-Vision", "JP", "deploy", "EU")
    assert "前文" in llama and "利用ポリシー" in llama and "preamble" not in llama
    us = _ja(service, "dataset:alpaca", "US", "train")
    assert "米国第2巡回区控訴裁判所" in us and "US Court of Appeals" not in us
    allowed = _ja(service, "torchvision:ResNet50_Weights.IMAGENET1K_V2", "JP", "deploy")
    assert "判定: 利用可" in allowed
    for word in ("許容", "条件付き許容"):
        assert f": {word}" not in jp + de + llama + allowed


def test_verdict_words_are_the_chosen_ones() -> None:
    t = Translator(load_knowledge().i18n, "ja")
    assert [t(f"ui.status.{s}") for s in ("allowed", "conditional", "prohibited", "uncertain", "unknown")] == \
        ["利用可", "条件付きで利用可", "利用不可", "要検討", "不明"]


def test_glossary_replaces_whole_words_before_the_note_only() -> None:
    t = Translator(load_knowledge().i18n, "ja")
    assert t.label("Llama 3.2 Community License Agreement, preamble; definition of Licensee") == \
        "Llama 3.2 Community License Agreement, 前文; 「ライセンシー」の定義"
    assert t.label("MIT grant paragraph") == "MIT 許諾条項"
    assert t.label("X, granted — the grant conditions") == "X, granted — the grant conditions"
    assert t.label("著作権法", "著作権法第30条の4") == "著作権法第30条の4"
    assert Translator(load_knowledge().i18n, "en").label("preamble", "前文") == "preamble"
