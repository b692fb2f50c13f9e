"""Values that cross the project's own modules, classes and functions on their way to a loader (issue 10,
cause 1): download helpers calling the project's generic download function, config objects passed down,
class attributes overridden by subclasses. Small project trees in the style of real repositories,
scanned as a whole (real files, one job)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelclear.scan import scan_path
from modelclear.scan.base import ScanOptions


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def found(root: Path, path: str | None = None) -> list[tuple[str, int, str]]:
    result = scan_path(root, ScanOptions(jobs=1))
    return sorted((r.path, r.line, r.id) for r in result.references
                  if r.id is not None and not r.id.startswith("pypi:") and (path is None or r.path == path))


# ------------------------------------------------- a wrapper calling a wrapper of another project module

SEGKIT = {
    "segkit/__init__.py": "",
    "segkit/utils/__init__.py": "",
    "segkit/utils/download.py": '''
        import requests
        from tqdm import tqdm


        def download(url: str, fname: str, verbose: bool = True) -> None:
            """Download a file from a url and save it to a file."""
            resp = requests.get(url, stream=True)
            with open(fname, "wb") as file, tqdm(desc=fname, disable=not verbose) as bar:
                for data in resp.iter_content(chunk_size=1024):
                    bar.update(file.write(data))
        ''',
    "segkit/weights.py": '''
        import os

        from segkit.utils.download import download

        MODEL_WEIGHTS = {
            "L": "https://github.com/segkit/segkit/releases/download/v1.0/segkit-large.pth",
            "S": "https://github.com/segkit/segkit/releases/download/v1.0/segkit-small.pth",
        }


        def download_weights(checkpoint_fpath, model_size="L"):
            """Downloads the released weights unless they are already there."""
            if not os.path.isfile(checkpoint_fpath):
                download(MODEL_WEIGHTS[model_size.strip().upper()], checkpoint_fpath)
            return checkpoint_fpath
        ''',
    "predict.py": '''
        import argparse

        from segkit.weights import download_weights


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--checkpoint", default="weights/segkit-small.pth")
            args = parser.parse_args()
            path = download_weights(args.checkpoint, model_size="S")
            print(path)


        if __name__ == "__main__":
            main()
        ''',
}


def test_a_wrapper_calling_another_modules_download_helper_is_followed_to_the_real_fetch(tmp_path: Path) -> None:
    write(tmp_path, SEGKIT)
    small = "url:https://github.com/segkit/segkit/releases/download/v1.0/segkit-small.pth"
    large = "url:https://github.com/segkit/segkit/releases/download/v1.0/segkit-large.pth"
    # predict.py names no loader library: it is read because what it imports reaches one, two modules down
    assert ("predict.py", 10, small) in found(tmp_path)
    assert ("predict.py", 10, large) not in found(tmp_path)  # model_size="S" chose one entry
    assert {(p, i) for p, _, i in found(tmp_path, "segkit/weights.py")} == {("segkit/weights.py", small),
                                                                         ("segkit/weights.py", large)}


def test_modules_followed_from_a_file_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear.scan import pyflow

    write(tmp_path, SEGKIT)
    monkeypatch.setattr(pyflow, "MAX_MODULE_DEPTH", 0)  # the helper's own module only: no second hop
    assert not [f for f in found(tmp_path) if f[:2] == ("predict.py", 10)]
