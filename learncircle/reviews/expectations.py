"""What a round expects of one person now (submit, review, read their reviews, or nothing), and
whether it still takes their work: for the round page, a circle's list of rounds and the forms.

Facilitators and the owner run a round: submitting is open to them, never expected of them.
"""
from dataclasses import dataclass

import peewee

from .. import clock
from ..circles.models import FACILITATOR, OWNER, Membership
from ..i18n import gettext as _
from ..i18n import ngettext
from .models import Assignment, Review, Submission
from .rules import CLOSED, DRAFT, OPEN, REVIEW_SUBMITTED, REVIEWING


@dataclass(frozen=True)
class Expectation:
    """What one person should do in a round now: action is submit, review, read_reviews or nothing."""

    action: str
    count: int
    message: str


NOTHING = Expectation("nothing", 0, "")


def submission_of(round, user):
    """This person's submission to the round, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Submission.get_or_none((Submission.round == round) & (Submission.author == user.id))


def submission_refusal(round, user, now=None):
    """Why user cannot submit or edit a submission now (a sentence), or None when they can."""
    phase = round.phase(now)
    if phase == DRAFT:
        return _("This round is not open yet.")
    if phase == OPEN:
        return None
    if phase == CLOSED:
        return _("This round is closed: submissions are no longer accepted.")
    early = round.started_early(now)
    if submission_of(round, user) is not None:
        if early:
            return _("A facilitator started reviewing before the deadline, so your submission can no longer "
                     "change: reviewers are reading it.")
        return _("The submission deadline has passed, so your submission can no longer change.")
    if not round.accept_late:
        if early:
            return _("A facilitator started reviewing before the deadline, and this round does not accept "
                     "submissions once reviewing has begun.")
        return _("The submission deadline has passed and this round does not accept late submissions.")
    return None


def expected_of(round, user, now=None):
    """What user should do now in one round (an Expectation)."""
    return expectations_for([round], user, now)[round.id]


def expectations_for(rounds, user, now=None):
    """What user should do now in each of rounds, by round id, in four queries however many rounds."""
    now = now or clock.now()
    expectations = {round.id: NOTHING for round in rounds}
    live = [round for round in rounds if round.phase(now) != DRAFT]
    if not live or user is None or not getattr(user, "is_authenticated", False):
        return expectations
    round_ids = [round.id for round in live]
    roles = dict(Membership.select(Membership.circle, Membership.role)
                 .where((Membership.user == user.id) & Membership.circle.in_({r.circle_id for r in live}))
                 .tuples())
    submissions = {submission.round_id: submission for submission in Submission.select().where(
        Submission.round.in_(round_ids) & (Submission.author == user.id))}
    pending = dict(Assignment.select(Assignment.round, peewee.fn.COUNT(Assignment.id))
                   .join(Review, peewee.JOIN.LEFT_OUTER, on=(Review.assignment == Assignment.id))
                   .where(Assignment.round.in_(round_ids) & (Assignment.reviewer == user.id)
                          & (Review.id.is_null() | (Review.status != REVIEW_SUBMITTED)))
                   .group_by(Assignment.round).tuples())
    ready = dict(Assignment.select(Assignment.submission, peewee.fn.COUNT(Review.id)).join(Review)
                 .where(Assignment.submission.in_([s.id for s in submissions.values()])
                        & (Review.status == REVIEW_SUBMITTED) & Review.hidden_at.is_null())
                 .group_by(Assignment.submission).tuples()) if submissions else {}
    for round in live:
        if round.circle_id in roles:
            submission = submissions.get(round.id)
            expectations[round.id] = _expectation(round, now, roles[round.circle_id], submission,
                                                  pending.get(round.id, 0),
                                                  ready.get(submission.id, 0) if submission else 0)
    return expectations


def _expectation(round, now, role, submission, pending, ready):
    """The Expectation for one person, from what is known about them in this (published) round."""
    phase = round.phase(now)
    expected_to_submit = role not in (OWNER, FACILITATOR)
    if phase == OPEN:
        if submission is None and not expected_to_submit:
            return NOTHING
        if submission is None:
            return Expectation("submit", 0, _("Submit your work before the deadline."))
        return Expectation("nothing", 0, _("Submitted. You can change it until the deadline."))
    if pending and round.closed_at is None:
        if phase == CLOSED:
            return Expectation("review", pending, ngettext(
                "You have %(num)d review to finish. Late reviews are still accepted, marked late.",
                "You have %(num)d reviews to finish. Late reviews are still accepted, marked late.", pending))
        return Expectation("review", pending, ngettext("You have %(num)d review to finish.",
                                                       "You have %(num)d reviews to finish.", pending))
    if submission is None:
        if phase == REVIEWING and round.accept_late and expected_to_submit:
            if round.started_early(now):
                return Expectation("submit", 0, _("A facilitator started reviewing before the deadline. Your "
                                                  "work is still accepted and gets its reviewers at once."))
            return Expectation("submit", 0, _("The deadline has passed, but late submissions are still "
                                              "accepted (marked late)."))
        return NOTHING
    if not round.reviews_released(now):
        return Expectation("nothing", 0, _("Your reviews appear when reviewing closes."))
    if ready:
        return Expectation("read_reviews", ready, ngettext("%(num)d review of your work is ready to read.",
                                                           "%(num)d reviews of your work are ready to read.", ready))
    return Expectation("nothing", 0, _("No reviews of your work yet."))
