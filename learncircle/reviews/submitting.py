"""Submitting work to a round (every save is a new version) and the author's revision plan."""
import peewee

from .. import clock, text
from ..db import database
from ..i18n import gettext as _
from . import rules
from .allocation import allocate_arrival
from .expectations import submission_refusal
from .models import RevisionPlan, Submission, SubmissionVersion
from .rules import OPEN, REVIEWING, Refused


def submit(round, author, body="", link="", now=None, seed=None, url=""):
    """Save author's work as a new version and return the Submission.

    While the round is open anyone may submit and resubmit (earlier versions are kept). Once
    reviewing has begun a first submission is accepted only if the round accepts late work: it
    gets its reviewers at once (their notices point at url), and is marked late if the submission
    deadline has passed. Raises Refused (with the reason) or ValidationError (body, link).
    """
    now = now or clock.now()
    refusal = submission_refusal(round, author, now)
    if refusal:
        raise Refused(refusal)
    body, link = rules.validate_submission(round.submission_format, body, link)
    body_html = text.render_markdown(body)  # outside the write lock: parsing is slow
    arrives_in_review = round.phase(now) == REVIEWING
    # Late means after the deadline people were given: not when a facilitator started reviewing early.
    late = arrives_in_review and now >= round.submission_deadline
    with database.atomic():
        try:
            with database.atomic():
                submission = Submission.create(round=round, author=author, created_at=now, updated_at=now,
                                               is_late=late, version_count=1)
            first = True
        except peewee.IntegrityError:
            if round.phase(now) != OPEN:
                closed = _("The submission deadline has passed, so your submission can no longer change.")
                raise Refused(submission_refusal(round, author, now) or closed) from None
            (Submission.update(version_count=Submission.version_count + 1, updated_at=now)
             .where((Submission.round == round) & (Submission.author == author)).execute())
            submission = Submission.get((Submission.round == round) & (Submission.author == author))
            first = False
        SubmissionVersion.create(submission=submission, number=submission.version_count, body=body,
                                 body_html=body_html, link=link, created_at=now)
        if arrives_in_review and first:
            # Once allocated, the round gives this work its reviewers at once; until then the
            # allocation, which reads every submission when it writes, includes it.
            allocate_arrival(round, submission, now=now, seed=seed, url=url)
    return submission


def save_revision_plan(submission, author, body, now=None):
    """Save the author's "what I will change" plan (Markdown); returns the RevisionPlan."""
    now = now or clock.now()
    if author.id != submission.author_id:
        raise Refused(_("Only the author can write a revision plan for this work."))
    body = rules.validate_revision_plan(body)
    values = {"body": body, "body_html": text.render_markdown(body), "updated_at": now}
    with database.atomic():
        (RevisionPlan.insert(submission=submission, **values)
         .on_conflict(conflict_target=[RevisionPlan.submission], update=values).execute())
    return RevisionPlan.get(RevisionPlan.submission == submission)
