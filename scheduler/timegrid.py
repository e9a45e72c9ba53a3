"""The model's view of time: whole minutes since the first day's local midnight, elapsed (so DST is harmless).

Only the model uses this module; the checker re-derives time from the domain on its own.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cached_property

from scheduler.domain import Conference, Session, Window


@dataclass(frozen=True)
class Grid:
    conference: Conference

    @cached_property
    def origin(self) -> datetime:
        first = min(d.date for d in self.conference.days)
        return datetime.combine(first, time(0), tzinfo=self.conference.tz)

    def minute(self, dt: datetime) -> int:
        # Aware datetimes sharing a tzinfo subtract as wall-clock times; in UTC they subtract as elapsed time.
        return int((dt.astimezone(UTC) - self.origin.astimezone(UTC)).total_seconds() // 60)

    def to_datetime(self, minute: int) -> datetime:
        utc = self.origin.astimezone(UTC) + timedelta(minutes=minute)
        return utc.astimezone(self.conference.tz)

    @cached_property
    def periods(self) -> tuple[tuple[int, int], ...]:
        """Open periods as (start, end) minutes, in time order."""
        return tuple(sorted((self.minute(p.start), self.minute(p.end)) for p in self.conference.periods))

    @cached_property
    def horizon(self) -> int:
        return max(end for _, end in self.periods) + max(self.conference.changeover_min, 0) + 1

    def _on_grid(self, minute: int) -> bool:
        dt = self.to_datetime(minute)
        midnight = datetime.combine(dt.date(), time(0), tzinfo=self.conference.tz)
        return (
            int((dt.astimezone(UTC) - midnight.astimezone(UTC)).total_seconds() // 60) % self.conference.granularity_min
            == 0
        )

    @cached_property
    def _instants_by_period(self) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """(period end, grid instants inside the period) for every period."""
        return tuple((end, tuple(m for m in range(start, end) if self._on_grid(m))) for start, end in self.periods)

    @cached_property
    def instants(self) -> tuple[int, ...]:
        """Grid instants inside open periods: where language coverage is sampled."""
        return tuple(m for _, ms in self._instants_by_period for m in ms)

    def instants_in(self, lo: int, hi: int) -> tuple[int, ...]:
        """Grid instants u with lo <= u < hi."""
        return self.instants[bisect_left(self.instants, lo) : bisect_left(self.instants, hi)]

    def starts(self, session: Session) -> tuple[int, ...]:
        """Grid starts at which the session fits inside one open period."""
        d = session.duration_min
        return tuple(m for end, ms in self._instants_by_period for m in ms if m + d <= end)

    def inside_any(self, start: int, end: int, windows: tuple[Window, ...]) -> bool:
        return any(self.minute(w.start) <= start and end <= self.minute(w.end) for w in windows)
