"""Placeholder Hub ids from docs and tutorials (issues 10 and 11): one dynamic load to review, never an artifact."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.placeholders import is_doc_path, placeholder_reason, rules
from modelclear.scan.python import scan_python_source


def refs(source: str, path: str = "m.py") -> list[Reference]:
    out = scan_python_source(textwrap.dedent(source), path, ScanContext(root=Path("/nonexistent-root")))
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return [r for r in out if isinstance(r, Reference)]


PLACEHOLDERS = [
    ('AutoModelForSequenceClassification.from_pretrained("username/my_awesome_model")', "username"),
    ('AutoModelForSequenceClassification.from_pretrained("your-username/distilbert-imdb")', "your-username"),
    ('AutoModelForSequenceClassification.from_pretrained("your_hf_username/model")', "your_hf_username"),
    ('AutoModelForSequenceClassification.from_pretrained("<user>/<model>")', "<user>"),
    ('AutoModelForSequenceClassification.from_pretrained("YOUR_ORG/llama-ft")', "YOUR_ORG"),
    ('AutoModelForSequenceClassification.from_pretrained("my-org/classifier")', "my-org"),
    ('AutoModelForSequenceClassification.from_pretrained("user/model-name")', "user"),
    ('AutoModelForSequenceClassification.from_pretrained("owner/repo")', "owner"),
    ('AutoModelForSequenceClassification.from_pretrained("meta-llama/<model>")', "<model>"),
    ('pipeline("text-generation", model="your-org/your-model")', "your-org"),
    ('load_dataset("my_org/my_dataset")', "my_org"),
    ('load_dataset("username/my_awesome_dataset", split="train")', "username"),
]


@pytest.mark.parametrize(("call", "word"), PLACEHOLDERS)
def test_placeholder_is_one_dynamic_load_not_an_artifact(call: str, word: str) -> None:
    source = f"""
        from transformers import AutoModelForSequenceClassification, pipeline
        from datasets import load_dataset

        model = {call}
    """
    found = refs(source)
    assert len(found) == 1, found
    ref = found[0]
    assert ref.id is None
    assert ref.path == "m.py" and ref.line == 5
    assert "placeholder" in ref.note and word in ref.note and "dynamic load" in ref.note
    assert ref.confidence == "low"
    assert word in ref.raw or word in ref.evidence


REAL = ["openai/whisper-large-v3", "facebook/opt-125m", "user-org/x", "username-real/bert", "BAAI/bge-small-en",
        "THUDM/chatglm3-6b", "myorganization-ai/model", "yourtts/model", "stevhliu/my_awesome_model",
        "bert-base-uncased"]


@pytest.mark.parametrize("hub_id", REAL)
def test_real_ids_stay_artifacts(hub_id: str) -> None:
    found = refs(f"""
        from transformers import AutoModel
        m = AutoModel.from_pretrained("{hub_id}")
    """)
    assert [r.id for r in found] == [f"hf:{hub_id}"]


def test_awesome_names_are_placeholders_only_in_documentation() -> None:
    source = """
        from transformers import AutoModel
        m = AutoModel.from_pretrained("stevhliu/my_awesome_model")
    """
    assert [r.id for r in refs(source, "train.py")] == ["hf:stevhliu/my_awesome_model"]
    assert [r.id for r in refs(source, "notebooks/explore.ipynb")] == ["hf:stevhliu/my_awesome_model"]
    for doc in ("docs/source/en/tasks/x.py", "README.md", "tutorials/finetune.ipynb", "transformers_doc/en/qa.ipynb"):
        found = refs(source, doc)
        assert [r.id for r in found] == [None], doc
        assert "my_awesome_model" in found[0].note and "documentation" in found[0].note


def test_placeholder_among_real_values_keeps_the_real_id_and_reports_once() -> None:
    found = refs("""
        from transformers import AutoModel
        name = "gpt2" if fast else "username/my_awesome_model"
        other = "owner/repo" if fast else "user/model"
        a = AutoModel.from_pretrained(name)
        b = AutoModel.from_pretrained(other)
    """)
    by_line = sorted((r.line, r.id or "") for r in found)
    assert by_line == [(5, ""), (5, "hf:gpt2"), (6, "")], by_line
    assert all(r.raw in ("name", "other") for r in found if r.id is None)


def test_a_namespace_less_awesome_name_is_a_placeholder_anywhere() -> None:
    found = refs("""
        from transformers import AutoModelForQuestionAnswering
        m = AutoModelForQuestionAnswering.from_pretrained("my_awesome_qa_model")
    """, "train.py")
    assert [r.id for r in found] == [None] and "my_awesome_qa_model" in found[0].note


def test_table_entries_have_notes_and_doc_paths() -> None:
    r = rules()
    assert {"user", "username", "owner"} <= r.namespaces
    assert "org" in r.doc_namespaces and "openai" not in r.namespaces and "facebook" not in r.namespaces
    assert is_doc_path("docs/a.py") and is_doc_path("README.md") and not is_doc_path("src/train.py")
    assert placeholder_reason("hf:org/model", True) and not placeholder_reason("hf:org/model", False)
    assert placeholder_reason("hf:username/x", False) and not placeholder_reason("github:username/x", False)
    assert placeholder_reason("hf:HF_USERNAME/x", False) and not placeholder_reason("hf:BAAI/x", False)


# ------------------------------------------------------------------ ids from shell, configs, deployment and URLs


def scan_tree(root: Path, files: dict[str, str]) -> list[Reference]:
    from modelclear.scan import ScanOptions, scan_path

    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = scan_path(root, ScanOptions(jobs=1))
    return [r for r in result.references if r.kind is None or r.kind.value != "package"]


def test_placeholders_outside_python_are_dynamic_loads_and_real_ids_stay(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": ["!huggingface-cli download your-username/phi-ft --local-dir ckpt\n",
                                      "!huggingface-cli download Qwen/Qwen2.5-0.5B --local-dir base\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    import json

    found = scan_tree(tmp_path, {
        "scripts/push.sh": """
            #!/bin/bash
            huggingface-cli download your-org/llama-sft --local-dir out/sft
            huggingface-cli download meta-llama/Llama-3.2-1B --local-dir out/base
            """,
        "recipes/sft.yaml": """
            model_name_or_path: meta-llama/Llama-3.2-1B
            hub_model_id: username/my_awesome_model
            dataset_mixture:
              datasets:
                - id: your-hf-username/chat-data
                - id: HuggingFaceH4/ultrachat_200k
            """,
        "docker-compose.yml": """
            services:
              worker:
                image: ghcr.io/huggingface/text-generation-inference:2.4
                environment:
                  - MODEL_ID=${MODEL_ID:-your-username/your-model}
            """,
        "tools/fetch.txt": "https://huggingface.co/my-org/classifier/resolve/main/model.safetensors\n",
        "train.ipynb": json.dumps(notebook),
    })
    ids = {(r.path, r.id) for r in found}
    assert ("scripts/push.sh", "hf:meta-llama/Llama-3.2-1B") in ids
    assert ("recipes/sft.yaml", "hf:meta-llama/Llama-3.2-1B") in ids
    assert ("recipes/sft.yaml", "hf-dataset:HuggingFaceH4/ultrachat_200k") in ids
    assert ("train.ipynb", "hf:Qwen/Qwen2.5-0.5B") in ids
    words = ("your-org", "username", "your-hf-username", "your-username", "my-org", "<user>")
    assert not [r for r in found if r.id and any(w in r.id for w in words)], found
    dynamic = {(r.path, r.line) for r in found if r.id is None and "placeholder Hub id" in r.note}
    assert ("scripts/push.sh", 2) in dynamic
    assert ("recipes/sft.yaml", 5) in dynamic
    assert ("docker-compose.yml", 5) in dynamic
    assert ("tools/fetch.txt", 1) in dynamic
    assert any(path == "train.ipynb" for path, _ in dynamic)


@pytest.mark.parametrize("name", ["text-classification", "zero-shot-classification", "translation_en_to_fr",
                                  "PATH-TO-LORA", "path_to_model", "some-model", "dummy", "fake_tokenizer"])
def test_task_names_and_stand_ins_without_a_namespace_are_no_hub_ids(name: str) -> None:
    # a pipeline task that reaches a model parameter through a wrapper (txtai's HFPipeline(task, path)), a
    # config's PATH-TO-LORA, a test's "some-model": bare, none of them is one of the Hub's early canonical models
    assert placeholder_reason(f"hf:{name}", doc=False)
    found = refs(f"""
        from transformers import AutoModel
        m = AutoModel.from_pretrained("{name}")
    """, "serve.py")
    assert [r.id for r in found] == [None] and name in found[0].note


@pytest.mark.parametrize("hub_id", ["nlptown/text-classification", "gpt2", "distilgpt2", "t5-small", "ner-org/model",
                                    "dslim/bert-base-NER", "someone-real/dummy-model"])
def test_real_names_near_task_names_and_stand_ins_stay_ids(hub_id: str) -> None:
    assert not placeholder_reason(f"hf:{hub_id}", doc=False)
