"""The code base stays mypy clean (``[tool.mypy]`` in pyproject.toml: ``src/modelclear`` and ``tools/``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_clean() -> None:
    """mypy, configured in pyproject.toml, reports no error in the package or the build tools."""
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy is not installed (it is in the test extra)")
    out = subprocess.run([mypy, "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (out.stdout + out.stderr)[-6000:]
