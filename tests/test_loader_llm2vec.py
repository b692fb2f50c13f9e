"""LLM2Vec text encoders (issue 10, cause 7): LLM2Vec.from_pretrained's base model, positional or by
keyword, as retrieval evaluation scripts and wrappers write it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source


def found(source: str) -> list[tuple[int, str | None]]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source).lstrip("\n"), "retrieval/llm2vec_eval.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return sorted((r.line, r.id) for r in out if isinstance(r, Reference) and r.id)


def test_base_model_positional_keyword_and_through_a_wrapper() -> None:
    got = found('''
        import importlib.util

        from llm2vec import LLM2Vec

        if importlib.util.find_spec("llm2vec") is not None:
            from llm2vec import LLM2Vec as LLM2VecOriginal

        l2v = LLM2Vec.from_pretrained(
            "McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp",
            peft_model_name_or_path="McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp-supervised",
        )


        class DenseEncoder:
            def __init__(self, model_path: str = None, peft_model_path: str = None):
                self.model = LLM2VecOriginal.from_pretrained(
                    base_model_name_or_path=model_path, peft_model_name_or_path=peft_model_path)


        encoder = DenseEncoder(model_path="McGill-NLP/LLM2Vec-Meta-Llama-3-8B-Instruct-mntp")
        ''')
    assert (8, "hf:McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp") in got
    assert (16, "hf:McGill-NLP/LLM2Vec-Meta-Llama-3-8B-Instruct-mntp") in got  # the load, from the caller's value
    assert (20, "hf:McGill-NLP/LLM2Vec-Meta-Llama-3-8B-Instruct-mntp") in got  # the caller
    assert "hf:McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp-supervised" not in {i for _, i in got}
