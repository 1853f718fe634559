"""Fair times across zones (meetings/fairness.py): how inconvenient a wall time is, a slot's summary, the ranking,
the rotation and the tally of bad hours, as properties over zones and dates (across daylight saving) and as
examples."""
import datetime as dt
import math
import random
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import example, given, settings
from hypothesis import strategies as st

from learncircle.meetings import fairness, recurrence
from learncircle.meetings.fairness import IF_NEEDED, NO, YES

PROPERTY = settings(max_examples=60, deadline=None)
UTC = dt.timezone.utc
NAMED = ["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]
# The five every page is tested in, and a sample of the rest of the zone database (kept the same run to run).
OTHERS = sorted(name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))
zones = st.one_of(st.sampled_from(NAMED), st.sampled_from(OTHERS))
# Moments over five years, so every zone's clock changes are crossed many times; and the nights they change.
moments = st.one_of(
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2029, 1, 1)).map(
        lambda moment: moment.replace(second=0, microsecond=0)),
    st.sampled_from([dt.datetime(2026, 3, 29, 0, 30), dt.datetime(2026, 3, 29, 1, 30), dt.datetime(2026, 10, 25, 0, 30),
                     dt.datetime(2026, 10, 25, 1, 30), dt.datetime(2026, 3, 8, 9, 30), dt.datetime(2026, 11, 1, 9, 30),
                     dt.datetime(2026, 4, 4, 15, 30), dt.datetime(2026, 10, 3, 16, 30)]))
durations = st.sampled_from([0, 30, 45, 60, 90, 120])
answers = st.sampled_from([YES, IF_NEEDED, NO])


def wall(moment, zone):
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


# ---- how inconvenient a wall time is -------------------------------------------------------------------------

def test_the_levels_of_the_day():
    levels = {hour: fairness.hour_level(dt.time(hour, 30)) for hour in range(24)}
    assert [hour for hour, level in levels.items() if level == 0] == list(range(8, 21))
    assert levels[7] == levels[21] == 1 and levels[6] == levels[22] == 2 and levels[5] == levels[23] == 3
    assert all(levels[hour] == 4 for hour in range(5))
    assert [fairness.word_for(hour) for hour in (2, 6, 12, 22)] == ["night", "early", "", "late"]


def test_a_meeting_counts_by_its_worst_hour():
    assert fairness.span_level(dt.datetime(2026, 3, 2, 20, 0), 60) == (0, 20)  # ends as 21:00 begins
    assert fairness.span_level(dt.datetime(2026, 3, 2, 20, 30), 60) == (1, 21)  # its last half hour is late
    assert fairness.span_level(dt.datetime(2026, 3, 2, 22, 30), 120) == (4, 22)  # late, and on into the night
    assert fairness.span_level(dt.datetime(2026, 3, 2, 3, 30), 120) == (4, 3)
    assert fairness.span_level(dt.datetime(2026, 3, 2, 6, 30), 90) == (2, 6)


def test_a_kolkata_member_at_half_past_eleven_is_late():
    summary = fairness.summarise("slot", dt.datetime(2026, 3, 9, 18, 0), 60, [(1, "Asia/Kolkata", YES)])
    (person,) = summary.people
    assert (person.wall, person.level, person.word) == ("23:30", 4, "late")  # and on past midnight
    assert summary.bad_for == (1,)
    assert summary.groups == (fairness.Group("23:30", 4, "late", (1,)),)
    short = fairness.summarise("slot", dt.datetime(2026, 3, 9, 18, 0), 30, [(1, "Asia/Kolkata", YES)])
    assert (short.people[0].level, short.people[0].word) == (3, "late")


def test_two_members_at_eleven_are_told_as_one_group():
    voters = [(1, "Asia/Kolkata", YES), (2, "Asia/Colombo", IF_NEEDED), (3, "Europe/Berlin", YES),
              (4, "Asia/Kolkata", NO)]
    summary = fairness.summarise("slot", dt.datetime(2026, 3, 9, 17, 30), 60, voters)
    assert summary.groups == (fairness.Group("23:00", 3, "late", (1, 2)),)  # Berlin's 18:30 is ordinary
    assert (summary.yes, summary.if_needed, summary.no) == ((1, 3), (2,), (4,))
    assert summary.bad_for == (1, 2)


@PROPERTY
@given(moment=moments, zone=zones, other=zones, duration=durations)
def test_the_level_depends_only_on_the_wall_time(moment, zone, other, duration):
    local = wall(moment, zone)
    assert fairness.level_at(moment, zone, duration) == fairness.span_level(local.replace(tzinfo=None), duration)[0]
    # The same wall time in another zone (where the clocks show it) is exactly as inconvenient there.
    there = recurrence.to_utc(local.replace(tzinfo=None), ZoneInfo(other))
    if wall(there, other).replace(tzinfo=None) == local.replace(tzinfo=None):
        assert fairness.level_at(there, other, duration) == fairness.level_at(moment, zone, duration)


@PROPERTY
@given(moment=moments, voters=st.lists(st.tuples(zones, answers), min_size=1, max_size=6), duration=durations)
@example(moment=dt.datetime(2026, 3, 9, 17, 45), voters=[("Asia/Kolkata", YES)], duration=60)
def test_each_persons_local_time_is_the_slot_in_their_zone(moment, voters, duration):
    summary = fairness.summarise(7, moment, duration, [(number, zone, answer)
                                                       for number, (zone, answer) in enumerate(voters)])
    for person, (zone, _answer) in zip(summary.people, voters):
        there = ZoneInfo(zone).fromutc(moment.replace(tzinfo=ZoneInfo(zone)))  # the zone's own conversion
        assert (person.local.replace(tzinfo=None), person.local.utcoffset()) == (there.replace(tzinfo=None),
                                                                                  there.utcoffset())
        assert person.local.astimezone(UTC).replace(tzinfo=None) == moment
        assert person.wall == f"{person.local.hour:02d}:{person.local.minute:02d}"
        assert person.level == fairness.level_at(moment, zone, duration)
        if zone == "Asia/Kolkata":  # half an hour off UTC, all year
            assert person.local.minute == (moment.minute + 30) % 60
    coming = [person for person in summary.people if person.answer != NO]
    assert sorted(uid for group in summary.groups for uid in group.user_ids) == sorted(
        person.user_id for person in coming if person.level >= 1)


# ---- ranking --------------------------------------------------------------------------------------------------

slot_votes = st.lists(st.lists(st.tuples(st.integers(1, 8), zones, answers), max_size=6), min_size=1, max_size=6)


def summaries_of(start, votes, duration=60):
    """One summary per list of votes, a slot every few hours (each voter once per slot)."""
    made = []
    for index, ballot in enumerate(votes):
        voters = list({user_id: (user_id, zone, answer) for user_id, zone, answer in ballot}.values())
        made.append(fairness.summarise(index, start + dt.timedelta(hours=5 * index), duration, voters))
    return made


def full_key(entry):
    return (*entry.score.key(), entry.summary.start, str(entry.summary.key))


@PROPERTY
@given(start=moments, votes=slot_votes, taken=st.dictionaries(st.integers(1, 8), st.integers(0, 12)),
       seed=st.integers(0, 1000))
def test_the_ranking_is_a_total_order_whatever_the_input_order(start, votes, taken, seed):
    summaries = summaries_of(start, votes)
    ranked = fairness.rank(summaries, taken)
    shuffled = summaries[:]
    random.Random(seed).shuffle(shuffled)
    assert [entry.summary.key for entry in fairness.rank(shuffled, taken)] == [entry.summary.key for entry in ranked]
    keys = [full_key(entry) for entry in ranked]
    assert all(before < after for before, after in zip(keys, keys[1:]))  # strictly: no two slots tie
    assert [entry.position for entry in ranked] == list(range(1, len(ranked) + 1))
    for entry, following in zip(ranked, ranked[1:]):  # what it says put it ahead really differs there
        if entry.ahead_by == "time":
            assert entry.score == following.score and entry.summary.start <= following.summary.start
        else:
            assert getattr(entry.score, entry.ahead_by) != getattr(following.score, entry.ahead_by)
    assert ranked[-1].ahead_by == ""


@PROPERTY
@given(start=moments, votes=slot_votes, taken=st.dictionaries(st.integers(1, 9), st.integers(0, 12)),
       zone=zones, pick=st.integers(0, 5))
def test_one_more_yes_never_lowers_a_slots_rank(start, votes, taken, zone, pick):
    summaries = summaries_of(start, votes)
    index = pick % len(summaries)
    before = {entry.summary.key: entry.position for entry in fairness.rank(summaries, taken)}
    target = summaries[index]
    voters = [(person.user_id, person.zone, person.answer) for person in target.people] + [(99, zone, YES)]
    summaries[index] = fairness.summarise(target.key, target.start, target.duration_minutes, voters)
    after = {entry.summary.key: entry.position for entry in fairness.rank(summaries, taken)}
    assert after[target.key] <= before[target.key]


def test_the_ranking_and_its_reasons():
    start = dt.datetime(2026, 3, 9, 12, 0)
    slots = [
        fairness.summarise("a", start, 60, [(1, "UTC", YES), (2, "UTC", IF_NEEDED)]),
        fairness.summarise("b", start + dt.timedelta(hours=1), 60, [(1, "UTC", YES), (2, "UTC", YES)]),
        fairness.summarise("c", start + dt.timedelta(hours=9), 60, [(1, "UTC", YES), (2, "UTC", YES)]),  # 21:00
        fairness.summarise("d", start - dt.timedelta(hours=1), 60, [(1, "UTC", YES), (2, "UTC", NO)]),
    ]
    ranked = fairness.rank(slots)
    assert [entry.summary.key for entry in ranked] == ["b", "c", "a", "d"]
    assert [entry.ahead_by for entry in ranked] == ["total", "if_needed", "coming", ""]
    assert ranked[1].score == fairness.Score(coming=2, if_needed=0, total=2, worst=1, burden=0)


def test_who_took_bad_hours_before_weighs_more():
    """Two slots alike in all else, each late for one of two members: the one late for whoever carried fewer
    bad hours goes first."""
    voters = [(1, "Asia/Kolkata", YES), (2, "America/Los_Angeles", YES)]
    kolkata_late = fairness.summarise("a", dt.datetime(2026, 3, 9, 17, 30), 60, voters)  # 23:00 there, 10:30 in LA
    la_late = fairness.summarise("b", dt.datetime(2026, 3, 10, 6, 0), 60, voters)  # 23:00 in LA, 11:30 in Kolkata
    plain = fairness.rank([la_late, kolkata_late])
    assert [entry.summary.key for entry in plain] == ["a", "b"] and plain[0].ahead_by == "time"
    weighed = fairness.rank([kolkata_late, la_late], taken={1: 5})
    assert [entry.summary.key for entry in weighed] == ["b", "a"] and weighed[0].ahead_by == "burden"
    assert weighed[1].score == fairness.Score(coming=2, if_needed=0, total=3, worst=3, burden=15)


# ---- rotation and the tally ----------------------------------------------------------------------------------

def weekly(order, starts, weeks):
    """Occurrence i takes slot order[i % len] of week i (the series kept in UTC)."""
    return [starts[order[i % len(order)]] + dt.timedelta(days=7 * i) for i in range(weeks)]


@PROPERTY
@given(data=st.data(), zone_x=zones, zone_y=zones, monday=st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 1)),
       weeks=st.integers(2, 16))
@example(data=None, zone_x="America/Los_Angeles", zone_y="Asia/Kolkata", monday=dt.date(2026, 2, 23), weeks=12)
def test_taking_turns_shares_the_bad_hour(data, zone_x, zone_y, monday, weeks):
    group_x, group_y = [(1, zone_x), (2, zone_x)], [(3, zone_y), (4, zone_y)]
    members = group_x + group_y
    day = dt.datetime.combine(monday, dt.time())
    halves = [day + dt.timedelta(minutes=30 * n) for n in range(48 * 2)]  # two days of half hours

    def only_bad_for(group, other, start):
        every_week = weekly([0], [start], weeks)
        return (all(fairness.is_bad(at, zone, 60) for _, zone in group for at in every_week)
                and not any(fairness.is_bad(at, zone, 60) for _, zone in other for at in every_week))

    for_x = [at for at in halves if only_bad_for(group_x, group_y, at)]
    for_y = [at for at in halves if only_bad_for(group_y, group_x, at)]
    if not for_x or not for_y:
        return  # zones too close together for one slot to be bad for one group only: nothing to share
    if data is None:
        a, b = for_x[0], for_y[-1]
    else:
        a, b = data.draw(st.sampled_from(for_x)), data.draw(st.sampled_from(for_y))
    order = fairness.rotation([("a", a), ("b", b)], members, 60)
    assert sorted(order) == ["a", "b"]
    starts = {"a": a, "b": b}
    turns = fairness.bad_counts(weekly(order, starts, weeks), members, 60)
    assert all(bad <= math.ceil(weeks / 2) and total == weeks for bad, total in turns.values())
    fixed = fairness.bad_counts(weekly(["a"], starts, weeks), members, 60)
    assert [fixed[user_id][0] for user_id, _ in group_x] == [weeks, weeks]
    assert [fixed[user_id][0] for user_id, _ in group_y] == [0, 0]


def test_rotation_puts_the_slot_lightest_on_those_who_carried_most_first():
    members = [(1, "America/Los_Angeles"), (2, "Asia/Kolkata")]
    la_bad = dt.datetime(2026, 3, 10, 7, 0)  # 00:00 in Los Angeles, 12:30 in Kolkata
    kolkata_bad = dt.datetime(2026, 3, 9, 19, 0)  # 12:00 in Los Angeles, 00:30 in Kolkata
    slots = [("la", la_bad), ("kolkata", kolkata_bad)]
    assert fairness.rotation(slots, members, 60) == ["kolkata", "la"]  # as heavy: the earlier first
    assert fairness.rotation(slots, members, 60, taken={2: 4}) == ["la", "kolkata"]
    assert fairness.rotation(list(reversed(slots)), members, 60, taken={2: 4}) == ["la", "kolkata"]


def test_rotation_avoids_the_same_peoples_bad_slot_twice_running():
    members = [(1, "America/Los_Angeles"), (2, "Asia/Kolkata")]
    start = dt.datetime(2026, 3, 9)
    la_bad = [("la1", start + dt.timedelta(hours=7)), ("la2", start + dt.timedelta(days=1, hours=7))]
    kolkata_bad = [("k1", start + dt.timedelta(days=2, hours=19)), ("k2", start + dt.timedelta(days=3, hours=19))]
    order = fairness.rotation(la_bad + kolkata_bad, members, 60)
    bad = dict(zip([key for key, _ in la_bad + kolkata_bad], ["la", "la", "k", "k"]))
    assert all(bad[a] != bad[b] for a, b in zip(order, order[1:] + order[:1]))
    many = [(f"s{n}", start + dt.timedelta(hours=7 + 24 * (n % 6), minutes=n)) for n in range(8)]
    assert sorted(fairness.rotation(many, members, 60)) == sorted(key for key, _ in many)  # greedy past six


def test_the_tally_counts_only_the_meetings_each_member_had():
    starts = [dt.datetime(2026, 3, 2 + 7 * week, 17, 30) for week in range(4)]  # 23:00 in Kolkata
    members = [(1, "Asia/Kolkata"), (2, "Europe/Berlin"), (3, "Asia/Kolkata", starts[2])]
    assert fairness.bad_counts(starts, members, 60) == {1: (4, 4), 2: (0, 4), 3: (2, 2)}
    # Each occurrence's own length: the last runs into Berlin's 22:00.
    assert fairness.bad_counts([(starts[0], 60), (starts[1] + dt.timedelta(hours=3), 120)], [(2, "Europe/Berlin")]) \
        == {2: (1, 2)}
