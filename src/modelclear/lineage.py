"""The lineage stage: the provenance graph of an artifact (base models and training datasets).

Follows ``upstream`` relations recursively through the catalog. Missing records become nodes
without an artifact; a node already on the current path is marked as a cycle and not expanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from modelclear.model import Artifact, LineageNode

MAX_DEPTH = 12


class Lookup(Protocol):
    """Anything that finds an artifact by id (the catalog)."""

    def get(self, artifact_id: str) -> Artifact | None:
        """The artifact for an id or alias, or ``None``."""
        ...


def build(artifact_id: str, catalog: Lookup, relation: str = "self", max_depth: int = MAX_DEPTH) -> LineageNode:
    """The lineage tree rooted at ``artifact_id``."""
    return _build(artifact_id, catalog, relation, (), max_depth)


def _build(artifact_id: str, catalog: Lookup, relation: str, path: tuple[str, ...], depth: int) -> LineageNode:
    artifact = catalog.get(artifact_id)
    node_id = artifact.id if artifact else artifact_id
    key = node_id.lower()
    if key in path:
        return LineageNode(id=node_id, relation=relation, artifact=artifact, cycle=True)
    if artifact is None or depth <= 0:
        return LineageNode(id=node_id, relation=relation, artifact=artifact)
    children = tuple(
        _build(rel.target, catalog, rel.relation, (*path, key), depth - 1) for rel in artifact.upstream
    )
    return LineageNode(id=node_id, relation=relation, artifact=artifact, children=children)


def walk(node: LineageNode, depth: int = 0) -> Iterator[tuple[int, LineageNode]]:
    """Depth-first (depth, node) pairs, root first."""
    yield depth, node
    for child in node.children:
        yield from walk(child, depth + 1)


def nodes(node: LineageNode) -> list[LineageNode]:
    """Every distinct node below the root (first occurrence of each id), excluding cycle markers."""
    seen: set[str] = {node.id.lower()}
    out: list[LineageNode] = []
    for _, child in walk(node):
        if child is node or child.cycle or child.id.lower() in seen:
            continue
        seen.add(child.id.lower())
        out.append(child)
    return out
