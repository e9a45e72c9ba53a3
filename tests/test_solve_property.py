"""Property: any small instance either solves to a checker-clean timetable or is proven infeasible with reasons."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import conferences

from scheduler.checker import check
from scheduler.solve import SolveSettings, solve


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences(), st.booleans())
def test_small_instances_solve_clean_or_are_explained(conference, allow_unplaced):
    result = solve(conference, SolveSettings(time_limit_s=10, workers=1, allow_unplaced=allow_unplaced))
    assert result.status in ("OPTIMAL", "INFEASIBLE"), result.status
    event(result.status)
    if result.status == "OPTIMAL":
        report = check(conference, result.timetable, allow_unplaced=allow_unplaced)
        assert report.ok, report.violations
        assert report.objective == result.objective
        for a in result.timetable.assignments:
            s = conference.session_by_id[a.session_id]
            assert a.end - a.start == timedelta(minutes=s.duration_min)
    else:
        assert not allow_unplaced  # leaving sessions out always yields some timetable
        assert len(result.explanation) >= 2  # at least one requirement, then the advice line
