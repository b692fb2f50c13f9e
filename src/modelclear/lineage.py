"""The lineage stage: the provenance graph of an artifact (base models and training datasets).

Follows ``upstream`` relations through the catalog and builds a DAG: each distinct artifact id is
resolved once and becomes one set of children shared by every path that reaches it, so the work is
linear in distinct artifacts and edges however many paths there are (a "diamond" of fine-tunes
merging the same bases has exponentially many).

- The depth bound holds for every path: a node that some path reaches :data:`MAX_DEPTH` steps from
  the root is kept but not expanded. :data:`MAX_NODES` and :data:`MAX_EDGES` bound the size. A node
  whose upstream was cut by a bound is marked ``truncated``; :func:`truncated` lists them for a note.
- A missing record is a node without an artifact.
- An edge that closes a cycle (a back edge of the depth-first order from the root) becomes a
  ``cycle`` marker node that is not expanded.

Rendering: :func:`occurrences` visits the graph as a tree in which each node is expanded once, at the
edge from its breadth-first parent (so the drawn depth is its shortest distance); any other edge to a
node with upstream of its own is a reference (``repeat``) to that expansion. Every edge appears once,
so every path stays readable while the output is linear in nodes and edges.

A run (one ``check``, or every artifact of a ``scan``) asks for its lineage once: :func:`forest`
builds a :class:`Forest`, the DAG of every root and of every artifact upstream of one (each is judged
on its own lineage), with each distinct id resolved once. Where an artifact's whole upstream is within
the bounds and has no cycle, its DAG is the same objects as in the DAGs of everything built on it, so a
knowledge base of fine-tune chains costs one node per artifact; any other artifact gets its own
:func:`build`. Either way the DAG of an artifact is exactly what :func:`build` gives for it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from modelclear.model import Artifact, LineageNode

#: Nodes further than this from the root (shortest distance) are not expanded.
MAX_DEPTH = 12
#: At most this many distinct artifacts in one lineage.
MAX_NODES = 5000
#: At most this many edges in one lineage.
MAX_EDGES = 50000


class Lookup(Protocol):
    """Anything that finds an artifact by id (the catalog)."""

    def get(self, artifact_id: str) -> Artifact | None:
        """The artifact for an id or alias, or ``None``."""
        ...


@dataclass
class Resolver:
    """A lookup that asks the catalog once per id (case-insensitive) and counts the questions."""

    catalog: Lookup
    resolutions: int = 0
    _found: dict[str, Artifact | None] = field(default_factory=dict, repr=False)

    def get(self, artifact_id: str) -> Artifact | None:
        """The artifact for ``artifact_id`` (asked of the catalog the first time only)."""
        key = artifact_id.lower()
        found = self._found.get(key)
        if found is None and key not in self._found:  # (None is an answer too: no record)
            self.resolutions += 1
            key = _low(artifact_id, key)
            found = self._found[key] = self.catalog.get(artifact_id)
        return found


def _low(text: str, lowered: str) -> str:
    """``lowered`` (``text.lower()``), as the very string ``text`` when they are equal: a key kept by a table
    of the run is then no second copy of an id that is lower-case already."""
    return text if lowered == text else lowered


@dataclass
class _Info:
    id: str
    artifact: Artifact | None
    depth: int
    edges: list[tuple[str, str]] = field(default_factory=list)  # (relation, child key)
    truncated: bool = False


def build(artifact_id: str, catalog: Lookup, relation: str = "self", max_depth: int = MAX_DEPTH, *,
          max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES) -> LineageNode:
    """The lineage DAG rooted at ``artifact_id`` (shared sub-graphs are the same objects).

    ``catalog`` may be a :class:`Resolver`, so that several lineages share one resolution per id.
    """
    resolver = catalog if isinstance(catalog, Resolver) else Resolver(catalog)
    root_art = resolver.get(artifact_id)
    root_key = (root_art.id if root_art else artifact_id).lower()
    info = {root_key: _Info(root_art.id if root_art else artifact_id, root_art, 0)}
    queue = deque([root_key])
    edge_count = 0
    while queue:  # breadth first: each node's depth is its shortest distance from the root
        here = info[queue.popleft()]
        if here.artifact is None or not here.artifact.upstream:
            continue
        if here.depth >= max_depth:
            here.truncated = True
            continue
        for link in here.artifact.upstream:
            if edge_count >= max_edges:
                here.truncated = True
                break
            art = resolver.get(link.target)
            child_id = art.id if art else link.target
            key = child_id.lower()
            if key not in info:
                if len(info) >= max_nodes:
                    here.truncated = True
                    continue
                info[key] = _Info(child_id, art, here.depth + 1)
                queue.append(key)
            here.edges.append((link.relation, key))
            edge_count += 1
    cycle_edges, post_order = _depth_first(root_key, info)
    # The depth bound holds for every path, not only the shortest: in topological order, a node that
    # some path reaches at max_depth keeps no children (the nesting of the node objects, and anything
    # that walks them recursively, stays within the bound).
    longest = {root_key: 0}
    for key in reversed(post_order):
        here = info[key]
        if key not in longest or not here.edges:
            continue
        if longest[key] >= max_depth:  # (an edge that only closes a cycle is no upstream left unread)
            here.truncated = any((key, index) not in cycle_edges for index in range(len(here.edges)))
            here.edges = []
            continue
        for index, (_, child) in enumerate(here.edges):
            if (key, index) not in cycle_edges:
                longest[child] = max(longest.get(child, 0), longest[key] + 1)
    children: dict[str, tuple[LineageNode, ...]] = {}
    made: dict[tuple[str, str], LineageNode] = {}

    def node(key: str, rel: str) -> LineageNode:
        found = made.get((key, rel))
        if found is None:
            item = info[key]
            found = made[(key, rel)] = LineageNode(id=item.id, relation=rel, artifact=item.artifact,
                                                   children=children[key], truncated=item.truncated)
        return found

    for key in post_order:
        kids = []
        for index, (rel, child) in enumerate(info[key].edges):
            if (key, index) in cycle_edges:
                kids.append(LineageNode(id=info[child].id, relation=rel, artifact=info[child].artifact, cycle=True))
            else:
                kids.append(node(child, rel))
        children[key] = tuple(kids)
    return node(root_key, relation)


def _depth_first(root: str, info: dict[str, _Info]) -> tuple[set[tuple[str, int]], list[str]]:
    """One iterative depth-first walk: the back edges (parent key, edge index) that close a cycle, and
    the keys reachable without them in post-order (children before parents)."""
    on_path: set[str] = {root}
    seen: set[str] = {root}
    back: set[tuple[str, int]] = set()
    order: list[str] = []
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        key, index = stack[-1]
        edges = info[key].edges
        if index >= len(edges):
            stack.pop()
            on_path.discard(key)
            order.append(key)
            continue
        stack[-1] = (key, index + 1)
        child = edges[index][1]
        if child in on_path:
            back.add((key, index))
        elif child not in seen:
            seen.add(child)
            on_path.add(child)
            stack.append((child, 0))
    return back, order


@dataclass(frozen=True, slots=True)
class _Whole:
    """An artifact whose whole upstream lies within the bounds, without a cycle: one shared sub-DAG.

    ``nodes`` and ``edges`` are upper bounds (an artifact reached along two paths counts twice);
    ``missing`` maps the key of each artifact without a record in it to the id it is written as.
    """

    height: int
    nodes: int
    edges: int
    missing: Mapping[str, str]


_NO_MISSING: Mapping[str, str] = MappingProxyType({})
_LEAF = _Whole(0, 1, 0, _NO_MISSING)


class Forest:
    """The lineage DAGs of one run: every root's, and that of every artifact upstream of a root.

    Each distinct id is resolved once (one :class:`Resolver`). :meth:`graph` gives exactly the DAG
    :func:`build` gives for an artifact. An artifact whose whole upstream has no cycle, is at most
    ``max_depth`` deep and within the size bounds (upper bounds, paths counted) gets its DAG from
    shared node objects, found bottom-up: its children are the nodes of what it was built from, made
    once for the run. Any other artifact gets a :func:`build` of its own (counted in ``built``), and the
    artifacts of that DAG get theirs (not those further up: nothing is judged on them). The exploration
    that decides is bounded like a build: it stops ``max_depth`` steps from the artifact and when the
    bounds on size are passed.
    """

    def __init__(self, catalog: Lookup, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
                 max_edges: int = MAX_EDGES) -> None:
        """An empty forest over ``catalog`` (a :class:`Resolver` is shared, anything else wrapped)."""
        self.resolver = catalog if isinstance(catalog, Resolver) else Resolver(catalog)
        self.max_depth, self.max_nodes, self.max_edges = max_depth, max_nodes, max_edges
        self.built = 0
        self._art: dict[str, Artifact | None] = {}
        self._edges: dict[str, tuple[tuple[str, str, str], ...]] = {}  # key -> (relation, child key, child id)
        self._whole: dict[str, _Whole] = {}
        self._fails: dict[str, int] = {}  # key -> the largest depth budget it is known to fail under
        self._path: set[str] = set()
        self._rooted: set[str] = set()
        self._own: dict[str, LineageNode] = {}  # key -> a DAG built on its own
        self._cut: dict[str, list[LineageNode]] = {}
        self._nodes: dict[str, dict[str, LineageNode]] = {}  # relation -> id -> shared node (no key tuple per node)
        self._kids: dict[str, tuple[LineageNode, ...]] = {}

    def add(self, artifact_ids: Iterable[str]) -> None:
        """Build the DAGs of ``artifact_ids`` and of every artifact upstream of them (each once).

        Only the artifacts of a root's own DAG get theirs (they are judged on it), not those further up.
        """
        for artifact_id in artifact_ids:
            key = artifact_id.lower()
            if key in self._rooted:
                continue
            key = _low(artifact_id, key)
            self._rooted.add(key)
            self._ensure(artifact_id)
            own = self._own.get(key)
            if own is not None:  # a whole DAG holds whole DAGs only: all known already
                for node in nodes(own):
                    if node.artifact is not None:
                        self._ensure(node.id)

    def _ensure(self, artifact_id: str) -> None:
        """The DAG of one artifact: whole, else built on its own."""
        key = artifact_id.lower()
        if key in self._own or key in self._whole:
            return
        key = _low(artifact_id, key)
        if key not in self._art:
            self._art[key] = self.resolver.get(artifact_id)
        if self._whole_of(key, self.max_depth) is None:
            self._own[key] = self._canonical(build(artifact_id, self.resolver, max_depth=self.max_depth,
                                                   max_nodes=self.max_nodes, max_edges=self.max_edges))
            self.built += 1

    def _canonical(self, root: LineageNode) -> LineageNode:
        """The DAG ``root`` (a :func:`build`) with each node equal to a shared node of the run replaced by it.

        Bottom up: a node that is not cut, whose artifact's upstream is whole and whose children (made
        canonical) are the shared node's, is that shared node; a node some of whose children were replaced
        is made again with them. The DAG is the same value, but a cut DAG shares with the rest of the run
        every sub-DAG its bounds left whole (and what is found below those nodes is found once).
        """
        nodes_done: dict[int, LineageNode] = {}  # id() of a built node -> its canonical node (the build is held)
        kids_done: dict[int, tuple[LineageNode, ...]] = {}

        def canon(node: LineageNode) -> LineageNode:
            found = nodes_done.get(id(node))
            if found is not None:
                return found
            out = node
            if not node.cycle:
                kids = node.children
                made = kids_done.get(id(kids))
                if made is None:
                    fresh = tuple(canon(child) for child in kids)
                    made = kids_done[id(kids)] = kids if all(
                        a is b for a, b in zip(fresh, kids, strict=True)) else fresh
                if made is not kids:
                    out = LineageNode(id=node.id, relation=node.relation, artifact=node.artifact, children=made,
                                      truncated=node.truncated)
                key = node.id.lower()
                if not node.truncated and key in self._whole and len(made) == len(self._edges.get(key, ())) \
                        and all(child is self._nodes.get(child.relation, {}).get(child.id) for child in made):
                    shared = self._shared(key, node.id, node.relation)
                    if shared.id == node.id and shared.artifact is node.artifact and len(shared.children) == len(
                            made) and all(
                            a is b for a, b in zip(shared.children, made, strict=True)):
                        out = shared
            nodes_done[id(node)] = out
            return out

        return canon(root)

    def graph(self, artifact_id: str) -> LineageNode:
        """The DAG rooted at ``artifact_id`` (relation ``self``); ``KeyError`` if it was never added."""
        key = artifact_id.lower()
        own = self._own.get(key)
        if own is not None:
            return own
        if key not in self._whole:
            raise KeyError(artifact_id)
        art = self._art[key]
        return self._shared(key, art.id if art is not None else artifact_id, "self")

    def truncated(self, artifact_id: str) -> list[LineageNode]:
        """The distinct nodes of :meth:`graph` whose upstream was cut by a bound (see :func:`truncated`)."""
        key = artifact_id.lower()
        if key not in self._own:
            if key not in self._whole:
                raise KeyError(artifact_id)
            return []
        found = self._cut.get(key)
        if found is None:
            found = self._cut[key] = truncated(self._own[key])
        return found

    def __len__(self) -> int:
        """How many artifacts have a DAG (whole or built on their own)."""
        return len(self._whole.keys() | self._own.keys())

    # --- bottom-up: whole upstreams ---------------------------------------------------------------

    def _children(self, key: str) -> tuple[tuple[str, str, str], ...]:
        """The upstream links of ``key`` resolved: (relation, child key, child id), in record order."""
        found = self._edges.get(key)
        if found is None:
            art = self._art[key]
            out = []
            for link in art.upstream if art is not None else ():
                child = self.resolver.get(link.target)
                child_id = child.id if child is not None else link.target
                child_key = _low(child_id, child_id.lower())
                self._art.setdefault(child_key, child)
                out.append((link.relation, child_key, child_id))
            found = self._edges[key] = tuple(out)
        return found

    def _whole_of(self, key: str, budget: int) -> _Whole | None:
        """``key``'s upstream as one shared sub-DAG if it is at most ``budget`` deep, else ``None``."""
        found = self._whole.get(key)
        if found is not None:
            return found if found.height <= budget else None
        if self._fails.get(key, -1) >= budget:
            return None
        art = self._art[key]
        if art is None or not art.upstream:
            self._whole[key] = _LEAF
            return _LEAF
        if budget <= 0 or key in self._path:  # too deep from here, or a cycle through ``key``
            self._fails[key] = max(budget, self._fails.get(key, -1)) if budget <= 0 else self.max_depth
            return None
        self._path.add(key)
        try:
            parts = [(self._whole_of(child, budget - 1), child, child_id) for _, child, child_id in self._children(key)]
        finally:
            self._path.discard(key)
        whole = self._compose(parts)
        if whole is None:
            self._fails[key] = max(budget, self._fails.get(key, -1))
            return None
        self._whole[key] = whole
        return whole

    def _compose(self, parts: list[tuple[_Whole | None, str, str]]) -> _Whole | None:
        """The whole of an artifact from its children's, or ``None`` when a child fails or a bound is passed."""
        height = n_nodes = 0
        missing: Mapping[str, str] = _NO_MISSING
        for whole, child, child_id in parts:
            if whole is None:
                return None
            height = max(height, whole.height + 1)
            n_nodes += whole.nodes
            extra = whole.missing if self._art[child] is not None else {child: child_id}
            if extra:
                merged = dict(missing)
                for k, spelled in extra.items():
                    if merged.setdefault(k, spelled) != spelled:
                        return None  # one missing artifact written two ways: a build names it as met first
                missing = merged
        n_edges = len(parts) + sum(w.edges for w, _, _ in parts if w is not None)
        if n_nodes + 1 > self.max_nodes or n_edges > self.max_edges:
            return None
        return _Whole(height, n_nodes + 1, n_edges, missing)

    def _shared(self, key: str, node_id: str, relation: str) -> LineageNode:
        """The shared node of a whole artifact under ``relation`` (its children made once for the run)."""
        by_id = self._nodes.get(relation)
        if by_id is None:
            by_id = self._nodes[relation] = {}
        found = by_id.get(node_id)
        if found is None:
            kids = self._kids.get(key)
            if kids is None:
                kids = self._kids[key] = tuple(self._shared(child, child_id, rel)
                                               for rel, child, child_id in self._edges.get(key, ()))
            found = by_id[node_id] = LineageNode(id=node_id, relation=relation, artifact=self._art[key], children=kids)
        return found


def forest(catalog: Lookup, artifact_ids: Iterable[str], *, max_depth: int = MAX_DEPTH,
           max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES) -> Forest:
    """The lineage of a run: the DAG of each of ``artifact_ids`` and of every artifact upstream of them."""
    out = Forest(catalog, max_depth=max_depth, max_nodes=max_nodes, max_edges=max_edges)
    out.add(artifact_ids)
    return out


def tree_edges(root: LineageNode) -> set[tuple[int, int]]:
    """The breadth-first spanning tree as (``id()`` of the parent node object, child index) pairs.

    Each node reached from ``root`` has exactly one such edge: the one under which it is expanded.
    """
    tree: set[tuple[int, int]] = set()
    seen: set[str] = {root.id.lower()}
    queue = deque([root])
    while queue:
        parent = queue.popleft()
        for index, child in enumerate(parent.children):
            key = child.id.lower()
            if child.cycle or key in seen:
                continue
            seen.add(key)
            tree.add((id(parent), index))
            queue.append(child)
    return tree


def occurrences(root: LineageNode) -> Iterator[tuple[int, LineageNode, bool]]:
    """Depth-first ``(depth, node, repeat)`` for every edge of the DAG, root first, each node expanded once.

    A node is expanded (its children follow) at the edge from its breadth-first parent. ``repeat`` is
    true for another edge to a node that has upstream of its own: it is drawn without children, as a
    reference to where it is expanded. Leaves and cycle markers are never repeats.
    """
    tree = tree_edges(root)
    stack: list[tuple[int, LineageNode, bool]] = [(0, root, False)]
    while stack:
        depth, node, repeat = stack.pop()
        yield depth, node, repeat
        if repeat or node.cycle:
            continue
        pending = []
        for index, child in enumerate(node.children):
            if (id(node), index) in tree:
                pending.append((depth + 1, child, False))
            else:
                pending.append((depth + 1, child, bool(child.children or child.truncated) and not child.cycle))
        stack.extend(reversed(pending))


def walk(node: LineageNode, depth: int = 0) -> Iterator[tuple[int, LineageNode]]:
    """Depth-first (depth, node) pairs, root first: every edge once, each node's children once.

    See :func:`occurrences`; a repeated node is yielded again but its children are not.
    """
    for d, n, _ in occurrences(node):
        yield depth + d, n


def nodes(node: LineageNode) -> list[LineageNode]:
    """Every distinct node below the root (first occurrence of each id), excluding cycle markers."""
    seen: set[str] = {node.id.lower()}
    out: list[LineageNode] = []
    stack = list(reversed(node.children))
    while stack:  # depth first, each node's children once: the order of a full walk of the tree
        child = stack.pop()
        if child.cycle:
            continue
        key = child.id.lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(child)
        stack.extend(reversed(child.children))
    return out


def truncated(node: LineageNode) -> list[LineageNode]:
    """The distinct nodes whose upstream was cut by a depth or size bound."""
    seen: set[str] = set()
    out: list[LineageNode] = []
    for _, child, _repeat in occurrences(node):
        key = child.id.lower()
        if child.truncated and key not in seen:
            seen.add(key)
            out.append(child)
    return out


def size(node: LineageNode) -> tuple[int, int]:
    """Distinct nodes and edges of the DAG below ``node`` (cycle markers count as edges)."""
    count = sum(1 for _ in occurrences(node))
    return len(nodes(node)) + 1, count - 1


def deciding_path(root: LineageNode, licence: str | None) -> tuple[str, ...]:
    """The ids from ``root`` to the nearest upstream artifact whose licence is ``licence`` (lower case).

    The path that decides which licence governs a derived model (issue 12): empty when ``licence`` is
    the root's own or no upstream artifact reached through base-model relations (not ``trained_on``) has it.
    Breadth first, so the path is a shortest one; cycle markers are not followed.
    """
    if not licence or (root.artifact is not None and (root.artifact.license or "").lower() == licence.lower()):
        return ()
    parent: dict[str, str | None] = {root.id.lower(): None}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for child in node.children:
            key = child.id.lower()
            if child.cycle or child.relation == "trained_on" or key in parent:
                continue
            parent[key] = node.id.lower()
            if child.artifact is not None and (child.artifact.license or "").lower() == licence.lower():
                path: list[str] = []
                step: str | None = key
                while step is not None:
                    path.append(step)
                    step = parent[step]
                return tuple(reversed(path))
            queue.append(child)
    return ()
