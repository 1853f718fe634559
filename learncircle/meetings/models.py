"""Live meetings' tables: a meeting (one, or a weekly series) and its occurrences, answers, attendance and
reflections; polls for finding a time; and each member's private calendar feed.

Every moment is naive UTC. A meeting also keeps the organiser's zone and the local wall time it was set at, so
a weekly 18:00 in Berlin stays 18:00 in Berlin across daylight saving (recurrence.py makes the occurrences).
A series is written out as rows, one per occurrence (it always ends: by a date or a count), so every list,
answer and reminder is a plain query, and one occurrence can move or be cancelled on its own.
"""
import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel
from ..discussions.models import Thread

ONCE, WEEKLY, FORTNIGHTLY = "once", "weekly", "fortnightly"
REPEATS = (ONCE, WEEKLY, FORTNIGHTLY)
GOING, MAYBE, NOT_GOING, WAITING = "going", "maybe", "not", "waiting"
ANSWERS = (GOING, MAYBE, NOT_GOING)  # what a member chooses; WAITING is a GOING the capacity did not admit
YES, IF_NEEDED, NO = "yes", "if_needed", "no"
VOTES = (YES, IF_NEEDED, NO)

TITLE_MAX = 200
LINK_MAX = 500
PLACE_MAX = 300
NOTE_MAX = 300
REASON_MAX = 300


class Meeting(BaseModel):
    """What a facilitator scheduled: once, or every week or fortnight (its occurrences are Occurrence rows).

    `rotation`: for a series that takes turns between slots (fairness.py), the other slots' offsets from the
    first one's local start in minutes, space-separated ("" for none); occurrence n takes slot n mod (1 + len).
    """
    circle = peewee.ForeignKeyField(Circle, backref="+", on_delete="CASCADE")
    organiser = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    title = peewee.CharField(max_length=TITLE_MAX)
    agenda = peewee.TextField(default="")
    agenda_html = peewee.TextField(default="")
    zone = peewee.CharField(max_length=64)  # the organiser's zone: the series' wall time is kept in it
    local_start = peewee.DateTimeField()  # the first occurrence's start, naive, in zone
    duration_minutes = peewee.IntegerField()
    link = peewee.CharField(max_length=LINK_MAX, default="")
    place = peewee.CharField(max_length=PLACE_MAX, default="")
    capacity = peewee.IntegerField(null=True)
    repeat = peewee.CharField(max_length=12, default=ONCE)
    until = peewee.DateField(null=True)  # the last local date a series may fall on, or
    times = peewee.IntegerField(null=True)  # how many occurrences it has
    rotation = peewee.CharField(max_length=200, default="")
    created_at = peewee.DateTimeField(default=clock.now)
    cancelled_at = peewee.DateTimeField(null=True)  # the whole series
    cancel_reason = peewee.CharField(max_length=REASON_MAX, default="")

    class Meta:
        table_name = "meeting"
        indexes = ((("circle", "created_at"), False),)

    @property
    def repeats(self):
        return self.repeat != ONCE


class Occurrence(BaseModel):
    """One meeting at one time: what people answer, are reminded of, attend, and what notes are kept of."""
    meeting = peewee.ForeignKeyField(Meeting, backref="occurrences", on_delete="CASCADE")
    circle = peewee.ForeignKeyField(Circle, backref="+", on_delete="CASCADE")  # the meeting's: lists need no join
    number = peewee.IntegerField()  # 0, 1, 2… within its series
    starts_at = peewee.DateTimeField()
    ends_at = peewee.DateTimeField()
    # Where the series put it (a calendar's RECURRENCE-ID); starts_at differs once it is moved.
    slot_start = peewee.DateTimeField()
    moved_at = peewee.DateTimeField(null=True)
    cancelled_at = peewee.DateTimeField(null=True)
    cancel_reason = peewee.CharField(max_length=REASON_MAX, default="")
    # After it: the notes (Markdown, rendered beside), the thread they were posted as, the attendance.
    notes = peewee.TextField(default="")
    notes_html = peewee.TextField(default="")
    notes_thread = peewee.ForeignKeyField(Thread, null=True, backref="+", on_delete="SET NULL")
    notes_at = peewee.DateTimeField(null=True)
    attendance_taken_at = peewee.DateTimeField(null=True)
    attendance_count = peewee.IntegerField(null=True)  # a head count, when not taken by name
    # Reminders sent (reminders.py): each once.
    reminded_day_at = peewee.DateTimeField(null=True)
    reminded_hour_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "meeting_occurrence"
        indexes = (
            (("meeting", "number"), True),
            (("circle", "starts_at"), False),  # a circle's upcoming and past meetings
            (("starts_at",), False),  # the reminders due across the instance; a member's feed
        )

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None


class Rsvp(BaseModel):
    """A member's answer for one occurrence; `asked_at` orders the waiting list (first come, first admitted)."""
    occurrence = peewee.ForeignKeyField(Occurrence, backref="+", on_delete="CASCADE", index=False)
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    answer = peewee.CharField(max_length=10)
    note = peewee.CharField(max_length=NOTE_MAX, default="")
    asked_at = peewee.DateTimeField(default=clock.now)
    updated_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "meeting_rsvp"
        indexes = ((("occurrence", "user"), True), (("occurrence", "answer", "asked_at"), False))


class Attendance(BaseModel):
    """Who was there (taken by name): a row for each member present."""
    occurrence = peewee.ForeignKeyField(Occurrence, backref="+", on_delete="CASCADE", index=False)
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")

    class Meta:
        table_name = "meeting_attendance"
        indexes = ((("occurrence", "user"), True),)


class Reflection(BaseModel):
    """A facilitator's private look back at one occurrence: how it went (1–5), what went well, what to change."""
    occurrence = peewee.ForeignKeyField(Occurrence, backref="+", on_delete="CASCADE", index=False)
    author = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    rating = peewee.IntegerField()
    went_well = peewee.TextField(default="")
    to_change = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=clock.now)
    updated_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "meeting_reflection"
        indexes = ((("occurrence", "author"), True),)


class Poll(BaseModel):
    """Finding a time: candidate slots members mark yes / if needed / no. `weekly`: the result is a weekly
    meeting (the slots are one week's grid). `meeting`: what was scheduled from it."""
    circle = peewee.ForeignKeyField(Circle, backref="+", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    title = peewee.CharField(max_length=TITLE_MAX)
    zone = peewee.CharField(max_length=64)
    duration_minutes = peewee.IntegerField()
    weekly = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=clock.now)
    closed_at = peewee.DateTimeField(null=True)
    meeting = peewee.ForeignKeyField(Meeting, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "meeting_poll"
        indexes = ((("circle", "created_at"), False),)


class Slot(BaseModel):
    poll = peewee.ForeignKeyField(Poll, backref="slots", on_delete="CASCADE", index=False)
    starts_at = peewee.DateTimeField()

    class Meta:
        table_name = "meeting_slot"
        indexes = ((("poll", "starts_at"), True),)


class Vote(BaseModel):
    slot = peewee.ForeignKeyField(Slot, backref="+", on_delete="CASCADE", index=False)
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    answer = peewee.CharField(max_length=10)
    voted_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "meeting_vote"
        indexes = ((("slot", "user"), True),)


class CalendarFeed(BaseModel):
    """A member's private calendar address: only the SHA-256 of its secret is kept, so the database alone
    cannot be used to read anyone's calendar. A new address replaces the old one; revoking deletes the row."""
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE", unique=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "meeting_calendar_feed"
