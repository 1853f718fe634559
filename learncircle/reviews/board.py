"""The facilitator's tools: the board (submissions × reviewers), the CSV export and the nudge.

Facilitators know who reviewed whom, so these carry reviewer names; never show them to authors.
"""
import csv
import io
from collections import Counter
from dataclasses import dataclass, field

import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import MEMBER, Membership
from ..i18n import lazy_pgettext, pgettext
from ..notices import kinds
from ..notices.models import Notice
from . import flagged
from .models import Assignment, CriterionResponse, Review, Submission
from .results import DRAFTING, LATE, NOT_STARTED, SUBMITTED, is_overdue, review_status
from .rules import CLOSED, OPEN, REVIEW_SUBMITTED, REVIEWING

# How the board and the swap page name a review's status.
STATUS_WORDS = {NOT_STARTED: lazy_pgettext("review status", "not started"),
                DRAFTING: lazy_pgettext("review status", "draft"),
                SUBMITTED: lazy_pgettext("review status", "submitted"),
                LATE: lazy_pgettext("review status", "late")}


@dataclass
class BoardReviewer:
    """A column of the board: a reviewer, how many reviews they were given and have submitted."""

    user: User
    load: int = 0
    done: int = 0


@dataclass
class BoardCell:
    """One reviewer's work on one submission."""

    assignment_id: int
    reviewer: User
    slot: int
    status: str  # not_started | draft | submitted | late
    is_overdue: bool
    review_id: int | None
    helpfulness: int | None
    is_flagged: bool
    is_hidden: bool


@dataclass
class BoardRow:
    """A submission with its author and its cells, keyed by reviewer id."""

    submission: Submission  # .author is the joined User
    cells: dict = field(default_factory=dict)

    def cell_for(self, reviewer_id):
        return self.cells.get(reviewer_id)


@dataclass
class Board:
    """Rows of submissions, columns of reviewers (by name), counts and the allocation's notes."""

    phase: str
    reviewers: list  # BoardReviewer, by name
    rows: list
    missing: list  # members (role member) who have not submitted
    counts: dict
    notes: list


def board(round, now=None):
    """The facilitator board for a round, in three queries whatever its size."""
    now = now or clock.now()
    submissions = list(Submission.select(Submission, User)
                       .join(User, on=(Submission.author == User.id))
                       .where(Submission.round == round).order_by(User.display_name, Submission.id))
    rows = {s.id: BoardRow(s) for s in submissions}
    assignments = (Assignment.select(Assignment, User, Review, flagged.column().alias("flagged"))
                   .join(User, on=(Assignment.reviewer == User.id)).switch(Assignment)
                   .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id), attr="review")
                   .where(Assignment.round == round))
    reviewers, statuses = {}, Counter()
    overdue = flags = hidden = 0
    for a in assignments:
        review = a.review
        status = review_status(review)
        late = is_overdue(round, review, now)
        statuses[status] += 1
        overdue += late
        flags += bool(review and a.flagged)
        hidden += bool(review and review.is_hidden)
        column = reviewers.setdefault(a.reviewer_id, BoardReviewer(a.reviewer))
        column.load += 1
        column.done += status in (SUBMITTED, LATE)
        if a.submission_id in rows:
            rows[a.submission_id].cells[a.reviewer_id] = BoardCell(
                assignment_id=a.id, reviewer=column.user, slot=a.slot, status=status, is_overdue=late,
                review_id=review.id if review else None, helpfulness=review.helpfulness if review else None,
                is_flagged=bool(review and a.flagged), is_hidden=bool(review and review.is_hidden))
    submitted_ids = {s.author_id for s in submissions}
    missing = [m.user for m in Membership.select(Membership, User).join(User)
               .where((Membership.circle == round.circle_id) & (Membership.role == MEMBER))
               .order_by(User.display_name) if m.user_id not in submitted_ids]
    counts = {
        "submissions": len(submissions),
        "late_submissions": sum(s.is_late for s in submissions),
        "missing_submissions": len(missing),
        "reviews": sum(statuses.values()),
        NOT_STARTED: statuses[NOT_STARTED],
        DRAFTING: statuses[DRAFTING],
        SUBMITTED: statuses[SUBMITTED],
        LATE: statuses[LATE],
        "overdue": overdue,
        "flagged": flags,
        "hidden": hidden,
    }
    columns = sorted(reviewers.values(), key=lambda column: column.user.display_name.lower())
    return Board(phase=round.phase(now), reviewers=columns,
                 rows=list(rows.values()), missing=missing, counts=counts, notes=round.shortfalls)


def export_csv(round):
    """Every review's rubric levels (1 = lowest) and helpfulness rating as CSV text, for facilitators.

    One line per allocated review, with author and reviewer usernames (facilitators know both).
    Times are UTC in ISO 8601 to the second (2026-11-25T18:51:23Z), which spreadsheets and scripts read alike.
    """
    criteria = round.rubric()
    Reviewer = User.alias()
    rows = (Assignment.select(Assignment, Submission, User, Reviewer, Review, flagged.column().alias("flagged"))
            .join(Submission).join(User, on=(Submission.author == User.id)).switch(Assignment)
            .join(Reviewer, on=(Assignment.reviewer == Reviewer.id), attr="reviewer").switch(Assignment)
            .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id), attr="review")
            .where(Assignment.round == round)
            .order_by(User.username, Assignment.slot))
    rows = list(rows)
    levels = {}
    review_ids = [a.review.id for a in rows if a.review is not None]
    if review_ids:
        for response in CriterionResponse.select().where(CriterionResponse.review.in_(review_ids)):
            levels[(response.review_id, response.criterion_id)] = response.level
    out = io.StringIO()
    writer = csv.writer(out)
    # Every cell, the header's too: a criterion's name is typed by a person like any other text.
    # The headings are in the facilitator's language; the values stay data (usernames, codes, yes/no, UTC).
    writer.writerow(_cells([
        pgettext("CSV column", "author"), pgettext("CSV column", "submission_late"),
        pgettext("CSV column", "reviewer"), pgettext("CSV column", "reviewer_label"),
        pgettext("CSV column", "status"), pgettext("CSV column", "submitted_at_utc"),
        *[pgettext("CSV column: a scale criterion and its levels", "%(criterion)s (1-%(levels)d)",
                   criterion=c.name, levels=len(c.level_names)) for c in criteria if c.is_scale],
        pgettext("CSV column", "helpfulness (1-5)"), pgettext("CSV column", "helpfulness_note"),
        pgettext("CSV column", "flagged"), pgettext("CSV column", "hidden")]))
    for a in rows:
        review = a.review
        scale = []
        for c in criteria:
            if c.is_scale:
                level = levels.get((review.id, c.id)) if review else None
                scale.append("" if level is None else level + 1)
        writer.writerow(_cells([a.submission.author.username, "yes" if a.submission.is_late else "no",
                                a.reviewer.username, a.label, review_status(review),
                                _utc(review.submitted_at if review else None),
                                *scale,
                                review.helpfulness if review and review.helpfulness else "",
                                review.helpfulness_note if review else "",
                                "yes" if review and a.flagged else "no",
                                "yes" if review and review.is_hidden else "no"]))
    return out.getvalue()


def _utc(moment):
    """A stored (naive UTC) time as ISO 8601 with its zone and whole seconds, or "" for none."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _cell(value):
    """Neutralise text a spreadsheet would run as a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cells(values):
    return [_cell(value) for value in values]


def nudge(round, url="", now=None):
    """Remind everyone with pending work (an in-app notice linking to url); return how many.

    While open: members (role member) who have not submitted. Once reviewing: reviewers with
    reviews not yet submitted, until the round is closed by hand. Drafts and closed rounds: nobody.
    """
    now = now or clock.now()
    phase = round.phase(now)
    if phase == OPEN:
        submitted = Submission.select(Submission.author).where(Submission.round == round)
        people = [user for (user,) in Membership.select(Membership.user)
                  .where((Membership.circle == round.circle_id) & (Membership.role == MEMBER)
                         & Membership.user.not_in(submitted)).tuples()]
        return Notice.send(people, kinds.submission_reminder(round=round.title), url, round.circle_id)
    if phase in (REVIEWING, CLOSED) and round.closed_at is None:
        pending = Counter(reviewer for (reviewer,) in Assignment.select(Assignment.reviewer)
                          .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id))
                          .where((Assignment.round == round)
                                 & (Review.id.is_null() | (Review.status != REVIEW_SUBMITTED))).tuples())
        sent = 0
        for count in sorted(set(pending.values())):
            people = [reviewer for reviewer, n in pending.items() if n == count]
            sent += Notice.send(people, kinds.review_reminder(round=round.title, count=count), url, round.circle_id)
        return sent
    return 0
