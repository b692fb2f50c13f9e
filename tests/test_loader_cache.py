"""The compiled cache of the loader data files (issue 14): same content as parsing, rebuilt when stale or corrupt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import loaderdata
from modelclear.knowledge.schema import KnowledgeError

BUNDLED = Path(loaderdata.__file__).parent / "data" / "loaders"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "loaders"
    shutil.copytree(BUNDLED, out)
    return out


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the files are parsed (rather than read from the cache)."""
    calls: list[int] = []
    real = loaderdata._parse

    def counted(sources: list[tuple[str, bytes]]) -> dict[str, Any]:
        calls.append(1)
        return real(sources)

    monkeypatch.setattr(loaderdata, "_parse", counted)
    return calls


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.name.startswith(loaderdata.CACHE_PREFIX))


def test_the_cached_documents_equal_the_parsed_files_dates_included() -> None:
    parsed = {}
    for path in sorted(BUNDLED.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict):
            parsed[path.stem] = doc
    assert dict(loaderdata.documents()) == parsed
    assert list(loaderdata.documents()) == list(parsed)
    declared = {stem: doc["schemes"] for stem, doc in parsed.items() if doc.get("schemes")}
    assert {stem: d["schemes"] for stem, d in loaderdata.scheme_declarations().items()} == declared


def test_parsed_once_then_read_from_the_cache(folder: Path, tmp_path: Path, parses: list[int]) -> None:
    cache = tmp_path / "cache"
    first = loaderdata.load(folder, cache)
    assert len(parses) == 1 and len(_cache_files(cache)) == 1
    second = loaderdata.load(folder, cache)
    assert len(parses) == 1
    assert second == first


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_corrupt_cache_is_rebuilt_not_trusted(folder: Path, tmp_path: Path, parses: list[int], damage: str) -> None:
    cache = tmp_path / "cache"
    good = loaderdata.load(folder, cache)
    (path,) = _cache_files(cache)
    blob = path.read_bytes()
    if damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "flip":
        blob = blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:]
    elif damage == "garbage":
        blob = os.urandom(len(blob))
    else:
        blob = b""
    path.write_bytes(blob)
    assert loaderdata.load(folder, cache) == good
    assert len(parses) == 2
    assert loaderdata.load(folder, cache) == good  # and the rebuilt file is good again
    assert len(parses) == 2


def test_a_changed_file_is_a_new_signature_even_at_the_same_size_and_time(
        folder: Path, tmp_path: Path, parses: list[int]) -> None:
    cache = tmp_path / "cache"
    before = loaderdata.load(folder, cache)
    target = folder / "huggingface_hub.yaml"
    st = target.stat()
    text = target.read_text(encoding="utf-8")
    assert 'example: "hf:google-bert/' in text
    target.write_text(text.replace('example: "hf:google-bert/', 'example: "hf:google-BERT/', 1), encoding="utf-8")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert target.stat().st_size == st.st_size
    after = loaderdata.load(folder, cache)
    assert len(parses) == 2 and after["signature"] != before["signature"]
    assert len(_cache_files(cache)) == 2  # the other signature's file is kept for other installs
    assert "hf:google-BERT/" in str(after["schemes"]["huggingface_hub"])


def test_a_cache_under_another_signature_is_not_trusted(folder: Path, tmp_path: Path, parses: list[int]) -> None:
    cache = tmp_path / "cache"
    loaderdata.load(folder, cache)
    (path,) = _cache_files(cache)
    (folder / "zz_extra.yaml").write_text("schemes: []\n", encoding="utf-8")
    sig = loaderdata._signature(loaderdata._read_sources(folder))
    path.rename(cache / f"{loaderdata.CACHE_PREFIX}{sig}.cache")  # right name, content of the old files
    fresh = loaderdata.load(folder, cache)
    assert len(parses) == 2 and fresh["signature"] == sig


def test_a_bad_expression_is_an_error_when_the_cache_is_built(folder: Path, tmp_path: Path) -> None:
    target = folder / "huggingface_hub.yaml"
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    doc["schemes"][0]["pattern"] = "([unclosed"
    target.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="bad regular expression"):
        loaderdata.load(folder, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_a_read_only_cache_dir_only_costs_speed(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    data = loaderdata.load(folder, blocker / "cache")
    assert data["schemes"]["huggingface_hub"]


def test_ids_compile_only_the_patterns_a_run_needs(tmp_path: Path) -> None:
    code = ("from modelclear import ids; n = len(ids._COMPILED); "
            "ids.parse('hf:google-bert/bert-base-uncased'); ids.parse('bert-base-uncased'); "
            "print(n, len(ids._COMPILED), len(ids.SCHEMES))")
    env = {**os.environ, "MODELCLEAR_CACHE": str(tmp_path / "cache")}
    for _ in range(2):  # building the cache, then reading it
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        before, after, schemes = map(int, out.stdout.split())
        assert before == 0
        assert 0 < after < schemes
