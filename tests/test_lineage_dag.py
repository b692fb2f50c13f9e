"""Lineage as a DAG (issue 8): each distinct artifact resolved and judged once, every path still shown.

The cards are real files in a Hugging Face cache layout written at test time (as in
``test_hf_cache_e2e``): a 14 × 4 "diamond" (each card names all four cards of the next level as base
models: 4^13 paths) and a 10,000-card fine-tune chain scanned with ``scan --hf-cache``. The tests count
work (catalog resolutions, judgements, lineage nodes and edges); the wall-clock bounds are only a
generous safety net.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hflayout import cache_repo

from modelclear import api, assess, cli, lineage
from modelclear.catalog import Catalog
from modelclear.catalog.sources import HFCacheSource
from modelclear.model import Artifact

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "report" / "schema"
LEVELS, WIDTH = 14, 4


def _card(repo_id: str, bases: list[str]) -> str:
    lines = ["---", "license: apache-2.0"]
    if bases:
        lines += ["base_model:", *(f"- {b}" for b in bases), "base_model_relation: finetune"]
    return "\n".join([*lines, "pipeline_tag: text-classification", "---", f"# {repo_id}", ""])


def _cache_repo(cache: Path, repo_id: str, text: str) -> None:
    cache_repo(cache, repo_id, {"README.md": text})


def _diamond(cache: Path) -> list[list[str]]:
    grid = [[f"dag/d{level}-{i}" for i in range(WIDTH)] for level in range(LEVELS)]
    for level, row in enumerate(grid):
        for repo_id in row:
            _cache_repo(cache, repo_id, _card(repo_id, grid[level + 1] if level + 1 < LEVELS else []))
    return grid


@dataclass
class CountingCatalog(Catalog):
    """The real catalog, counting the ids lineage asks for (and stopping a runaway walk early)."""

    asked: Counter[str] = field(default_factory=Counter)

    def get(self, artifact_id: str) -> Artifact | None:
        """Count, then look up as usual."""
        self.asked[artifact_id.lower()] += 1
        if sum(self.asked.values()) > 10_000:
            raise AssertionError("the lineage walk asked the catalog more than 10,000 times")
        return super().get(artifact_id)


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Every judgement made (artifact id, activity), through the real judge."""
    seen: Counter[tuple[str, str]] = Counter()
    real = assess._judge

    def counting(kb: Any, ref: Any, artifact: Artifact, scenario: Any, *rest: Any) -> Any:
        seen[(artifact.id.lower(), scenario.activity.value)] += 1
        if sum(seen.values()) > 50_000:
            raise AssertionError("more than 50,000 judgements")
        return real(kb, ref, artifact, scenario, *rest)

    monkeypatch.setattr(assess, "_judge", counting)
    return seen


def _expected_edges(grid: list[list[str]], levels: int) -> set[tuple[str, str]]:
    """(parent, child) ids of the diamond down to ``levels`` steps from ``hf:dag/d0-0``."""
    edges = {("hf:dag/d0-0", f"hf:{b}") for b in grid[1]}
    for level in range(1, levels):
        edges |= {(f"hf:{a}", f"hf:{b}") for a in grid[level] for b in grid[level + 1]}
    return edges


def test_diamond_resolves_and_judges_each_artifact_once(tmp_path: Path, judged: Counter[tuple[str, str]]) -> None:
    cache = tmp_path / "hub"
    grid = _diamond(cache)
    kb = api.load_knowledge()
    catalog = CountingCatalog(kb=kb, sources=[HFCacheSource(kb, cache_dir=cache)])
    started = time.perf_counter()
    a = api.check("hf:dag/d0-0", "JP", "deploy", "commercial", catalog=catalog, lock=False)  # this catalog, as given
    assert time.perf_counter() - started < 10  # safety net only; the counts below are the test
    depth = lineage.MAX_DEPTH
    in_graph = {"hf:dag/d0-0"} | {f"hf:{r}".lower() for row in grid[1:depth + 1] for r in row}
    # Each id is resolved once: the root's graph reaches level 12; the graphs the upstream artifacts are
    # judged on (each its own lineage, bounded the same way) reach level 13.
    assert max(catalog.asked.values()) == 1
    assert set(catalog.asked) == in_graph | {f"hf:{r}" for r in grid[depth + 1]}
    # Each distinct artifact of the lineage is judged once; the upstream list holds each once.
    assert set(judged) == {(i, "deploy") for i in in_graph} and max(judged.values()) == 1
    assert len(a.upstream) == len(in_graph) - 1 == 48
    assert len({u.ref.id.lower() for u in a.upstream}) == 48
    assert a.verdict.value == "allowed"
    # The DAG: 49 nodes and 4 + 11 × 16 edges; the bound cuts level 12, and a note says so.
    assert lineage.size(a.lineage) == (49, 4 + 11 * WIDTH * WIDTH)
    assert {n.id for n in lineage.truncated(a.lineage)} == {f"hf:{r}" for r in grid[depth]}
    assert any(m.key == "note.lineage_truncated" for m in a.notes)
    # Every edge is drawn exactly once; each node's children are expanded once.
    drawn: list[tuple[str, str]] = []
    expanded: Counter[str] = Counter()
    path: list[str] = []
    for d, node, repeat in lineage.occurrences(a.lineage):
        del path[d:]
        if path:
            drawn.append((path[-1], node.id))
        if node.children and not repeat:
            expanded[node.id] += 1
        path.append(node.id)
    assert len(drawn) == len(set(drawn)) and set(drawn) == _expected_edges(grid, depth)
    assert max(expanded.values()) == 1
    assert max(d for d, _ in lineage.walk(a.lineage)) <= depth


def _lineage_nodes(tree: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    out: list[tuple[str | None, dict[str, Any]]] = []
    stack: list[tuple[str | None, dict[str, Any]]] = [(None, tree)]
    while stack:
        parent, node = stack.pop()
        out.append((parent, node))
        stack += [(node["id"], c) for c in node["children"]]
    return out


def test_diamond_check_cli_shows_every_path_once(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    grid = _diamond(cache)
    out = tmp_path / "check.json"
    exe = Path(sys.executable).with_name("modelclear")
    cmd = [str(exe), "check", "hf:dag/d0-0", "-j", "JP", "--hf-cache", str(cache), "--format", "json",
           "--no-policy", "-o", str(out)]
    # A child process with a timeout: before the lineage was a DAG this ran for minutes and gigabytes.
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((SCHEMAS / "check-1.json").read_text(encoding="utf-8"))
    assert [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)] == []
    nodes = _lineage_nodes(doc["lineage"])
    edges = [(parent, n["id"]) for parent, n in nodes if parent is not None]
    assert len(edges) == len(set(edges)) and set(edges) == _expected_edges(grid, lineage.MAX_DEPTH)
    expanded = Counter(n["id"] for _, n in nodes if n["children"])
    assert max(expanded.values()) == 1 and len(expanded) == 1 + 11 * WIDTH
    refs = [n for _, n in nodes if n.get("ref")]
    assert len(refs) == len(edges) - 48 and all(not n["children"] for n in refs)
    assert sum(1 for _, n in nodes if n.get("truncated") and not n.get("ref")) == WIDTH
    assert len(doc["upstream"]) == 48 == len({u["artifact"]["id"] for u in doc["upstream"]})
    assert any(n["code"] == "note.lineage_truncated" for n in doc["notes"])


def test_diamond_text_report_marks_shared_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                judged: Counter[tuple[str, str]]) -> None:
    cache = tmp_path / "hub"
    _diamond(cache)
    cli.main(["check", "hf:dag/d0-0", "-j", "JP", "--hf-cache", str(cache), "--no-policy"])
    text = capsys.readouterr().out
    assert max(judged.values()) == 1
    assert text.count("(shared") == 4 + 11 * WIDTH * WIDTH - 48
    assert "(upstream not followed" in text


def test_chain_of_10000_cached_cards_scans(tmp_path: Path, judged: Counter[tuple[str, str]]) -> None:
    n = 10_000
    cache = tmp_path / "hub"
    chain = [f"chain/c{i}" for i in range(n)]
    for i, repo_id in enumerate(chain):
        _cache_repo(cache, repo_id, _card(repo_id, chain[i + 1:i + 2]))
    project = tmp_path / "project"
    project.mkdir()
    out = tmp_path / "scan.txt"
    started = time.perf_counter()
    code = cli.main(["scan", str(project), "-j", "JP", "--hf-cache", str(cache), "--no-policy", "-o", str(out)])
    elapsed = time.perf_counter() - started
    assert code == 0
    # Every cached card is an artifact of the scan and each is judged exactly once across the whole scan,
    # although each one is also upstream of the twelve before it.
    assert len(judged) == n and max(judged.values()) == 1
    text = out.read_text(encoding="utf-8")
    assert "hf:chain/c0" in text and "hf:chain/c9999" in text
    assert elapsed < 300  # safety net only (a few seconds of work per thousand cards on a slow machine)


def test_pipeline_shares_judgements_across_artifacts(tmp_path: Path, judged: Counter[tuple[str, str]]) -> None:
    from modelclear.pipeline import scan_and_assess

    cache = tmp_path / "hub"
    chain = [f"chain/c{i}" for i in range(30)]
    for i, repo_id in enumerate(chain):
        _cache_repo(cache, repo_id, _card(repo_id, chain[i + 1:i + 2]))
    project = tmp_path / "project"
    project.mkdir()
    report = scan_and_assess(project, api.make_scenario("JP", "deploy", "commercial"), include_hf_cache=True,
                             hf_cache=cache)
    by_id = {a.artifact.id: a for a in report.assessments if a.artifact is not None}
    assert len(by_id) == 30 and max(judged.values()) == 1
    first = by_id["hf:chain/c0"]
    assert [u.ref.id for u in first.upstream] == [f"hf:chain/c{i}" for i in range(1, lineage.MAX_DEPTH + 1)]
    assert any(m.key == "note.lineage_truncated" for m in first.notes)
    assert not by_id["hf:chain/c29"].upstream and not by_id["hf:chain/c29"].notes
    # The upstream judgement of c1 is the very assessment of c1 as a scanned artifact (same layers).
    assert first.upstream[0].layers == by_id["hf:chain/c1"].layers


def test_every_path_is_bounded_and_deep_dags_render(tmp_path: Path, judged: Counter[tuple[str, str]]) -> None:
    # a0 names a1 … a1199 as bases and each ai names a(i+1): every node is one step from the root, but the
    # longest path has 1,199 edges — longer than Python's recursion limit if anything walked it recursively.
    n = 1200
    cache = tmp_path / "hub"
    ids = [f"skip/a{i}" for i in range(n)]
    _cache_repo(cache, ids[0], _card(ids[0], ids[1:]))
    for i in range(1, n):
        _cache_repo(cache, ids[i], _card(ids[i], ids[i + 1:i + 2]))
    kb = api.load_knowledge()
    catalog = CountingCatalog(kb=kb, sources=[HFCacheSource(kb, cache_dir=cache)])
    graph = lineage.build("hf:skip/a0", lineage.Resolver(catalog))
    assert max(catalog.asked.values()) == 1

    def nesting(node: lineage.LineageNode) -> int:  # how deep the node objects themselves nest
        deepest, stack = 0, [(node, 0)]
        while stack:
            here, d = stack.pop()
            deepest = max(deepest, d)
            stack += [(c, d + 1) for c in here.children]
        return deepest

    assert nesting(graph) <= lineage.MAX_DEPTH
    assert max(d for d, _ in lineage.walk(graph)) <= lineage.MAX_DEPTH
    assert lineage.size(graph)[0] == n
    out = tmp_path / "check.json"
    code = cli.main(["check", "hf:skip/a0", "-j", "JP", "--hf-cache", str(cache), "--format", "json",
                     "--no-policy", "-o", str(out)])
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["upstream"]) == n - 1 and max(judged.values()) == 1
    assert any(m["code"] == "note.lineage_truncated" for m in doc["notes"])


def test_size_budget_cuts_and_marks(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    _diamond(cache)
    kb = api.load_knowledge()
    catalog = Catalog(kb=kb, sources=[HFCacheSource(kb, cache_dir=cache)])
    graph = lineage.build("hf:dag/d0-0", catalog, max_nodes=10)
    distinct, _ = lineage.size(graph)
    assert distinct <= 10
    assert lineage.truncated(graph)
