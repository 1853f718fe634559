"""Scheduling: a meeting and its occurrences written in one transaction, from the organiser's wall time.

(Moving, cancelling and editing, with the notices they send, are added beside schedule().)
"""
import datetime as dt

from .. import clock, text
from ..db import database
from . import recurrence
from .models import ONCE, Meeting, Occurrence


def schedule(*, circle, organiser, title, local_start, zone, duration_minutes, agenda="", link="", place="",
             capacity=None, repeat=ONCE, until=None, times=None, rotation=()):
    """Create a meeting (once, or a series ending by `until` or after `times`) and every occurrence; returns the
    Meeting. local_start is naive in zone (a zone name). Raises recurrence.SeriesError for a series that cannot be
    made. Whether the start is in the past is the form's question (a test or an import may schedule the past)."""
    starts = recurrence.utc_starts(local_start, zone, repeat, until, times, tuple(rotation))
    length = dt.timedelta(minutes=duration_minutes)
    with database.atomic():
        meeting = Meeting.create(
            circle=circle, organiser=organiser, title=title.strip(), agenda=agenda,
            agenda_html=text.render_markdown(agenda) if agenda.strip() else "", zone=zone, local_start=local_start,
            duration_minutes=duration_minutes, link=link.strip(), place=place.strip(), capacity=capacity,
            repeat=repeat, until=until if repeat != ONCE else None, times=times if repeat != ONCE else None,
            rotation=" ".join(str(minutes) for minutes in rotation), created_at=clock.now())
        Occurrence.insert_many([
            {"meeting": meeting.id, "circle": circle.id, "number": number, "starts_at": start, "slot_start": start,
             "ends_at": start + length} for number, start in enumerate(starts)]).execute()
    return meeting
