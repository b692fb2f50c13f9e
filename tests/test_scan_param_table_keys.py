"""A library entry point's parameter that its own function looks up in a table (issue 10, registries):
`Ranker(model_name="tiny-v2")` checks `MODEL_FILES[model_name]` and downloads `MODEL_URL.format(model_name)`
in another method. A caller outside the module may pass any key of the table, so each key's download is
a reference, reported at the key's entry. Snippets in the style of a small reranking library."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source

RANKER_PY = '''
    import requests

    MODEL_URL = "https://storage.googleapis.com/rerankers/{}.zip"
    MODEL_FILES = {
        "tiny-v2": "reranker-tiny-v2.onnx",
        "base-v1": "reranker-base-v1.onnx",
        "multilingual-v1": "reranker-multilingual-v1.onnx",
    }


    class Ranker:
        def __init__(self, model_name: str = "tiny-v2", cache_dir: str = "/tmp"):
            self.cache_dir = cache_dir
            self._prepare(model_name)
            self.model_file = MODEL_FILES[model_name]

        def _prepare(self, model_name: str):
            self._download(model_name)

        def _download(self, model_name: str):
            url = MODEL_URL.format(model_name)
            with requests.get(url, stream=True) as r:
                r.raise_for_status()
    '''


def scan(source: str) -> list[tuple[int, str | None]]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source).lstrip("\n"), "rerankers/ranker.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return sorted(((r.line, r.id) for r in out if isinstance(r, Reference) and r.id), key=lambda x: (x[0], x[1] or ""))


def test_each_key_of_the_table_the_parameter_indexes_is_a_download() -> None:
    got = scan(RANKER_PY)
    base = "url:https://storage.googleapis.com/rerankers/"
    assert (5, base + "tiny-v2.zip") in got
    assert (6, base + "base-v1.zip") in got
    assert (7, base + "multilingual-v1.zip") in got


def test_a_parameter_the_module_passes_keeps_the_values_passed() -> None:
    """When the module itself builds the object, the keys it passes are the values (not every key)."""
    got = scan(RANKER_PY + '''

    DEFAULT_RANKER = Ranker("base-v1")
    ''')
    ids = {ref_id for _line, ref_id in got}
    assert "url:https://storage.googleapis.com/rerankers/base-v1.zip" in ids
    assert "url:https://storage.googleapis.com/rerankers/multilingual-v1.zip" not in ids
