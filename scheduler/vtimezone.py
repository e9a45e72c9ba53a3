"""A VTIMEZONE that every calendar client reads the same way: yearly RRULE observances derived from zoneinfo.

Why not `icalendar`'s `add_missing_timezones()`: it describes a zone as long RDATE lists, and ical.js
(Thunderbird), vobject and Outlook read only the first RDATE or none, which shifts summer-time events by an
hour (see ../shared/ICAL-NOTES.md). Clients agree on the shape Outlook writes: one STANDARD and one DAYLIGHT
observance, each with a yearly RRULE such as "last Sunday of October", DTSTART given in the offset in force
before the change. We derive that rule from the zone's real transitions in the years the feed covers and check
that it reproduces every one of them. A zone whose changes follow no such rule (several changes a year, or a
permanent switch of offset) gets one observance per real change instead: correct in every client, if longer.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

# Observances start here, as Google's and tzurl.org's VTIMEZONEs do; rules are expanded from it.
_EPOCH_YEAR = 1970
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """One change of UTC offset: the first instant (UTC) of the new offset, and the offsets on either side."""

    at: datetime
    before: timedelta
    after: timedelta

    @property
    def local_onset(self) -> datetime:
        """The wall-clock time of the change in the offset before it, as VTIMEZONE DTSTART wants (naive)."""
        return (self.at + self.before).replace(tzinfo=None)


@dataclass(frozen=True)
class YearlyRule:
    """ "The n-th (or last, n=-1) weekday of a month at a wall-clock time": how DST rules are phrased."""

    month: int
    nth: int
    weekday: int  # Monday = 0, as in datetime
    onset: timedelta  # wall-clock time of day of the change, in the offset before it

    def onset_in(self, year: int) -> datetime:
        """The naive local onset this rule gives in `year`."""
        days = [
            d
            for d in calendar.Calendar().itermonthdates(year, self.month)
            if d.month == self.month and d.weekday() == self.weekday
        ]
        day = days[-1] if self.nth == -1 else days[self.nth - 1]
        return datetime.combine(day, datetime.min.time()) + self.onset

    def rrule(self) -> vRecur:
        return vRecur(freq="YEARLY", bymonth=self.month, byday=f"{self.nth}{_WEEKDAYS[self.weekday]}")


def vtimezone(zone_name: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of `zone_name` that is right for every instant from `first` to `last` (inclusive)."""
    zone = ZoneInfo(zone_name)
    changes = transitions(zone, first.year, last.year)
    tz = Timezone()
    tz.add("tzid", zone_name)
    if not changes:
        offset = _offset(zone, datetime.combine(first, datetime.min.time(), tzinfo=UTC))
        tz.add_component(
            _observance(
                TimezoneStandard,
                zone,
                datetime(_EPOCH_YEAR, 1, 1),
                offset,
                offset,
                datetime.combine(first, datetime.min.time(), tzinfo=UTC),
            )
        )
        return tz
    rules = _yearly_rules(changes, first.year, last.year)
    for component in _rule_observances(zone, changes, rules) if rules else _explicit_observances(zone, changes):
        tz.add_component(component)
    return tz


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[Transition]:
    """Every change of UTC offset of `zone` from the start of `first_year` to the end of `last_year`."""
    found = []
    step = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    # Offsets change at most a few times a year and never twice within a day, so daily probes find each change.
    while step < end:
        following = step + timedelta(days=1)
        if _offset(zone, step) != _offset(zone, following):
            found.append(_bisect(zone, step, following))
        step = following
    return found


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def _bisect(zone: ZoneInfo, low: datetime, high: datetime) -> Transition:
    """The exact minute the offset changes between `low` (old offset) and `high` (new offset)."""
    before, after = _offset(zone, low), _offset(zone, high)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            middle = low + timedelta(minutes=1)
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return Transition(high, before, after)


def _rule_of(change: Transition) -> YearlyRule:
    onset = change.local_onset
    last_day = calendar.monthrange(onset.year, onset.month)[1]
    nth = -1 if onset.day + 7 > last_day else (onset.day - 1) // 7 + 1
    return YearlyRule(onset.month, nth, onset.weekday(), onset - onset.replace(hour=0, minute=0))


def _yearly_rules(changes: list[Transition], first_year: int, last_year: int) -> tuple[YearlyRule, YearlyRule] | None:
    """The two yearly rules (into summer time, back to standard time) that reproduce `changes`, if there are any."""
    years = range(first_year, last_year + 1)
    if len(changes) != 2 * len(years):
        return None
    first, second = changes[0], changes[1]
    if (first.before, first.after) != (second.after, second.before):
        return None
    rules = (_rule_of(first), _rule_of(second))
    pairs = tuple(zip(rules, (first, second), strict=True))
    expected = [(rule.onset_in(y), c.before, c.after) for y in years for rule, c in pairs]
    actual = [(c.local_onset, c.before, c.after) for c in changes]
    return rules if expected == actual else None


def _rule_observances(zone: ZoneInfo, changes: list[Transition], rules: tuple[YearlyRule, YearlyRule]):
    """One STANDARD and one DAYLIGHT observance, each recurring yearly from 1970."""
    for rule, change in zip(rules, changes[:2], strict=True):
        kind = TimezoneDaylight if change.after > change.before else TimezoneStandard
        component = _observance(kind, zone, rule.onset_in(_EPOCH_YEAR), change.before, change.after, change.at)
        component.add("rrule", rule.rrule())
        yield component


def _explicit_observances(zone: ZoneInfo, changes: list[Transition]):
    """The offset before the first change from 1970 on, then one observance per change, none recurring."""
    first = changes[0]
    yield _observance(
        TimezoneStandard, zone, datetime(_EPOCH_YEAR, 1, 1), first.before, first.before, first.at - timedelta(minutes=1)
    )
    for change in changes:
        kind = TimezoneDaylight if zone.dst(change.at.astimezone(zone)) else TimezoneStandard
        yield _observance(kind, zone, change.local_onset, change.before, change.after, change.at)


def _observance(kind, zone: ZoneInfo, start: datetime, before: timedelta, after: timedelta, sample: datetime):
    """An observance starting at naive local `start`, named as the zone names the instant `sample`."""
    component = kind()
    component.add("dtstart", start)
    component.add("tzoffsetfrom", before)
    component.add("tzoffsetto", after)
    name = sample.astimezone(zone).tzname()
    if name:
        component.add("tzname", name)
    return component
