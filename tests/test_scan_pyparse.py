"""Each Python file is parsed once per scan: the Python and URL scanners share its syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from modelclear.scan import scan_path
from modelclear.scan.base import ScanContext
from modelclear.scan.pyparse import ParseCache
from modelclear.scan.python import PythonScanner
from modelclear.scan.urls import UrlScanner

SOURCE = (
    "from transformers import AutoModel\n"
    'WEIGHTS = "https://huggingface.co/bert-base-uncased/resolve/main/pytorch_model.bin"\n'
    'model = AutoModel.from_pretrained("bert-base-uncased")\n'
)


def _scan_both(tmp_path: Path, parses: ParseCache | None) -> list[object]:
    path = tmp_path / "train.py"
    path.write_text(SOURCE, encoding="utf-8")
    ctx = ScanContext(root=tmp_path, parses=parses)
    data = path.read_bytes()
    return [*PythonScanner().scan(path, data, ctx), *UrlScanner().scan(path, data, ctx)]


def test_python_and_url_scanners_parse_a_file_once(tmp_path: Path) -> None:
    cache = ParseCache()
    shared = _scan_both(tmp_path, cache)
    assert cache.parsed == 1  # the URL scanner reused the Python scanner's tree
    alone = _scan_both(tmp_path, None)
    assert shared == alone
    found = {(getattr(r, "id", None), getattr(r, "line", None), getattr(r, "loader", None)) for r in shared}
    assert ("hf:bert-base-uncased", 2, "url") in found  # the address, found in the shared tree
    assert ("hf:bert-base-uncased", 3, "transformers.AutoModel.from_pretrained") in found


def test_a_tree_is_reused_only_for_the_same_text() -> None:
    cache = ParseCache()
    first = cache.parse("a.py", "x = 1\n")
    assert cache.parse("a.py", "x = 1\n") is first
    other = cache.parse("a.py", "x = 2\n")  # same key, other text: parsed again
    assert other is not first and cache.parsed == 2
    assert ast.dump(other) == ast.dump(ast.parse("x = 2\n"))


def test_the_budget_bounds_what_is_kept() -> None:
    cache = ParseCache(max_chars=20)
    cache.parse("a.py", "a = 1\n" * 2)  # 12 characters
    cache.parse("b.py", "b = 1\n" * 2)  # 24 held > 20: a.py dropped
    assert len(cache) == 1 and cache.held == 12
    cache.parse("big.py", "c = 1\n" * 10)  # larger than the budget: parsed, not kept
    assert len(cache) == 1 and cache.held == 12
    cache.clear()
    assert len(cache) == 0 and cache.held == 0


def test_syntax_errors_are_raised_and_not_kept() -> None:
    cache = ParseCache()
    for _ in range(2):
        with pytest.raises(SyntaxError):
            cache.parse("bad.py", "def (:\n")
    assert len(cache) == 0 and cache.parsed == 0


def test_a_scan_gives_the_same_references_as_without_sharing(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SOURCE, encoding="utf-8")
    refs = scan_path(tmp_path).references
    direct = [r for r in _scan_both(tmp_path, None) if hasattr(r, "id")]
    assert {r.id for r in refs} == {getattr(r, "id", None) for r in direct}


def test_a_module_kept_for_its_wrappers_is_not_parsed_again_by_its_own_scan(tmp_path: Path) -> None:
    """``app.py`` calls a wrapper of ``helpers.py``: the scan of ``app.py`` loads ``helpers.py`` for it (one
    parse, kept by the wrapper cache); the own scan of ``helpers.py`` then reads that tree, and finds what a
    scan parsing it afresh finds."""
    from modelclear.scan.pywrappers import WRAPPERS

    helpers = tmp_path / "helpers.py"
    helpers.write_text("from transformers import AutoModel\n\n\ndef load(name):\n"
                       "    return AutoModel.from_pretrained(name)\n", encoding="utf-8")
    app = tmp_path / "app.py"
    app.write_text('from helpers import load\n\nmodel = load("org/wrapped-model")\n', encoding="utf-8")
    ctx = ScanContext(root=tmp_path, parses=ParseCache())
    scanner = PythonScanner()
    found = list(scanner.scan(app, app.read_bytes(), ctx))
    assert [(getattr(r, "id", None), getattr(r, "line", None)) for r in found] == [("hf:org/wrapped-model", 3)]
    assert ctx.parses is not None
    ctx.parses.clear()
    source = helpers.read_text(encoding="utf-8")
    kept = WRAPPERS.kept_tree(ctx, "helpers", "helpers.py", source)
    assert kept is not None
    assert WRAPPERS.kept_tree(ctx, "helpers", "helpers.py", source + "\n") is None  # other text: not that tree
    parsed_before = ctx.parses.parsed
    own = list(scanner.scan(helpers, helpers.read_bytes(), ctx))
    assert ctx.parses.parsed == parsed_before  # the kept tree, not a new parse
    fresh = list(scanner.scan(helpers, helpers.read_bytes(), ScanContext(root=tmp_path)))  # parses its own tree
    assert own == fresh and own
