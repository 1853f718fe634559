"""Reminders: a day before a meeting and within the hour before it, to the circle's members who did not say
they would not come (those waiting for a place too), as a notice, and as mail for whoever chose so (category
"meetings", mail/preferences.py).

A job of the housekeeper (every EVERY_SECONDS, registered below) and of `learncircle remind`. Each reminder
is sent once, even with two processes running the job: the occurrence is claimed by an UPDATE that only
succeeds while its reminder is unsent, in the same transaction as the notices, and whoever changed no row
sends nothing. A meeting that has begun gets none; one moved is reminded again for its new time
(scheduling.move clears its marks).
"""
import datetime as dt

import peewee

from .. import clock, housekeeping
from ..circles.models import Circle, Membership
from ..db import database
from ..notices.models import Notice
from . import notice_kinds
from .models import NOT_GOING, Meeting, Occurrence, Rsvp
from .rsvp import page_url

DAY = dt.timedelta(hours=24)
HOUR = dt.timedelta(hours=1)
EVERY_SECONDS = 300  # the hour's reminder comes 55 to 60 minutes before


def due(now):
    """The occurrences with a reminder to send now: (occurrence with its meeting, circle slug, "day" or "hour")."""
    query = (Occurrence.select(Occurrence, Meeting, Circle.id, Circle.slug)
             .join(Meeting).switch(Occurrence).join(Circle)
             .where((Occurrence.starts_at > now) & (Occurrence.starts_at <= now + DAY)
                    & Occurrence.cancelled_at.is_null() & Meeting.cancelled_at.is_null()
                    & (((Occurrence.starts_at <= now + HOUR) & Occurrence.reminded_hour_at.is_null())
                       | ((Occurrence.starts_at > now + HOUR) & Occurrence.reminded_day_at.is_null())))
             .order_by(Occurrence.starts_at))
    return [(occurrence, occurrence.circle.slug, "hour" if occurrence.starts_at <= now + HOUR else "day")
            for occurrence in query]


def to_remind(occurrence):
    """The ids of the circle's members who did not answer "not going"."""
    said_no = Rsvp.select(Rsvp.user).where((Rsvp.occurrence == occurrence.id) & (Rsvp.answer == NOT_GOING))
    return [user_id for (user_id,) in Membership.select(Membership.user).where(
        (Membership.circle == occurrence.circle_id) & Membership.user.not_in(said_no)).tuples()]


def _claim(occurrence, soon, now):
    """Mark the reminder sent, if it was not and the occurrence is still as it was read (not moved, cancelled or
    begun meanwhile); whether this run took it."""
    if soon == "hour":
        # Within the hour, the day's reminder would come too late: it is marked sent with the hour's.
        changes = {Occurrence.reminded_hour_at: now,
                   Occurrence.reminded_day_at: peewee.fn.COALESCE(Occurrence.reminded_day_at, now)}
        unsent = Occurrence.reminded_hour_at.is_null()
    else:
        changes, unsent = {Occurrence.reminded_day_at: now}, Occurrence.reminded_day_at.is_null()
    return Occurrence.update(changes).where(
        (Occurrence.id == occurrence.id) & unsent & Occurrence.cancelled_at.is_null()
        & (Occurrence.starts_at == occurrence.starts_at) & (Occurrence.starts_at > now)).execute() == 1


def remind(now=None):
    """Send every reminder due; how many notices went out."""
    now = now or clock.now()
    sent = 0
    for occurrence, slug, soon in due(now):
        meeting = occurrence.meeting
        with database.atomic():
            if not _claim(occurrence, soon, now):
                continue  # another run sent it
            message = notice_kinds.meeting_reminder(title=meeting.title, start=occurrence.starts_at.isoformat(),
                                                    zone=meeting.zone, soon=soon)
            sent += Notice.send(to_remind(occurrence), message, page_url(occurrence, slug),
                                circle=occurrence.circle_id)
    return sent


housekeeping.register("meetings.reminders", remind, every_seconds=EVERY_SECONDS, deletes=False)
