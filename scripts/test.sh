#!/usr/bin/env bash
# Install what the tests need (a .venv, the test requirements, Debian's chromium and haproxy), lint, and run them all.
#   bash scripts/test.sh            # the whole suite, browser test included
#   bash scripts/test.sh -k arith   # arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/python -m pip --disable-pip-version-check -q install -r requirements-test.txt
missing=()
[ -x "${PLAYGROUND_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)  # the browser test
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)  # the replica tests' proxy
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
.venv/bin/python -m ruff check .   # the lint rules are in pyproject.toml
exec .venv/bin/python -m pytest "$@"
