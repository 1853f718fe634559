"""What the participant pages need beyond the domain: a reviewer's assignment to a submission, and
saving a submission once per form (a double click stores one version).
"""
from ... import formkeys
from ...db import database
from ..models import Assignment
from ..submitting import submit

VERSIONS_PER_PAGE = 25


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
