"""What a peer-review address names, loaded and checked once per request before any view runs:
a round, or a submission, assignment, review or criterion with its round and circle in one query,
refused to those who may not reach it (404 for what they may not know of, 403 for what is not theirs).

Each blueprint's before_request calls `for_participants` or `for_managers` with what its routes ask
beyond that (its MAY table), and replaces the ids in the address with the objects: a view is called
as `board(round)`, `rate_review(review)`.
"""
from flask import abort, current_app, request
from flask_login import current_user

from ..accounts.models import User
from ..circles import access as circle_access
from ..circles.models import Circle
from . import access, background_allocation
from .models import Assignment, Criterion, Review, ReviewRound, Submission, SubmissionVersion

# The largest id the database can hold: a longer number names nothing (and must not reach SQLite).
LARGEST_ID = 2**63 - 1


def storable(number):
    """A number that could be an id: given and within what the database holds."""
    return number is not None and 0 < number <= LARGEST_ID


def found(thing):
    """thing, or 404 when the address named nothing."""
    if thing is None:
        abort(404)
    return thing


# ---- one object with its round and circle -------------------------------------------------------

def round_with_circle(round_id):
    """A round with its circle, or None."""
    if not storable(round_id):
        return None
    return ReviewRound.select(ReviewRound, Circle).join(Circle).where(ReviewRound.id == round_id).first()


def submission_with_round(submission_id):
    """A submission with its round and circle, or None."""
    if not storable(submission_id):
        return None
    return (Submission.select(Submission, ReviewRound, Circle)
            .join(ReviewRound).join(Circle)
            .where(Submission.id == submission_id).first())


def assignment_with_round(assignment_id):
    """An assignment with its round, circle and submission, or None."""
    if not storable(assignment_id):
        return None
    return (Assignment.select(Assignment, ReviewRound, Circle, Submission)
            .join(ReviewRound).join(Circle).switch(Assignment).join(Submission)
            .where(Assignment.id == assignment_id).first())


def review_with_round(review_id):
    """A review with its assignment, submission, round and circle, or None."""
    if not storable(review_id):
        return None
    return (Review.select(Review, Assignment, ReviewRound, Circle, Submission)
            .join(Assignment).join(ReviewRound).join(Circle).switch(Assignment).join(Submission)
            .where(Review.id == review_id).first())


def round_of(thing):
    """The round of whatever an address names (a round, submission, assignment or review)."""
    if isinstance(thing, ReviewRound):
        return thing
    if isinstance(thing, Review):
        return thing.assignment.round
    return thing.round


# ---- something of a round already loaded --------------------------------------------------------

def criterion_in_round(round, criterion_id):
    """A criterion of this round, or None (also for another round's criterion)."""
    criterion = Criterion.get_or_none((Criterion.id == criterion_id) & (Criterion.round == round))
    if criterion is not None:
        criterion.round = round
    return criterion


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


def submission_in_round(round, submission_id):
    """A submission of this round with its author, or None."""
    submission = (Submission.select(Submission, User).join(User, on=(Submission.author == User.id), attr="author")
                  .where((Submission.id == submission_id) & (Submission.round == round)).first())
    if submission is not None:
        submission.round = round
    return submission


def version_of(submission, number):
    """The submission's version with this number, or None."""
    if not storable(number):
        return None
    return SubmissionVersion.get_or_none((SubmissionVersion.submission == submission)
                                         & (SubmissionVersion.number == number))


# ---- refusing -----------------------------------------------------------------------------------

def check_known(round):
    """404 unless the viewer may know of the round: its circle is visible to them, and a draft only
    to those who manage it. A signed-out visitor of a public circle is asked to log in instead."""
    if not circle_access.can_view(current_user, round.circle):
        abort(401 if round.circle.is_public and not current_user.is_authenticated else 404)
    if round.is_draft and not access.can_manage_round(current_user, round):
        abort(404)


def require(allowed):
    """403 unless allowed."""
    if not allowed:
        abort(403)


# ---- once per request ---------------------------------------------------------------------------

def _endpoint():
    return request.endpoint.rpartition(".")[2]


def for_participants(may):
    """Routes for the people taking part: a circle's rounds (its people), or a round, submission,
    assignment or review (signed in, seeing its round, and `may[endpoint](user, object)` if given)."""
    args = request.view_args
    if "slug" in args:
        circle = args["circle"] = circle_access.circle_or_404(args.pop("slug"))
        require(access.can_list_rounds(current_user, circle))
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    (id_name,) = set(args) & set(_NAMED)
    name, load = _NAMED[id_name]
    thing = args[name] = found(load(args.pop(id_name)))
    round = round_of(thing)
    check_known(round)
    require(access.can_view_round(current_user, round))
    rule = may.get(_endpoint())
    if rule is not None:
        require(rule(current_user, thing))
    return None


_NAMED = {"round_id": ("round", round_with_circle), "submission_id": ("submission", submission_with_round),
          "assignment_id": ("assignment", assignment_with_round), "review_id": ("review", review_with_round)}


def for_managers(may, may_be_gone=()):
    """Routes for the people who run a round: a new round in a circle, or a round (with a criterion,
    assignment or submission of it) or review, and `may[endpoint](user, round or review)` if given.
    A route in may_be_gone is given None for a thing of the round that no longer exists."""
    args, endpoint = request.view_args, _endpoint()
    if "slug" in args:
        circle = args["circle"] = circle_access.circle_or_404(args.pop("slug"))
        require(access.can_create_round(current_user, circle))
        return
    if "review_id" in args:
        review = args["review"] = found(review_with_round(args.pop("review_id")))
        round = review.assignment.round
    else:
        round = args["round"] = found(round_with_circle(args.pop("round_id")))
    check_known(round)
    require(access.can_manage_round(current_user, round))
    if endpoint in may:
        require(may[endpoint](current_user, args.get("review", round)))
    # Reviewing may have begun by the clock since anyone last looked: the background allocation is
    # asked to run now, and the pages say "being allocated" until it has (see reviews.allocation).
    background_allocation.nudge_if_due(round)
    for id_name, (name, load) in _IN_ROUND.items():
        if id_name in args:
            thing = args[name] = load(round, args.pop(id_name))
            if thing is None and endpoint not in may_be_gone:
                abort(404)


_IN_ROUND = {"criterion_id": ("criterion", criterion_in_round), "assignment_id": ("assignment", assignment_in_round),
             "submission_id": ("submission", submission_in_round)}
