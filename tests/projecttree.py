"""Small project trees written at test time and scanned whole: the scanner's cross-module tests share
these helpers (the tree's files from ``{relative path: source}``, dedented; the sorted ids found)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.scan import scan_path
from modelclear.scan.base import ScanOptions


def write(root: Path, files: dict[str, str]) -> None:
    """Write each ``{relative path: source}`` under ``root``, dedented, leading blank line removed."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def found(root: Path, path: str | None = None) -> list[tuple[str, int, str]]:
    """``(path, line, id)`` of every identified reference a one-worker scan of ``root`` reports (package
    dependencies left out), optionally only those in the file ``path``."""
    result = scan_path(root, ScanOptions(jobs=1))
    return sorted((r.path, r.line, r.id) for r in result.references
                  if r.id is not None and not r.id.startswith("pypi:") and (path is None or r.path == path))
