"""Scheduling: a meeting and its occurrences written in one transaction, from the organiser's wall time; then
moving or cancelling one occurrence, cancelling what is left of a series, and editing its details, each
telling those who said they would come (going, maybe, or waiting for a place).

Notices link to an occurrence's page: a view passes `url_of` (built with url_for, in its request); without
one, rsvp.page_url builds the same address outside a request (a job, a test). What cannot be done now raises
rsvp.Refused, named here as Refused too.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from .. import clock, text
from ..circles.models import Circle, Membership
from ..db import database
from ..notices.models import Notice
from . import notice_kinds, polls, recurrence, rsvp
from .models import ONCE, Meeting, Occurrence
from .rsvp import Refused, page_url

MIN_DURATION, MAX_DURATION = 15, 480  # minutes: a quarter of an hour to a long day's workshop


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


def utc_start(local_start, zone):
    """A wall time typed in zone (a name) as naive UTC, by recurrence's rules for skipped and doubled times."""
    return recurrence.to_utc(local_start, ZoneInfo(zone))


def local_wall_time(moment, zone):
    """A naive UTC moment as the naive wall time it reads in zone (a name): what a form shows to edit."""
    return recurrence.to_zone(moment, ZoneInfo(zone)).replace(tzinfo=None)


def _iso(moment):
    return moment.isoformat()


def _but(user_ids, by):
    """user_ids without the facilitator who made the change (they know)."""
    return [user_id for user_id in user_ids if by is None or user_id != by.id]


def first_occurrence(meeting):
    return meeting.occurrences.order_by(Occurrence.number).first()


def announce(meeting, url_of=None):
    """Tell every member of the circle but the organiser that the meeting is scheduled (the first occurrence's
    time, linking to its page); how many were told."""
    first = first_occurrence(meeting)
    circle = Circle.get_by_id(meeting.circle_id)
    others = [user_id for (user_id,) in Membership.select(Membership.user).where(
        (Membership.circle == circle.id) & (Membership.user != meeting.organiser_id)).tuples()]
    message = notice_kinds.meeting_scheduled(circle=circle.name, title=meeting.title, start=_iso(first.starts_at),
                                             zone=meeting.zone, repeats=meeting.repeats)
    return Notice.send(others, message, (url_of or page_url)(first), circle=circle.id)


def rotation_from(slot_starts, zone):
    """For a series that takes turns between a poll's slots (naive UTC starts, the first one first): the first
    slot's wall time in zone and each other slot's offset from it in minutes, as schedule(rotation=…) takes."""
    walls = [local_wall_time(start, zone) for start in slot_starts]
    return walls[0], tuple(int((wall - walls[0]).total_seconds() // 60) for wall in walls[1:])


def create(*, circle, organiser, poll=None, url_of=None, **details):
    """Schedule (schedule()'s arguments in details), close the poll it was found by, if any, and tell the circle,
    in one transaction; returns the Meeting. Raises recurrence.SeriesError as schedule() does."""
    with database.atomic():
        meeting = schedule(circle=circle, organiser=organiser, **details)
        if poll is not None:
            polls.mark_scheduled(poll, meeting)
        announce(meeting, url_of)
    return meeting


# ---- one occurrence: move, cancel -------------------------------------------------------------------

def is_over(occurrence, now=None):
    return occurrence.ends_at <= (now or clock.now())


def _changeable(occurrence, now):
    if occurrence.is_cancelled:
        raise Refused("cancelled")
    if is_over(occurrence, now):
        raise Refused("over")


def move(occurrence, *, local_start, zone, duration_minutes=None, reason="", by=None, url_of=None):
    """Move one occurrence to a wall time in zone (the series keeps its own times; slot_start stays where the
    series put it), telling those coming (but `by`, who moved it). Its reminders are sent again for the new time.
    Raises Refused("past") for a start before now, ("cancelled") or ("over")."""
    now = clock.now()
    _changeable(occurrence, now)
    start = utc_start(local_start, zone)
    if start <= now:
        raise Refused("past")
    meeting = occurrence.meeting
    length = dt.timedelta(minutes=duration_minutes or int((occurrence.ends_at - occurrence.starts_at)
                                                          .total_seconds() // 60))
    old = occurrence.starts_at
    with database.atomic():
        Occurrence.update(starts_at=start, ends_at=start + length, moved_at=now, reminded_day_at=None,
                          reminded_hour_at=None).where(Occurrence.id == occurrence.id).execute()
        occurrence.starts_at, occurrence.ends_at, occurrence.moved_at = start, start + length, now
        message = notice_kinds.meeting_moved(title=meeting.title, old=_iso(old), start=_iso(start), zone=meeting.zone,
                                             reason=reason.strip())
        Notice.send(_but(rsvp.coming([occurrence.id]), by), message, (url_of or page_url)(occurrence),
                    circle=occurrence.circle_id)
    return occurrence


def cancel(occurrence, reason, by=None, url_of=None):
    """Cancel one occurrence with a reason, telling those coming. Raises Refused("cancelled") or ("over")."""
    now = clock.now()
    _changeable(occurrence, now)
    meeting = occurrence.meeting
    with database.atomic():
        changed = Occurrence.update(cancelled_at=now, cancel_reason=reason.strip()).where(
            (Occurrence.id == occurrence.id) & Occurrence.cancelled_at.is_null()).execute()
        if not changed:  # cancelled by another facilitator a moment ago: they told everyone
            raise Refused("cancelled")
        occurrence.cancelled_at, occurrence.cancel_reason = now, reason.strip()
        message = notice_kinds.meeting_cancelled(title=meeting.title, start=_iso(occurrence.starts_at),
                                                 zone=meeting.zone, reason=reason.strip())
        Notice.send(_but(rsvp.coming([occurrence.id]), by), message, (url_of or page_url)(occurrence),
                    circle=occurrence.circle_id)
    return occurrence


# ---- the whole series: cancel, edit -----------------------------------------------------------------

def upcoming(meeting, now=None):
    """The series' occurrences not over yet and not cancelled, in order."""
    return list(meeting.occurrences.where((Occurrence.ends_at > (now or clock.now()))
                                          & Occurrence.cancelled_at.is_null()).order_by(Occurrence.number))


def cancel_series(meeting, reason, by=None, url_of=None):
    """Cancel the meeting and every occurrence of it still to come, with a reason; those coming to any of them
    are told once (of the next one). Returns the occurrences cancelled. Raises Refused("cancelled")."""
    if meeting.cancelled_at is not None:
        raise Refused("cancelled")
    now = clock.now()
    reason = reason.strip()
    with database.atomic():
        changed = Meeting.update(cancelled_at=now, cancel_reason=reason).where(
            (Meeting.id == meeting.id) & Meeting.cancelled_at.is_null()).execute()
        if not changed:
            raise Refused("cancelled")
        meeting.cancelled_at, meeting.cancel_reason = now, reason
        # What has begun is left alone: it happened (or is happening), and its notes may still be taken.
        to_cancel = [occurrence for occurrence in upcoming(meeting, now) if occurrence.starts_at > now]
        if to_cancel:
            Occurrence.update(cancelled_at=now, cancel_reason=reason).where(
                Occurrence.id.in_([occurrence.id for occurrence in to_cancel])).execute()
            first = to_cancel[0]
            message = notice_kinds.meeting_cancelled(title=meeting.title, start=_iso(first.starts_at),
                                                     zone=meeting.zone, reason=reason)
            Notice.send(_but(rsvp.coming([occurrence.id for occurrence in to_cancel]), by), message,
                        (url_of or page_url)(first), circle=meeting.circle_id)
    return to_cancel


DETAILS = ("title", "agenda", "link", "place")


def edit(meeting, *, title, agenda, link, place, capacity, by=None, url_of=None):
    """Change a series' details (not its times: move an occurrence for that). A new title, agenda, link or place
    is told to those coming to what is still to come; more places admit the first waiting. Returns whether
    the details people read changed. Raises Refused("cancelled") for a cancelled series."""
    if meeting.cancelled_at is not None:
        raise Refused("cancelled")
    values = {"title": title.strip(), "agenda": agenda, "link": link.strip(), "place": place.strip()}
    changed = any(getattr(meeting, name) != values[name] for name in DETAILS)
    now = clock.now()
    with database.atomic():
        Meeting.update(agenda_html=text.render_markdown(agenda) if agenda.strip() else "", capacity=capacity,
                       **values).where(Meeting.id == meeting.id).execute()
        for name, value in values.items():
            setattr(meeting, name, value)
        meeting.capacity = capacity
        ahead = upcoming(meeting, now)
        for occurrence in ahead:  # a larger capacity (or none) opens places on each
            rsvp.admit_waiting(occurrence, meeting, url_of=url_of or page_url)
        if changed and ahead:
            first = ahead[0]
            message = notice_kinds.meeting_changed(title=meeting.title, start=_iso(first.starts_at), zone=meeting.zone)
            Notice.send(_but(rsvp.coming([occurrence.id for occurrence in ahead]), by), message,
                        (url_of or page_url)(first), circle=meeting.circle_id)
    return changed


# ---- reading a series -------------------------------------------------------------------------------

def series_of(occurrence):
    """(count of occurrences in the series, the previous one or None, the next one or None)."""
    siblings = Occurrence.select().where((Occurrence.meeting == occurrence.meeting_id)
                                         & (Occurrence.number.in_([occurrence.number - 1, occurrence.number + 1])))
    by_number = {sibling.number: sibling for sibling in siblings}
    total = Occurrence.select().where(Occurrence.meeting == occurrence.meeting_id).count()
    return total, by_number.get(occurrence.number - 1), by_number.get(occurrence.number + 1)
