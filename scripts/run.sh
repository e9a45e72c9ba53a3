#!/usr/bin/env bash
# Set up, solve the bundled sample conference, publish it into the embedded SQLite store, and serve the web view
# (public pages, feeds, API, committee workspace) on http://127.0.0.1:${PORT:-8000}/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
mkdir -p build
DB="${AGENDA_DATABASE_URL:-sqlite:///$PWD/build/agenda.sqlite}"
.venv/bin/agenda solve data/rome-2023 --out build/rome-2023 --time-limit "${TIME_LIMIT:-60}"
.venv/bin/agenda db upgrade --database-url "$DB"
# A re-run keeps whatever the committee has done since: the sample is loaded only into an empty slot.
.venv/bin/agenda load data/rome-2023 --slug rome-2023 --timetable build/rome-2023/timetable.csv --publish \
  --if-absent --database-url "$DB"
echo "committee accounts: .venv/bin/agenda create-admin --email you@example.org --database-url $DB"
exec .venv/bin/agenda serve --database-url "$DB" --host 127.0.0.1 --port "${PORT:-8000}"
