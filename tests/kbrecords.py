"""Helpers for tests that read records of the bundled knowledge."""

from __future__ import annotations

from modelclear.catalog import KnowledgeBase
from modelclear.model import Confidence


def best_confidence(kb: KnowledgeBase, aid: str) -> Confidence:
    """The strongest confidence among the sources of artifact ``aid`` (which must be recorded)."""
    art = kb.artifact(aid)
    assert art is not None, aid
    return max((s.confidence for s in art.sources), key=lambda c: c.rank)
