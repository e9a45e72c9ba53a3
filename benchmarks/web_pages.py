"""Render time and weight of the web view's day grid: the Rome sample and a synthetic 1,000-session conference.

    .venv/bin/python benchmarks/web_pages.py [--repeat 15] [--rome-timetable out/timetable.csv]

Pages are rendered in-process through the Flask test client (no network), so the figures are the server's work
per page view. The first request of each conference is reported apart: it builds the programme (indexes) and
the day's grid layout, which later requests reuse. Sizes are the HTML as sent and gzip-compressed (what a proxy
with compression would send; the stylesheet and script are separate, cached files).

Without --rome-timetable the Rome sample gets the greedy timetable of the web view tests (confirmed valid by
the checker), because a solve takes tens of seconds; the 1,000-session conference uses the generator's hidden
timetable (valid by construction).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "webview")]

from scheduler.domain import Conference, Timetable  # noqa: E402
from scheduler.generate import GenerateOptions, generate  # noqa: E402
from scheduler.loader import load_conference  # noqa: E402
from scheduler.revisions import PublishedVersion  # noqa: E402
from scheduler.timetable_io import read_timetable  # noqa: E402
from webview import create_app  # noqa: E402
from webview.data import StaticSource  # noqa: E402

PUBLISHED_AT = datetime(2023, 9, 1, tzinfo=UTC)


def measure(label: str, conference: Conference, timetable: Timetable, repeat: int, build_dir: str) -> None:
    versions = (PublishedVersion(1, PUBLISHED_AT, conference, timetable),)
    app = create_app({"SECRET_KEY": "bench", "SCHEDULE_SOURCE": StaticSource(conference, versions),
                      "TRANSLATIONS_BUILD_DIR": build_dir})
    client = app.test_client()
    days = sorted({d.date for d in conference.days})
    print(f"\n{label}: {len(conference.sessions)} sessions, {len(conference.rooms)} rooms, {len(days)} days")
    t0 = time.perf_counter()
    first = client.get(f"/day/{days[0].isoformat()}")
    cold_ms = 1000 * (time.perf_counter() - t0)
    assert first.status_code == 200
    print(f"  first request (builds indexes and the day's layout): {cold_ms:.1f} ms")
    print(f"  {'day':<12}{'sessions':>9}{'median ms':>11}{'min ms':>8}{'max ms':>8}{'HTML KB':>9}{'gzip KB':>9}")
    medians = []
    for day in days:
        url = f"/day/{day.isoformat()}"
        body = client.get(url).data  # warm: the grid layout of this day is built once
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(1000 * (time.perf_counter() - t0))
            assert response.status_code == 200
        sessions = body.count(b' data-id="')
        median = statistics.median(times)
        medians.append(median)
        print(f"  {day.isoformat():<12}{sessions:>9}{median:>11.1f}{min(times):>8.1f}{max(times):>8.1f}"
              f"{len(body) / 1024:>9.1f}{len(gzip.compress(body)) / 1024:>9.1f}")
    print(f"  median over days of the per-day medians: {statistics.median(medians):.1f} ms")
    static = sum(len(client.get(f"/static/{name}").data) for name in ("agenda.css", "agenda.js"))
    print(f"  stylesheet + script (cached after the first page): {static / 1024:.1f} KB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed renders per day page (default 15)")
    parser.add_argument("--rome-timetable", help="a solved timetable.csv of data/rome-2023 (default: greedy)")
    args = parser.parse_args(argv)
    build_dir = tempfile.mkdtemp(prefix="agenda-bench-")

    rome = load_conference(REPO / "data" / "rome-2023")
    if args.rome_timetable:
        rome_timetable, how = read_timetable(args.rome_timetable, rome), args.rome_timetable
    else:
        from web_rome import greedy_timetable

        rome_timetable, how = greedy_timetable(rome), "greedy timetable"
    measure(f"Rome sample ({how})", rome, rome_timetable, args.repeat, build_dir)

    generated = generate(GenerateOptions(sessions=1000, seed=0))
    measure("Synthetic conference (agenda generate, 1,000 sessions, seed 0)", generated.conference, generated.hidden,
            args.repeat, build_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
