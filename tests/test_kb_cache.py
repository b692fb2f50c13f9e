"""The compiled knowledge-base cache shared by several installs (issue 8, defect 7).

Two checkouts, a pre-commit environment and a project virtualenv share ``~/.cache/modelclear``, each
with its own signature (data files, version). One install must never delete a cache file another
is reading, a damaged file must be rebuilt rather than crash a run, and an unwritable cache
directory only costs speed. The cache directory is pointed at ``tmp_path`` with
``$MODELCLEAR_CACHE``; a second install is simulated with a second data directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from modelclear.catalog import KnowledgeBase
from modelclear.catalog.bundled import DATA_DIR, cache_dir, evict_stale, load_raw

DAY = 24 * 3600


def make_root(path: Path, tag: str, models: int = 150) -> Path:
    """A small data directory standing for one install's knowledge base."""
    (path / "licenses").mkdir(parents=True)
    shutil.copy(DATA_DIR / "licenses" / "MIT.yaml", path / "licenses" / "MIT.yaml")
    (path / "models").mkdir()
    entries = [{"id": f"hf:{tag}/model-{i}", "license": "MIT", "aliases": [f"{tag}-m{i}"],
                "notes": [f"{tag} entry {i} " + "x" * 300]} for i in range(models)]
    source = {"url": "https://example.org/zoo", "checked": "2026-01-01", "confidence": "U"}
    (path / "models" / "zoo.json").write_text(json.dumps({"family": f"{tag}-zoo", "sources": [source],
                                                          "models": entries}))
    return path


def entries_of(store: Any) -> list[tuple[str, dict[str, Any], str]]:
    return list(store.iter_artifacts())


def cache_files(folder: Path) -> list[Path]:
    """The knowledge caches in ``folder`` (not temporary files, nor the loader files' cache beside them)."""
    return sorted(p for p in folder.iterdir() if not p.name.endswith(".tmp") and not p.name.startswith("loaders"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MODELCLEAR_CACHE", str(folder))
    assert cache_dir() == folder
    return folder


def test_second_install_writing_its_cache_does_not_break_a_lazy_reader(tmp_path: Path, cache: Path) -> None:
    root_a = make_root(tmp_path / "a", "alpha")
    root_b = make_root(tmp_path / "b", "beta")
    expected = entries_of(load_raw(root_a, use_cache=False))
    load_raw(root_a)  # builds the cache
    lazy = load_raw(root_a)  # reads the index only; entries come from the file on demand
    assert lazy.heads is not None and not lazy.artifacts
    kb = KnowledgeBase(load_raw(root_a))
    load_raw(root_b)  # the other install writes its own cache (this used to delete alpha's files)
    assert entries_of(lazy) == expected
    raw = kb.raw_artifact("alpha-m7")  # by alias, read from the file on demand
    assert raw is not None and raw[1]["id"] == "hf:alpha/model-7"
    # Even a deleter that ignores the rules (an older modelclear) cannot break a loaded store.
    for f in cache_files(cache):
        f.unlink()
    assert entries_of(lazy) == expected
    assert [e for _, e, _ in kb.iter_raw_artifacts()] == [e for _, e, _ in expected]


def test_other_installs_recent_caches_are_kept_and_old_ones_evicted(tmp_path: Path, cache: Path) -> None:
    root_a = make_root(tmp_path / "a", "alpha")
    root_b = make_root(tmp_path / "b", "beta")
    root_c = make_root(tmp_path / "c", "gamma")
    load_raw(root_a)
    (file_a,) = cache_files(cache)
    load_raw(root_b)
    assert file_a.exists(), "a recently used cache of another signature must survive"
    (file_b,) = set(cache_files(cache)) - {file_a}
    old = time.time() - 40 * DAY
    os.utime(file_a, (old, old))
    os.utime(file_b, (old, old))
    load_raw(root_b)  # using a cache marks it as used...
    assert time.time() - file_b.stat().st_mtime < DAY
    load_raw(root_c)  # ...so writing a third one evicts only the unused, old one
    assert not file_a.exists() and file_b.exists() and len(cache_files(cache)) == 2


def test_eviction_spares_the_current_file_and_fresh_temporaries(tmp_path: Path) -> None:
    tmp_path.joinpath("kb2-1111.cache").write_bytes(b"x")
    keep = tmp_path / "kb2-2222.cache"
    keep.write_bytes(b"x")
    fresh_tmp = tmp_path / ".kb2-3333.cache.abc.tmp"
    fresh_tmp.write_bytes(b"x")
    dead_tmp = tmp_path / ".kb2-4444.cache.def.tmp"
    dead_tmp.write_bytes(b"x")
    legacy = tmp_path / "kb-5555.blobs"  # the format before kb2-
    legacy.write_bytes(b"x")
    unrelated = tmp_path / "cards"
    unrelated.mkdir()
    old = time.time() - 40 * DAY
    for p in (tmp_path / "kb2-1111.cache", keep, dead_tmp, legacy, unrelated):
        os.utime(p, (old, old))
    os.utime(fresh_tmp, (time.time() - 60,) * 2)
    gone = evict_stale(tmp_path, keep=keep)
    assert sorted(p.name for p in gone) == sorted(["kb2-1111.cache", dead_tmp.name, legacy.name])
    assert keep.exists() and fresh_tmp.exists() and unrelated.is_dir()


@pytest.mark.parametrize("damage", ["truncate", "empty", "flip", "garbage"])
def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, cache: Path, damage: str) -> None:
    root = make_root(tmp_path / "a", "alpha")
    expected = entries_of(load_raw(root, use_cache=False))
    load_raw(root)
    largest = max(cache_files(cache), key=lambda p: p.stat().st_size)  # where the entries are
    for f in [largest]:
        data = f.read_bytes()
        if damage == "truncate":
            f.write_bytes(data[: len(data) // 2])
        elif damage == "empty":
            f.write_bytes(b"")
        elif damage == "flip":
            pos = len(data) - 100  # inside an artifact entry
            f.write_bytes(data[:pos] + bytes([data[pos] ^ 0x55]) + data[pos + 1:])
        else:
            f.write_bytes(os.urandom(len(data)))
    assert entries_of(load_raw(root)) == expected
    rebuilt = load_raw(root)
    assert rebuilt.heads is not None, "the damaged file is replaced by a good one"
    assert entries_of(rebuilt) == expected


def test_unwritable_cache_dir_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_root(tmp_path / "a", "alpha")
    expected = entries_of(load_raw(root, use_cache=False))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("MODELCLEAR_CACHE", str(blocker / "modelclear"))
    for _ in range(2):
        store = load_raw(root)
        assert store.heads is None and entries_of(store) == expected


WORKER = textwrap.dedent("""
    import hashlib, json, sys, time
    from pathlib import Path
    from modelclear.catalog.bundled import cache_dir, load_raw

    root, rounds, evict = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "evict"
    digests = set()
    for i in range(rounds):
        store = load_raw(root)
        time.sleep(0.005)
        entries = list(store.iter_artifacts())
        digests.add(hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest())
        if evict and i % 3 == 2:  # an aggressive deleter, like older modelclear versions
            for f in cache_dir().glob("*"):
                f.unlink(missing_ok=True)
    print(json.dumps(sorted(digests)))
""")


def digest(entries: list[Any]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()


def run_workers(jobs: list[list[str]], cache: Path) -> list[list[str]]:
    env = {**os.environ, "MODELCLEAR_CACHE": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, *args], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for args in jobs]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def test_concurrent_installs_building_and_reading_the_cache(tmp_path: Path, cache: Path) -> None:
    roots = [make_root(tmp_path / "a", "alpha", 400), make_root(tmp_path / "b", "beta", 400)]
    expected = [digest(entries_of(load_raw(r, use_cache=False))) for r in roots]
    jobs = [[str(roots[i % 2]), "15", "evict" if i in (2, 3) else "keep"] for i in range(8)]
    results = run_workers(jobs, cache)
    for i, digests in enumerate(results):
        assert digests == [expected[i % 2]], f"worker {i} read different entries"


def test_concurrent_runs_on_the_bundled_knowledge_base(tmp_path: Path, cache: Path) -> None:
    expected = digest(entries_of(load_raw(DATA_DIR, use_cache=False)))
    results = run_workers([[str(DATA_DIR), "2", "keep"] for _ in range(3)], cache)
    assert all(r == [expected] for r in results)
    assert len(cache_files(cache)) == 1
