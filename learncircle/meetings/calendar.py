"""Calendar files (iCalendar, RFC 5545) of meetings: one occurrence's, a whole series', and a member's feed,
made with the `icalendar` library so that Google, Apple, Outlook and Thunderbird read them alike.

Every time is written as a wall time in the meeting's zone (DTSTART;TZID=Europe/Berlin:…) with that zone's
VTIMEZONE, so a calendar program keeps a weekly 18:00 in Berlin at 18:00 across daylight saving, as we do.

A series is one VEVENT with an RRULE (FREQ=WEEKLY, INTERVAL 1 or 2, COUNT; UID meeting-<id>@<host>) whose
DTSTART is the wall time of its first occurrence still held (a cancelled first one is left before the rule:
some programs show a DTSTART whatever EXDATE says); a cancelled occurrence after it is an EXDATE, a moved one a
VEVENT of the same UID whose RECURRENCE-ID is the wall time its slot had. A series cancelled whole is its rule
with STATUS:CANCELLED. The file of one occurrence of a series is that occurrence alone, by the same UID and
RECURRENCE-ID, so importing it beside the series changes nothing. A meeting held once has no RRULE.

A rotating series (it takes turns between slots) cannot be one RRULE: each of its k slots is a series of its
own, every k-th occurrence (INTERVAL times k), UID meeting-<id>-slot<j>@<host> for the slots after the first.
An occurrence whose stored start is not where the meeting's rule puts it (its zone's rules changed since it was
written, say) is a VEVENT of its own, UID meeting-<id>-<number>@<host>, excluded from the rule: the files
always say the moment stored.

SEQUENCE counts the seconds from the meeting's creation to its last change (a move or a cancellation), so it
grows with each change and calendar programs take the newer version.

A member's feed lists every meeting of the circles they belong to now that has an occurrence from
FEED_PAST_DAYS ago on, each written whole (a series' rule never changes as the window moves on), in one query.
"""
import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit

import icalendar
from flask import current_app

from .. import clock, site, timefmt
from ..circles.models import Circle, Membership
from ..i18n import gettext as _
from . import recurrence
from .models import Meeting, Occurrence

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//LearnCircle//Meetings//EN"
FEED_PAST_DAYS = 60  # a feed keeps every series with an occurrence since then, and every later meeting
REFRESH = dt.timedelta(hours=1)  # how often a feed asks to be read again
UTC = dt.timezone.utc


# ---- the rule a series follows ------------------------------------------------------------------

def rotation_of(meeting):
    """The minutes each further slot of a rotating series is moved by, as recurrence.local_starts takes them."""
    return tuple(int(minutes) for minutes in meeting.rotation.split())


def slots_of(meeting):
    return 1 + len(rotation_of(meeting))


def slot_wall(meeting, number):
    """The wall time (naive, in the meeting's zone) where the series puts occurrence `number`: what
    recurrence.local_starts gave it, and what a calendar program expanding the RRULE computes."""
    offsets = (0, *rotation_of(meeting))
    step = dt.timedelta(days=recurrence.INTERVAL_DAYS.get(meeting.repeat, 0))
    return meeting.local_start + step * number + dt.timedelta(minutes=offsets[number % len(offsets)])


def in_rule(meeting, occurrence):
    """Whether the occurrence's slot is where the meeting's rule puts it (else it is written on its own)."""
    zone = timefmt.zone_named(meeting.zone)
    return recurrence.to_utc(slot_wall(meeting, occurrence.number), zone) == occurrence.slot_start


def _host():
    return urlsplit(site.public_url()).hostname or "localhost"


def uid_of(meeting, occurrence=None, host=None):
    """The UID of the VEVENT an occurrence belongs to (the series', its slot's, or its own), or the series'."""
    host = host or _host()
    if occurrence is not None and meeting.repeats and not in_rule(meeting, occurrence):
        return f"meeting-{meeting.id}-{occurrence.number}@{host}"
    slot = occurrence.number % slots_of(meeting) if occurrence is not None else 0
    return f"meeting-{meeting.id}@{host}" if slot == 0 else f"meeting-{meeting.id}-slot{slot}@{host}"


def is_cancelled(meeting, occurrence):
    """Cancelled on its own, or by the series' cancellation, which ends what was still to come (what had begun
    happened: scheduling.cancel_series leaves it, and so do the files)."""
    return occurrence.is_cancelled or (meeting.cancelled_at is not None
                                       and occurrence.starts_at > meeting.cancelled_at)


def _sequence(meeting, *changes):
    """Seconds from the meeting's creation to its latest change, + 1 (0 when it never changed)."""
    moments = [moment for moment in (meeting.cancelled_at, *changes) if moment is not None]
    if not moments:
        return 0
    return max(0, int((max(moments) - meeting.created_at).total_seconds())) + 1


# ---- writing events -----------------------------------------------------------------------------

class _Writer:
    """What every event of one file shares: the stamp, the host, whether details are shown, the pages' URLs."""

    def __init__(self, with_details):
        self.with_details = with_details
        self.stamp = clock.now().replace(tzinfo=UTC)
        # The site's address is read once per file (it may be a stored setting: a query each time).
        self.base = site.public_url()
        self.urls = current_app.url_map.bind("localhost", script_name="/")
        self.host = urlsplit(self.base).hostname or "localhost"
        self.years = set()

    def page(self, endpoint, **values):
        """An absolute link to a page, as mail.compose.link makes it."""
        return self.base + self.urls.build(endpoint, values)

    def local(self, moment, meeting):
        """A stored UTC moment as an aware time in the meeting's zone, UTC where the wall time happens twice
        and this is its second time (a wall time alone would name the first)."""
        self.years.add(moment.year)
        local = recurrence.to_zone(moment, timefmt.zone_named(meeting.zone))
        if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
            return moment.replace(tzinfo=UTC)
        return local

    def wall(self, meeting, number):
        """Occurrence `number`'s slot as the RRULE writes it: its wall time in the meeting's zone."""
        local = slot_wall(meeting, number)
        self.years.add(local.year)
        return local.replace(tzinfo=timefmt.zone_named(meeting.zone))

    def event(self, meeting, circle, uid, start, end, *, page, sequence=0, cancelled=False, reason=""):
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", self.stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", meeting.title)
        event.add("sequence", sequence)
        lines = []
        if cancelled:
            lines.append(_("Cancelled: %(reason)s", reason=reason) if reason else _("Cancelled."))
        if meeting.agenda.strip():
            lines.append(meeting.agenda.strip())
        lines.append(_("Circle: %(name)s", name=circle.name))
        lines.append(_("Meeting page: %(url)s", url=page))
        if self.with_details and meeting.link:
            lines.append(_("Join: %(url)s", url=meeting.link))
        event.add("description", "\n\n".join(lines))
        if self.with_details and (meeting.place or meeting.link):
            event.add("location", meeting.place or meeting.link)
        event.add("url", meeting.link if self.with_details and meeting.link else page)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        return event

    def occurrence(self, occurrence, meeting, circle, *, uid=None, recurrence_id=True):
        """One occurrence as it is now: moved, cancelled, or where its slot put it."""
        page = self.page("meetings.occurrence", slug=circle.slug, occurrence_id=occurrence.id)
        cancelled = is_cancelled(meeting, occurrence)
        reason = occurrence.cancel_reason or meeting.cancel_reason
        uid = uid or uid_of(meeting, occurrence, self.host)
        event = self.event(meeting, circle, uid, self.local(occurrence.starts_at, meeting),
                           self.local(occurrence.ends_at, meeting), page=page, cancelled=cancelled, reason=reason,
                           sequence=_sequence(meeting, occurrence.moved_at, occurrence.cancelled_at))
        if recurrence_id and meeting.repeats and in_rule(meeting, occurrence):
            event.add("recurrence-id", self.wall(meeting, occurrence.number))
        return event

    def series(self, meeting, circle, occurrences):
        """The VEVENTs of a meeting from all its occurrences (in order of number): see the module's docstring."""
        if not meeting.repeats:
            return [self.occurrence(o, meeting, circle, recurrence_id=False) for o in occurrences[:1]]
        events = []
        ruled = [o for o in occurrences if in_rule(meeting, o)]
        for o in occurrences:
            if not in_rule(meeting, o):
                events.append(self.occurrence(o, meeting, circle))
        slots = slots_of(meeting)
        for slot in range(slots):
            events.extend(self._slot(meeting, circle, [o for o in ruled if o.number % slots == slot], slots))
        return events

    def _slot(self, meeting, circle, occurrences, slots):
        """One slot's RRULE VEVENT and its moved occurrences' overrides."""
        if not occurrences:
            return []
        # The rule runs from the first to the last occurrence still held (a cancelled first one is not the
        # DTSTART: some programs show a DTSTART whatever EXDATE says); its gaps are EXDATEs. When none is held,
        # the rule over them all says CANCELLED.
        held = [o for o in occurrences if not is_cancelled(meeting, o)]
        whole_cancelled = not held
        held = held or occurrences
        first, last = held[0].number, held[-1].number
        kept = {o.number for o in held}
        self.years.add(slot_wall(meeting, last).year)  # the rule's last instance: its zone must be defined
        start = self.wall(meeting, first)
        length = dt.timedelta(minutes=meeting.duration_minutes)
        end = self.local(recurrence.to_utc(slot_wall(meeting, first), start.tzinfo) + length, meeting)
        page = self.page("meeting_records.rhythm", slug=circle.slug)
        changes = [moment for o in occurrences for moment in (o.moved_at, o.cancelled_at)]
        master = self.event(meeting, circle, uid_of(meeting, held[0], self.host), start, end, page=page,
                            sequence=_sequence(meeting, *changes), cancelled=whole_cancelled,
                            reason=meeting.cancel_reason or occurrences[0].cancel_reason)
        weeks = recurrence.INTERVAL_DAYS[meeting.repeat] // 7
        master.add("rrule", {"freq": "weekly", "interval": weeks * slots, "count": (last - first) // slots + 1})
        skipped = [self.wall(meeting, number) for number in range(first, last + 1, slots) if number not in kept]
        if skipped:
            master.add("exdate", skipped)
        overrides = [self.occurrence(o, meeting, circle) for o in held if _changed(meeting, o)]
        return [master, *overrides]


def _changed(meeting, occurrence):
    """Whether an occurrence is not simply what the rule makes of its slot (moved, or its length changed)."""
    return (occurrence.moved_at is not None or occurrence.starts_at != occurrence.slot_start
            or occurrence.ends_at - occurrence.starts_at != dt.timedelta(minutes=meeting.duration_minutes))


# ---- whole files --------------------------------------------------------------------------------

@lru_cache(maxsize=128)
def _vtimezone(tzid, first_year, last_year):
    """A zone's VTIMEZONE for the years a file spans (made from the zone database; kept, as it is slow)."""
    return icalendar.Timezone.from_tzid(tzid, first_date=dt.date(first_year, 1, 1),
                                        last_date=dt.date(last_year + 1, 1, 1))


def _calendar(writer, events, name=None):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
    for event in events:
        calendar.add_component(event)
    # Each zone a time names, defined before the events that use it (some programs read in one pass).
    years = writer.years or {clock.now().year}
    zones = [_vtimezone(tzid, min(years), max(years)) for tzid in sorted(calendar.get_used_tzids())
             if tzid != "UTC"]
    calendar.subcomponents[:0] = zones
    return calendar.to_ical()


def occurrence_calendar(occurrence, meeting, with_details, circle=None):
    """The .ics of one occurrence (bytes); with_details: the meeting's link and place too (the circle's own
    people). circle: the meeting's, when the caller has it loaded already."""
    writer = _Writer(with_details)
    return _calendar(writer, [writer.occurrence(occurrence, meeting, circle or meeting.circle)])


def series_calendar(meeting, occurrences, with_details, circle=None):
    """The .ics of a meeting and all its occurrences (bytes); with_details and circle as occurrence_calendar."""
    writer = _Writer(with_details)
    occurrences = sorted(occurrences, key=lambda o: o.number)
    return _calendar(writer, writer.series(meeting, circle or meeting.circle, occurrences))


def feed_occurrences(user, now=None):
    """Every occurrence of the meetings the feed of user lists, with its meeting and circle, in one query: each
    meeting (a whole series) of a circle user belongs to now that has an occurrence since FEED_PAST_DAYS ago."""
    since = (now or clock.now()) - dt.timedelta(days=FEED_PAST_DAYS)
    circles = Membership.select(Membership.circle).where(Membership.user == user.id)
    recent = (Occurrence.select(Occurrence.meeting)
              .where(Occurrence.circle.in_(circles) & (Occurrence.starts_at >= since)))
    return list(Occurrence.select(Occurrence, Meeting, Circle)
                .join(Meeting, on=(Occurrence.meeting == Meeting.id))
                .join(Circle, on=(Meeting.circle == Circle.id))
                .where(Occurrence.circle.in_(circles) & Occurrence.meeting.in_(recent))
                .order_by(Occurrence.meeting, Occurrence.number))


def feed_calendar(user, occurrences=None):
    """The member's private feed (bytes): the meetings of feed_occurrences, with their links (they are the
    circles' own people). Its words are in the current language (the view speaks the member's)."""
    rows = feed_occurrences(user) if occurrences is None else occurrences
    by_meeting = {}
    for occurrence in rows:
        by_meeting.setdefault(occurrence.meeting.id, []).append(occurrence)
    writer = _Writer(with_details=True)
    events = []
    for group in by_meeting.values():
        meeting = group[0].meeting
        events.extend(writer.series(meeting, meeting.circle, group))
    name = _("%(site)s meetings", site=current_app.config["SITE_NAME"])
    return _calendar(writer, events, name=name)

