"""Who may do what in peer review: one function per decision, used by views and templates alike.

Built on circles.access (membership and role, cached per request). Facilitators and the owner
manage rounds; the instance admin may look at a circle's rounds but, not being part of it, reads
no submissions or reviews (reviewers' names stay with the circle's facilitators).
"""
from ..circles import access as circle_access
from ..circles.models import FACILITATOR, OWNER
from . import reviewing
from .expectations import submission_refusal
from .models import Assignment


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_round(user, round):
    """Create, edit, publish, move, allocate by hand, see the board, export, nudge, hide reviews."""
    return circle_access.role(user, round.circle) in (OWNER, FACILITATOR)


def can_create_round(user, circle):
    return circle_access.role(user, circle) in (OWNER, FACILITATOR)


def can_view_round(user, round):
    """See the round page: circle members (and the admin); drafts only to managers."""
    if round.is_draft:
        return can_manage_round(user, round)
    return circle_access.membership(user, round.circle) is not None or (_signed_in(user) and user.is_admin)


def can_take_part(user, round):
    """Submit work and be given reviews to write: the circle's members (whether the round still takes
    work is can_submit's)."""
    return circle_access.membership(user, round.circle) is not None


def can_submit(user, round, now=None):
    """Submit or edit one's own submission now (members only; see expectations.submission_refusal)."""
    return can_take_part(user, round) and submission_refusal(round, user, now) is None


def can_review(user, assignment):
    """Open, draft and submit the review of an assignment: its reviewer, while in the circle."""
    return (_signed_in(user) and assignment.reviewer_id == user.id
            and circle_access.membership(user, assignment.round.circle) is not None)


def can_read_submission(user, submission):
    """The author, a reviewer allocated to it, and the round's managers; nobody else, ever."""
    if not _signed_in(user):
        return False
    if submission.author_id == user.id or can_manage_round(user, submission.round):
        return True
    return (Assignment.select().where((Assignment.submission == submission) & (Assignment.reviewer == user.id))
            .exists())


def can_rate(user, review, now=None):
    """Rate a review's helpfulness: the submission's author, once they can read it."""
    assignment = review.assignment
    return (_signed_in(user) and assignment.submission.author_id == user.id
            and reviewing.visible_to_author(review, assignment.round, now))


def can_flag(user, review, now=None):
    """Flag a review as unkind or unhelpful: the submission's author, once they can read it."""
    return can_rate(user, review, now)


def can_hide(user, review):
    return can_manage_round(user, review.assignment.round)


def can_keep_apart(user, round):
    """See and change the circle's pairs kept apart (from one of its rounds): those who run its rounds."""
    return can_manage_round(user, round)


def can_write_revision_plan(user, submission):
    return _signed_in(user) and submission.author_id == user.id


def can_list_rounds(user, circle):
    """See a circle's review rounds: the people who see its members (members and the admin)."""
    return circle_access.can_see_members(user, circle)


def init_app(app):
    # The same rule hides a button in a template and refuses the request.
    app.jinja_env.globals.update(
        can_list_rounds=can_list_rounds, can_manage_round=can_manage_round, can_create_round=can_create_round,
        can_view_round=can_view_round, can_submit=can_submit, can_review=can_review,
        can_read_submission=can_read_submission, can_rate=can_rate,
        can_flag=can_flag, can_hide=can_hide, can_keep_apart=can_keep_apart,
        can_write_revision_plan=can_write_revision_plan)
