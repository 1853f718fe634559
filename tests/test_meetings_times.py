"""Time zones and daylight saving, as properties over zones and dates (2026–2030): a series keeps the organiser's
wall time (meetings/recurrence.py), and every reader sees a meeting at the hour their own clock shows, with the
organiser's beside it exactly when their clocks differ (meetings/times.py)."""
import datetime as dt
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learncircle import db, timefmt
from learncircle.meetings import recurrence, scheduling, times
from learncircle.meetings.models import FORTNIGHTLY, ONCE, WEEKLY, Meeting, Occurrence
from learncircle.meetings.recurrence import SeriesError

UTC = dt.timezone.utc
FIVE = ["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]
HOUR = dt.timedelta(hours=1)

zone_names = st.one_of(st.sampled_from(FIVE), st.sampled_from(timefmt.timezone_names()))
# Any minute of 2026–2030, and as often one in the small hours, where the clocks change.
any_minute = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2030, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(second=0, microsecond=0))
small_hours = st.builds(lambda day, hour, minute: dt.datetime.combine(day, dt.time(hour, minute)),
                        st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
                        st.integers(0, 3), st.sampled_from([0, 15, 30, 45]))
local_starts = st.one_of(any_minute, small_hours)
repeats = st.sampled_from([WEEKLY, FORTNIGHTLY])
counts = st.integers(1, recurrence.MAX_OCCURRENCES)
PROPERTY = settings(deadline=None, max_examples=100)


def exists(wall, zone):
    """Whether the zone's clocks ever show this wall time (not in the hour they skip)."""
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def offsets(wall, zone):
    """The UTC offsets a wall time may be read with: (first, second); equal unless the clocks change there."""
    return wall.replace(tzinfo=zone, fold=0).utcoffset(), wall.replace(tzinfo=zone, fold=1).utcoffset()


# ---- a series keeps the organiser's wall time ---------------------------------------------------

@PROPERTY
@given(zone_name=zone_names, local_start=local_starts, repeat=repeats, count=counts)
@example(zone_name="Europe/Berlin", local_start=dt.datetime(2026, 3, 22, 2, 30), repeat=WEEKLY, count=3)  # skipped
@example(zone_name="Europe/Berlin", local_start=dt.datetime(2026, 10, 18, 2, 30), repeat=WEEKLY, count=3)  # twice
@example(zone_name="America/Los_Angeles", local_start=dt.datetime(2026, 3, 1, 2, 15), repeat=WEEKLY, count=2)
@example(zone_name="Australia/Sydney", local_start=dt.datetime(2026, 3, 22, 2, 30), repeat=FORTNIGHTLY, count=2)
@example(zone_name="Australia/Sydney", local_start=dt.datetime(2026, 9, 27, 2, 30), repeat=WEEKLY, count=2)
@example(zone_name="Australia/Lord_Howe", local_start=dt.datetime(2026, 9, 27, 2, 15), repeat=WEEKLY, count=2)
def test_every_occurrence_keeps_the_organisers_wall_time(zone_name, local_start, repeat, count):
    zone = ZoneInfo(zone_name)
    step = dt.timedelta(days=recurrence.INTERVAL_DAYS[repeat])
    starts = recurrence.utc_starts(local_start, zone_name, repeat, times=count)
    assert len(starts) == count
    for number, moment in enumerate(starts):
        wall = local_start + step * number  # the same weekday and clock time, whole weeks on
        local = recurrence.to_zone(moment, zone)
        # Back to the same instant, whichever way it is read.
        assert local == timefmt.to_local(moment, zone)
        assert local.astimezone(UTC).replace(tzinfo=None) == moment
        first, second = offsets(wall, zone)
        if exists(wall, zone):
            assert local.replace(tzinfo=None) == wall and local.weekday() == local_start.weekday()
            assert moment == min(wall - first, wall - second)  # a wall time that happens twice: the first
        else:
            # The hour the clocks skip: the moment that wall time would be had they not changed, which reads
            # later by the size of the jump (02:30 is 03:30 in Berlin on the night summer time starts).
            assert moment == wall - first
            assert local.replace(tzinfo=None) == wall + (second - first) and second > first


@PROPERTY
@given(zone_name=zone_names, local_start=local_starts, repeat=repeats, count=st.integers(2, 60))
@example(zone_name="Europe/Berlin", local_start=dt.datetime(2026, 3, 26, 18), repeat=WEEKLY, count=2)
@example(zone_name="Australia/Sydney", local_start=dt.datetime(2026, 3, 30, 7, 30), repeat=WEEKLY, count=2)
def test_consecutive_occurrences_are_whole_weeks_apart_but_across_a_change(zone_name, local_start, repeat, count):
    zone = ZoneInfo(zone_name)
    step = dt.timedelta(days=recurrence.INTERVAL_DAYS[repeat])
    starts = recurrence.utc_starts(local_start, zone_name, repeat, times=count)
    walls = recurrence.local_starts(local_start, repeat, times=count)
    for (a, b), (wall_a, wall_b) in zip(pairwise(starts), pairwise(walls)):
        gap = b - a
        offset_a, offset_b = (recurrence.to_zone(moment, zone).utcoffset() for moment in (a, b))
        if exists(wall_a, zone) and exists(wall_b, zone):
            # Exactly whole weeks, unless the clocks changed between them, and then by just that change.
            assert gap == step - (offset_b - offset_a)
        if offset_a == offset_b and exists(wall_a, zone) == exists(wall_b, zone):
            assert gap == step
        if zone_name in FIVE:
            assert abs(gap - step) <= HOUR
            assert gap == step or offset_a != offset_b or not exists(wall_b, zone) or not exists(wall_a, zone)


def test_a_weekly_18_00_in_berlin_around_both_changes():
    """The plain case said in numbers: 17:00 UTC in winter, 16:00 UTC in summer, and 18:00 on Berlin's clock."""
    spring = recurrence.utc_starts(dt.datetime(2026, 3, 19, 18), "Europe/Berlin", WEEKLY, times=3)
    autumn = recurrence.utc_starts(dt.datetime(2026, 10, 15, 18), "Europe/Berlin", WEEKLY, times=3)
    assert [m.strftime("%d %b %H:%M") for m in spring] == ["19 Mar 17:00", "26 Mar 17:00", "02 Apr 16:00"]
    assert [m.strftime("%d %b %H:%M") for m in autumn] == ["15 Oct 16:00", "22 Oct 16:00", "29 Oct 17:00"]
    # Sydney's clocks change the other way, and on other dates: 07:30 there is 20:30 or 21:30 UTC the day before.
    sydney = recurrence.utc_starts(dt.datetime(2026, 3, 30, 7, 30), "Australia/Sydney", WEEKLY, times=2)
    assert [m.strftime("%d %b %H:%M") for m in sydney] == ["29 Mar 20:30", "05 Apr 21:30"]


@PROPERTY
@given(zone_name=zone_names, local_start=local_starts,
       rotation=st.lists(st.integers(-12 * 60, 3 * 24 * 60).map(lambda m: m - m % 15), min_size=1, max_size=3),
       count=st.integers(1, 20))
def test_a_rotating_series_keeps_each_slots_wall_time(zone_name, local_start, rotation, count):
    zone = ZoneInfo(zone_name)
    slots = (0, *rotation)
    starts = recurrence.utc_starts(local_start, zone_name, WEEKLY, times=count, rotation=tuple(rotation))
    for number, moment in enumerate(starts):
        wall = local_start + dt.timedelta(days=7 * number, minutes=slots[number % len(slots)])
        if exists(wall, zone):
            assert recurrence.to_zone(moment, zone).replace(tzinfo=None) == wall
        assert moment == recurrence.to_utc(wall, zone)


# ---- the rules a series must keep --------------------------------------------------------------

START = dt.datetime(2026, 4, 6, 18, 0)


@pytest.mark.parametrize("values, reason", [
    ({"repeat": WEEKLY}, "no_end"),
    ({"repeat": FORTNIGHTLY, "times": 0}, "no_end"),
    ({"repeat": WEEKLY, "until": START.date() - dt.timedelta(days=1)}, "end_before_start"),
    ({"repeat": WEEKLY, "times": recurrence.MAX_OCCURRENCES + 1}, "too_many"),
    ({"repeat": WEEKLY, "until": START.date() + dt.timedelta(weeks=recurrence.MAX_OCCURRENCES)}, "too_many"),
    ({"repeat": "daily", "times": 3}, "repeat"),
])
def test_a_series_that_cannot_be_made_says_why(values, reason):
    with pytest.raises(SeriesError) as raised:
        recurrence.local_starts(START, **values)
    assert raised.value.reason == reason


def test_a_meeting_held_once_needs_no_end_and_an_end_date_is_inclusive():
    assert recurrence.local_starts(START, ONCE) == [START]
    last = START.date() + dt.timedelta(days=14)
    assert recurrence.local_starts(START, WEEKLY, until=last)[-1] == START + dt.timedelta(days=14)
    assert len(recurrence.local_starts(START, FORTNIGHTLY, until=last)) == 2
    assert len(recurrence.local_starts(START, WEEKLY, times=recurrence.MAX_OCCURRENCES)) == recurrence.MAX_OCCURRENCES


@PROPERTY
@given(local_start=local_starts, repeat=repeats, days=st.integers(-30, 2 * 366))
def test_an_end_date_gives_every_occurrence_up_to_it_or_says_why_not(local_start, repeat, days):
    until = local_start.date() + dt.timedelta(days=days)
    step = recurrence.INTERVAL_DAYS[repeat]
    try:
        walls = recurrence.local_starts(local_start, repeat, until=until)
    except SeriesError as error:
        expected = "end_before_start" if days < 0 else "too_many"
        assert error.reason == expected
        assert days < 0 or days // step + 1 > recurrence.MAX_OCCURRENCES
        return
    assert len(walls) == days // step + 1 <= recurrence.MAX_OCCURRENCES
    assert walls[-1].date() <= until < walls[-1].date() + dt.timedelta(days=step)


def test_scheduling_a_series_without_an_end_writes_nothing(app, make_user, make_circle):
    owner = make_user("organiser", timezone="Europe/Berlin")
    circle = make_circle(owner)
    with db.database.connection_context():
        with pytest.raises(SeriesError):
            scheduling.schedule(circle=circle, organiser=owner, title="Weekly", local_start=START,
                                zone="Europe/Berlin", duration_minutes=60, repeat=WEEKLY)
        assert Meeting.select().count() == 0 and Occurrence.select().count() == 0
        meeting = scheduling.schedule(circle=circle, organiser=owner, title="Weekly", local_start=START,
                                      zone="Europe/Berlin", duration_minutes=45, repeat=WEEKLY, times=3)
        rows = list(Occurrence.select().where(Occurrence.meeting == meeting.id).order_by(Occurrence.number))
    assert [row.number for row in rows] == [0, 1, 2]
    assert all(row.slot_start == row.starts_at and row.ends_at - row.starts_at == dt.timedelta(minutes=45)
               for row in rows)


# ---- each reader sees their own clock ---------------------------------------------------------------

def read_as(app, viewer, moment, organiser):
    with app.test_request_context("/"), timefmt.reading_in(viewer, "en"):
        return times.meeting_text(moment, organiser), str(times.meeting_time(moment, organiser))


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(viewer=st.sampled_from(FIVE), organiser=zone_names, moment=any_minute)
@example(viewer="Asia/Kolkata", organiser="Europe/Berlin", moment=dt.datetime(2026, 3, 29, 1, 0))
@example(viewer="Australia/Sydney", organiser="America/Los_Angeles", moment=dt.datetime(2026, 11, 1, 9, 0))
def test_a_reader_sees_their_own_hour_and_the_organisers_beside_it(app, viewer, organiser, moment):
    text, markup = read_as(app, viewer, moment, organiser)
    mine = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(viewer))
    theirs = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(organiser))
    shown, _, aside = text.partition(" (")
    assert shown.startswith(f"{mine:%a %d %b %Y, %H:%M} ")  # the reader's own date and clock
    assert f'datetime="{moment.isoformat()}Z"' in markup and f"{mine:%H:%M}" in markup
    if mine.utcoffset() == theirs.utcoffset():
        assert aside == "" and "muted" not in markup
    else:
        when = f"{theirs:%H:%M}" if theirs.date() == mine.date() else f"{theirs:%a %d %b %Y, %H:%M}"
        assert aside == f"{when} in {organiser.replace('_', ' ')})"
        assert 'class="muted"' in markup
    if viewer == "Asia/Kolkata":  # half an hour off every other zone of the five
        assert mine.minute == (moment.minute + 30) % 60


def test_one_meeting_in_the_five_zones(app):
    """18:00 in Berlin on Thursday 26 March 2026 (summer time began in the US, not yet in Europe), then on
    9 April (summer time everywhere north, winter time begun in Sydney)."""
    march, april = dt.datetime(2026, 3, 26, 17), dt.datetime(2026, 4, 9, 16)
    expected = {
        "UTC": ("Thu 26 Mar 2026, 17:00 UTC (18:00 in Europe/Berlin)", "Thu 09 Apr 2026, 16:00 UTC (18:00 in "
                "Europe/Berlin)"),
        "America/Los_Angeles": ("Thu 26 Mar 2026, 10:00 PDT (18:00 in Europe/Berlin)",
                                "Thu 09 Apr 2026, 09:00 PDT (18:00 in Europe/Berlin)"),
        "Europe/Berlin": ("Thu 26 Mar 2026, 18:00 CET", "Thu 09 Apr 2026, 18:00 CEST"),
        "Asia/Kolkata": ("Thu 26 Mar 2026, 22:30 IST (18:00 in Europe/Berlin)",
                         "Thu 09 Apr 2026, 21:30 IST (18:00 in Europe/Berlin)"),
        "Australia/Sydney": ("Fri 27 Mar 2026, 04:00 AEDT (Thu 26 Mar 2026, 18:00 in Europe/Berlin)",
                             "Fri 10 Apr 2026, 02:00 AEST (Thu 09 Apr 2026, 18:00 in Europe/Berlin)"),
    }
    for viewer, (in_march, in_april) in expected.items():
        assert read_as(app, viewer, march, "Europe/Berlin")[0] == in_march
        assert read_as(app, viewer, april, "Europe/Berlin")[0] == in_april
