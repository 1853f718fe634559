"""Finding a time: a facilitator proposes candidate slots, members mark each yes / if needed / no, and the
result ranks the slots by who can come and how fair each is to every zone (fairness.py says how).

A poll's slots are typed as wall times in the poll's zone and stored in UTC; everyone reads them in their own.
A member may change their answers until the poll closes: by hand, or when a meeting is scheduled from it
(mark_scheduled). Who took the bad hour how often (tally) is counted from the circle's own past meetings and
weighs in the ranking, so the same people do not always carry the late slot.
"""
import datetime as dt
from dataclasses import dataclass, field

import peewee
from flask import url_for

from .. import clock, timefmt
from ..accounts.models import User
from ..circles.models import Membership
from ..db import database
from ..notices.models import Notice
from . import fairness, notice_kinds, recurrence
from .models import VOTES, Meeting, Occurrence, Poll, Slot, Vote

MIN_SLOTS, MAX_SLOTS = 2, 12
TALLY_OCCURRENCES = 12  # the tally looks back over the circle's last dozen meetings


class PollError(ValueError):
    """A poll or a vote that cannot be made; `reason` names the rule (the form says it in words): "zone",
    "too_few", "too_many", "duplicate", "past", "week", "closed"; `detail`: the wall time it is about, if one is."""

    def __init__(self, reason, detail=None):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def slot_moments(local_slots, zone_name, now=None, weekly=False):
    """Naive wall times in the named zone as sorted naive UTC moments, or PollError: an unknown zone, fewer than
    two or more than twelve, the same moment twice (also two wall times the clocks make one), one past, or for a
    weekly meeting, times more than a week apart (each stands for its weekday and hour, every week)."""
    if not timefmt.is_timezone(zone_name or ""):
        raise PollError("zone")
    if len(local_slots) < MIN_SLOTS:
        raise PollError("too_few")
    if len(local_slots) > MAX_SLOTS:
        raise PollError("too_many")
    zone = fairness.zone_of(zone_name)
    now = now or clock.now()
    seen = set()
    for local in local_slots:
        local = local.replace(second=0, microsecond=0)
        moment = recurrence.to_utc(local, zone)
        if moment in seen:
            raise PollError("duplicate", local)
        if moment <= now:
            raise PollError("past", local)
        seen.add(moment)
    if weekly and max(local_slots) - min(local_slots) >= dt.timedelta(days=7):
        raise PollError("week", max(local_slots))
    return sorted(seen)


def create(*, circle, author, title, zone, duration_minutes, weekly, local_slots):
    """Open a poll with its slots (naive wall times in zone) and tell the circle's other members; returns the
    Poll. Raises PollError (slot_moments)."""
    now = clock.now()
    moments = slot_moments(local_slots, zone, now, weekly)
    with database.atomic():
        poll = Poll.create(circle=circle, author=author, title=title.strip(), zone=zone,
                           duration_minutes=duration_minutes, weekly=bool(weekly), created_at=now)
        Slot.insert_many([{"poll": poll.id, "starts_at": moment} for moment in moments]).execute()
        others = [user_id for (user_id,) in Membership.select(Membership.user)
                  .where((Membership.circle == circle.id) & (Membership.user != author.id)).tuples()]
        Notice.send(others, notice_kinds.poll_opened(circle=circle.name, title=poll.title),
                    url_for("meeting_polls.poll", slug=circle.slug, poll_id=poll.id), circle=circle.id, at=now)
    return poll


def slots_of(poll):
    return list(Slot.select().where(Slot.poll == poll.id).order_by(Slot.starts_at))


def is_open(poll):
    return poll.closed_at is None


def vote(poll, user, answers):
    """Save a member's answers: answers maps slot id -> yes / if_needed / no; slots of other polls and other
    answers are left out, a slot not in answers keeps what it had. One Vote per slot and member, changed in
    place. Returns how many were saved; PollError("closed") once the poll is closed."""
    if not is_open(poll):
        raise PollError("closed")
    mine = {slot.id for slot in Slot.select(Slot.id).where(Slot.poll == poll.id)}
    now = clock.now()
    rows = [{"slot": slot_id, "user": user.id, "answer": answer, "voted_at": now}
            for slot_id, answer in answers.items() if slot_id in mine and answer in VOTES]
    with database.atomic():
        for row in rows:
            (Vote.insert(row)
             .on_conflict(conflict_target=[Vote.slot, Vote.user],
                          update={Vote.answer: peewee.EXCLUDED.answer, Vote.voted_at: peewee.EXCLUDED.voted_at})
             .execute())
    return len(rows)


def close(poll):
    """Close the poll to answers; False when it was closed already."""
    closed = (Poll.update(closed_at=clock.now()).where((Poll.id == poll.id) & Poll.closed_at.is_null()).execute())
    if closed:
        poll.closed_at = Poll.get_by_id(poll.id).closed_at
    return bool(closed)


def mark_scheduled(poll, meeting):
    """The meeting was scheduled from the poll (the scheduling helper calls this): the poll names it and closes."""
    poll.meeting = meeting
    poll.closed_at = poll.closed_at or clock.now()
    Poll.update(meeting=meeting.id, closed_at=poll.closed_at).where(Poll.id == poll.id).execute()
    return poll


def scheduled_occurrence(poll):
    """The first occurrence of the meeting scheduled from the poll (its page is where the poll points), or None."""
    if poll.meeting_id is None:
        return None
    return (Occurrence.select(Occurrence, Meeting).join(Meeting).where(Occurrence.meeting == poll.meeting_id)
            .order_by(Occurrence.number).first())


# ---- who took the bad hour how often ----------------------------------------------------------------------

def _members(circle_id):
    """(user, membership's joined_at) of the circle's current members, in one query."""
    rows = (Membership.select(Membership.joined_at, User).join(User)
            .where(Membership.circle == circle_id).order_by(User.display_name, User.id))
    return [(row.user, row.joined_at) for row in rows]


def _past_occurrences(circle_id, last):
    """(start, minutes) of the circle's last meetings that took place (not cancelled, nor their series)."""
    rows = (Occurrence.select(Occurrence.starts_at, Occurrence.ends_at).join(Meeting)
            .where((Occurrence.circle == circle_id) & (Occurrence.starts_at < clock.now())
                   & Occurrence.cancelled_at.is_null() & Meeting.cancelled_at.is_null())
            .order_by(Occurrence.starts_at.desc()).limit(last).tuples())
    return [(start, int((end - start).total_seconds() // 60)) for start, end in rows]


def _tally(members, occurrences):
    counts = fairness.bad_counts(occurrences, [(user.id, user.timezone, joined) for user, joined in members])
    rows = [(user, *counts[user.id]) for user, _ in members]
    return sorted(rows, key=lambda row: (-row[1], -(row[1] / row[2]) if row[2] else 0, row[0].display_name.lower()))


def tally(circle, last=TALLY_OCCURRENCES):
    """Who took the bad hour how often: for each current member of circle, [(user, bad, total)], worst first.

    Of the circle's last `last` meetings that took place (not cancelled), `total` is how many fell after the
    member joined (the ones that were theirs to take) and `bad` how many of those were at a bad hour
    (fairness.BAD or worse, over the whole meeting) in the member's zone as it is now. Worst first: most bad
    ones, then the largest share, then by name. Two queries, whatever the circle's size.
    """
    return _tally(_members(circle.id), _past_occurrences(circle.id, last))


# ---- the result ------------------------------------------------------------------------------------------

@dataclass
class Results:
    """A poll's result as a page shows it.

    ranked: fairness.Ranked, best first, each summary's key a slot id; slots: slot id -> Slot; people:
    user id -> User (voters and members); mine: the viewer's answers (slot id -> answer); tally: as tally();
    rotation: slot ids of the best two in the order to take turns between them (a weekly poll), else [].
    """
    poll: Poll
    slots: dict
    ranked: list
    people: dict
    mine: dict = field(default_factory=dict)
    tally: list = field(default_factory=list)
    rotation: list = field(default_factory=list)

    @property
    def voters(self):
        return len({person.user_id for entry in self.ranked for person in entry.summary.people})

    @property
    def has_history(self):
        """Whether any member had a past meeting to count (else the tally says nothing yet)."""
        return any(total for _, _, total in self.tally)

    def names(self, user_ids):
        return [self.people[user_id].display_name for user_id in user_ids if user_id in self.people]


def results(poll, viewer=None):
    """The poll's Results: its slots ranked (fairness.rank), weighed by the circle's tally. Votes of people no
    longer in the circle are left out. Four queries: slots, votes with their voters' zones, members, meetings."""
    slots = {slot.id: slot for slot in slots_of(poll)}
    votes = (Vote.select(Vote.slot, Vote.answer, User).join(User)
             .join(Membership, on=((Membership.user == User.id) & (Membership.circle == poll.circle_id)))
             .switch(Vote).join(Slot)
             .where(Slot.poll == poll.id).order_by(User.display_name, User.id))
    by_slot = {slot_id: [] for slot_id in slots}
    people, mine = {}, {}
    for row in votes:
        people[row.user.id] = row.user
        by_slot[row.slot_id].append(fairness.Voter(row.user.id, row.user.timezone, row.answer))
        if viewer is not None and row.user.id == viewer.id:
            mine[row.slot_id] = row.answer
    members = _members(poll.circle_id)
    people.update({user.id: user for user, _ in members})
    the_tally = _tally(members, _past_occurrences(poll.circle_id, TALLY_OCCURRENCES))
    taken = {user.id: bad for user, bad, _ in the_tally}
    summaries = [fairness.summarise(slot_id, slot.starts_at, poll.duration_minutes, by_slot[slot_id])
                 for slot_id, slot in slots.items()]
    ranked = fairness.rank(summaries, taken)
    rotation = []
    if poll.weekly and len(ranked) >= 2 and _within_a_week(ranked[0].summary.start, ranked[1].summary.start):
        rotation = fairness.rotation([(entry.summary.key, entry.summary.start) for entry in ranked[:2]],
                                     [(user.id, user.timezone) for user, _ in members], poll.duration_minutes, taken)
    return Results(poll=poll, slots=slots, ranked=ranked, people=people, mine=mine, tally=the_tally,
                   rotation=rotation)


def _within_a_week(first, second):
    """Two slots a weekly meeting can take turns between: less than a week apart (each keeps its weekday)."""
    return abs(first - second) < dt.timedelta(days=7)
