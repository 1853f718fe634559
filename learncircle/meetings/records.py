"""After a meeting: who was there (by name, or a head count when names were not taken) and its notes.

The first time notes are saved they are posted as a thread in the circle's discussion, by the facilitator who
wrote them, so those who missed the meeting can catch up and carry on in writing; the members who were not there
are told once (the `meeting_notes` notice, which reaches them in their digest or at once, as they chose). Saving
again edits the thread's first post: never a second thread, never a second notice. A thread deleted since is
started anew, without telling anyone again.
"""
from dataclasses import dataclass

from flask import url_for

from .. import clock, text, timefmt
from ..circles.models import Membership
from ..db import database
from ..discussions.models import BODY_MAX, DISCUSSION, TITLE_MAX, Post, Thread
from ..i18n import gettext as _
from ..i18n import ngettext
from ..notices.models import Notice
from . import notice_kinds
from .models import GOING, Attendance, Occurrence, Rsvp

NOT_STARTED, CANCELLED = "not_started", "cancelled"
HEAD_COUNT_MAX = 10_000
# Room left in a thread's first post for the lines saying who was there and linking to the meeting.
NOTES_MAX = BODY_MAX - 1_000


def refusal(occurrence, now=None):
    """Why attendance, notes or a reflection cannot be taken for occurrence now (NOT_STARTED, CANCELLED), or
    None: they are taken once it has begun, and never for a meeting that did not take place."""
    # A series' cancelling cancels its occurrences still to come; one that had begun took place.
    if occurrence.is_cancelled:
        return CANCELLED
    if occurrence.starts_at > (now or clock.now()):
        return NOT_STARTED
    return None


def has_begun(occurrence, now=None):
    return refusal(occurrence, now) is None


def members(circle):
    """The circle's current members with their accounts, as its roster orders them (the checkboxes)."""
    return list(Membership.roster(circle))


def ticked(occurrence):
    """The ids of those to tick on the form: who was recorded as there, or before anything was recorded, who said
    they were going."""
    if occurrence.attendance_taken_at is not None and occurrence.attendance_count is None:
        query = Attendance.select(Attendance.user).where(Attendance.occurrence == occurrence.id)
    else:
        query = Rsvp.select(Rsvp.user).where((Rsvp.occurrence == occurrence.id) & (Rsvp.answer == GOING))
    return {user_id for (user_id,) in query.tuples()}


@dataclass(frozen=True)
class Summary:
    """What the meeting's page says of its attendance: `taken`, `by_name`, `count` (None when not taken)."""
    taken: bool
    by_name: bool
    count: int | None


def summary(occurrence):
    """The attendance of occurrence (one query when taken by name, none otherwise)."""
    if occurrence.attendance_taken_at is None:
        return Summary(False, False, None)
    if occurrence.attendance_count is not None:
        return Summary(True, False, occurrence.attendance_count)
    return Summary(True, True, Attendance.select().where(Attendance.occurrence == occurrence.id).count())


@dataclass(frozen=True)
class Saved:
    thread: Thread | None  # the notes' thread (None while there are no notes)
    started: bool  # a thread was started by this save
    told: int  # how many absent members were told of the notes


def save(occurrence, *, recorder, notes, present=None, head_count=None):
    """Record occurrence's attendance and notes; return a Saved.

    present: the ids of the members who were there (taken by name; ids of people not in the circle are left out),
    or head_count: how many were there, when names were not taken. notes: Markdown ("" for none yet; notes once
    posted are edited, not emptied: the form says so). Who may, and whether the meeting has begun, are the
    caller's questions (access.can_schedule, refusal)."""
    circle, meeting = occurrence.circle, occurrence.meeting
    now = clock.now()
    notes = (notes or "").strip()
    current = [user_id for (user_id,) in Membership.select(Membership.user)
               .where(Membership.circle == circle.id).tuples()]
    by_name = head_count is None
    ticked_ids = set(present or ())
    there = [user_id for user_id in current if user_id in ticked_ids] if by_name else []
    count = len(there) if by_name else head_count
    with database.atomic():
        Attendance.delete().where(Attendance.occurrence == occurrence.id).execute()
        if there:
            Attendance.insert_many([{"occurrence": occurrence.id, "user": user_id} for user_id in there]).execute()
        changes = {Occurrence.attendance_taken_at: now, Occurrence.attendance_count: None if by_name else head_count}
        if notes:
            changes.update({Occurrence.notes: notes, Occurrence.notes_html: text.render_markdown(notes)})
        Occurrence.update(changes).where(Occurrence.id == occurrence.id).execute()
        thread, started, told = None, False, 0
        if notes:
            # The first save claims the notes (notes_at set once), so two facilitators saving at once start one
            # thread and tell the absent members once.
            first = Occurrence.update(notes_at=now).where(
                (Occurrence.id == occurrence.id) & Occurrence.notes_at.is_null()).execute() == 1
            body = _thread_body(notes, occurrence, circle, count, by_name)
            thread = _notes_thread(occurrence)
            if thread is None:
                thread = Thread.start(circle=circle, author=recorder, title=_thread_title(meeting, occurrence),
                                      kind=DISCUSSION, body=body)
                Occurrence.update(notes_thread=thread.id).where(Occurrence.id == occurrence.id).execute()
                started = True
            else:
                opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
                opening.thread = thread
                opening.edit(body)
            if first:
                told = _tell_the_absent(occurrence, thread, recorder,
                                        [user_id for user_id in current if user_id != recorder.id
                                         and user_id not in there])
    # The caller's row says what the database now does (its page is drawn from it).
    for field, value in changes.items():
        setattr(occurrence, field.name, value)
    if thread is not None:
        occurrence.notes_at, occurrence.notes_thread = occurrence.notes_at or now, thread
    return Saved(thread, started, told)


def _tell_the_absent(occurrence, thread, recorder, absent):
    """The `meeting_notes` notice to those who were not there (whoever recorded it knows), linking to the thread;
    as the thread's author is the recorder, whoever blocked them is left out, as from the thread itself."""
    meeting = occurrence.meeting
    message = notice_kinds.meeting_notes(title=meeting.title, start=occurrence.starts_at.isoformat(), zone=meeting.zone)
    return Notice.send(absent, message, url_for("discussions.thread", thread_id=thread.id),
                       circle=occurrence.circle_id, sender=recorder)


def _notes_thread(occurrence):
    """The thread the notes were posted as, if it is still there (deleted: None, and a new one is started)."""
    thread_id = Occurrence.select(Occurrence.notes_thread).where(Occurrence.id == occurrence.id).scalar()
    return Thread.get_or_none(Thread.id == thread_id) if thread_id else None


def _thread_title(meeting, occurrence):
    """"Notes: Weekly call, 09 Mar 2026", the date as the organiser's calendar has it (where the meeting was set)."""
    local = timefmt.to_local(occurrence.starts_at, timefmt.zone_named(meeting.zone))
    date = timefmt.local_times().formats.date(local)
    room = TITLE_MAX - len(_("Notes: %(title)s, %(date)s", title="", date=date))
    title = meeting.title if len(meeting.title) <= room else meeting.title[:max(room - 1, 1)] + "…"
    return _("Notes: %(title)s, %(date)s", title=title, date=date)


def _thread_body(notes, occurrence, circle, count, by_name):
    """The notes, then a line on who was there and a link back to the meeting's page."""
    if by_name:
        there = ngettext("%(num)d member was there.", "%(num)d members were there.", count)
    else:
        there = ngettext("%(num)d person was there.", "%(num)d people were there.", count)
    link = url_for("meetings.occurrence", slug=circle.slug, occurrence_id=occurrence.id)
    return f"{notes}\n\n---\n\n{there} [{_('The meeting’s page')}]({link})"
