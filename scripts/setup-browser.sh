#!/usr/bin/env bash
# Install what the browser tests (tests/test_browser_html.py, marker `browser`) need: Debian's
# Chromium package and the Python `playwright` package in .venv. Playwright drives the system
# Chromium (/usr/bin/chromium); it never downloads a browser of its own.
#
# Idempotent and fast when everything is present. If apt is not available (not Debian, or not root
# and no sudo), it prints why and exits 0: the browser tests then skip with that reason (under CI,
# where $CI is set, tests/conftest.py reports such a skip as a failure).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  echo "setup-browser: .venv missing; run scripts/setup.sh first" >&2
  exit 1
fi

if ! .venv/bin/python -c 'import playwright' >/dev/null 2>&1; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check 'playwright>=1.40' \
    || { echo "setup-browser: could not install the playwright package; browser tests will skip (and fail under CI)" >&2; exit 0; }
fi

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "setup-browser: not root and no passwordless sudo: Chromium not installed; browser tests will skip (and fail under CI)" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: apt-get not available: Chromium not installed; browser tests will skip (and fail under CI)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi
# Japanese reports need a CJK font to render (best effort; the tests do not depend on it).
$SUDO apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null 2>&1 || true
[ -x /usr/bin/chromium ] || { echo "setup-browser: Chromium did not install" >&2; exit 1; }
