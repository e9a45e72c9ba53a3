#!/usr/bin/env bash
# Set up, solve the bundled sample conference, then serve its web view on http://127.0.0.1:${PORT:-8000}/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
.venv/bin/agenda solve data/rome-2023 --out build/rome-2023 --time-limit "${TIME_LIMIT:-60}"
exec .venv/bin/agenda serve data/rome-2023 --timetable build/rome-2023/timetable.csv \
  --host 127.0.0.1 --port "${PORT:-8000}"
