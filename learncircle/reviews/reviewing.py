"""Writing reviews (drafts that are never lost, then a final submit) and feedback on feedback:
helpfulness ratings, flags, and facilitators hiding a review.
"""
import peewee

from .. import clock
from ..db import database
from ..i18n import gettext as _
from ..notices import kinds
from ..notices.models import Notice
from . import rules
from .models import CriterionResponse, Review, Submission
from .rules import REVIEW_DRAFT, REVIEW_SUBMITTED, Refused


def save_review_draft(assignment, data, now=None):
    """Save what a reviewer has typed so far and return the Review.

    Works at any time, past deadlines and after the round closes: nothing typed is lost. Only the
    length limits apply (see rules.validate_review for data's shape; absent keys stay as they
    were). Raises ValidationError, or Refused once the review was submitted.
    """
    now = now or clock.now()
    round = assignment.round
    criteria = round.rubric()
    rules.validate_review(criteria, data, round.min_prompt_length, submitting=False)
    with database.atomic():
        review = _review_of(assignment, now)
        if review.is_submitted:
            raise Refused(_("This review was submitted and can no longer change."))
        _store(review, criteria, data, now)
    return review


def submit_review(assignment, data=None, now=None, url=""):
    """Save data, then make the review final (marked late after the review deadline); return it.

    The draft is saved first whatever happens, so a refusal never loses text. Refused after a
    facilitator closed the round by hand; ValidationError when a prompt is too short or a scale
    criterion has no level. The author gets a notice, linking to url, that a review arrived.
    """
    now = now or clock.now()
    round = assignment.round
    review = save_review_draft(assignment, data or {}, now)
    if round.closed_at is not None:
        raise Refused(_("A facilitator has closed this round, so reviews can no longer be submitted. "
                        "Your draft is saved."))
    criteria = round.rubric()
    responses = review.responses()
    stored = {
        "what_works": review.what_works,
        "could_be_better": review.could_be_better,
        "levels": {c.id: responses[c.id].level for c in criteria if c.id in responses},
        "comments": {c.id: responses[c.id].comment for c in criteria if c.id in responses},
    }
    rules.validate_review(criteria, stored, round.min_prompt_length, submitting=True)
    is_late = now >= round.review_deadline
    with database.atomic():
        changed = (Review.update(status=REVIEW_SUBMITTED, submitted_at=now, is_late=is_late, updated_at=now)
                   .where((Review.id == review.id) & (Review.status == REVIEW_DRAFT)).execute())
        if changed:
            _tell_author(assignment, round, now, url)
    if not changed:
        raise Refused(_("This review was already submitted."))
    review.status, review.submitted_at, review.is_late, review.updated_at = REVIEW_SUBMITTED, now, is_late, now
    return review


def _tell_author(assignment, round, now, url):
    """A notice for the author that a review of their work arrived (never who wrote it)."""
    author_id = Submission.select(Submission.author).where(Submission.id == assignment.submission_id).scalar()
    message = kinds.review_arrived(round=round.title, readable_now=round.reviews_released(now))
    Notice.send([author_id], message, url, round.circle_id)


def rate_review(review, author, score, note="", now=None, url=""):
    """The author rates a review they can read: helpfulness 1–5 and an optional note; returns it.

    The first rating sends the reviewer a notice, linking to url (their review)."""
    now = now or clock.now()
    _check_author_can_read(review, author, now, _("Only the author of the work can rate its reviews."),
                           _("You can rate a review once you can read it."))
    score, note = rules.validate_helpfulness(score, note)
    round = review.assignment.round
    with database.atomic():
        first = (Review.update(rated_at=now)
                 .where((Review.id == review.id) & Review.rated_at.is_null()).execute())
        Review.update(helpfulness=score, helpfulness_note=note, rated_at=now).where(Review.id == review.id).execute()
        if first:
            Notice.send([review.assignment.reviewer_id], kinds.review_rated(round=round.title, score=score),
                        url, round.circle_id)
    review.helpfulness, review.helpfulness_note, review.rated_at = score, note, now
    return review


def flag_review(review, by_user, reason, *, conduct_point=None, note="", url="", queue_url="", now=None):
    """The work's author flags a review they can read (moderation's flags: reason one of its REASONS, note their
    words); the circle's facilitators are told, never by whom (queue_url: their review queue; url: the review's
    place, for the receipt). Raises Refused for anyone else, before they may read it, and for a second flag."""
    from ..moderation import flags, targets  # moderation builds on peer review's models

    now = now or clock.now()
    _check_author_can_read(review, by_user, now, _("Only the author of the work can flag its reviews."),
                           _("You can flag a review once you can read it."))
    try:
        flags.flag(targets.of_review(review), by_user, reason, conduct_point=conduct_point, note=note,
                   item_url=url, queue_url=queue_url)
    except flags.Refused as refused:
        raise Refused(_("You flagged this review already: the circle's facilitators have your flag.")
                      if refused.reason == flags.Refused.ALREADY else _("This review cannot be flagged now.")) from None
    return review


def hide_review(review, facilitator, now=None, why="", reason=""):
    """Hide a review from its author: a facilitator's decision (why ""), or members' flags until a facilitator
    looks (why "flags", see moderation.hiding), with the reason its reviewer reads."""
    now = now or clock.now()
    with database.atomic():
        Review.update(hidden_at=now, hidden_by=facilitator, hidden_kind=why, hidden_reason=reason).where(
            Review.id == review.id).execute()
    review.hidden_at, review.hidden_by, review.hidden_kind, review.hidden_reason = now, facilitator, why, reason
    return review


def unhide_review(review):
    """Show a hidden review to its author again."""
    with database.atomic():
        Review.update(hidden_at=None, hidden_by=None, hidden_kind="", hidden_reason="").where(
            Review.id == review.id).execute()
    review.hidden_at, review.hidden_by, review.hidden_kind, review.hidden_reason = None, None, "", ""
    return review


def visible_to_author(review, round, now=None):
    """Whether the submission's author may read this review now."""
    return review.is_submitted and not review.is_hidden and round.reviews_released(now)


def _check_author_can_read(review, user, now, not_the_author, not_yet):
    """Refuse, with not_the_author or not_yet, anyone but the work's author, or before they may read it."""
    assignment = review.assignment
    if user is None or user.id != assignment.submission.author_id:
        raise Refused(not_the_author)
    if not visible_to_author(review, assignment.round, now):
        raise Refused(not_yet)


def _review_of(assignment, now):
    review = Review.get_or_none(Review.assignment == assignment)
    if review is not None:
        return review
    try:
        with database.atomic():
            return Review.create(assignment=assignment, created_at=now, updated_at=now)
    except peewee.IntegrityError:  # another tab saved first
        return Review.get(Review.assignment == assignment)


def _store(review, criteria, data, now):
    changes = {Review.updated_at: now}
    for name in ("what_works", "could_be_better"):
        if data.get(name) is not None:
            changes[getattr(Review, name)] = data[name]
            setattr(review, name, data[name])
    Review.update(changes).where(Review.id == review.id).execute()
    review.updated_at = now
    levels, comments = data.get("levels") or {}, data.get("comments") or {}
    for criterion in criteria:
        values = {}
        if criterion.id in levels:
            values["level"] = levels[criterion.id] if criterion.is_scale else None
        if comments.get(criterion.id) is not None:
            values["comment"] = comments[criterion.id]
        if values:
            (CriterionResponse.insert(review=review, criterion=criterion, **values)
             .on_conflict(conflict_target=[CriterionResponse.review, CriterionResponse.criterion],
                          update={getattr(CriterionResponse, k): v for k, v in values.items()})
             .execute())
