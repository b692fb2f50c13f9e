#!/usr/bin/env bash
# Set up everything modelclear and its tests need on a fresh machine: a virtualenv in .venv with the
# package (editable) and its test extras. Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v -E '^(WARNING: Location|  )' || true
.venv/bin/python -c 'import modelclear, yaml, rich, license_expression, huggingface_hub, pytest, gguf' \
  || { echo "setup: installation incomplete" >&2; exit 1; }
# The walker's tests build real git repositories (tests/test_scan_gitindex.py): Debian's git when missing.
if ! command -v git >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  { $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq git >/dev/null; } \
    || { echo "setup: could not install Debian's git (the git-index tests need it)" >&2; exit 1; }
fi
# Browser tests (HTML report): Debian's Chromium, driven by Playwright without downloading a browser.
if [ -f scripts/setup-browser.sh ]; then bash scripts/setup-browser.sh; fi
