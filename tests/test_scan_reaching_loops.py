"""Which assignments of a name reach a use (issue 10, string building in loops): a value assigned in a
loop reaches the uses in that loop, not the loops of later cells that assign the same name again
(evaluation notebooks that loop over a checkpoint pattern per cell: `path = path_pat.format(...)`).
Each cell's load gets its own pattern's checkpoints, not the union of every cell's, which a cap would cut.
Written as the joined code cells of a notebook."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source

CELLS = '''
    import tensorflow as tf

    path_pat = "gs://ckpts/v2/finetuned_{pct}pct/r{depth}_{width}x_sk{sk}/saved_model/"
    for depth in (50, 101, 152):
        for width in (1, 2):
            for sk in (0, 1):
                for pct in (1, 10, 100):
                    path = path_pat.format(pct=pct, depth=depth, width=width, sk=sk)
                    model = tf.saved_model.load(path)

    path_pat = "gs://ckpts/v2/supervised/r{depth}_{width}x_sk{sk}/saved_model/"
    for depth in (50, 101, 152):
        for width in (1, 2):
            for sk in (0, 1):
                path = path_pat.format(depth=depth, width=width, sk=sk)
                model = tf.saved_model.load(path)

    path_pat = "gs://ckpts/v1/pretrain/{width}x/saved_model/"
    for width in (1, 2, 4):
        path = path_pat.format(width=width)
        model = tf.saved_model.load(path)
    '''


def found(source: str) -> dict[int, set[str]]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source).lstrip("\n"), "colabs/imagenet_results.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    by_line: dict[int, set[str]] = {}
    for ref in out:
        if isinstance(ref, Reference) and ref.id:
            by_line.setdefault(ref.line, set()).add(ref.id)
    return by_line


def test_each_loop_loads_its_own_pattern_and_every_combination() -> None:
    got = found(CELLS)
    first, second, third = got[9], got[16], got[21]
    assert len(first) == 36 and all("/v2/finetuned_" in i for i in first)
    assert "url:gs://ckpts/v2/finetuned_1pct/r152_2x_sk1/saved_model/" in first
    assert len(second) == 12 and all("/v2/supervised/" in i for i in second)
    assert third == {f"url:gs://ckpts/v1/pretrain/{w}x/saved_model/" for w in (1, 2, 4)}


def test_a_later_assignment_in_the_same_loop_still_reaches_the_use() -> None:
    """Inside one loop, a value assigned after the use comes back to it on the next pass."""
    got = found('''
        from transformers import AutoModel

        for step in range(2):
            if step:
                model = AutoModel.from_pretrained(name)
            name = "org/second-model"
        ''')
    assert got.get(5) == {"hf:org/second-model"}
