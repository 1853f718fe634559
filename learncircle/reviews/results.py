"""What people read: an author's per-criterion results, a reviewer's view of the work given to
them, and a reviewer's list of tasks.

These return plain dataclasses rather than rows so that anonymity is decided here, once: when a
round hides reviewers from authors, an author's Results carry no reviewer name, username or id
(reviews are told apart by "Reviewer N", numbered in random order when allocated); when both
sides are hidden, a reviewer's structures carry no author name.
"""
import datetime as dt
import statistics
from dataclasses import dataclass

import peewee

from .. import clock
from ..accounts.models import User
from ..i18n import gettext as _
from . import access, flagged
from .models import Assignment, CriterionResponse, Review, ReviewRound, Submission, SubmissionVersion
from .rules import AFTER_CLOSE, Refused

NOT_STARTED, DRAFTING, SUBMITTED, LATE = "not_started", "draft", "submitted", "late"


def review_status(review):
    """not_started (no review yet), draft, submitted, or late (submitted after the deadline)."""
    if review is None:
        return NOT_STARTED
    if not review.is_submitted:
        return DRAFTING
    return LATE if review.is_late else SUBMITTED


def is_overdue(round, review, now=None):
    """A review not submitted when the review deadline has passed or the round was closed."""
    now = now or clock.now()
    submitted = review is not None and review.is_submitted
    return not submitted and (now >= round.review_deadline or round.closed_at is not None)


@dataclass(frozen=True)
class ResponseResult:
    """One reviewer's answer to one criterion; level is 0-based (None for comments only or unanswered)."""

    label: str
    level: int | None
    level_name: str | None
    comment: str


@dataclass(frozen=True)
class CriterionResult:
    """A criterion with every shown review's answer, the median and how many reviewers chose each level.

    The median is the true one: with levels 1 and 3 chosen it is level 2; with levels 1 and 2 it falls
    between them (median_level is None then, and median_between names the two levels).
    """

    criterion_id: int
    name: str
    description: str
    kind: str
    levels: tuple
    responses: tuple
    median_level: int | None  # 0-based, when the median is a level
    median_name: str | None
    median_between: tuple | None = None  # (lower level, upper level), 0-based, when it falls between two
    distribution: tuple = ()  # (level name, how many reviewers chose it) for every level, lowest first


@dataclass(frozen=True)
class ReviewResult:
    """One review as the viewer may see it; reviewer_name/username are None when reviewers are hidden."""

    review_id: int
    label: str
    reviewer_name: str | None
    reviewer_username: str | None
    what_works: str
    could_be_better: str
    submitted_at: dt.datetime
    is_late: bool
    helpfulness: int | None
    helpfulness_note: str
    is_flagged: bool
    flag_reason: str  # its flag's reason (moderation.models.REASONS), "" when not flagged
    flag_note: str  # the flagger's words
    is_hidden: bool  # only ever True in a manager's view


@dataclass(frozen=True)
class Results:
    """An author's (or a manager's) view of the reviews of one submission."""

    released: bool  # whether reviews may be shown now
    message: str  # why nothing is shown yet, or ""
    expected: int  # reviewers allocated
    received: int  # reviews shown
    names_shown: bool
    reviews: tuple
    criteria: tuple
    waiting: int = 0  # allocated reviews not submitted yet
    hidden: int = 0  # submitted, but hidden from the author by a facilitator (author's view only)


def results_for(submission, viewer, now=None):
    """The reviews of a submission for its author (release, hiding and anonymity rules) or a manager.

    A manager who is also the author sees it as the author. Raises Refused for anyone else.
    """
    now = now or clock.now()
    round = submission.round
    is_author = viewer is not None and getattr(viewer, "id", None) == submission.author_id
    as_manager = not is_author and access.can_manage_round(viewer, round)
    if not (is_author or as_manager):
        raise Refused(_("Only the author and the circle's facilitators can read these reviews."))
    released = as_manager or round.reviews_released(now)
    names_shown = as_manager or not round.hides_reviewers

    # Reviewers' accounts are not even read for an author who may not know them.
    assignments = list(Assignment.select(Assignment, Review)
                       .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id), attr="review")
                       .where(Assignment.submission == submission)
                       .order_by(Assignment.slot, Assignment.id))
    shown = [a for a in assignments
             if released and a.review is not None and a.review.is_submitted
             and (as_manager or not a.review.is_hidden)]
    flags = flagged.reasons([a.review.id for a in shown])  # (reason, point, note) by review: one query
    people = {}
    if names_shown and shown:
        people = {u.id: u for u in User.select(User.id, User.username, User.display_name)
                  .where(User.id.in_([a.reviewer_id for a in shown]))}

    reviews = tuple(
        ReviewResult(
            review_id=a.review.id, label=a.label,
            reviewer_name=people[a.reviewer_id].display_name if names_shown else None,
            reviewer_username=people[a.reviewer_id].username if names_shown else None,
            what_works=a.review.what_works, could_be_better=a.review.could_be_better,
            submitted_at=a.review.submitted_at, is_late=a.review.is_late,
            helpfulness=a.review.helpfulness, helpfulness_note=a.review.helpfulness_note,
            is_flagged=a.review.id in flags, flag_reason=flags.get(a.review.id, ("",))[0],
            flag_note=flags[a.review.id][2] if a.review.id in flags else "", is_hidden=a.review.is_hidden,
        )
        for a in shown
    )
    answers = {}
    if shown:
        for response in CriterionResponse.select().where(CriterionResponse.review.in_([a.review.id for a in shown])):
            answers[(response.review_id, response.criterion_id)] = response
    criteria = tuple(_criterion_result(criterion, shown, answers) for criterion in round.rubric())

    submitted = [a for a in assignments if a.review is not None and a.review.is_submitted]
    hidden = sum(a.review.is_hidden for a in submitted) if released and not as_manager else 0
    if not released:
        message = (_("Reviews appear here when reviewing closes.") if round.results_release == AFTER_CLOSE
                   else _("Reviews appear here once reviewing starts."))
    elif not shown and not hidden:
        message = _("No reviews yet.")
    else:
        message = ""
    return Results(released=released, message=message, expected=len(assignments), received=len(shown),
                   names_shown=names_shown, reviews=reviews, criteria=criteria,
                   waiting=len(assignments) - len(submitted), hidden=hidden)


def _criterion_result(criterion, shown, answers):
    names = criterion.level_names
    responses = []
    for a in shown:
        answer = answers.get((a.review.id, criterion.id))
        level = answer.level if answer is not None and criterion.is_scale else None
        if level is not None and not 0 <= level < len(names):
            level = None
        responses.append(ResponseResult(label=a.label, level=level,
                                        level_name=names[level] if level is not None else None,
                                        comment=answer.comment if answer is not None else ""))
    given = [r.level for r in responses if r.level is not None]
    median_level = median_between = None
    if given:
        median = statistics.median(given)
        if median == int(median):
            median_level = int(median)
        else:
            median_between = (int(median), int(median) + 1)
    distribution = tuple((name, given.count(level)) for level, name in enumerate(names)) if criterion.is_scale else ()
    return CriterionResult(criterion_id=criterion.id, name=criterion.name, description=criterion.description,
                           kind=criterion.kind, levels=tuple(names), responses=tuple(responses),
                           median_level=median_level,
                           median_name=names[median_level] if median_level is not None else None,
                           median_between=median_between, distribution=distribution)


@dataclass(frozen=True)
class ReviewerView:
    """Everything a reviewer's page needs for one assignment."""

    assignment_id: int
    round: ReviewRound
    submission_id: int
    label: str  # how to name the work: the author's name, or "Submission N" when authors are hidden
    author_name: str | None  # None when authors are hidden
    version: SubmissionVersion | None  # the latest version, what the author sees too
    criteria: tuple
    review: Review | None
    responses: dict  # criterion id -> CriterionResponse
    status: str  # see review_status
    can_edit: bool  # not yet submitted (drafts save at any time)
    can_submit: bool  # not yet submitted and the round was not closed by hand
    is_overdue: bool


def reviewer_view(assignment, now=None):
    """What the reviewer of an assignment sees: the latest version, the rubric and their review."""
    now = now or clock.now()
    round = assignment.round
    submission = assignment.submission
    review = Review.get_or_none(Review.assignment == assignment)
    label, author_name = _work_label(round, assignment, submission)
    return ReviewerView(
        assignment_id=assignment.id, round=round, submission_id=submission.id, label=label,
        author_name=author_name, version=submission.latest_version(), criteria=tuple(round.rubric()),
        review=review, responses=review.responses() if review is not None else {},
        status=review_status(review),
        can_edit=review is None or not review.is_submitted,
        can_submit=(review is None or not review.is_submitted) and round.closed_at is None,
        is_overdue=is_overdue(round, review, now),
    )


def _work_label(round, assignment, submission):
    if round.hides_authors:
        position = (Assignment.select().where((Assignment.round == round)
                                              & (Assignment.reviewer == assignment.reviewer_id)
                                              & (Assignment.id <= assignment.id)).count())
        return _("Submission %(number)d", number=position), None
    name = User.select(User.display_name).where(User.id == submission.author_id).scalar()
    return name, name


@dataclass(frozen=True)
class ReviewerTask:
    """One line of a reviewer's to-do list, with how helpful the author found the review."""

    assignment_id: int
    label: str
    author_name: str | None
    status: str
    submitted_at: dt.datetime | None
    is_overdue: bool
    helpfulness: int | None
    helpfulness_note: str


def reviewer_tasks(round, user, now=None):
    """A reviewer's assignments in a round, in the order given, labelled as reviewer_view labels them."""
    now = now or clock.now()
    rows = (Assignment.select(Assignment, Submission, User, Review)
            .join(Submission).join(User, on=(Submission.author == User.id)).switch(Assignment)
            .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id), attr="review")
            .where((Assignment.round == round) & (Assignment.reviewer == user.id))
            .order_by(Assignment.id))
    tasks = []
    for position, a in enumerate(rows, start=1):
        review = a.review
        author_name = None if round.hides_authors else a.submission.author.display_name
        tasks.append(ReviewerTask(
            assignment_id=a.id, label=author_name or _("Submission %(number)d", number=position),
            author_name=author_name,
            status=review_status(review), submitted_at=review.submitted_at if review else None,
            is_overdue=is_overdue(round, review, now),
            helpfulness=review.helpfulness if review and review.is_submitted else None,
            helpfulness_note=review.helpfulness_note if review and review.is_submitted else "",
        ))
    return tasks
