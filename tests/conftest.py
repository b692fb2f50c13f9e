"""Shared fixtures: a headless Debian Chromium driven by Playwright (for tests marked ``browser``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which this closed network refuses.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (installed by scripts/setup-browser.sh); never a downloaded browser."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                   "(run scripts/setup-browser.sh)")
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        pytest.skip("Debian's chromium is not installed (run scripts/setup-browser.sh)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_FLAGS)
        yield b
        b.close()
