"""Issue 11: quantised and converted re-uploads inferred from the repository name (rules/reuploads.yaml).

An id under a re-upload organisation, or with a quantisation suffix, whose name without the suffixes is the name of
exactly one recorded base is judged as a ``quantized`` copy of that base: its licence finding says first that the
relation was inferred, is never stronger than ``uncertain`` nor than the base's own, and rests on a U source. A
record of the id itself wins; an unmatched or ambiguous name stays unknown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hflayout import cache_repo

from modelclear import cli
from modelclear.catalog import KnowledgeBase
from modelclear.model import Confidence, Layer, Status
from modelclear.report import get
from modelclear.service import Question, Service, load_knowledge

AS_OF = dt.date(2026, 12, 8)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


def _check(service: Service, aid: str, jurisdiction: str = "JP", activity: str = "deploy") -> Any:
    question = Question(id=aid, jurisdictions=(jurisdiction,), activity=activity, purpose="commercial", as_of=AS_OF)
    return service.check(question)


@pytest.mark.parametrize(("aid", "base", "license_id"), [
    ("hf:TheBloke/Llama-2-7B-Chat-GPTQ", "hf:meta-llama/Llama-2-7b-chat-hf", "llama2"),
    ("hf:TheBloke/Mistral-7B-Instruct-v0.2-AWQ", "hf:mistralai/Mistral-7B-Instruct-v0.2", "Apache-2.0"),
    ("hf:bartowski/Qwen2.5-7B-Instruct-GGUF", "hf:Qwen/Qwen2.5-7B-Instruct", "Apache-2.0"),
    ("hf:mlx-community/Mistral-7B-Instruct-v0.3-4bit", "hf:mistralai/Mistral-7B-Instruct-v0.3", "Apache-2.0"),
    ("hf:mradermacher/Qwen2.5-72B-Instruct-i1-GGUF", "hf:Qwen/Qwen2.5-72B-Instruct", "qwen"),
    ("hf:someone/Llama-2-7b-chat-hf-GPTQ", "hf:meta-llama/Llama-2-7b-chat-hf", "llama2"),  # a suffix, any organisation
])
def test_a_reupload_is_a_quantized_copy_of_its_base(kb: KnowledgeBase, aid: str, base: str, license_id: str) -> None:
    art = kb.artifact(aid)
    assert art is not None and art.origin == "inferred"
    assert art.license == license_id
    assert [(r.target, r.relation) for r in art.base_models] == [(base, "quantized")]
    assert [s.confidence for s in art.sources] == [Confidence.UNCERTAIN]
    assert art.license_note is not None and f"a re-upload of {base}" in art.license_note.en


@pytest.mark.parametrize("aid", [
    "hf:TheBloke/Nonexistent-Foo-13B-GGUF",  # no base of that name
    "hf:unsloth/c4ai-command-r7b-12-2024-bnb-4bit",  # two families (CohereForAI, CohereLabs) vouch for that name
    "hf:someone/Llama-2-7b-chat-hf",  # no suffix, not a re-upload organisation
    "hf:TheBloke/GGUF",  # nothing left once the suffix is removed
])
def test_unmatched_or_ambiguous_names_stay_unknown(kb: KnowledgeBase, aid: str) -> None:
    assert kb.artifact(aid) is None
    assert kb.canonical(aid) is None


def test_a_record_of_the_id_itself_wins(kb: KnowledgeBase) -> None:
    art = kb.artifact("hf:TheBloke/Llama-2-7B-Chat-GGUF")
    assert art is not None and art.origin == "bundled"
    assert any(s.confidence is Confidence.VERIFIED for s in art.sources)


def test_the_licence_finding_says_it_was_inferred_and_is_at_most_uncertain(service: Service) -> None:
    report = _check(service, "hf:TheBloke/Llama-2-7B-Chat-GPTQ")
    a = report.assessments[0]
    licence = next(f for f in a.layers if f.layer is Layer.LICENSE)
    assert licence.status is Status.UNCERTAIN and licence.weakest is Confidence.UNCERTAIN
    assert a.verdict is Status.UNCERTAIN and a.license_in_force == "llama2"
    text = get("text").render(report)
    licence_part = text.split("Licence: uncertain", 1)[1]
    assert licence_part.lstrip().startswith(
        "• Inferred from the repository name: a re-upload of hf:meta-llama/Llama-2-7b-chat-hf (gptq)")
    assert "Llama 2 Community License Agreement" in licence_part
    ja = get("text").render(dataclasses.replace(report, lang="ja"))
    assert "リポジトリ名からの推定: hf:meta-llama/Llama-2-7b-chat-hf の再アップロード" in ja


@pytest.mark.parametrize(("aid", "base", "jurisdiction", "activity"), [
    ("hf:TheBloke/Llama-2-7B-Chat-GPTQ", "hf:meta-llama/Llama-2-7b-chat-hf", "JP", "deploy"),
    ("hf:bartowski/Qwen2.5-3B-Instruct-GGUF", "hf:Qwen/Qwen2.5-3B-Instruct", "US", "serve"),
    ("hf:Xenova/musicgen-small-onnx", "hf:facebook/musicgen-small", "JP", "deploy"),
    ("hf:TheBloke/Mistral-7B-Instruct-v0.2-AWQ", "hf:mistralai/Mistral-7B-Instruct-v0.2", "DE", "distribute"),
])
def test_never_stronger_than_the_base(service: Service, aid: str, base: str, jurisdiction: str, activity: str) -> None:
    copy = _check(service, aid, jurisdiction, activity).assessments[0]
    original = _check(service, base, jurisdiction, activity).assessments[0]
    assert copy.verdict.severity >= original.verdict.severity
    assert copy.verdict.severity >= Status.UNCERTAIN.severity
    assert copy.license_in_force == original.license_in_force


def test_the_cli_states_the_inference(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "hf:TheBloke/Llama-2-7B-Chat-GPTQ", "-j", "JP"])
    out = capsys.readouterr().out
    assert "Inferred from the repository name: a re-upload of hf:meta-llama/Llama-2-7b-chat-hf" in " ".join(out.split())
    assert "Licence in force: llama2" in out
    assert "Verdict: uncertain" in out
    assert code != 1  # not "prohibited"


def test_a_card_in_the_hf_cache_comes_before_the_inference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "hub"
    card = "---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-chat-hf\n---\n# A GPTQ copy\n"
    cache_repo(cache, "TheBloke/Llama-2-7B-Chat-GPTQ", {"README.md": card, "config.json": "{}"})
    cli.main(["check", "hf:TheBloke/Llama-2-7B-Chat-GPTQ", "-j", "JP", "--hf-cache", str(cache)])
    out = " ".join(capsys.readouterr().out.split())
    assert "Inferred from the repository name" not in out
    assert "Licence in force: MIT" in out
