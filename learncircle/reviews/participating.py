"""What the participant pages need beyond the domain: loading a submission, an assignment or a review
together with its round and circle in one query, and saving a submission once per form (a double
click stores one version).
"""
from .. import formkeys
from ..circles.models import Circle
from ..db import database
from .models import Assignment, Review, ReviewRound, Submission, SubmissionVersion
from .submitting import submit

VERSIONS_PER_PAGE = 25
# The largest id the database can hold: a longer number in a URL names nothing (and must not reach SQLite).
LARGEST_ID = 2**63 - 1


def storable(number):
    """A number that could be an id: given and within what the database holds."""
    return number is not None and 0 < number <= LARGEST_ID



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


def version_of(submission, number):
    """The submission's version with this number, or None."""
    if not storable(number):
        return None
    return SubmissionVersion.get_or_none((SubmissionVersion.submission == submission)
                                         & (SubmissionVersion.number == number))


def assignment_for(submission, reviewer):
    """The reviewer's assignment to this submission, or None."""
    if reviewer is None or not getattr(reviewer, "is_authenticated", False):
        return None
    return Assignment.get_or_none((Assignment.submission == submission) & (Assignment.reviewer == reviewer.id))


def submit_once(round, author, *, body, link, form_key, result_url, round_url=""):
    """Save a new version of author's work; a resent form raises formkeys.DuplicateSubmission.

    result_url(submission) names the page a resend is sent to; round_url is where the notices of
    reviewers given a late submission point. Raises rules.Refused and
    rules.ValidationError like submitting.submit.
    """
    with database.atomic():
        claimed = formkeys.claim(form_key, author)
        submission = submit(round, author, body=body, link=link, url=round_url)
        formkeys.record_result(claimed, result_url(submission))
    return submission
