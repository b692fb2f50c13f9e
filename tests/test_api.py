"""The documented Python API (issue 15): docs/api.md and modelclear.api's docstrings run as doctests."""

from __future__ import annotations

import doctest
from pathlib import Path

import modelclear
from modelclear import api

ROOT = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_docs_api_page_examples() -> None:
    failures, tried = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=FLAGS)
    assert tried >= 15 and failures == 0


def test_api_module_docstring_examples() -> None:
    failures, tried = doctest.testmod(api, optionflags=FLAGS)
    assert tried >= 2 and failures == 0


def test_package_exports_work_before_and_after_the_subpackages_load() -> None:
    """``modelclear.scan`` is both the scanner subpackage and the API function; both uses keep working."""
    import modelclear.scan as scanner

    assert scanner is modelclear.scan and callable(modelclear.scan)
    assert scanner.scan_path.__module__.startswith("modelclear.scan")
    assert modelclear.check is api.check and modelclear.load_knowledge is api.load_knowledge
    assert callable(modelclear.explain) and modelclear.explain("no-such-artifact") is None
