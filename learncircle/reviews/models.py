"""Peer review's tables: rounds (settings, phases, manual moves), rubric criteria, submissions with
their versions, reviewer assignments, reviews, the authors' revision plans, and pairs kept apart.

A round's phase is never stored: it is computed from its deadlines and the manual moves each time
it is read (`ReviewRound.phase`), so no scheduler is needed and a restart changes nothing.
Changing the rubric is in rubric.py; what a round expects of a person, in expectations.py.
"""
import peewee

from .. import clock, text
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel, database
from ..i18n import gettext as _
from . import rules, shortfalls
from .rules import (
    AFTER_CLOSE,
    AS_ARRIVE,
    BOTH_HIDDEN,
    CLOSED,
    DRAFT,
    OPEN,
    OPEN_IDENTITIES,
    REVIEW_DRAFT,
    REVIEW_SUBMITTED,
    REVIEWERS_HIDDEN,
    REVIEWING,
    SCALE,
    SUBMITTERS,
    TEXT,
    Refused,
    ValidationError,
)

# Settings that cannot change once the round is published: submitters and reviewers acted on them.
FIXED_WHEN_PUBLISHED = ("submission_format", "anonymity", "submission_deadline", "review_deadline")
# Settings that cannot change once reviewers have been allocated.
FIXED_WHEN_ALLOCATED = ("reviews_per_submission", "reviewer_pool")


class ReviewRound(BaseModel):
    circle = peewee.ForeignKeyField(Circle, backref="review_rounds", on_delete="CASCADE")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    title = peewee.CharField(max_length=rules.TITLE_MAX)
    brief = peewee.TextField(default="")
    brief_html = peewee.TextField(default="")
    submission_format = peewee.CharField(max_length=10, default=TEXT)
    reviews_per_submission = peewee.IntegerField(default=rules.DEFAULT_REVIEWS_PER_SUBMISSION)
    reviewer_pool = peewee.CharField(max_length=20, default=SUBMITTERS)
    anonymity = peewee.CharField(max_length=20, default=REVIEWERS_HIDDEN)
    submission_deadline = peewee.DateTimeField()
    review_deadline = peewee.DateTimeField()
    accept_late = peewee.BooleanField(default=True)
    results_release = peewee.CharField(max_length=20, default=AS_ARRIVE)
    min_prompt_length = peewee.IntegerField(default=rules.DEFAULT_MIN_PROMPT_LENGTH)
    published_at = peewee.DateTimeField(null=True)  # None while a draft
    reviewing_started_at = peewee.DateTimeField(null=True)  # set by a manual start only
    closed_at = peewee.DateTimeField(null=True)  # set by a manual close only
    allocated_at = peewee.DateTimeField(null=True)
    # What the allocation could not do, for the facilitator board: JSON kinds and numbers (reviews.shortfalls),
    # said in the reader's language; rounds allocated before hold sentences, one a line, shown as written.
    allocation_notes = peewee.TextField(default="")
    copied_rubric_from = peewee.ForeignKeyField("self", null=True, backref="copies", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        # The second serves the background allocation's look for rounds whose reviewing has begun.
        indexes = ((("circle", "created_at"), False), (("allocated_at", "submission_deadline"), False))

    # ---- creating and listing ----------------------------------------------------------------

    @classmethod
    def create_round(cls, *, circle, created_by, data, now=None):
        """Create a draft round from settings (see rules.validate_round_settings); raises ValidationError."""
        clean = rules.validate_round_settings(data, now or clock.now())
        with database.atomic():
            return cls.create(circle=circle, created_by=created_by, brief_html=text.render_markdown(clean["brief"]),
                              created_at=now or clock.now(), **clean)

    @classmethod
    def for_circle(cls, circle, include_drafts=False):
        """A circle's rounds, newest first; drafts only when asked (for managers)."""
        query = cls.select().where(cls.circle == circle)
        if not include_drafts:
            query = query.where(cls.published_at.is_null(False))
        return query.order_by(cls.created_at.desc(), cls.id.desc())

    def update_settings(self, data, now=None):
        """Change settings; those others relied on are fixed after publishing or allocation."""
        now = now or clock.now()
        clean = rules.validate_round_settings(data, now, current=self)
        errors = {name: _("This can no longer change: people have already acted on it.")
                  for name in self.fixed_settings if clean[name] != getattr(self, name)}
        if errors:
            raise ValidationError(errors)
        for name, value in clean.items():
            setattr(self, name, value)
        self.brief_html = text.render_markdown(self.brief)
        with database.atomic():
            self.save()

    @property
    def fixed_settings(self):
        """The settings that can no longer change: people have acted on them."""
        return ((FIXED_WHEN_PUBLISHED if self.published_at is not None else ())
                + (FIXED_WHEN_ALLOCATED if self.allocated_at is not None else ()))

    def discard(self):
        """Delete a draft round with its rubric."""
        if self.published_at is not None:
            raise Refused(_("A published round cannot be deleted; close it instead."))
        with database.atomic():
            self.delete_instance()  # the rubric goes with it (ON DELETE CASCADE)

    # ---- phases ------------------------------------------------------------------------------

    def phase(self, now=None):
        """The phase at now: draft, open, reviewing or closed."""
        now = now or clock.now()
        if self.published_at is None:
            return DRAFT
        if self.closed_at is not None or now >= self.review_deadline:
            return CLOSED
        if self.reviewing_started_at is not None or now >= self.submission_deadline:
            return REVIEWING
        return OPEN

    @property
    def is_draft(self):
        return self.published_at is None

    @property
    def closed_by_hand(self):
        return self.closed_at is not None

    def next_deadline(self, now=None):
        """The deadline the current phase runs to (submission or review), or None."""
        phase = self.phase(now)
        if phase == OPEN:
            return self.submission_deadline
        if phase == REVIEWING:
            return self.review_deadline
        return None

    def reviews_released(self, now=None):
        """Whether authors may read submitted reviews now (as they arrive, or once closed)."""
        phase = self.phase(now)
        if self.results_release == AFTER_CLOSE:
            return phase == CLOSED
        return phase in (REVIEWING, CLOSED)

    @property
    def hides_reviewers(self):
        """Authors do not learn who reviewed them."""
        return self.anonymity != OPEN_IDENTITIES

    @property
    def hides_authors(self):
        """Reviewers do not learn whose work they review."""
        return self.anonymity == BOTH_HIDDEN

    @property
    def shortfalls(self):
        """What the allocation could not do, as sentences in the current language."""
        return shortfalls.said(self.allocation_notes)

    def started_early(self, now=None):
        """A facilitator started reviewing by hand and the submission deadline has not come yet.

        Submissions closed early then, but nothing is late: the deadline people were given is ahead.
        """
        now = now or clock.now()
        return self.reviewing_started_at is not None and now < self.submission_deadline

    def allocation_due(self, now=None):
        """Reviewing has begun (by the clock or by hand) and nobody has been allocated yet."""
        if self.allocated_at is not None:
            return False
        phase = self.phase(now)
        return phase == REVIEWING or (phase == CLOSED and self.closed_at is None)

    # ---- manual moves ------------------------------------------------------------------------

    def publish(self, now=None):
        """Open a draft for submissions; the rubric needs a criterion and the deadline must be ahead."""
        now = now or clock.now()
        if self.published_at is not None:
            raise Refused(_("This round is already published."))
        if not Criterion.select().where(Criterion.round == self).exists():
            raise Refused(_("Add at least one criterion to the rubric before publishing."))
        if self.submission_deadline <= now:
            raise Refused(_("The submission deadline has passed: move it later before publishing."))
        self._set(published_at=now)

    def start_reviewing_now(self, now=None):
        """End submissions early: reviewing begins, and the background allocation gives out the work
        (see allocation.py), as it does when the submission deadline passes."""
        now = now or clock.now()
        if self.phase(now) != OPEN:
            raise Refused(_("Reviewing can only start while the round is open for submissions."))
        self._set(reviewing_started_at=now)

    def close_now(self, now=None):
        """Close the round by hand: no more submissions or submitted reviews (drafts still save)."""
        now = now or clock.now()
        if self.published_at is None:
            raise Refused(_("A draft cannot be closed; delete it instead."))
        if self.closed_at is not None:
            raise Refused(_("This round is already closed."))
        self._set(closed_at=now)

    def extend_deadlines(self, *, submission_deadline=None, review_deadline=None, now=None):
        """Move one or both deadlines; each must be in the future, reviews due after submissions.

        The submission deadline is fixed once reviewers are allocated; a round closed by hand
        keeps its deadlines. Raises ValidationError (a ValueError) with a message per field.
        """
        now = now or clock.now()
        errors = {}
        if self.closed_at is not None:
            raise Refused(_("This round was closed by hand; its deadlines can no longer move."))
        if submission_deadline is not None:
            if self.allocated_at is not None or self.reviewing_started_at is not None:
                errors["submission_deadline"] = _("Reviewing has already started, so the submission deadline "
                                                  "is fixed; accept late submissions instead.")
            elif submission_deadline <= now:
                errors["submission_deadline"] = _("The new submission deadline is in the past: choose a later time.")
            elif submission_deadline > rules.latest_deadline(now):
                errors["submission_deadline"] = rules.too_far_ahead("submission_deadline")
        if review_deadline is not None and review_deadline <= now:
            errors["review_deadline"] = _("The new review deadline is in the past: choose a later time.")
        elif review_deadline is not None and review_deadline > rules.latest_deadline(now):
            errors["review_deadline"] = rules.too_far_ahead("review_deadline")
        new_submission = submission_deadline or self.submission_deadline
        new_review = review_deadline or self.review_deadline
        if not errors and new_review <= new_submission:
            errors["review_deadline"] = _("The review deadline must come after the submission deadline.")
        if errors:
            raise ValidationError(errors)
        self._set(submission_deadline=new_submission, review_deadline=new_review)

    def _set(self, **changes):
        with database.atomic():
            ReviewRound.update(**changes).where(ReviewRound.id == self.id).execute()
        for name, value in changes.items():
            setattr(self, name, value)

    # ---- the rubric (changed through rubric.py) ------------------------------------------------

    def rubric(self):
        """The criteria in order."""
        return list(Criterion.select().where(Criterion.round == self).order_by(Criterion.position, Criterion.id))

    @property
    def rubric_locked(self):
        """Reviewers work against the rubric once they are allocated, so it stops changing then."""
        return self.allocated_at is not None


class Criterion(BaseModel):
    round = peewee.ForeignKeyField(ReviewRound, backref="criteria", on_delete="CASCADE")
    position = peewee.IntegerField()
    name = peewee.CharField(max_length=rules.CRITERION_NAME_MAX)
    description = peewee.TextField(default="")
    kind = peewee.CharField(max_length=10, default=SCALE)
    levels = peewee.TextField(default="[]")  # JSON list of 2–6 descriptors, lowest first

    class Meta:
        indexes = ((("round", "position"), False),)

    @property
    def level_names(self):
        """The level descriptors, lowest first (index 0 is level 1)."""
        return rules.levels_from_json(self.levels)

    @property
    def is_scale(self):
        return self.kind == SCALE


class Submission(BaseModel):
    round = peewee.ForeignKeyField(ReviewRound, backref="submissions", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=clock.now)
    updated_at = peewee.DateTimeField(default=clock.now)
    is_late = peewee.BooleanField(default=False)
    version_count = peewee.IntegerField(default=0)  # the latest version's number

    class Meta:
        indexes = ((("round", "author"), True),)

    def latest_version(self):
        """The version reviewers see (and the author sees as reviewers will)."""
        return SubmissionVersion.get_or_none((SubmissionVersion.submission == self)
                                             & (SubmissionVersion.number == self.version_count))

    def versions(self):
        """Every saved version, newest first."""
        return (SubmissionVersion.select().where(SubmissionVersion.submission == self)
                .order_by(SubmissionVersion.number.desc()))

    def visible_reviews(self):
        """Submitted, not hidden reviews of this submission (release rules are the caller's)."""
        return (Review.select().join(Assignment)
                .where((Assignment.submission == self) & (Review.status == REVIEW_SUBMITTED)
                       & Review.hidden_at.is_null()))

    def revision_plan(self):
        return RevisionPlan.get_or_none(RevisionPlan.submission == self)


class SubmissionVersion(BaseModel):
    submission = peewee.ForeignKeyField(Submission, backref="version_rows", on_delete="CASCADE")
    number = peewee.IntegerField()  # 1, 2, … in order of saving
    body = peewee.TextField(default="")
    body_html = peewee.TextField(default="")
    link = peewee.CharField(max_length=rules.LINK_MAX, default="")
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("submission", "number"), True),)


class Assignment(BaseModel):
    round = peewee.ForeignKeyField(ReviewRound, backref="assignments", on_delete="CASCADE")
    submission = peewee.ForeignKeyField(Submission, backref="assignments", on_delete="CASCADE")
    reviewer = peewee.ForeignKeyField(User, on_delete="CASCADE")
    # "Reviewer <slot>" is how the author tells reviews apart: random order, kept through swaps.
    slot = peewee.IntegerField()
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("submission", "reviewer"), True), (("reviewer", "round"), False))

    @property
    def label(self):
        return _("Reviewer %(number)d", number=self.slot)


class Review(BaseModel):
    assignment = peewee.ForeignKeyField(Assignment, unique=True, backref="review_rows", on_delete="CASCADE")
    status = peewee.CharField(max_length=10, default=REVIEW_DRAFT)
    what_works = peewee.TextField(default="")
    could_be_better = peewee.TextField(default="")
    submitted_at = peewee.DateTimeField(null=True)
    is_late = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=clock.now)
    updated_at = peewee.DateTimeField(default=clock.now)
    # Feedback on feedback, from the submission's author.
    helpfulness = peewee.IntegerField(null=True)  # 1–5
    helpfulness_note = peewee.TextField(default="")
    rated_at = peewee.DateTimeField(null=True)
    # No longer written or read: flags are moderation.Flag rows since migration 0024, which moved these there.
    flagged_at = peewee.DateTimeField(null=True)
    flag_reason = peewee.TextField(default="")
    flagged_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    hidden_at = peewee.DateTimeField(null=True)
    hidden_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    # Why it is hidden, as a post's (moderation.hiding): "" a facilitator, "flags" members' flags until reviewed.
    hidden_kind = peewee.CharField(max_length=10, default="", constraints=[peewee.SQL("DEFAULT ''")])
    hidden_reason = peewee.CharField(max_length=300, default="", constraints=[peewee.SQL("DEFAULT ''")])

    @property
    def is_submitted(self):
        return self.status == REVIEW_SUBMITTED

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_flagged(self):
        """Whether its work's author flagged it (a moderation.Flag; the flagged_* columns are no longer used). A
        list reads it with the reviews, as a `flagged` column (board.py); a review read alone asks."""
        known = getattr(self, "flagged", None)
        if known is not None:
            return bool(known)
        from .flagged import is_flagged  # flagged.py builds on these models

        return is_flagged(self.id)

    def responses(self):
        """criterion id -> CriterionResponse."""
        return {r.criterion_id: r for r in CriterionResponse.select().where(CriterionResponse.review == self)}

    def has_text(self):
        """Whether anything was typed or chosen (a swap would discard it)."""
        if self.what_works.strip() or self.could_be_better.strip():
            return True
        return (CriterionResponse.select()
                .where((CriterionResponse.review == self)
                       & (CriterionResponse.level.is_null(False) | (CriterionResponse.comment != "")))
                .exists())


class CriterionResponse(BaseModel):
    review = peewee.ForeignKeyField(Review, backref="response_rows", on_delete="CASCADE")
    criterion = peewee.ForeignKeyField(Criterion, on_delete="CASCADE")
    level = peewee.IntegerField(null=True)  # index into the criterion's levels, 0 = lowest
    comment = peewee.TextField(default="")

    class Meta:
        indexes = ((("review", "criterion"), True),)


class RevisionPlan(BaseModel):
    submission = peewee.ForeignKeyField(Submission, unique=True, on_delete="CASCADE")
    body = peewee.TextField(default="")
    body_html = peewee.TextField(default="")
    updated_at = peewee.DateTimeField(default=clock.now)


class KeptApart(BaseModel):
    """A reviewer who is never given an author's work again in this circle: a facilitator's choice
    (a hidden review keeps its pair apart too, while it stays hidden: see reviews.pairs)."""

    circle = peewee.ForeignKeyField(Circle, on_delete="CASCADE")
    reviewer = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    created_by = peewee.ForeignKeyField(User, backref="+", null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "kept_apart"
        indexes = ((("circle", "reviewer", "author"), True), (("circle", "created_at"), False))


ALL_MODELS = (ReviewRound, Criterion, Submission, SubmissionVersion, Assignment, Review, CriterionResponse,
              RevisionPlan, KeptApart)
