"""The installed package holds only what runs at run time; build-time tools stay in ``tools/``."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "modelclear"


def test_package_discovery_finds_only_modelclear() -> None:
    """The ``[tool.setuptools.packages.find]`` settings select ``modelclear`` and its sub-packages only."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    find = config["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(where=str(ROOT / find["where"][0]), include=find.get("include", ["*"]))
    assert "modelclear" in packages and "modelclear.catalog" in packages
    assert all(p == "modelclear" or p.startswith("modelclear.") for p in packages), packages
    assert not any(p.startswith(("tools", "modelclear.catalog.extract")) for p in packages), packages


def test_build_tools_live_outside_the_package() -> None:
    """The extractors and the DPC importer are in ``tools/``, not under ``src/modelclear``."""
    assert (ROOT / "tools" / "extract" / "__init__.py").is_file()
    assert (ROOT / "tools" / "dpc.py").is_file()
    assert not (PACKAGE / "catalog" / "extract").exists()
    assert not (PACKAGE / "catalog" / "dpc.py").exists()


def test_no_runtime_module_imports_the_build_tools() -> None:
    """No module of the installed package imports ``tools`` (it is absent from an installed wheel)."""
    offenders: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if any(n == "tools" or n.startswith(("tools.", "modelclear.catalog.extract", "modelclear.catalog.dpc"))
                   for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
