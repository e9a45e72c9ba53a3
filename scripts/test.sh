#!/usr/bin/env bash
# Set up everything the tests need (venv, Node's ical.js, Debian's Chromium) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if [ ! -x /usr/bin/chromium ]; then
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ -f tests/icaljs/package.json ]; then
  npm ci --prefix tests/icaljs --no-audit --no-fund --silent
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
