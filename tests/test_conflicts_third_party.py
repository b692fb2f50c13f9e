"""A third party's model whose card declares a licence its bases do not allow (issue 12 item 3).

The conflict finding of your own models reaches catalogued and cached Hub models too: in the licence
layer, citing the declaration and the base's licence. Its status is ``rules/acts.yaml``
``declared_licence_conflict_status.third_party``; a base of the same publisher is not a conflict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hflayout import cache_repo

from modelclear import cli
from modelclear.model import Layer, Status
from modelclear.service import Question, Service

LLAMA_TUNE = """---
license: mit
base_model: meta-llama/Llama-3.1-8B
base_model_relation: finetune
pipeline_tag: text-generation
---
# acme/llama-support
"""


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


def _licence(service: Service, artifact_id: str, activity: str = "deploy") -> tuple[Status, list[str], list[str], str]:
    report = service.check(Question(id=artifact_id, jurisdictions=("US",), activity=activity, purpose="commercial"))
    finding = report.assessments[0].layer(Layer.LICENSE)
    texts = [" | ".join(f"{k}={v}" for k, v in m.params.items()) for m in finding.reasons]
    return finding.status, [m.key for m in finding.reasons], texts, " ".join(c.url for c in finding.citations)


def test_bundled_adapter_declaring_mit_on_a_non_commercial_base(service: Service) -> None:
    status, keys, texts, urls = _licence(service, "hf:tloen/alpaca-lora-7b")
    assert keys[0] == "license.local_conflict", keys
    assert "declared=MIT License" in texts[0] and "an adapter" in texts[0], texts[0]
    assert "governing=LLaMA" in texts[0] or "governing=Llama" in texts[0], texts[0]
    assert status in (Status.PROHIBITED, Status.UNCERTAIN)
    assert "huggingface.co/tloen/alpaca-lora-7b" in urls  # the declaration's source, then the base licence's


def test_a_base_of_the_same_publisher_is_no_conflict(service: Service) -> None:
    _, keys, _, _ = _licence(service, "hf:deepseek-ai/DeepSeek-R1")
    assert "license.local_conflict" not in keys


def test_cached_card_declaring_mit_on_llama_conflicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "hub"
    cache_repo(cache, "acme/llama-support", {"README.md": LLAMA_TUNE})
    cli.main(["check", "hf:acme/llama-support", "-j", "US", "-a", "deploy", "--hf-cache", str(cache),
              "--format", "json", "--no-policy"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["artifact"]["origin"] == "hf-cache" and doc["artifact"]["license"] == "MIT"
    layer = next(f for f in doc["layers"] if f["layer"] == "license")
    first = layer["reasons"][0]
    assert first["code"] == "license.local_conflict", layer["reasons"]
    assert "https://huggingface.co/acme/llama-support card: license = mit" in first["text"]
    assert "Llama 3.1 Community License" in first["text"]
    assert layer["status"] == "uncertain"  # the third-party status of rules/acts.yaml
    cited = [c["url"] for c in layer["citations"]]
    assert cited[0] == "https://huggingface.co/acme/llama-support" and any("llama" in u for u in cited[1:])


def test_cached_card_declaring_the_base_licence_is_no_conflict(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "hub"
    cache_repo(cache, "acme/llama-support", {"README.md": LLAMA_TUNE.replace("license: mit", "license: llama3.1")})
    cli.main(["check", "hf:acme/llama-support", "-j", "US", "-a", "deploy", "--hf-cache", str(cache),
              "--format", "json", "--no-policy"])
    doc = json.loads(capsys.readouterr().out)
    layer = next(f for f in doc["layers"] if f["layer"] == "license")
    assert "license.local_conflict" not in [r["code"] for r in layer["reasons"]]


def test_the_notice_card_says_the_declaration_cannot_be_granted(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["notice", "hf:tloen/alpaca-lora-7b", "-j", "US", "-a", "distribute"])
    card = capsys.readouterr().out.split("==> MODEL_CARD_LICENSE.md <==\n", 1)[1]
    assert "- The release declares MIT License (`https://huggingface.co/tloen/alpaca-lora-7b/" in card
    assert "- MIT License cannot be granted for what derives from LLaMA (v1) non-commercial" in card
    cli.main(["notice", "hf:mistralai/Mistral-7B-v0.1", "-j", "US", "-a", "distribute"])
    assert "declares" not in capsys.readouterr().out  # no conflict: a third party's declaration is not repeated
