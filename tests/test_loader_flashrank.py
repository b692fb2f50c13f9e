"""FlashRank rerankers (issue 10, cause 7): flashrank's Ranker and LangChain's FlashrankRerank compressor,
as retrieval pipelines write them; each library's own default when no model is named."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source


def found(source: str) -> list[tuple[int, str | None, Kind | None]]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source).lstrip("\n"), "app/rerank.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return sorted((r.line, r.id, r.kind) for r in out if isinstance(r, Reference))


def test_ranker_and_langchain_compressor_with_and_without_a_model() -> None:
    got = found('''
        from flashrank import Ranker, RerankRequest
        from langchain.retrievers import ContextualCompressionRetriever
        from langchain_community.document_compressors import FlashrankRerank

        RERANKER = "ms-marco-MiniLM-L-12-v2"

        ranker = Ranker(model_name=RERANKER, cache_dir="/opt/models")
        tiny = Ranker(max_length=128)
        compressor = FlashrankRerank(model="rank-T5-flan", top_n=3)
        default_compressor = FlashrankRerank(top_n=5)
        request = RerankRequest(query="q", passages=[])
        ''')
    assert got == [
        (7, "flashrank:ms-marco-MiniLM-L-12-v2", Kind.MODEL),
        (8, "flashrank:ms-marco-TinyBERT-L-2-v2", Kind.MODEL),
        (9, "flashrank:rank-T5-flan", Kind.MODEL),
        (10, "flashrank:ms-marco-MultiBERT-L-12", Kind.MODEL),
    ]


def test_flashrank_ids_parse_and_a_path_is_not_a_name() -> None:
    assert ids.parse("flashrank:ms-marco-MiniLM-L-12-v2").id == "flashrank:ms-marco-MiniLM-L-12-v2"
    with pytest.raises(ids.IdError):
        ids.parse("flashrank:/mnt/models/x")
    got = found('''
        from flashrank import Ranker

        ranker = Ranker(model_name="/mnt/models/../secret dir")
        ''')
    assert [g[1] for g in got] == [None]  # a local directory is a dynamic load, never an id
