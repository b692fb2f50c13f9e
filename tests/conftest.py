"""Shared fixtures: a headless Debian Chromium driven by Playwright (for tests marked ``browser``).

Under CI (``$CI`` set, as CI services do) a skipped test is reported as a failure: a test that
skips because the machine lacks something (Chromium, a schema, a test extra) has not run, and CI
must not pass on tests that never ran. Locally a skip stays a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]  # tests/test_ci_skips.py checks the CI rule below

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


def under_ci() -> bool:
    """Whether this run is a CI run (``$CI`` set to anything but empty, ``0`` or ``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI, turn a skip (not an expected failure) into a failure that names the reason."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and not hasattr(report, "wasxfail") and under_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {reason}"
