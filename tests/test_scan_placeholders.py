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
