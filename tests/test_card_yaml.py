"""Card front matter read from parser events (modelclear.yamlsafe) and cache lookups through one index.

The event reader must give what ``yaml.load(text, SafeLoader)`` gives for ordinary YAML, the same
diagnostics for broken YAML, and a refusal (never a crash, a ``RecursionError`` or a big
allocation) for hostile YAML — with libyaml and with the pure-Python parser. The cache index must
find what ``huggingface_hub`` finds (``try_to_load_from_cache`` for ``refs/main``, else a
``scan_cache_dir`` search) over a cache of many repos, and list the cache folder once.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import time
from pathlib import Path

import pytest
import yaml
from huggingface_hub import HFCacheInfo, scan_cache_dir

from modelclear import yamlsafe
from modelclear.catalog import hf, hfcard, hfindex
from modelclear.catalog.hf import CacheIndex, find_in_cache, parse_card, read_cached_card

LOADERS = [pytest.param(yamlsafe.FAST_LOADER, id="fast"), pytest.param(yaml.SafeLoader, id="pure-python")]


def _load(text: str, loader: type) -> object:
    return yamlsafe.load_single(text, max_events=100_000, max_depth=48, max_aliases=16, loader=loader)


ORDINARY = [
    "license: apache-2.0\ntags: [a, b]\nbase_model:\n- org/x\n- org/y\n",
    "a: 0x1F\nb: 1_000\nc: 1:30\nd: 0o17\ne: .inf\ng: 1.5e3\nh: 1e3\ni: -7\nj: +.5\n",
    "day: 2020-01-01\nwhen: 2001-12-14t21:59:43.10-05:00\n",
    "a: yes\nb: No\nc: ~\nd: null\ne: ''\nf:\ng: 'true'\nh: \"1\"\n",
    "x: !!str 12\ny: !!float 1\nz: !!int '7'\nw: !!null x\nv: !!binary aGVsbG8=\n",
    "x: !!set {a, b}\ny: !!omap [a: 1, b: 2]\nz: !!pairs [a: 1, a: 2]\n",
    "base: &b {license: mit, tags: [a]}\n<<: *b\nlicense: apache-2.0\n",
    "a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc:\n  <<: [*a, *b]\n  z: 0\n",
    "= : 1\n1: a\n2.5: b\ntrue: c\nnull: d\na: 1\na: 2\n",
    "a: |\n  text\n  more\nb: >\n  folded\n  line\nc: \"\\u263a\\x41\"\nd: 'it''s'\n",
    "license: &l apache-2.0\nextra: *l\nx: &e\ny: *e\n? [a, b]\n",
    "- a\n- {b: [c, {d: e}]}\n",
    "",
    "# only a comment\n",
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", ORDINARY)
def test_values_are_those_of_safe_loader(text: str, loader: type) -> None:
    if text.startswith("license: &l"):
        text = text.replace("? [a, b]\n", "")  # a sequence key is an error; checked below
    assert _load(text, loader) == yaml.load(text, Loader=yaml.SafeLoader)


@pytest.mark.parametrize("text", [
    "a: b: c", "a: [", "a: 'x", "a: \x00", "\t- x", "a: *nope", "a: &x 1\nb: &x 2",
    "[a]: 1", "<<: 3", "<<: [1]", "a: <<", "a: =", "x: !custom 1", "x: !!python/object:os.system ls",
    "x: !!int abc", "a: !!seq x", "a: !!map [1]",
])
def test_broken_yaml_gives_safe_loaders_diagnostic(text: str) -> None:
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError) as exc:
        expected = str(exc).splitlines()[0]
    card = parse_card(f"---\n{text}\n---\n")
    assert card.warnings == (f"card YAML is malformed: {expected}",)


@pytest.mark.parametrize("loader", LOADERS)
def test_a_second_document_is_refused_as_safe_loader_does(loader: type) -> None:
    with pytest.raises(yaml.composer.ComposerError, match="expected a single document in the stream"):
        _load("a: 1\n--- \nb: 2\n", loader)


@pytest.mark.parametrize("text", ["x: !!bool maybe", "x: !!timestamp nope"])
def test_constructor_crashes_of_safe_loader_are_warnings(text: str) -> None:
    card = parse_card(f"---\nlicense: mit\n{text}\n---\n")
    assert card.license is None and card.warnings[0].startswith("card YAML is malformed")


def test_aliases_are_the_anchored_value_not_copies() -> None:
    value = _load("a: &a [x, y]\nb: *a\nc: &c [1, *c]\n", yamlsafe.FAST_LOADER)
    assert isinstance(value, dict)
    assert value["b"] is value["a"]
    assert value["c"][1] is value["c"]  # a recursive alias is the list itself, as with SafeLoader


HOSTILE = {
    "flow-100k-deep": "x: " + "[" * 100_000 + "]" * 100_000,
    "mapping-100k-deep": "x: " + "{a: " * 50_000 + "}" * 50_000,
    "block-deep": "x:\n" + "".join(" " * i + "- \n" for i in range(200)),
    "alias-bomb": "a: &a [lol, lol]\n" + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                                                for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
    "many-events": "tags: [" + ",".join(["a"] * 30_000) + "]",
    "unclosed-flow": "x: " + "[" * 30_000,
    "python-tag": "license: !!python/object/apply:os.system [echo hi]",
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_front_matter_is_refused_quickly(name: str, loader: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsafe, "FAST_LOADER", loader)
    monkeypatch.setattr(hfcard, "MAX_YAML_EVENTS", 20_000)  # the pure-Python parser takes ~50 µs an event
    text = f"---\nlicense: mit\n{HOSTILE[name]}\n---\n"
    assert len(text) < hf.MAX_FRONT_MATTER_CHARS
    start = time.perf_counter()
    card = parse_card(text)
    assert time.perf_counter() - start < 5.0
    assert card.license is None and card.has_front_matter
    assert len(card.warnings) == 1
    assert card.warnings[0].startswith(("card YAML refused", "card YAML is malformed")), card.warnings


def test_budgets_name_what_ran_out() -> None:
    assert "48 levels" in parse_card("---\nx: " + "[" * 100 + "]" * 100 + "\n---\n").warnings[0]
    assert "100000 YAML events" in parse_card("---\ntags: [" + ",".join(["a"] * 110_000) + "]\n---\n").warnings[0]
    assert "anchors/aliases" in parse_card("---\n" + "".join(f"k{i}: &a{i} v\n" for i in range(17))
                                           + "---\n").warnings[0]


# --------------------------------------------------------------------------------------------------
# the cache index


def _repo(cache: Path, repo_id: str, files: dict[str, str], *, kind: str = "model", commit: str | None = None,
          ref: str | None = "main", folder_name: str | None = None, mtime: float | None = None) -> Path:
    folder = cache / (folder_name or f"{kind}s--{repo_id.replace('/', '--')}")
    commit = commit or hashlib.sha1(f"{folder.name}{repo_id}".encode()).hexdigest()
    snapshot = folder / "snapshots" / commit
    (folder / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        blob = folder / "blobs" / hashlib.sha256(f"{commit}{text}".encode()).hexdigest()
        blob.write_text(text, encoding="utf-8")
        if mtime is not None:
            os.utime(blob, (mtime, mtime))
        (snapshot / name).symlink_to(os.path.relpath(blob, snapshot))
    if ref is not None:
        (folder / "refs").mkdir(exist_ok=True)
        (folder / "refs" / ref).write_text(commit)
    return snapshot


def _reference_find(repo_id: str, kind: str, cache: Path, info: HFCacheInfo) -> Path | None:
    """What modelclear found before the index: huggingface_hub's own lookups (``info``: the cache scan)."""
    from huggingface_hub import try_to_load_from_cache

    for filename in ("README.md", "config.json"):
        try:
            hit = try_to_load_from_cache(repo_id, filename, cache_dir=str(cache), repo_type=kind)
        except (ValueError, OSError):
            return None
        if isinstance(hit, str):
            return Path(hit).parent
    for repo in info.repos:
        if repo.repo_type != kind or repo.repo_id.lower() != repo_id.lower():
            continue
        for revision in sorted(repo.revisions, key=lambda r: r.last_modified, reverse=True):
            if {f.file_name for f in revision.files} & {"README.md", "config.json"}:
                return Path(revision.snapshot_path)
    return None


@pytest.fixture
def big_cache(tmp_path: Path) -> Path:
    cache = tmp_path / "hub"
    for i in range(300):
        _repo(cache, f"org{i % 7}/model-{i}", {"README.md": f"---\nlicense: mit\nbase_model: org/m{i + 1}\n---\n"})
        if i % 10 == 0:
            _repo(cache, f"org{i % 7}/model-{i}", {"README.md": "---\nlicense: cc-by-4.0\n---\n"}, kind="dataset")
    # pinned download: no refs/main; two revisions, the newer one wins
    _repo(cache, "pinned/two-revs", {"config.json": "{}"}, ref=None, commit="a" * 40, mtime=1_000_000)
    _repo(cache, "pinned/two-revs", {"README.md": "---\nlicense: mit\n---\n"}, ref=None, commit="b" * 40,
          mtime=2_000_000)
    # refs/main points at a snapshot without README.md or config.json: the scan finds another revision
    _repo(cache, "main/weights-only", {"model.safetensors": "x"}, commit="c" * 40)
    _repo(cache, "main/weights-only", {"config.json": "{}"}, ref=None, commit="d" * 40)
    # README.md cached as missing for main: config.json of main is used
    snap = _repo(cache, "noexist/readme", {"config.json": "{}", "README.md": "---\nlicense: mit\n---\n"})
    (cache / "models--noexist--readme" / ".no_exist" / snap.name).mkdir(parents=True)
    (cache / "models--noexist--readme" / ".no_exist" / snap.name / "README.md").write_text("")
    # a hostile ref that walks out of the snapshots folder
    _repo(cache, "hostile/ref", {"README.md": "---\nlicense: mit\n---\n"}, ref=None, commit="e" * 40)
    (cache / "models--hostile--ref" / "refs").mkdir()
    (cache / "models--hostile--ref" / "refs" / "main").write_text("../../models--org0--model-0/snapshots")
    # case: the folder is spelled differently from the id asked for
    _repo(cache, "CaseOrg/CaseModel", {"README.md": "---\nlicense: mit\n---\n"})
    # a corrupted repo (broken link) and stray files
    broken = _repo(cache, "broken/link", {"README.md": "x"}, ref=None)
    (broken / "config.json").symlink_to("../../blobs/missing")
    (cache / "not-a-repo.txt").write_text("x")
    (cache / ".locks").mkdir()
    return cache


ASKED = ([f"org{i % 7}/model-{i}" for i in range(0, 300, 13)]
         + ["pinned/two-revs", "main/weights-only", "noexist/readme", "hostile/ref", "caseorg/casemodel",
            "CaseOrg/CaseModel", "CASEORG/casemodel", "broken/link", "nobody/nothing", "org0/model-0--x",
            "bad id", "x" * 200 + "/y"])


def test_index_finds_what_huggingface_hub_finds(big_cache: Path) -> None:
    index = CacheIndex(big_cache)
    info = scan_cache_dir(big_cache)
    for kind in ("model", "dataset"):
        for repo_id in ASKED:
            expected = _reference_find(repo_id, kind, big_cache, info)
            assert index.find(repo_id, kind) == expected, (repo_id, kind)
            assert find_in_cache(repo_id, kind, big_cache) == expected, (repo_id, kind)
    assert index.find("pinned/two-revs") == big_cache / "models--pinned--two-revs" / "snapshots" / ("b" * 40)
    assert index.find("main/weights-only") == big_cache / "models--main--weights-only" / "snapshots" / ("d" * 40)


def test_index_lists_the_cache_once_and_sees_new_repos(big_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listings = []
    real_scandir = os.scandir

    def counting_scandir(path: object = ".") -> object:
        if Path(str(path)) == big_cache:
            listings.append(path)
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(hfindex.os, "scandir", counting_scandir)
    index = CacheIndex(big_cache)
    for i in range(300):
        assert index.find(f"org{i % 7}/model-{i}") is not None
    assert index.find("later/added") is None
    assert len(listings) == 1
    _repo(big_cache, "later/added", {"README.md": "---\nlicense: mit\n---\n"})
    os.utime(big_cache, ns=(time.time_ns(), time.time_ns() + 10**9))  # a coarse clock must still see it
    assert index.find("later/added") is not None
    assert len(listings) == 2


def test_cache_source_reads_a_chain_through_one_index(big_cache: Path) -> None:
    from modelclear.catalog import KnowledgeBase
    from modelclear.catalog.sources import HFCacheSource
    from modelclear.ids import parse

    source = HFCacheSource(KnowledgeBase.load(), cache_dir=big_cache)
    art = source.lookup(parse("hf:org3/model-10"))
    assert art is not None and art.license == "MIT"
    assert [r.target for r in art.upstream] == ["hf:org/m11"]
    assert source.lookup(parse("hf-dataset:org3/model-10")) is not None
    assert source.lookup(parse("hf-dataset:org4/model-11")) is None
    assert source._index is not None and source._index.cache == big_cache
    found = read_cached_card("org3/model-10", cache_dir=big_cache)
    assert found is not None and found[1] == _dt.date.today()
