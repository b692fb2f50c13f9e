"""The attribute words of the lazy constant index (issue 14): a superset of what a module can define.

A project-wide lookup of ``x.attr`` (an attribute of an object the resolver cannot type) indexes only the
modules whose text may define ``attr`` (:func:`modelclear.scan.pyconsts._attribute_words`). The words must
hold every ``.attr`` key the module's index gives (:attr:`modelclear.scan.pyindex.ModuleIndex.attr_index`),
or a lookup would miss a value; they leave out words only ever written as method calls.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from modelclear.scan.pyconsts import LazyConstants, ProjectIndex, _attribute_words
from modelclear.scan.pyexports import index_constants
from modelclear.scan.pyindex import build_index

REPO = Path(__file__).resolve().parents[1]

TARGETS = '''\
import torch

class Settings:
    plain = 1
    annotated: int = 2
    required: str
    first, second = 3, 4
    (paren) = 5
    [listed, *rest] = [6, 7, 8]
    for looped in range(2):
        pass
    comprehended = [item for item in range(3)]
    with open("f") as opened:
        pass
    if (walrus := 9):
        pass

class Model:
    def __init__(self, other):
        self.config = other
        self . spaced = 1
        self.continued \\
            = 2
        (self.left,
         self.right) = (3, 4)
        other.target: int = 5
        for self.looped_attr in range(2):
            pass
        with open("g") as self.handle:
            pass
        *self.starred, last = [1, 2]
        self.deep.inner = 6
        self.table["key"] = 7

    def forward(self, x):
        y = x.to("cpu").unsqueeze(0)
        return y.reshape (1, -1) .mean()
'''


def _index_keys(source: str) -> set[str]:
    index, _ = build_index(ast.parse(source), "m", None)
    return set(index.attr_index)


def _write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def test_every_kind_of_target_is_a_word_and_method_calls_are_not(tmp_path: Path) -> None:
    path = _write(tmp_path, "targets.py", TARGETS)
    words = _attribute_words(str(path), 1_000_000)
    keys = _index_keys(TARGETS)
    assert {"plain", "annotated", "required", "first", "second", "paren", "listed", "rest", "looped", "item",
            "opened", "walrus", "config", "spaced", "continued", "left", "right", "target", "looped_attr",
            "handle", "starred", "inner"} <= keys
    assert keys <= words
    # written only as calls, or only as the owner of a deeper attribute or an entry: not definable
    assert not {"to", "unsqueeze", "reshape", "mean", "deep", "table"} & words


def test_option_calls_count_every_word(tmp_path: Path) -> None:
    source = 'import argparse\np = argparse.ArgumentParser()\np.add_argument("--model-name", default="org/m")\n'
    path = _write(tmp_path, "cli.py", source)
    words = _attribute_words(str(path), 1_000_000)
    assert _index_keys(source) == {"model_name"}
    assert "model_name" in words


def test_non_ascii_names_are_normalised(tmp_path: Path) -> None:
    source = "class C:\n    ｆｉｅｌｄ = 'org/m'\n\n\ndef f(o):\n    o.ｎａｍｅ = 1\n"
    path = _write(tmp_path, "wide.py", source)
    assert _index_keys(source) == {"field", "name"}
    assert {"field", "name"} <= _attribute_words(str(path), 1_000_000)


@pytest.mark.parametrize(("tree", "least"), [("src", 150), ("tests", 15)])
def test_superset_on_real_trees(tree: str, least: int) -> None:
    """Every module of the project's own source and of its tests and fixtures: no ``.attr`` key is missing."""
    checked = 0
    for path in sorted((REPO / tree).rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            keys = _index_keys(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        missing = keys - _attribute_words(str(path), 10_000_000)
        assert not missing, f"{path}: {sorted(missing)}"
        checked += 1
    assert checked >= least


def test_a_method_name_lookup_indexes_only_modules_that_may_define_it(tmp_path: Path) -> None:
    """``x.to(...)`` everywhere, ``.to`` defined in one module: that module alone is indexed, and the value
    is the one the full index gives."""
    sources = {
        "a.py": "def f(x):\n    return x.to('cpu')\n",
        "b.py": "def g(x):\n    return x.to(0).unsqueeze(1)\n",
        "c.py": "class R:\n    def __init__(self):\n        self.to = 'org/route-model'\n",
    }
    candidates = []
    for name, source in sources.items():
        path = _write(tmp_path, name, source)
        candidates.append((str(path), name, name[:-3]))
    indexed: list[str] = []

    def index_file(path: str, rel: str, max_bytes: int) -> tuple[str, dict[str, object], str] | None:
        indexed.append(rel)
        index, _ = build_index(ast.parse(Path(path).read_text(encoding="utf-8")), rel[:-3], None)
        return rel, index_constants(index), ""

    lazy = LazyConstants(candidates, index_file, 1_000_000)
    assert ProjectIndex(lazy).attr("to") == ["org/route-model"]
    assert indexed == ["c.py"]
    assert ProjectIndex(lazy).attr("unsqueeze") == []
    assert indexed == ["c.py"]


def test_comment_lines_define_nothing_but_a_string_closed_on_one_still_counts(tmp_path: Path) -> None:
    """A line that is only a comment (the licence header's "agreed to in writing") gives no word; a
    ``#`` line inside a multi-line string that closes the string and goes on with code still counts, and
    so does a ``#`` line of an f-string whose field binds a name."""
    source = ('# Unless required by applicable law or agreed to in writing, software\n'
              '#   distributed under the License\n'
              'def f(x):\n    return x.to("cpu")\n\n\n'
              'class C:\n    doc = """\n# a line of text """; self_bound = 1\n'
              '    text = f"""\n# {(walrused := 2)}\n"""\n')
    path = _write(tmp_path, "header.py", source)
    words = _attribute_words(str(path), 1_000_000)
    assert _index_keys(source) <= words
    assert {"self_bound", "walrused"} <= words
    assert "to" not in words and "writing" not in words
