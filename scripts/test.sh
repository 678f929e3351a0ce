#!/usr/bin/env bash
# Install what the tests need (a .venv, the test requirements, Debian's chromium), lint, and run them all.
#   bash scripts/test.sh            # the whole suite, browser test included
#   bash scripts/test.sh -k arith   # arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/python -m pip --disable-pip-version-check -q install -r requirements-test.txt
if [ ! -x "${PLAYGROUND_CHROMIUM:-/usr/bin/chromium}" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/python -m ruff check .   # the lint rules are in pyproject.toml
exec .venv/bin/python -m pytest "$@"
