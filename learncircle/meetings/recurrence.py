"""When a meeting's occurrences fall: pure functions of the organiser's wall time and zone, no database.

A series keeps its wall time in the organiser's zone: a weekly 18:00 in Berlin is 18:00 in Berlin in winter
and in summer, so its UTC moment moves by an hour twice a year (and differently for a reader in Sydney, whose
own clocks change in the other season). Each occurrence is the first one's local date plus whole weeks, at
the same wall time, turned into UTC by the zone's rules for that date.

Two wall times need a rule: a time the clocks skip (02:30 on the night they jump forward) is the moment
that wall time would be had the clocks not changed, which reads an hour later (03:30); a time that happens
twice (the night they fall back) is the first of the two. Calendar programs do the same.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from .models import FORTNIGHTLY, ONCE, WEEKLY

UTC = dt.timezone.utc
INTERVAL_DAYS = {ONCE: 0, WEEKLY: 7, FORTNIGHTLY: 14}
MAX_OCCURRENCES = 60  # more than a year of weekly meetings; a longer series is scheduled again


class SeriesError(ValueError):
    """A series that cannot be made; `reason` names which rule it broke (the form says it in words)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def to_utc(local, zone):
    """A naive wall time in zone (a ZoneInfo) as naive UTC, by the rules above."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC).replace(tzinfo=None)


def to_zone(moment, zone):
    """A naive UTC moment as an aware datetime in zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def local_starts(local_start, repeat, until=None, times=None, rotation=()):
    """The wall times (naive, in the organiser's zone) of a series' occurrences, in order.

    repeat: ONCE, WEEKLY or FORTNIGHTLY; a series ends on the local date `until` (inclusive) or after `times`
    occurrences, and must have one of them. rotation: minutes to add to the first slot's wall time for the
    second, third… slot a rotating series takes in turn (occurrence n takes slot n mod (1 + len(rotation))).
    Raises SeriesError("no_end"), ("end_before_start") or ("too_many").
    """
    if repeat not in INTERVAL_DAYS:
        raise SeriesError("repeat")
    if repeat == ONCE:
        return [local_start]
    if until is None and not times:
        raise SeriesError("no_end")
    if until is not None and until < local_start.date():
        raise SeriesError("end_before_start")
    if times is not None and times < 1:
        raise SeriesError("no_end")
    if times is not None and times > MAX_OCCURRENCES:
        raise SeriesError("too_many")
    offsets = (0, *rotation)
    step = dt.timedelta(days=INTERVAL_DAYS[repeat])
    starts = []
    number = 0
    while times is None or number < times:
        local = local_start + step * number + dt.timedelta(minutes=offsets[number % len(offsets)])
        if until is not None and local.date() > until:
            break
        starts.append(local)
        number += 1
        if len(starts) > MAX_OCCURRENCES:
            raise SeriesError("too_many")
    if not starts:
        raise SeriesError("end_before_start")
    return starts


def utc_starts(local_start, zone_name, repeat, until=None, times=None, rotation=()):
    """local_starts as naive UTC moments, by the zone's rules on each date."""
    zone = ZoneInfo(zone_name)
    return [to_utc(local, zone) for local in local_starts(local_start, repeat, until, times, rotation)]
