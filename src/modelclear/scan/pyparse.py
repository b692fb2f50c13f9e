"""Parse each Python source once per scan: syntax trees shared between scanners.

The Python scanner and the URL scanner both read a ``.py`` file's syntax tree. The runner gives every
scan a :class:`ParseCache` (``ScanContext.parses``); a scanner asks it for the tree of a file's text
and gets the tree another scanner already parsed from the same text, or parses it and keeps it.

A tree is reused only for the same key (the file's path) *and* the same source text, so a scanner
that decodes the bytes differently gets its own parse, never a tree of other text. Failures
(syntax errors, NUL bytes, nesting too deep) are not kept: each caller sees the exception itself.

Memory is bounded by a budget in characters of source held (trees take a roughly fixed multiple of
their source): the oldest trees are dropped first, and a source larger than the budget is parsed but
not kept. The runner also empties the cache after each file, so a worker holds the trees of the file
it is scanning and no more.
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from collections.abc import Iterator

__all__ = ["PARSE_CACHE_CHARS", "ParseCache", "nodes"]

#: Characters of source whose trees one cache keeps at most (the Python scanner's largest source).
PARSE_CACHE_CHARS = 8_000_000


class ParseCache:
    """Syntax trees by (key, source text), oldest dropped first beyond ``max_chars`` of source."""

    def __init__(self, max_chars: int = PARSE_CACHE_CHARS) -> None:
        self.max_chars = max_chars
        self.held = 0
        self.parsed = 0  # sources parsed (misses), for tests and measurements
        self._trees: OrderedDict[str, tuple[str, ast.Module]] = OrderedDict()

    def parse(self, key: str, source: str) -> ast.Module:
        """``ast.parse(source)``, reusing the tree kept for ``key`` when its source is the same text.

        Raises what :func:`ast.parse` raises (``SyntaxError``, ``ValueError``, ``RecursionError``, ...).
        """
        kept = self._trees.get(key)
        if kept is not None and kept[0] == source:
            self._trees.move_to_end(key)
            return kept[1]
        tree = ast.parse(source)
        self.parsed += 1
        self._keep(key, source, tree)
        return tree

    def kept(self, key: str, source: str) -> ast.Module | None:
        """The tree kept for ``key`` when it was parsed from exactly ``source``, else None (nothing is parsed)."""
        kept = self._trees.get(key)
        return kept[1] if kept is not None and kept[0] == source else None

    def offer(self, key: str, source: str, tree: ast.Module) -> None:
        """Keep ``tree``, parsed elsewhere from exactly ``source``, as the tree of ``key`` (not counted as parsed)."""
        self._keep(key, source, tree)

    def _keep(self, key: str, source: str, tree: ast.Module) -> None:
        """Hold ``tree`` under ``key`` (replacing what was there), then drop the oldest trees over the bound."""
        self._drop(key)
        if len(source) <= self.max_chars:
            self._trees[key] = (source, tree)
            self.held += len(source)
            while self.held > self.max_chars:
                self._drop(next(iter(self._trees)))

    def clear(self) -> None:
        """Forget every tree (the runner calls it when a file is done)."""
        self._trees.clear()
        self.held = 0

    def __len__(self) -> int:
        return len(self._trees)

    def _drop(self, key: str) -> None:
        kept = self._trees.pop(key, None)
        if kept is not None:
            self.held -= len(kept[0])


def nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree``, itself first (as :func:`ast.walk`, in another order, without a generator per node)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
