"""Answers to one occurrence: going, maybe or not going, with a note; capacity and its waiting list.

One row per member and occurrence, written over when they change their mind. A "going" past the capacity is
kept as WAITING, first come first admitted (by asked_at): when someone going says maybe or not (or the
facilitators add places), the first waiting are admitted and told. Counting the places and writing the
answer happen in one write transaction, so two members taking the last place at once cannot both get it.

Only the circle's current members count: someone who left keeps their row, but is neither listed, nor
counted against the capacity, nor told of changes.
"""
from flask import current_app

from .. import clock
from ..accounts.models import User
from ..circles.models import Circle, Membership
from ..db import database
from ..notices.models import Notice
from . import notice_kinds
from .models import ANSWERS, GOING, MAYBE, NOT_GOING, NOTE_MAX, WAITING, Meeting, Occurrence, Rsvp

COMING = (GOING, MAYBE, WAITING)  # told of a change, a move or a cancellation


class Refused(ValueError):
    """What cannot be done to an occurrence or a series now; `reason` names why (the view says it in words):
    "cancelled", "over" (it has ended), "past" (a new start before now)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def page_url(occurrence, slug=None):
    """The address of an occurrence's page as url_for writes it in a request (for jobs, and tests)."""
    urls = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    slug = slug or Circle.select(Circle.slug).where(Circle.id == occurrence.circle_id).scalar()
    return urls.build("meetings.occurrence", {"slug": slug, "occurrence_id": occurrence.id})


def _members(query, circle_id):
    """query (on Rsvp) limited to the circle's current members."""
    return query.join(Membership, on=((Membership.user == Rsvp.user) & (Membership.circle == circle_id)))


def going_count(occurrence):
    return _members(Rsvp.select(), occurrence.circle_id).where(
        (Rsvp.occurrence == occurrence.id) & (Rsvp.answer == GOING)).count()


def _lock(occurrence):
    """Take the occurrence row's write lock for the rest of the transaction (a no-op write). SQLite's IMMEDIATE
    transaction holds the whole file already; on PostgreSQL this makes every writer of answers to one
    occurrence wait for the one before, so a count read here stays true until the commit."""
    Occurrence.update(number=Occurrence.number).where(Occurrence.id == occurrence.id).execute()


def answer(occurrence, user, choice, note="", url_of=None):
    """Record user's answer (GOING, MAYBE or NOT_GOING) and note; returns their Rsvp as kept (GOING may be kept
    as WAITING). Someone going who answers otherwise frees their place for the first waiting, who is told.
    Raises Refused("cancelled") or ("over"), ValueError for an answer that is not one."""
    if choice not in ANSWERS:
        raise ValueError(choice)
    note = (note or "").strip()[:NOTE_MAX]
    now = clock.now()
    with database.atomic():
        _lock(occurrence)
        current = Occurrence.get_by_id(occurrence.id)  # as it is under the lock
        meeting = Meeting.get_by_id(current.meeting_id)
        # A cancelled series cancelled every occurrence still to come; one under way goes ahead, and is answered.
        if current.is_cancelled:
            raise Refused("cancelled")
        if current.ends_at <= now:
            raise Refused("over")
        mine = Rsvp.get_or_none((Rsvp.occurrence == current.id) & (Rsvp.user == user.id))
        before = mine.answer if mine else None
        asked_at = now
        if choice == GOING and before in (GOING, WAITING):
            kept, asked_at = before, mine.asked_at  # a new note keeps one's place (or place in the queue)
        elif choice == GOING:
            full = meeting.capacity is not None and going_count(current) >= meeting.capacity
            kept = WAITING if full else GOING
        else:
            kept = choice
        Rsvp.insert(occurrence=current.id, user=user.id, answer=kept, note=note, asked_at=asked_at,
                    updated_at=now).on_conflict(
            conflict_target=[Rsvp.occurrence, Rsvp.user],
            update={Rsvp.answer: kept, Rsvp.note: note, Rsvp.asked_at: asked_at, Rsvp.updated_at: now}).execute()
        if before == GOING and kept != GOING:
            admit_waiting(current, meeting, url_of=url_of)
    return Rsvp.get((Rsvp.occurrence == current.id) & (Rsvp.user == user.id))


def admit_waiting(occurrence, meeting, url_of=None):
    """Admit the first waiting into the places free (all of them without a capacity), telling each; returns
    their user ids. Call it inside the transaction that freed the places."""
    with database.atomic():
        _lock(occurrence)
        waiting = _members(Rsvp.select(Rsvp.id, Rsvp.user), occurrence.circle_id).where(
            (Rsvp.occurrence == occurrence.id) & (Rsvp.answer == WAITING)).order_by(Rsvp.asked_at, Rsvp.id)
        if meeting.capacity is not None:
            room = meeting.capacity - going_count(occurrence)
            if room <= 0:
                return []
            waiting = waiting.limit(room)
        admitted = list(waiting)
        if not admitted:
            return []
        Rsvp.update(answer=GOING, updated_at=clock.now()).where(
            Rsvp.id.in_([row.id for row in admitted])).execute()
        user_ids = [row.user_id for row in admitted]
        message = notice_kinds.meeting_place_opened(title=meeting.title, start=occurrence.starts_at.isoformat(),
                                                    zone=meeting.zone)
        Notice.send(user_ids, message, (url_of or page_url)(occurrence), circle=occurrence.circle_id)
    return user_ids


def coming(occurrence_ids):
    """The ids of the members who said going or maybe to any of these occurrences, or wait for a place."""
    if not occurrence_ids:
        return []
    query = (Rsvp.select(Rsvp.user).distinct()
             .join(Occurrence, on=(Occurrence.id == Rsvp.occurrence))
             .join(Membership, on=((Membership.user == Rsvp.user) & (Membership.circle == Occurrence.circle)))
             .where(Rsvp.occurrence.in_(occurrence_ids) & Rsvp.answer.in_(COMING)))
    return [user_id for (user_id,) in query.tuples()]


def of(occurrence, user):
    """user's answer to occurrence (an Rsvp), or None (a visitor, or no answer yet)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Rsvp.get_or_none((Rsvp.occurrence == occurrence.id) & (Rsvp.user == user.id))


class Answers:
    """Who answered what to one occurrence, for its page: each list in order (the waiting by their place in
    the queue, the rest by name), with each member's account joined."""

    def __init__(self, occurrence, capacity):
        rows = (_members(Rsvp.select(Rsvp, User).join(User, on=(User.id == Rsvp.user)).switch(Rsvp),
                         occurrence.circle_id)
                .where(Rsvp.occurrence == occurrence.id)
                .order_by(Rsvp.asked_at, Rsvp.id))
        self.by_answer = {GOING: [], MAYBE: [], NOT_GOING: [], WAITING: []}
        for row in rows:
            self.by_answer.setdefault(row.answer, []).append(row)
        for answer in (GOING, MAYBE, NOT_GOING):
            self.by_answer[answer].sort(key=lambda row: row.user.display_name.casefold())
        self.capacity = capacity
        self.taken = len(self.by_answer[GOING])

    def __getitem__(self, answer):
        return self.by_answer[answer]

    @property
    def free(self):
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    def place_in_queue(self, user):
        """1 for the first waiting, …; None for anyone not waiting."""
        for number, row in enumerate(self.by_answer[WAITING], 1):
            if row.user_id == user.id:
                return number
        return None
