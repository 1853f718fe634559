"""What the facilitator pages need beyond the round itself: creating a round or a criterion once per
form (a double click stores one), loading a round's assignments and reviews with what they belong
to, the rounds a rubric can be copied from, and the people an assignment can be swapped to.
"""
import peewee

from .. import formkeys
from ..accounts.models import User
from ..circles.models import Circle, Membership
from ..db import database
from . import board, pairs
from .models import Assignment, Criterion, Review, ReviewRound, Submission, copy_rubric

RUBRIC_SOURCES_MAX = 50


def create_round_once(*, circle, created_by, data, form_key, result_url, copy_from=None):
    """Create a draft round (copying copy_from's rubric); a resent form raises DuplicateSubmission.

    result_url(round) names the page a resend is sent to. Raises rules.ValidationError.
    """
    with database.atomic():
        claimed = formkeys.claim(form_key, created_by)
        round = ReviewRound.create_round(circle=circle, created_by=created_by, data=data)
        if copy_from is not None:
            copy_rubric(copy_from, round)
        formkeys.record_result(claimed, result_url(round))
    return round


def add_criterion_once(round, data, *, form_key, user):
    """Append a criterion; a resent form adds nothing and returns None. Raises ValidationError, Refused."""
    try:
        with database.atomic():
            formkeys.claim(form_key, user)
            return round.add_criterion(data)
    except formkeys.DuplicateSubmission:
        return None


def nudge_once(round, *, url, form_key, user):
    """Remind everyone with pending work (see board.nudge); a resent form reminds nobody again (None)."""
    try:
        with database.atomic():
            formkeys.claim(form_key, user)
            return board.nudge(round, url=url)
    except formkeys.DuplicateSubmission:
        return None


def round_with_circle(round_id):
    """A round with its circle loaded in the same query, or None."""
    return (ReviewRound.select(ReviewRound, Circle).join(Circle)
            .where(ReviewRound.id == round_id).first())


def criterion_in_round(round, criterion_id):
    """A criterion of this round, or None (also for another round's criterion)."""
    return Criterion.get_or_none((Criterion.id == criterion_id) & (Criterion.round == round))


def assignment_in_round(round, assignment_id):
    """An assignment of this round with its reviewer and its submission's author, or None."""
    Author = User.alias()
    assignment = (Assignment.select(Assignment, User, Submission, Author)
                  .join(User, on=(Assignment.reviewer == User.id), attr="reviewer").switch(Assignment)
                  .join(Submission).join(Author, on=(Submission.author == Author.id), attr="author")
                  .where((Assignment.id == assignment_id) & (Assignment.round == round)).first())
    if assignment is not None:
        assignment.round = round
        assignment.submission.round = round
    return assignment


def review_with_round(review_id):
    """A review with its assignment, round and circle, or None."""
    return (Review.select(Review, Assignment, ReviewRound, Circle)
            .join(Assignment).join(ReviewRound).join(Circle)
            .where(Review.id == review_id).first())


def rubric_sources(circle, exclude=None):
    """The circle's rounds that have a rubric to copy, newest first (a bounded list for a select)."""
    # Asked of each of the circle's rounds through the rubric's index, not of every criterion there is.
    has_criteria = peewee.fn.EXISTS(Criterion.select(Criterion.id).where(Criterion.round == ReviewRound.id))
    query = (ReviewRound.select(ReviewRound.id, ReviewRound.title, ReviewRound.created_at)
             .where((ReviewRound.circle == circle) & has_criteria))
    if exclude is not None:
        query = query.where(ReviewRound.id != exclude.id)
    return list(query.order_by(ReviewRound.created_at.desc(), ReviewRound.id.desc()).limit(RUBRIC_SOURCES_MAX))


def reviewer_candidates(round, submission):
    """Circle members who could review a submission: not its author, not already reviewing it, not kept apart."""
    reviewing = Assignment.select(Assignment.reviewer).where(Assignment.submission == submission.id)
    return list(User.select(User.id, User.username, User.display_name)
                .join(Membership, on=(Membership.user == User.id))
                .where((Membership.circle == round.circle_id) & (User.id != submission.author_id)
                       & User.id.not_in(reviewing)
                       & User.id.not_in(pairs.apart_from(round.circle_id, submission.author_id)))
                .order_by(peewee.fn.LOWER(User.display_name), User.id))


def submission_in_round(round, submission_id):
    """A submission of this round with its author, or None."""
    submission = (Submission.select(Submission, User).join(User, on=(Submission.author == User.id), attr="author")
                  .where((Submission.id == submission_id) & (Submission.round == round)).first())
    if submission is not None:
        submission.round = round
    return submission


def reviewer_count(submission):
    return Assignment.select().where(Assignment.submission == submission.id).count()


def member_of_circle(circle_id, user_id):
    """The account of a member of the circle, or None."""
    return (User.select().join(Membership, on=(Membership.user == User.id))
            .where((Membership.circle == circle_id) & (User.id == user_id)).first())


def review_of(assignment):
    """The review started for an assignment, or None."""
    return Review.get_or_none(Review.assignment == assignment.id)


def flag_reasons(round):
    """Why each flagged review of the round was flagged, by review id (one query, for the board)."""
    flagged = (Review.select(Review.id, Review.flag_reason).join(Assignment)
               .where((Assignment.round == round) & Review.flagged_at.is_null(False)))
    return {review.id: review.flag_reason for review in flagged}
