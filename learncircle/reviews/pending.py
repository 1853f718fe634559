"""What waits for one person in peer review, across their circles or in one: work to submit, reviews
to write, and reviews of their work that arrived and are not rated yet.

One query however many rounds and circles: each running round of the person's circles comes with
their role, their submission and what they owe, counted by subqueries that the indexes on
assignment (reviewer, round), review (assignment) and submission (round, author) serve.
"""
import datetime as dt
from dataclasses import dataclass

import peewee

from .. import clock
from ..circles.models import FACILITATOR, OWNER, Circle, Membership
from .models import Assignment, Review, ReviewRound, Submission
from .rules import CLOSED, OPEN, REVIEW_SUBMITTED, REVIEWING

# A round stays on the list this long after it closed: late reviews, and reviews still to read.
RECENT = dt.timedelta(days=14)
SUBMIT, REVIEW, READ = "submit", "review", "read"
# How the deadline stands: due; passed, with late work still taken (marked late); or, for work to
# submit once reviewing began, taken until reviews are due (late after the deadline, not late before).
DUE, OVERDUE, LATE, EARLY = "due", "overdue", "late", "early"


@dataclass(frozen=True)
class Pending:
    """One thing to do: kind (submit, review, read), how many, by when, and where."""

    kind: str
    count: int
    round_id: int
    round_title: str
    circle_name: str
    circle_slug: str
    deadline: dt.datetime | None  # None for reviews to read
    timing: str  # DUE, OVERDUE, LATE or EARLY (see above)
    target_id: int  # what the link opens: the round, an assignment or one's own submission


def pending_for(user, circle=None, now=None):
    """What waits for user in peer review (in one circle, or in all of theirs), soonest deadline first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    now = now or clock.now()
    items = []
    for row in _rows(user, circle, now):
        items.extend(_items(row, now))
    return sorted(items, key=lambda item: (item.deadline is None, item.deadline or now, item.round_id, item.kind))


def _unwritten(user, aggregate):
    """aggregate() over the ids of user's assignments in the outer query's round not yet submitted."""
    ToWrite, Written = Assignment.alias(), Review.alias()
    return (ToWrite.select(aggregate(ToWrite.id))
            .join(Written, peewee.JOIN.LEFT_OUTER, on=(Written.assignment == ToWrite.id))
            .where((ToWrite.reviewer == user.id) & (ToWrite.round == ReviewRound.id)
                   & (Written.id.is_null() | (Written.status != REVIEW_SUBMITTED))))


def _rows(user, circle, now):
    """The person's running rounds, each with their role, their submission's id and three subqueries:
    how many reviews they have to write, the first of them, and how many reviews of their work wait
    to be rated."""
    Mine = Submission.alias()
    to_write, first_to_write = _unwritten(user, peewee.fn.COUNT), _unwritten(user, peewee.fn.MIN)
    Of, Arrived = Assignment.alias(), Review.alias()
    unrated = (Arrived.select(peewee.fn.COUNT(Arrived.id)).join(Of, on=(Arrived.assignment == Of.id))
               .where((Of.submission == Mine.id) & (Arrived.status == REVIEW_SUBMITTED)
                      & Arrived.hidden_at.is_null() & Arrived.rated_at.is_null()))
    cutoff = now - RECENT
    query = (ReviewRound
             .select(ReviewRound, Circle.name.alias("circle_name"), Circle.slug.alias("circle_slug"),
                     Membership.role.alias("role"), Mine.id.alias("submission_id"),
                     to_write.alias("to_write"), first_to_write.alias("first_to_write"), unrated.alias("unrated"))
             .join(Circle)
             .join(Membership, on=((Membership.circle == Circle.id) & (Membership.user == user.id)))
             .switch(ReviewRound)
             .join(Mine, peewee.JOIN.LEFT_OUTER, on=((Mine.round == ReviewRound.id) & (Mine.author == user.id)))
             .where(ReviewRound.published_at.is_null(False) & (ReviewRound.review_deadline > cutoff)
                    & (ReviewRound.closed_at.is_null() | (ReviewRound.closed_at > cutoff)))
             .objects())  # no ORDER BY: pending_for sorts the few items by deadline
    if circle is not None:
        query = query.where(ReviewRound.circle == circle.id)
    return query


def _items(row, now):
    """The things to do in one round, from its row (see _rows)."""
    phase = row.phase(now)
    where = dict(round_id=row.id, round_title=row.title, circle_name=row.circle_name, circle_slug=row.circle_slug)
    items = []
    takes_part = row.role not in (OWNER, FACILITATOR)  # those who run a round may submit, need not
    if row.submission_id is None and takes_part and row.closed_at is None:
        if phase == OPEN:
            items.append(Pending(SUBMIT, 1, deadline=row.submission_deadline, timing=DUE, target_id=row.id,
                                 **where))
        elif phase == REVIEWING and row.accept_late:
            # Work is still taken until reviews are due (see ReviewRound.submission_refusal).
            timing = LATE if now >= row.submission_deadline else EARLY
            items.append(Pending(SUBMIT, 1, deadline=row.review_deadline, timing=timing, target_id=row.id,
                                 **where))
    if row.to_write and row.closed_at is None and phase in (REVIEWING, CLOSED):
        items.append(Pending(REVIEW, row.to_write, deadline=row.review_deadline,
                             timing=OVERDUE if now >= row.review_deadline else DUE,
                             target_id=row.first_to_write, **where))
    if row.submission_id is not None and row.unrated and row.reviews_released(now):
        items.append(Pending(READ, row.unrated, deadline=None, timing=DUE, target_id=row.submission_id, **where))
    return items
