"""Runs inside benchmarks/.peer-venv (conference-scheduler, PuLP, numpy; not our package): schedule one instance.

    benchmarks/.peer-venv/bin/python benchmarks/peer_solve.py instance.json result.json --time-limit 60

The instance is what benchmarks/peer.py converted: slots (venue, ISO start, minutes, capacity, session label)
and events (name, minutes, demand, indices of the slots and events each cannot go with). The result holds the
schedule as (event index, slot index) pairs, or why there is none, and the times of building and solving.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schedule one converted instance with conference-scheduler.")
    parser.add_argument("instance")
    parser.add_argument("result")
    parser.add_argument("--time-limit", type=float, required=True)
    args = parser.parse_args(argv)

    # Imported here so `--help` works without the peer's packages.
    import pulp
    from conference_scheduler import scheduler
    from conference_scheduler.resources import Event, Slot

    with open(args.instance, encoding="utf-8") as f:
        data = json.load(f)
    t0 = time.perf_counter()
    slots = [Slot(venue=s["venue"], starts_at=datetime.fromisoformat(s["starts_at"]), duration=s["duration"],
                  capacity=s["capacity"], session=s["session"]) for s in data["slots"]]
    events = [Event(e["name"], e["duration"], e["demand"]) for e in data["events"]]
    for event, e in zip(events, data["events"], strict=True):
        event.add_unavailability(*(slots[j] for j in e["unavailable_slots"]))
        event.add_unavailability(*(events[j] for j in e["unavailable_events"]))
    converted_s = time.perf_counter() - t0
    result: dict[str, object] = {"converted_s": converted_s}
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=args.time_limit)
    t1 = time.perf_counter()
    try:
        # Builds the PuLP model (constraint generators in Python) and runs CBC; CBC alone honours the limit.
        items = scheduler.solution(events, slots, solver=solver)
        result.update(status="solved", solution=[[int(e), int(s)] for e, s in items])
    except ValueError as err:  # the package's way of saying CBC returned no solution
        result.update(status="no solution", message=str(err))
    result["solve_s"] = time.perf_counter() - t1
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
