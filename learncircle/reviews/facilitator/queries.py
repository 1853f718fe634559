"""What the facilitator pages need beyond the domain: creating a round or a criterion once per form
(a double click stores one), the rounds a rubric can be copied from, the people an assignment can
be given to, and why reviews were flagged.
"""
import peewee

from ... import formkeys
from ...accounts.models import User
from ...circles.models import Membership
from ...db import database
from ...moderation.models import REVIEW, Flag
from .. import board, pairs, rubric
from ..models import Assignment, Criterion, Review, ReviewRound

RUBRIC_SOURCES_MAX = 50


def create_round_once(*, circle, created_by, data, form_key, result_url, copy_from=None):
    """Create a draft round (copying copy_from's rubric); a resent form raises DuplicateSubmission.

    result_url(round) names the page a resend is sent to. Raises rules.ValidationError.
    """
    with database.atomic():
        claimed = formkeys.claim(form_key, created_by)
        round = ReviewRound.create_round(circle=circle, created_by=created_by, data=data)
        if copy_from is not None:
            rubric.copy_rubric(copy_from, round)
        formkeys.record_result(claimed, result_url(round))
    return round


def add_criterion_once(round, data, *, form_key, user):
    """Append a criterion; a resent form adds nothing and returns None. Raises ValidationError, Refused."""
    try:
        with database.atomic():
            formkeys.claim(form_key, user)
            return rubric.add_criterion(round, data)
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
    """Why each flagged review of the round was flagged, by review id: (reason, conduct point, note) of its flag
    (moderation.Flag; one query, for the board)."""
    reviews = Review.select(Review.id).join(Assignment).where(Assignment.round == round)
    rows = (Flag.select(Flag.id, Flag.target_id, Flag.reason, Flag.conduct_point, Flag.note)
            .where((Flag.target_kind == REVIEW) & Flag.target_id.in_(reviews)).tuples())
    return {review_id: (reason, point, note)  # the latest, should there be more than one
            for _, review_id, reason, point, note in sorted(rows)}
