"""Fair times across zones: pure functions of moments, zones and answers, no database and no Flask.

How inconvenient a meeting is for someone depends only on the wall time it is for them. By the hour their own
clock shows:

    08:00–20:59   0   an ordinary hour
    07:xx, 21:xx  1   early or late
    06:xx, 22:xx  2   early or late enough to cost something: "bad" from here up
    05:xx, 23:xx  3
    00:00–04:59   4   the night

A meeting counts by the worst hour it touches (20:30–21:30 is 1, for its last half hour), read on the wall
clock: the local start plus the duration, so the level depends on the wall time alone even on the night the
clocks change.

A slot is ranked, best first, by: more people who can come (yes and if needed); of those, fewer who come
only if needed; less inconvenience in all among those coming; a lower worst inconvenience; then fairness:
each person's inconvenience weighed by how many bad slots they already took (the circle's tally), so the
same people do not always carry the late hour; then the earlier slot. Every part of the score is exposed so
a page can say why a slot is where it is.

A weekly meeting may take turns between slots (rotation()): each slot is taken as often as the others, so
the bad hour falls on each group in turn, and the order puts the slot lightest on those who carried most
first, and never the same people's bad slot twice in a row where that can be helped.
"""
import datetime as dt
import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.timezone.utc
YES, IF_NEEDED, NO = "yes", "if_needed", "no"  # as models.VOTES, kept here so this module needs no database
COMING = (YES, IF_NEEDED)
BAD = 2  # from this level up a slot is "bad" for someone
WORST = 4
# The level of each hour of the wall clock, 00 to 23 (see the table above).
HOUR_LEVELS = (4, 4, 4, 4, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)
EARLY, LATE, NIGHT = "early", "late", "night"
BRUTE_FORCE_SLOTS = 6  # up to this many slots, rotation() tries every order (720); beyond, it chooses greedily


class Voter(NamedTuple):
    user_id: int
    zone: str  # an IANA name; one this system does not know is read as UTC
    answer: str  # YES, IF_NEEDED or NO


class Member(NamedTuple):
    user_id: int
    zone: str
    since: dt.datetime | None = None  # naive UTC: occurrences before it were not theirs to take


@lru_cache(maxsize=512)
def zone_of(name):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment, zone_name):
    """A naive UTC moment as an aware datetime in the named zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone_of(zone_name))


def hour_level(wall):
    """The inconvenience (0–4) of a wall time (a datetime or time): its hour's level."""
    return HOUR_LEVELS[wall.hour]


def word_for(hour):
    """"early", "late" or "night" for an inconvenient hour, "" for an ordinary one."""
    if HOUR_LEVELS[hour] == 0:
        return ""
    if hour < 5:
        return NIGHT
    return EARLY if hour < 12 else LATE


def span_level(wall_start, duration_minutes):
    """(level, hour) of a meeting starting at the naive wall time wall_start and lasting duration_minutes: its
    worst hour's level, and the hour that says which way (early, late or night; word_for)."""
    wall_start = wall_start.replace(tzinfo=None, second=0, microsecond=0)
    last = wall_start + dt.timedelta(minutes=max(duration_minutes, 1) - 1)
    hours = [wall_start.hour]
    at = wall_start.replace(minute=0) + dt.timedelta(hours=1)
    while at <= last:  # every hour the meeting reaches into, each once (a meeting is at most a few hours)
        hours.append(at.hour)
        at += dt.timedelta(hours=1)
    worst = max(hours, key=lambda hour: HOUR_LEVELS[hour])  # the first of the worst
    # Which way it is inconvenient reads from the start when the start already is (23:30 is "late" even when the
    # meeting runs past midnight), else from the worst hour (20:30–21:30 is late for its last half hour).
    return HOUR_LEVELS[worst], hours[0] if HOUR_LEVELS[hours[0]] else worst


def level_at(moment, zone_name, duration_minutes=0):
    """The inconvenience of a meeting at the naive UTC moment for someone in zone_name."""
    return span_level(local_time(moment, zone_name), duration_minutes)[0]


def is_bad(moment, zone_name, duration_minutes=0):
    return level_at(moment, zone_name, duration_minutes) >= BAD


@dataclass(frozen=True)
class PersonTime:
    """What a slot is for one voter: their answer, their local start, how inconvenient and which way."""
    user_id: int
    zone: str
    answer: str
    local: dt.datetime  # aware, in their zone
    level: int
    word: str  # EARLY, LATE, NIGHT or ""

    @property
    def wall(self):
        return f"{self.local.hour:02d}:{self.local.minute:02d}"

    @property
    def coming(self):
        return self.answer in COMING


@dataclass(frozen=True)
class Group:
    """Those coming for whom the slot starts at the same inconvenient wall time: "23:00 for 2 members"."""
    wall: str  # "23:00"
    level: int
    word: str
    user_ids: tuple


@dataclass(frozen=True)
class SlotSummary:
    key: object  # the caller's name for the slot (its id)
    start: dt.datetime  # naive UTC
    duration_minutes: int
    people: tuple  # PersonTime, one per voter, in the order given
    groups: tuple  # Group, worst first

    def _ids(self, answers):
        return tuple(person.user_id for person in self.people if person.answer in answers)

    @property
    def yes(self):
        return self._ids((YES,))

    @property
    def if_needed(self):
        return self._ids((IF_NEEDED,))

    @property
    def no(self):
        return self._ids((NO,))

    @property
    def coming(self):
        return tuple(person for person in self.people if person.coming)

    @property
    def bad_for(self):
        """The people coming for whom it is a bad hour (level >= BAD)."""
        return tuple(person.user_id for person in self.coming if person.level >= BAD)


def summarise(key, start, duration_minutes, voters):
    """A slot as its voters would live it: voters are (user id, zone name, answer) triples (Voter)."""
    people = []
    for voter in voters:
        voter = Voter(*voter)
        local = local_time(start, voter.zone)
        level, hour = span_level(local, duration_minutes)
        people.append(PersonTime(voter.user_id, voter.zone, voter.answer, local, level, word_for(hour)))
    grouped = {}
    for person in people:
        if person.coming and person.level >= 1:
            grouped.setdefault((person.wall, person.level, person.word), []).append(person.user_id)
    groups = tuple(Group(wall, level, word, tuple(ids)) for (wall, level, word), ids
                   in sorted(grouped.items(), key=lambda item: (-item[0][1], -len(item[1]), item[0][0])))
    return SlotSummary(key, start, duration_minutes, tuple(people), groups)


class Score(NamedTuple):
    """The parts a slot is ranked by, each as people read it (more coming is better, the rest lower is)."""
    coming: int
    if_needed: int
    total: int  # the inconvenience of all who come, added up
    worst: int  # the worst anyone coming has it
    burden: int  # each one's inconvenience times the bad slots they took before, added up

    def key(self):
        return (-self.coming, self.if_needed, self.total, self.worst, self.burden)


SCORE_PARTS = Score._fields  # what decided between two neighbours: one of these, or "time" for the earlier


@dataclass(frozen=True)
class Ranked:
    position: int  # 1 for the best
    summary: SlotSummary
    score: Score
    ahead_by: str  # why it is above the next one (a SCORE_PARTS name or "time"); "" for the last


def score(summary, taken=None):
    """A slot's Score; taken maps user id -> how many bad slots they already took (the tally)."""
    taken = taken or {}
    coming = summary.coming
    return Score(coming=len(coming), if_needed=sum(1 for person in coming if person.answer == IF_NEEDED),
                 total=sum(person.level for person in coming),
                 worst=max((person.level for person in coming), default=0),
                 burden=sum(person.level * taken.get(person.user_id, 0) for person in coming))


def _order_key(summary, part_key):
    return (*part_key, summary.start, str(summary.key))


def rank(summaries, taken=None):
    """The slots best first (Ranked), by Score then the earlier start (then the key, so the order is total)."""
    scored = [(summary, score(summary, taken)) for summary in summaries]
    scored.sort(key=lambda pair: _order_key(pair[0], pair[1].key()))
    ranked = []
    for index, (summary, this) in enumerate(scored):
        ahead_by = ""
        if index + 1 < len(scored):
            following = scored[index + 1][1]
            ahead_by = next((name for name, mine, theirs in zip(SCORE_PARTS, this, following) if mine != theirs),
                            "time")
        ranked.append(Ranked(index + 1, summary, this, ahead_by))
    return ranked


def bad_sets(starts, members, duration_minutes=0):
    """For each start (naive UTC), the ids of the members (Member or (user id, zone)) for whom it is bad."""
    members = [Member(*member) for member in members]
    return [frozenset(member.user_id for member in members if is_bad(start, member.zone, duration_minutes))
            for start in starts]


def _weight(start, members, duration_minutes, taken):
    """How heavy a slot is on people who already carried bad hours: each one's level times (1 + what they took)."""
    return sum(level_at(start, member.zone, duration_minutes) * (1 + taken.get(member.user_id, 0))
               for member in members)


def rotation(slots, members, duration_minutes=0, taken=None):
    """The order a weekly meeting takes turns between slots, as the slots' keys.

    slots: (key, naive UTC start) pairs, two or more, within one week; members: (user id, zone) pairs (Member);
    taken: user id -> bad slots they already took. Taking each slot in turn spreads the bad hour: over n
    occurrences nobody for whom only one of k slots is bad takes more than ceil(n / k) of them. Among orders,
    the one that least often gives the same people a bad slot twice running (counting the wrap back to the
    first), then the lightest slot first (on those who carried most before), then the earlier.
    """
    members = [Member(*member) for member in members]
    taken = taken or {}
    slots = sorted(slots, key=lambda slot: (slot[1], str(slot[0])))
    if len(slots) < 2:
        return [key for key, _ in slots]
    bad = dict(zip((key for key, _ in slots), bad_sets([start for _, start in slots], members, duration_minutes)))
    weight = {key: _weight(start, members, duration_minutes, taken) for key, start in slots}
    keys = [key for key, _ in slots]

    def repeats(order):
        return sum(len(bad[a] & bad[b]) for a, b in zip(order, order[1:] + order[:1]))

    def cost(order):
        return (repeats(list(order)), [weight[key] for key in order], [keys.index(key) for key in order])

    if len(keys) <= BRUTE_FORCE_SLOTS:
        return list(min(itertools.permutations(keys), key=cost))
    order = [min(keys, key=lambda key: (weight[key], keys.index(key)))]
    while len(order) < len(keys):
        last = order[-1]
        order.append(min((key for key in keys if key not in order),
                         key=lambda key: (len(bad[last] & bad[key]), weight[key], keys.index(key))))
    return order


def bad_counts(occurrences, members, duration_minutes=0):
    """Who took the bad slot how often: user id -> (bad, of how many). occurrences: naive UTC starts, or (start,
    duration in minutes) pairs; each member counts those from their `since` on (the ones that were theirs)."""
    occurrences = [item if isinstance(item, tuple) else (item, duration_minutes) for item in occurrences]
    counts = {}
    for member in (Member(*member) for member in members):
        theirs = [(start, minutes) for start, minutes in occurrences if member.since is None or start >= member.since]
        counts[member.user_id] = (sum(1 for start, minutes in theirs if is_bad(start, member.zone, minutes)),
                                  len(theirs))
    return counts
