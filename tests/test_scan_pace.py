"""The scan's own collection pacing (scan/gcpace.py) and the constant index shared by a scan's processes."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from modelclear.scan import _index_one, lazy_constant_index
from modelclear.scan.gcpace import paced


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_paced_switches_the_collector_off_and_back() -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        with paced():
            assert not gc.isenabled()
            with paced():  # nested (or a concurrent scan): still off
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with paced():
            pass
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        if was:
            gc.enable()


def test_file_done_frees_the_cycles_of_the_file() -> None:
    with paced() as pacer:
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle, as a module scope and its function scopes make
        ref = weakref.ref(a)
        del a, b
        assert ref() is not None  # the automatic collector is off
        pacer.file_done()
        assert ref() is None


def _project(root: Path) -> list[tuple[str, str]]:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "names.py").write_text('MODEL = "bert-base-uncased"\n', encoding="utf-8")
    (root / "pkg" / "other.py").write_text('DATA = "squad"\n', encoding="utf-8")
    return [(str(root / "pkg" / n), f"pkg/{n}") for n in ("names.py", "other.py")]


def test_a_module_is_indexed_once_for_the_processes_of_a_scan(tmp_path: Path) -> None:
    items = _project(tmp_path / "proj")
    share = tmp_path / "share"
    share.mkdir()
    calls: list[str] = []

    def counting(path: str, rel: str, max_bytes: int) -> tuple[str, dict[str, object], str] | None:
        calls.append(rel)
        return _index_one(path, rel, max_bytes)

    first = lazy_constant_index(items, 1_000_000, str(share))
    first.index_file = counting
    second = lazy_constant_index(items, 1_000_000, str(share))  # another worker of the same scan
    second.index_file = counting
    assert dict(first["pkg.names"]) == {"MODEL": "bert-base-uncased"}
    assert dict(second["pkg.names"]) == {"MODEL": "bert-base-uncased"}
    assert calls == ["pkg/names.py"]  # the second process read what the first left
    assert dict(second["pkg.other"]) == {"DATA": "squad"}
    assert calls == ["pkg/names.py", "pkg/other.py"]
    alone = lazy_constant_index(items, 1_000_000)  # no share (one process): indexes itself
    alone.index_file = counting
    assert dict(alone["pkg.names"]) == {"MODEL": "bert-base-uncased"}
    assert calls[-1] == "pkg/names.py" and len(calls) == 3
