"""Hostile and huge inputs to the scanner's readers, and results that do not depend on the machine.

Every input is built at test time. Each test checks the outcome (references and/or a warning) and a
bound on time and memory. The scanner's work is bounded by budgets counted in work (nodes, steps,
bytes, nesting levels), never by a clock, so the same tree gives the same references on an idle and
on a saturated machine and with any number of worker processes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import signal
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelclear.scan as scan_mod
from modelclear import ids
from modelclear.scan import python as py
from modelclear.scan import scan_path
from modelclear.scan.base import ScanContext, ScanOptions, ScanResult, ScanWarning
from modelclear.scan.budget import BUDGETS, prune_json
from modelclear.scan.config import ConfigScanner
from modelclear.scan.notebook import NotebookScanner
from modelclear.scan.weights import (
    HeaderError,
    WeightsScanner,
    read_gguf_metadata,
    read_safetensors_header,
)

SRC = Path(__file__).resolve().parents[1] / "src"
MB = 1024 * 1024


# --------------------------------------------------------------------------------------------------
# helpers


def _refs_json(result: ScanResult) -> str:
    """The references of a scan as the JSON text a report would carry (compared byte for byte)."""
    return json.dumps([dataclasses.asdict(r) for r in result.references], sort_keys=True, default=str)


def _bounded(fn: Callable[[], Any], seconds: float = 30.0, peak_mb: float = 200.0) -> Any:
    """Run ``fn`` and assert it took less than ``seconds`` and allocated less than ``peak_mb`` at peak.

    The time bound is a safety net against blow-ups (quadratic or exponential work takes minutes), with
    room for a busy CI machine and tracemalloc's overhead; the work itself is bounded by budgets.
    """
    tracemalloc.start()
    start = time.perf_counter()
    try:
        out = fn()
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < peak_mb * MB, f"peak allocation {peak / MB:.0f} MB"
    return out


def _ctx(root: Path) -> ScanContext:
    return ScanContext(root=root)


def _notebook(sources: list[str]) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
             for s in sources]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python"}},
                       "nbformat": 4, "nbformat_minor": 5})


def _big_notebook(cells: int, every: int) -> str:
    return _notebook([f'm{i} = AutoModel.from_pretrained("org/model-{i}")' if i % every == 0 else f"x = {i}"
                      for i in range(cells)])


def _codes(items: list[Any]) -> set[str]:
    return {i.code for i in items if isinstance(i, ScanWarning)}


# --------------------------------------------------------------------------------------------------
# (a) a huge notebook keeps its references


def test_50000_cell_notebook_keeps_every_reference(tmp_path: Path) -> None:
    """Before: the notebook scanner was stopped after 15 s of wall-clock time and lost everything."""
    script = textwrap.dedent(f"""
        import json, resource, sys, time
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_hostile_readers import _big_notebook
        from modelclear.scan import scan_path
        from modelclear.scan.base import ScanOptions
        root = Path(sys.argv[1])
        (root / "big.ipynb").write_text(_big_notebook(50_000, 500), encoding="utf-8")
        start = time.perf_counter()
        result = scan_path(root, ScanOptions(jobs=1))
        print(json.dumps({{"seconds": time.perf_counter() - start,
                          "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "ids": [r.id for r in result.references],
                          "lines": [r.line for r in result.references],
                          "warnings": [w.code for w in result.warnings]}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["ids"] == [f"hf:org/model-{i}" for i in range(0, 50_000, 500)]
    assert out["lines"] == list(range(1, 50_001, 500))  # one line per cell in the joined source
    assert out["warnings"] == []
    assert out["seconds"] < 60, out["seconds"]
    assert out["rss_mb"] < 1024, out["rss_mb"]


# --------------------------------------------------------------------------------------------------
# (b) the same tree gives the same references, idle or saturated, with one or two workers


def _project(root: Path) -> int:
    """A small project whose references need resolution across modules, cells and configs; returns
    how many references it holds."""
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "settings.py").write_text(textwrap.dedent("""
        BASE = "org/base-model"
        SIZES = ("small", "large")
        DATA = {"train": "org/train-set", "eval": "org/eval-set"}
    """), encoding="utf-8")
    for i in range(24):
        (root / "pkg" / f"job{i}.py").write_text(textwrap.dedent(f"""
            import argparse
            from transformers import AutoModel
            from datasets import load_dataset
            from pkg.settings import BASE, SIZES, DATA

            parser = argparse.ArgumentParser()
            parser.add_argument("--model", default="org/cli-model-{i}")
            args = parser.parse_args()

            def build(name=BASE):
                return AutoModel.from_pretrained(name)

            for size in SIZES:
                AutoModel.from_pretrained(f"org/sized-{{size}}-{i}")
            model = AutoModel.from_pretrained(args.model)
            data = load_dataset(DATA["train"])
            other = build()
        """), encoding="utf-8")
    (root / "notebook.ipynb").write_text(_big_notebook(20_000, 1_000), encoding="utf-8")
    (root / "train.yaml").write_text(textwrap.dedent("""
        defaults: &d
          model_name_or_path: org/yaml-model
        run: *d
        dataset_name: org/yaml-data
    """), encoding="utf-8")
    deep = "[" * 5_000 + "]" * 5_000
    (root / "cfg.json").write_text(f'{{"base_model": "org/json-model", "x": {deep}}}', encoding="utf-8")
    return 24 * 5 + 20 + 2 + 1


def _scan(root: Path, jobs: int) -> ScanResult:
    return scan_path(root, ScanOptions(jobs=jobs))


def _busy_loops(seconds: float) -> list[subprocess.Popen[bytes]]:
    """Processes spinning the CPUs (at most 8, each exits by itself after ``seconds``)."""
    count = min(8, 2 * (os.cpu_count() or 1))
    code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(count)]


def test_same_references_idle_and_saturated_and_with_any_worker_count(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _project(tmp_path)
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_FILES", 1)  # let --jobs 2 really use two workers
    start = time.perf_counter()
    idle = {jobs: _scan(tmp_path, jobs) for jobs in (1, 2)}
    assert time.perf_counter() - start < 60
    busy = _busy_loops(120)
    try:
        time.sleep(0.5)
        loaded = {jobs: _scan(tmp_path, jobs) for jobs in (1, 2)}
    finally:
        for proc in busy:
            proc.kill()
        for proc in busy:
            proc.wait(timeout=30)
    baseline = _refs_json(idle[1])
    for result in (idle[2], loaded[1], loaded[2]):
        assert _refs_json(result) == baseline
        assert result.warnings == idle[1].warnings
    refs = idle[1].references
    assert len(refs) == expected
    found = {r.id for r in refs}
    assert {"hf:org/base-model", "hf:org/cli-model-7", "hf:org/sized-large-3", "hf-dataset:org/train-set",
            "hf:org/model-19000", "hf:org/yaml-model", "hf-dataset:org/yaml-data", "hf:org/json-model"} <= found
    assert [w.code for w in idle[1].warnings] == ["budget"]  # the 5,000-deep JSON, cut but read
    assert idle[1].warnings[0].path == "cfg.json"


def test_scanner_has_no_clock_or_alarm() -> None:
    """No wall-clock cut is left in the scanner: no signal, alarm, timer or clock read."""
    pattern = re.compile(r"\bimport signal\b|\bsetitimer\b|\balarm\(|\bmonotonic\b|\bperf_counter\b|"
                         r"\bprocess_time\b|\btime\.time\(|^import time\b|^from time import|threading\.Timer",
                         re.MULTILINE)
    for path in sorted((SRC / "modelclear" / "scan").glob("*.py")):
        hits = pattern.findall(path.read_text(encoding="utf-8"))
        assert not hits, f"{path.name}: {hits}"
    assert not hasattr(scan_mod, "FILE_TIME_BUDGET") and not hasattr(scan_mod, "INDEX_TIME_BUDGET")


def test_a_clock_jumping_forward_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clocks run hours ahead at every read and any timer fires at once: the answer is the same."""
    _project(tmp_path)
    normal = _scan(tmp_path, 1)
    ticks = iter(range(1, 10**9))

    def jump(*_: object) -> float:
        return 3600.0 * next(ticks)

    def fire_now(which: int, seconds: float, interval: float = 0.0) -> tuple[float, float]:
        handler = signal.getsignal(signal.SIGALRM)
        if seconds > 0 and callable(handler):
            handler(signal.SIGALRM, None)
        return (0.0, 0.0)

    for name in ("monotonic", "perf_counter", "time", "process_time"):
        monkeypatch.setattr(time, name, jump)
    monkeypatch.setattr(signal, "setitimer", fire_now)
    monkeypatch.setattr(signal, "alarm", lambda seconds: fire_now(0, seconds)[0])
    jumped = _scan(tmp_path, 1)
    assert _refs_json(jumped) == _refs_json(normal)
    assert jumped.warnings == normal.warnings
    assert not [w for w in jumped.warnings if w.code == "timeout"]


# --------------------------------------------------------------------------------------------------
# (c) a budget that runs out: a warning naming the file, and what was found before it


def _budgets(monkeypatch: pytest.MonkeyPatch, module: Any, **changes: int) -> None:
    monkeypatch.setattr(module, "BUDGETS", dataclasses.replace(BUDGETS, **changes))


def test_resolution_budget_keeps_earlier_references_and_names_the_file(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["from transformers import AutoModel", 'PREFIX = "org"']
    lines += [f'm{i} = AutoModel.from_pretrained(PREFIX + "/model-{i}")' for i in range(200)]
    (tmp_path / "many.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    full = _scan(tmp_path, 1)
    assert [r.id for r in full.references] == [f"hf:org/model-{i}" for i in range(200)]
    assert full.warnings == ()
    _budgets(monkeypatch, py, resolve_steps_file=400)
    cut = _bounded(lambda: _scan(tmp_path, 1), seconds=30)
    (warning,) = cut.warnings
    assert warning.code == "budget" and warning.path == "many.py"
    assert "resolution budget" in warning.message and warning.line > 3
    refs = cut.references
    assert len(refs) == 200  # every call is still reported ...
    resolved = [r for r in refs if r.id is not None]
    assert resolved and resolved == [r for r in refs if r.line <= warning.line]  # ... resolved up to the cut
    assert [r.id for r in resolved] == [f"hf:org/model-{i}" for i in range(len(resolved))]
    assert all(r.id is None and r.raw == f"PREFIX + '/model-{r.line - 3}'" for r in refs if r.line > warning.line)
    assert _refs_json(cut) == _refs_json(_scan(tmp_path, 1))  # and it is the same cut every time


def test_node_budget_keeps_the_leading_statements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["from transformers import AutoModel"]
    lines += [f'm{i} = AutoModel.from_pretrained("org/model-{i}")' for i in range(100)]
    (tmp_path / "long.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _budgets(monkeypatch, py, ast_nodes=500)
    result = _scan(tmp_path, 1)
    assert {(w.path, w.code) for w in result.warnings} == {("long.py", "budget")}
    (warning,) = [w for w in result.warnings if w.line]  # the scan's; the constant index also says so
    assert "syntax-tree nodes" in warning.message
    ids_found = [r.id for r in result.references]
    assert ids_found and ids_found == [f"hf:org/model-{i}" for i in range(len(ids_found))]
    assert all(r.line < warning.line for r in result.references)


def test_index_budget_names_the_module_and_keeps_scanning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "consts.py").write_text("".join(f'NAME_{i} = "org/model-{i}"\n' for i in range(300)),
                                        encoding="utf-8")
    (tmp_path / "use.py").write_text('from transformers import AutoModel\nfrom consts import NAME_1, NAME_299\n'
                                     'AutoModel.from_pretrained("org/literal")\n'
                                     'AutoModel.from_pretrained(NAME_299)\n', encoding="utf-8")  # indexes consts.py
    _budgets(monkeypatch, py, index_steps_file=50)
    result = _scan(tmp_path, 1)
    assert [(w.path, w.code) for w in result.warnings] == [("consts.py", "budget")]
    assert "constant index stopped early" in result.warnings[0].message
    assert [r.id for r in result.references] == ["hf:org/literal", "hf:org/model-299"]


def test_notebook_budget_is_shared_by_all_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nb.ipynb").write_text(_notebook(
        ['name = "org/model"'] + [f"m{i} = AutoModel.from_pretrained(name + '-{i}')" for i in range(100)]),
        encoding="utf-8")
    _budgets(monkeypatch, py, resolve_steps_file=200)
    result = _scan(tmp_path, 1)
    (warning,) = result.warnings
    assert (warning.path, warning.code) == ("nb.ipynb", "budget")
    refs = result.references
    assert len(refs) == 100 and refs[0].id == "hf:org/model-0" and refs[-1].id is None


def test_config_value_budget_keeps_what_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear.scan import config

    body = "model_name_or_path: org/first\n" + "".join(f"k{i}: {i}\n" for i in range(100)) + \
        "dataset_name: org/late\n"
    (tmp_path / "c.yaml").write_text(body, encoding="utf-8")
    _budgets(monkeypatch, config, config_nodes=60)
    result = _scan(tmp_path, 1)
    assert [r.id for r in result.references] == ["hf:org/first"]
    assert [(w.path, w.code) for w in result.warnings] == [("c.yaml", "budget")]


# --------------------------------------------------------------------------------------------------
# Weight headers


def test_deeply_nested_safetensors_header_is_a_warning(tmp_path: Path) -> None:
    deep = b'{"__metadata__": {"license": "mit"}, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    data = struct.pack("<Q", len(deep)) + deep
    with pytest.raises(HeaderError, match="nested"):
        read_safetensors_header(data)
    found = _bounded(lambda: list(WeightsScanner().scan(Path("w.safetensors"), data, _ctx(tmp_path))))
    assert [(type(i).__name__, getattr(i, "code", "")) for i in found] == [("ScanWarning", "malformed")]


@pytest.mark.parametrize("length", [10 * 1024**3, 2**63, 2**64 - 1])
def test_safetensors_header_claiming_gigabytes_is_a_warning(tmp_path: Path, length: int) -> None:
    data = struct.pack("<Q", length) + b'{"__metadata__": {}}'
    found = _bounded(lambda: list(WeightsScanner().scan(Path("w.safetensors"), data, _ctx(tmp_path))),
                     peak_mb=16)
    assert _codes(found) == {"malformed"}


def _gguf(kv_count: int, pairs: bytes, version: int = 3, tensors: int = 0) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, kv_count) + pairs


def _gstr(text: str | bytes, length: int | None = None) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw) if length is None else length) + raw


LICENSE_PAIR = _gstr("general.license") + struct.pack("<I", 8) + _gstr("apache-2.0")


@pytest.mark.parametrize("data", [
    _gguf(2**40, LICENSE_PAIR),  # a key/value count of a trillion
    _gguf(2, LICENSE_PAIR + _gstr("general.name", 2**62)),  # a key claiming 4 EiB
    _gguf(2, LICENSE_PAIR + _gstr("tok") + struct.pack("<IIQ", 9, 8, 2**60)),  # an array of 2**60 strings
    _gguf(2, LICENSE_PAIR + _gstr("f") + struct.pack("<IIQ", 9, 12, 2**61)),  # 2**61 doubles
    _gguf(2, LICENSE_PAIR + _gstr("s") + struct.pack("<I", 8) + _gstr(b"x", 2**63)),  # a value string of 8 EiB
    _gguf(3, LICENSE_PAIR + (_gstr("n") + struct.pack("<III", 9, 9, 9)) * 2),  # arrays of arrays, truncated
], ids=["kv-count", "key-length", "string-array", "double-array", "value-length", "nested"])
def test_gguf_huge_counts_are_bounded(tmp_path: Path, data: bytes) -> None:
    found = _bounded(lambda: list(WeightsScanner().scan(Path("m.gguf"), data, _ctx(tmp_path))), peak_mb=16)
    refs = [i for i in found if not isinstance(i, ScanWarning)]
    if refs:  # what was read before the bad value is kept
        assert "licence in header: apache-2.0" in refs[0].note
    else:
        assert _codes(found) == {"malformed"}


def test_gguf_value_budget(tmp_path: Path) -> None:
    n = BUDGETS.gguf_values + 1
    vocab = _gstr("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, n) + struct.pack("<Q", 0) * n
    data = _gguf(2, LICENSE_PAIR + vocab + _gstr("general.name") + struct.pack("<I", 8) + _gstr("late"))
    found = _bounded(lambda: list(WeightsScanner().scan(Path("m.gguf"), data, _ctx(tmp_path))), seconds=30,
                     peak_mb=64)
    (ref,) = [i for i in found if not isinstance(i, ScanWarning)]
    assert "apache-2.0" in ref.note and "late" not in ref.note
    assert _codes(found) == {"budget"}


def test_long_gguf_vocabulary_is_skipped_quickly(tmp_path: Path) -> None:
    n = 500_000
    vocab = _gstr("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, n) + (struct.pack("<Q", 3) + b"tok") * n
    data = _gguf(2, vocab + LICENSE_PAIR)
    found = _bounded(lambda: list(WeightsScanner().scan(Path("m.gguf"), data, _ctx(tmp_path))), seconds=30,
                     peak_mb=64)
    assert found and "licence in header: apache-2.0" in found[0].note  # type: ignore[union-attr]


def test_zip_announcing_too_many_entries_is_not_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear.scan import weights

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    raw = bytearray(buf.getvalue())
    at = raw.rfind(b"PK\x05\x06")
    raw[at + 8:at + 12] = struct.pack("<HH", 60_000, 60_000)  # the directory claims 60,000 entries
    path = tmp_path / "model.pt"
    path.write_bytes(bytes(raw))
    assert weights.zip_entry_count(path) == 60_000
    monkeypatch.setattr(weights, "MAX_ZIP_MEMBERS", 1_000)
    found = _bounded(lambda: list(WeightsScanner().scan(path, bytes(raw), _ctx(tmp_path))), peak_mb=32)
    assert any(not isinstance(i, ScanWarning) for i in found)  # still reported as local weights
    assert _codes(found) == {"budget"}


def test_zip_member_bytes_are_budgeted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear.scan import weights

    _budgets(monkeypatch, weights, zip_member_bytes=1000)
    payload = b"\x80\x02cos\nsystem\nq\x00." + b"\x00" * 0
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(50):
            zf.writestr(f"archive/{i}/data.pkl", payload + b"N" * 100)
    found = _bounded(lambda: list(WeightsScanner().scan(path, path.read_bytes(), _ctx(tmp_path))))
    assert "budget" in _codes(found)
    assert "pickle" in _codes(found)  # the members read before the budget ran out were checked


# --------------------------------------------------------------------------------------------------
# Configuration files and notebooks


DEEP = 100_000


@pytest.mark.parametrize(("name", "text"), [
    ("deep.json", '{"base_model": "org/kept", "x": ' + "[" * DEEP + "]" * DEEP + "}"),
    ("deep.json", '{"base_model": "org/kept", "x": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}"),
    ("deep.yaml", "base_model: org/kept\nx: " + "[" * DEEP + "]" * DEEP + "\n"),
    ("deep.yaml", "base_model: org/kept\n" + "".join(" " * i + "k:\n" for i in range(3_000))),
    ("deep.toml", 'base_model = "org/kept"\nx = ' + "[" * DEEP + "]" * DEEP + "\n"),
    ("deep.toml", 'base_model = "org/kept"\n[' + ".".join(["a"] * DEEP) + "]\n"),
])
def test_deep_configs_are_bounded(tmp_path: Path, name: str, text: str) -> None:
    found = _bounded(lambda: list(ConfigScanner().scan(Path(name), text.encode(), _ctx(tmp_path))))
    refs = [i for i in found if not isinstance(i, ScanWarning)]
    assert _codes(found) and _codes(found) <= {"budget", "malformed"}
    if name.endswith(".json"):  # deep parts are cut out; the rest is read
        assert [r.id for r in refs] == ["hf:org/kept"]


def test_yaml_billion_laughs_is_read_without_expanding(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("model_name_or_path: org/after-the-bomb")
    text = "\n".join(lines) + "\n"
    found = _bounded(lambda: list(ConfigScanner().scan(Path("bomb.yaml"), text.encode(), _ctx(tmp_path))),
                     seconds=30, peak_mb=32)
    assert [r.id for r in found] == ["hf:org/after-the-bomb"]  # type: ignore[union-attr]


def test_yaml_alias_flood_is_bounded(tmp_path: Path) -> None:
    text = "x: &x {model_name_or_path: org/anchored}\ny: [" + ", ".join(["*x"] * 50_000) + "]\n"
    found = _bounded(lambda: list(ConfigScanner().scan(Path("flood.yaml"), text.encode(), _ctx(tmp_path))))
    assert [r.id for r in found] == ["hf:org/anchored"]  # type: ignore[union-attr]


def test_notebook_with_deep_output_json_keeps_its_cells(tmp_path: Path) -> None:
    nb = json.loads(_notebook(['m = AutoModel.from_pretrained("org/in-cell")']))
    nb["cells"][0]["outputs"] = [{"output_type": "execute_result", "data": {
        "application/json": json.loads("[" * 90 + "]" * 90)}, "metadata": {}}]
    text = json.dumps(nb)
    text = text.replace("[" * 90 + "]" * 90, "[" * DEEP + "]" * DEEP)
    found = _bounded(lambda: list(NotebookScanner().scan(Path("nb.ipynb"), text.encode(), _ctx(tmp_path))))
    assert [r.id for r in found if not isinstance(r, ScanWarning)] == ["hf:org/in-cell"]
    assert _codes(found) == {"budget"}


def test_prune_json_keeps_shallow_parts() -> None:
    text = '{"a": [[["deep"]]], "s": "[[[[", "b": {"c": 1}}'
    pruned, cut = prune_json(text, 2)
    assert cut and json.loads(pruned) == {"a": [None], "s": "[[[[", "b": {"c": 1}}
    assert prune_json('{"a": 1}', 2) == ('{"a": 1}', False)


# --------------------------------------------------------------------------------------------------
# Property-based: arbitrary and structured-but-hostile input never raises


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=40)


def _never_raises(scanner: Any, name: str, data: bytes, root: Path) -> list[Any]:
    found = list(scanner.scan(Path(name), data, _ctx(root)))
    for item in found:
        assert isinstance(item, ScanWarning) or item.path == name
    return found


@FAST
@given(data=st.binary(max_size=2_000))
def test_notebook_scanner_survives_arbitrary_bytes(data: bytes) -> None:
    _never_raises(NotebookScanner(), "n.ipynb", data, Path("/nonexistent-root"))


@FAST
@given(cells=st.lists(st.one_of(
    st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", "raw", 3]),
                           "source": st.one_of(st.text(max_size=200), st.lists(st.text(max_size=40), max_size=5),
                                               JSON_VALUES)}),
    JSON_VALUES), max_size=8), meta=JSON_VALUES, loader=st.sampled_from(["", "AutoModel.from_pretrained(", "%%bash\n",
                                                                          "!pip install ", "x = !", "?"]))
def test_notebook_scanner_survives_hostile_structure(cells: list[Any], meta: Any, loader: str) -> None:
    for cell in cells:
        if isinstance(cell, dict) and isinstance(cell.get("source"), str):
            cell["source"] = loader + cell["source"]
    for doc in ({"cells": cells, "metadata": meta}, {"worksheets": [{"cells": cells}]}, cells, meta):
        _never_raises(NotebookScanner(), "n.ipynb", json.dumps(doc).encode(), Path("/nonexistent-root"))


@FAST
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".yaml", ".json", ".toml"]))
def test_config_scanner_survives_arbitrary_bytes(data: bytes, suffix: str) -> None:
    _never_raises(ConfigScanner(), "c" + suffix, b"model_name_or_path: " + data, Path("/nonexistent-root"))


YAML_PIECES = st.sampled_from(["model_name_or_path:", "base_model:", "_target_:", "- ", "&a ", "*a", "*b ", "&b",
                               "[", "]", "{", "}", ",", ": ", "\n", "  ", "!!python/object:os.system", "${x.y}",
                               "org/name", "'q'", '"d"', "<<: *a", "---\n", "? ", "|\n  x", "~", "null", "true"])


@FAST
@given(pieces=st.lists(YAML_PIECES, max_size=60))
def test_config_scanner_survives_hostile_yaml(pieces: list[str]) -> None:
    _never_raises(ConfigScanner(), "c.yaml", "".join(pieces).encode(), Path("/nonexistent-root"))


@FAST
@given(doc=JSON_VALUES)
def test_config_scanner_survives_hostile_json(doc: Any) -> None:
    wrapped = {"model_name_or_path": doc, "_target_": doc, "x": [doc, {"base_model": doc}]}
    _never_raises(ConfigScanner(), "c.json", json.dumps(wrapped).encode(), Path("/nonexistent-root"))


@FAST
@given(length=st.integers(min_value=0, max_value=2**64 - 1), body=st.binary(max_size=300), doc=JSON_VALUES)
def test_safetensors_reader_raises_only_header_error(length: int, body: bytes, doc: Any) -> None:
    for data in (struct.pack("<Q", length) + body, body, struct.pack("<Q", len(json.dumps(doc))) + json.dumps(
            {"__metadata__": doc, "t": doc}).encode()):
        with contextlib.suppress(HeaderError):
            read_safetensors_header(data)
        _never_raises(WeightsScanner(), "w.safetensors", data, Path("/nonexistent-root"))


GGUF_VALUE = st.tuples(st.integers(min_value=0, max_value=14), st.one_of(
    st.binary(max_size=24),
    st.builds(lambda n, b: struct.pack("<Q", n) + b, st.integers(min_value=0, max_value=2**64 - 1),
              st.binary(max_size=16)),
    st.builds(lambda t, n: struct.pack("<IQ", t, n), st.integers(min_value=0, max_value=14),
              st.integers(min_value=0, max_value=2**64 - 1))))


@FAST
@given(version=st.sampled_from([1, 2, 3, 0, 7]), tensors=st.integers(min_value=0, max_value=2**64 - 1),
       count=st.integers(min_value=0, max_value=2**64 - 1),
       pairs=st.lists(st.tuples(st.text(max_size=20), GGUF_VALUE), max_size=6), tail=st.binary(max_size=64))
def test_gguf_reader_raises_only_header_error(version: int, tensors: int, count: int,
                                              pairs: list[tuple[str, tuple[int, bytes]]], tail: bytes) -> None:
    body = b"".join(_gstr(k) + struct.pack("<I", vtype) + value for k, (vtype, value) in pairs)
    for kv in (count, len(pairs)):
        data = b"GGUF" + struct.pack("<IQQ", version, tensors, kv) + body + tail
        with contextlib.suppress(HeaderError):
            read_gguf_metadata(data)
        _never_raises(WeightsScanner(), "m.gguf", data, Path("/nonexistent-root"))


@FAST
@given(data=st.binary(max_size=600))
def test_gguf_reader_survives_arbitrary_bytes(data: bytes) -> None:
    for blob in (data, b"GGUF" + data):
        with contextlib.suppress(HeaderError):
            read_gguf_metadata(blob)


@FAST
@given(raw=st.one_of(st.text(max_size=300), st.builds(lambda s, n: f"{s}:{n}", st.sampled_from(sorted(ids.SCHEMES)),
                                                       st.text(max_size=200))))
def test_id_parser_raises_only_id_error(raw: str) -> None:
    try:
        ref = ids.parse(raw)
    except ids.IdError:
        return
    assert ref.id.split(":", 1)[0] in ids.SCHEMES


@FAST
@given(raw=st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=20), JSON_VALUES))
def test_id_parser_rejects_what_is_not_text_with_id_error(raw: Any) -> None:
    if isinstance(raw, str):
        return
    with pytest.raises(ids.IdError):
        ids.parse(raw)
    assert ids.try_parse(raw) is None


# --------------------------------------------------------------------------------------------------
# Long lines that made a regular expression backtrack quadratically


LONG = 400_000


def test_long_hash_line_after_a_loader_call(tmp_path: Path) -> None:
    source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/x")  ' + "#" * LONG + \
        " modelclear\n"
    found = _bounded(lambda: py.scan_python_source(source, "a.py", _ctx(tmp_path)), seconds=30)
    assert [r.id for r in found] == ["hf:org/x"]  # type: ignore[union-attr]


def test_blank_lines_before_a_syntax_error(tmp_path: Path) -> None:
    source = "from_pretrained\n" + "\n" * LONG + "def (:\n"
    found = _bounded(lambda: py.scan_python_source(source, "a.py", _ctx(tmp_path)), seconds=30)
    assert [w.code for w in found] == ["syntax-error"]  # type: ignore[union-attr]


def test_notebook_line_of_blanks_without_assignment(tmp_path: Path) -> None:
    text = _notebook(["x" + " " * LONG + "\nm = AutoModel.from_pretrained('org/x')", "a b" * (LONG // 3)])
    found = _bounded(lambda: list(NotebookScanner().scan(Path("n.ipynb"), text.encode(), _ctx(tmp_path))),
                     seconds=30)
    assert [r.id for r in found if not isinstance(r, ScanWarning)] == ["hf:org/x"]


def test_json_key_followed_by_a_sea_of_blanks(tmp_path: Path) -> None:
    text = '{"x": {"base_model": ' + " " * LONG + '"org/a"}, "base_model": "org/b"}'
    found = _bounded(lambda: list(ConfigScanner().scan(Path("c.json"), text.encode(), _ctx(tmp_path))), seconds=30)
    assert sorted(r.id for r in found) == ["hf:org/a", "hf:org/b"]  # type: ignore[union-attr]


def test_lock_file_with_many_packages_and_blank_lines(tmp_path: Path) -> None:
    from modelclear.scan.deps import DepsScanner

    lock = "".join(f'[[package]]\nname = "pkg-{i}"\nversion = "1.0"\n\n' for i in range(5_000)) + \
        '[[package]]\nname = "ultralytics"\nversion = "8.0"\n'
    pipfile = "[packages]\n" + "\n" * LONG + 'ultralytics = "*"\n' + "".join(f'p{i} = "*"\n' for i in range(2_000))
    for name, text in (("uv.lock", lock), ("Pipfile", pipfile)):
        found = _bounded(lambda n=name, t=text: list(DepsScanner().scan(Path(n), t.encode(), _ctx(tmp_path))),
                         seconds=30)
        assert [r.id for r in found] == ["pypi:ultralytics"]  # type: ignore[union-attr]


def test_line_with_many_addresses_and_mentions(tmp_path: Path) -> None:
    from modelclear.scan.deps import find_line
    from modelclear.scan.urls import UrlScanner

    line = " ".join(["https://download.pytorch.org/models/resnet50-11ad3fa6.pth"] * 50_000) + " # https://x.io/a"
    found = _bounded(lambda: list(UrlScanner().scan(Path("a.txt"), line.encode(), _ctx(tmp_path))), seconds=30)
    assert len(found) == 50_000 and {r.id for r in found} == {"torchvision:ResNet50_Weights.IMAGENET1K_V2"}  # type: ignore[union-attr]
    text = "# " + " ultralytics" * 100_000 + "\nx\nultralytics>=8\n"
    assert _bounded(lambda: find_line(text, "ultralytics"), seconds=30) == 3


def test_loader_call_budget_keeps_the_first_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["from transformers import AutoModel"] + [f'AutoModel.from_pretrained("org/m{i}")' for i in range(50)]
    (tmp_path / "calls.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _budgets(monkeypatch, py, loader_calls=10)
    result = _scan(tmp_path, 1)
    assert [r.id for r in result.references] == [f"hf:org/m{i}" for i in range(10)]
    (warning,) = result.warnings
    assert (warning.path, warning.code, warning.line) == ("calls.py", "budget", 12)
    assert "loader calls" in warning.message


def test_cli_json_references_are_identical_with_one_or_two_workers(tmp_path: Path) -> None:
    """The ``references`` of ``modelclear scan --format json`` byte for byte, ``--jobs 1`` vs ``--jobs 2``
    (enough files that two workers really run)."""
    (tmp_path / "names.py").write_text('BASE = "google-bert/bert-base-uncased"\n', encoding="utf-8")
    for i in range(scan_mod.PARALLEL_MIN_FILES + 20):
        (tmp_path / f"m{i:03d}.py").write_text(
            "from transformers import AutoModel\nfrom names import BASE\n"
            f"a = AutoModel.from_pretrained(BASE)\nb = AutoModel.from_pretrained('org/model-{i % 3}')\n",
            encoding="utf-8")
    docs = []
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "modelclear.cli", "scan", str(tmp_path), "-j", "JP",
                               "--no-policy", "-f", "json", "--jobs", jobs], capture_output=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"})
        assert proc.returncode in (0, 1, 2), proc.stderr.decode()[-2000:]
        docs.append(json.loads(proc.stdout))
    one, two = (json.dumps(d["references"], sort_keys=True) for d in docs)
    assert one == two
    assert docs[0]["warnings"] == docs[1]["warnings"]
    assert len(docs[0]["references"]) >= 3
