"""What the circle's rhythm page and the attendance page read: the meetings coming up with their answers, the polls
still open, the last notes, and for the facilitators each member's attendance over time and who has missed several
meetings in a row, so someone can reach out to them.

Each list is one query, whatever the number of members or meetings (the page counts its queries in a test).
"""
from dataclasses import dataclass, field

import peewee

from ..accounts.models import User
from ..circles.models import FACILITATOR, OWNER, Membership
from .models import ANSWERS, WAITING, Attendance, Meeting, Occurrence, Poll, Rsvp

UPCOMING_SHOWN = 10
POLLS_SHOWN = 10
NOTES_SHOWN = 3
GRID_COLUMNS = 8  # past meetings on the rhythm page's grid; the attendance page shows them all, a page at a time
HISTORY_PAGE = 12
MISSED_IN_A_ROW = 3  # missed this many recorded meetings in a row, up to the last one: worth a word
STREAK_LOOKBACK = 50  # recorded meetings read to count a streak (one longer is shown as this many)

# A member's place in one meeting's column.
PRESENT, ABSENT, NOT_TAKEN, COUNTED, NOT_YET = "present", "absent", "not_taken", "counted", "not_yet"


def _with_meeting():
    return Occurrence.select(Occurrence, Meeting).join(Meeting, on=(Occurrence.meeting == Meeting.id))


def upcoming(circle, now, limit=UPCOMING_SHOWN):
    """The next meetings of circle not cancelled (one under way included), soonest first, each with its meeting."""
    return list(_with_meeting()
                .where((Occurrence.circle == circle.id) & (Occurrence.ends_at > now)
                       & Occurrence.cancelled_at.is_null())
                .order_by(Occurrence.starts_at, Occurrence.id).limit(limit))


def answer_counts(circle, occurrences):
    """{occurrence id: {answer: how many}} of the circle's current members' answers (going, maybe, not going and
    waiting): one query for them all."""
    ids = [occurrence.id for occurrence in occurrences]
    counts = {occurrence_id: dict.fromkeys((*ANSWERS, WAITING), 0) for occurrence_id in ids}
    if not ids:
        return counts
    rows = (Rsvp.select(Rsvp.occurrence, Rsvp.answer, peewee.fn.COUNT(Rsvp.id))
            .join(Membership, on=((Membership.user == Rsvp.user) & (Membership.circle == circle.id)))
            .where(Rsvp.occurrence.in_(ids)).group_by(Rsvp.occurrence, Rsvp.answer).tuples())
    for occurrence_id, answer, number in rows:
        counts[occurrence_id][answer] = number
    return counts


def open_polls(circle, limit=POLLS_SHOWN):
    """The circle's polls still open for votes, newest first."""
    return list(Poll.select().where((Poll.circle == circle.id) & Poll.closed_at.is_null())
                .order_by(Poll.created_at.desc(), Poll.id.desc()).limit(limit))


def last_notes(circle, limit=NOTES_SHOWN):
    """The last meetings with notes, the latest first, each with its meeting."""
    return list(_with_meeting().where((Occurrence.circle == circle.id) & Occurrence.notes_at.is_null(False))
                .order_by(Occurrence.starts_at.desc(), Occurrence.id.desc()).limit(limit))


def past(circle, now):
    """The circle's meetings that have begun and were not cancelled, the latest first (a query to page through)."""
    return (_with_meeting().where((Occurrence.circle == circle.id) & (Occurrence.starts_at <= now)
                                  & Occurrence.cancelled_at.is_null())
            .order_by(Occurrence.starts_at.desc(), Occurrence.id.desc()))


def _recorded_by_name(circle, now):
    """The latest meetings whose attendance was taken by name, the latest first: the streaks are counted in them."""
    return list(Occurrence.select(Occurrence.id, Occurrence.starts_at)
                .where((Occurrence.circle == circle.id) & (Occurrence.starts_at <= now)
                       & Occurrence.cancelled_at.is_null() & Occurrence.attendance_taken_at.is_null(False)
                       & Occurrence.attendance_count.is_null())
                .order_by(Occurrence.starts_at.desc(), Occurrence.id.desc()).limit(STREAK_LOOKBACK))


def _present(occurrence_ids):
    """{(occurrence id, user id)} of who was there, for all of occurrence_ids at once."""
    if not occurrence_ids:
        return set()
    return set(Attendance.select(Attendance.occurrence, Attendance.user)
               .where(Attendance.occurrence.in_(list(occurrence_ids))).tuples())


def roster(circle):
    """The circle's current members with their accounts (names only), owner and facilitators first."""
    order = peewee.Case(Membership.role, ((OWNER, 0), (FACILITATOR, 1)), 2)
    return list(Membership.select(Membership, User.id, User.username, User.display_name)
                .join(User, on=(Membership.user == User.id)).where(Membership.circle == circle.id)
                .order_by(order, User.display_name, User.id))


def _cell(occurrence, membership, present):
    if membership.joined_at > occurrence.starts_at:
        return NOT_YET
    if occurrence.attendance_taken_at is None:
        return NOT_TAKEN
    if occurrence.attendance_count is not None:
        return COUNTED
    return PRESENT if (occurrence.id, membership.user_id) in present else ABSENT


@dataclass
class Row:
    membership: Membership
    cells: list  # one state per column: PRESENT, ABSENT, NOT_TAKEN, COUNTED, NOT_YET
    present: int = 0  # of the columns taken by name


@dataclass
class Grid:
    """Members × meetings, the columns in the order they happened."""
    columns: list
    rows: list = field(default_factory=list)


def grid(columns, members, present):
    """The attendance grid of columns (occurrences, oldest first) for members, present as _present gives it."""
    rows = []
    for membership in members:
        cells = [_cell(occurrence, membership, present) for occurrence in columns]
        rows.append(Row(membership, cells, cells.count(PRESENT)))
    return Grid(columns, rows)


@dataclass
class Missed:
    membership: Membership
    count: int  # recorded meetings missed in a row, up to the last one


def missed_in_a_row(recorded, members, present, at_least=MISSED_IN_A_ROW):
    """The members who missed at least `at_least` of the recorded meetings in a row up to the last one (meetings
    from before they joined do not count), the longest streak first."""
    found = []
    for membership in members:
        streak = 0
        for occurrence in recorded:
            if membership.joined_at > occurrence.starts_at or (occurrence.id, membership.user_id) in present:
                break
            streak += 1
        if streak >= at_least:
            found.append(Missed(membership, streak))
    return sorted(found, key=lambda missed: -missed.count)


@dataclass
class ForFacilitators:
    """The rhythm page's part only facilitators see."""
    grid: Grid
    missed: list


def for_facilitators(circle, now, columns=GRID_COLUMNS):
    """The rhythm page's facilitators' part: the grid of the last `columns` meetings and who missed several in a
    row; four queries."""
    members = roster(circle)
    latest = list(past(circle, now).limit(columns))
    recorded = _recorded_by_name(circle, now)
    present = _present({occurrence.id for occurrence in latest} | {occurrence.id for occurrence in recorded})
    return ForFacilitators(grid(list(reversed(latest)), members, present), missed_in_a_row(recorded, members, present))


def history(circle, page):
    """A page (web.Page of past meetings, the latest first) as a grid, its columns in the order they happened."""
    members = roster(circle)
    columns = list(reversed(page.items))
    return grid(columns, members, _present({occurrence.id for occurrence in columns}))
