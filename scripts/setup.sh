#!/usr/bin/env bash
# Create or refresh the project's virtual environment in .venv. Usage: scripts/setup.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
if [ "${1:-run}" = "test" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi
