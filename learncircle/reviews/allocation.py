"""Allocating reviewers in the database: the pool, earlier and kept-apart pairings, the one-time
allocation once reviewing begins, late arrivals, and a facilitator's changes by hand. The pure
algorithm it calls is solver.py.

Who reviews: with the "submitters" pool, everyone who submitted and is still in the circle; with
the "members" pool, every circle member whose role is member, plus everyone who submitted.
Facilitators and the owner run the round: they review only if they submitted, or when a
facilitator assigns them by hand (swap_reviewer, add_reviewer). Nobody is ever given the work of
an author they are kept apart from (reviews.pairs).

When it happens. Allocation never runs inside a web request. A fast solver alone would not do:
whoever happened to open the round first would still wait for the reads, the solve and the writes,
as a write inside a GET; and a round needs reviewers once its deadline passes whether or not anyone
is looking, since reviewers must get their notice. So the server runs a small background worker
(reviews.background_allocation) that allocates every round whose reviewing has begun, at its
deadline, and at once when a page of the round or "Start reviewing now" nudges it without waiting. Pages show "reviewers
are being allocated" meanwhile, and the fast solver (well under a second for 500 submissions) makes
that last moments and keeps the write lock short. Tests call ensure_allocated, or the worker's
step, directly.

How it writes. ensure_allocated reads what the allocation depends on, solves with no transaction
open, then writes in one short transaction that claims the round (allocated_at, so a second worker
or process does nothing) and checks that what it read is unchanged. If a late submission arrived,
someone left, a setting or a kept-apart pair changed meanwhile, it rolls back and solves again
with what it now read, a bounded number of times. A late submission locks the round's row before
it looks whether the round is allocated (allocate_arrival), so on PostgreSQL too it either sees the
allocation or is seen by it.
"""
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import peewee

from .. import clock
from ..circles.models import MEMBER, Membership
from ..db import database
from ..i18n import gettext as _
from ..notices import kinds
from ..notices.models import Notice
from . import pairs, shortfalls, solver
from .models import Assignment, Review, ReviewRound, Submission
from .rules import CLOSED, MEMBERS, REVIEWING, DraftWouldBeLost, Refused

log = logging.getLogger(__name__)

ATTEMPTS = 3  # solves before a round whose inputs keep changing is left to the worker's next step


def reviewer_pool(round):
    """The user ids who review in this round (see the module's description)."""
    in_circle = Membership.select(Membership.user).where(Membership.circle == round.circle_id)
    submitters = [author for (author,) in Submission.select(Submission.author)
                  .where((Submission.round == round.id) & Submission.author.in_(in_circle))
                  .order_by(Submission.id).tuples()]
    if round.reviewer_pool != MEMBERS:
        return submitters
    members = [user for (user,) in Membership.select(Membership.user)
               .where((Membership.circle == round.circle_id) & (Membership.role == MEMBER))
               .order_by(Membership.id).tuples()]
    return list(dict.fromkeys(submitters + members))


def past_pairs(round):
    """(reviewer id, author id) pairs from the circle's other rounds."""
    return set(_past_query(round).tuples())


def _past_query(round):
    return (Assignment.select(Assignment.reviewer, Submission.author)
            .join(Submission, on=(Assignment.submission == Submission.id))
            .join(ReviewRound, on=(Assignment.round == ReviewRound.id))
            .where((ReviewRound.circle == round.circle_id) & (ReviewRound.id != round.id)))


def due_rounds(now=None):
    """The rounds whose reviewing has begun (by the clock or by hand) and that have no reviewers yet."""
    now = now or clock.now()
    return list(ReviewRound.select().where(
        ReviewRound.allocated_at.is_null() & ReviewRound.published_at.is_null(False) & ReviewRound.closed_at.is_null()
        & ((ReviewRound.submission_deadline <= now) | ReviewRound.reviewing_started_at.is_null(False)))
        .order_by(ReviewRound.submission_deadline, ReviewRound.id))


def next_deadline(now=None):
    """The soonest submission deadline ahead of now among rounds still to be allocated, or None."""
    now = now or clock.now()
    return (ReviewRound.select(peewee.fn.MIN(ReviewRound.submission_deadline))
            .where(ReviewRound.allocated_at.is_null() & ReviewRound.published_at.is_null(False)
                   & ReviewRound.closed_at.is_null() & (ReviewRound.submission_deadline > now)).scalar())


@dataclass(frozen=True)
class _Inputs:
    """What an allocation depends on, read at one moment. The rules it must keep are compared before
    writing; earlier pairings are only preferences, so a change to them meanwhile does not matter."""

    begun: bool
    k: int
    submissions: tuple
    pool: tuple
    apart: frozenset
    past: frozenset = field(default=frozenset(), compare=False)


def _rows(query):
    """A query's rows as the driver gives them: the ids allocation reads need no converting."""
    return [tuple(row) for row in database.execute(query).fetchall()]


def _inputs(round_id, now, with_past=True):
    round = ReviewRound.get_or_none(ReviewRound.id == round_id)
    if round is None:
        return None
    phase = round.phase(now)
    begun = phase == REVIEWING or (phase == CLOSED and round.closed_at is None)
    submissions = tuple(_rows(Submission.select(Submission.id, Submission.author)
                              .where(Submission.round == round_id).order_by(Submission.id)))
    past = frozenset(_rows(_past_query(round))) if with_past else frozenset()
    return _Inputs(begun, round.reviews_per_submission, submissions, tuple(reviewer_pool(round)),
                   frozenset(pairs.kept_apart(round.circle_id)), past)


class _Changed(Exception):
    """What the allocation was solved for changed before it could be written."""


class _Taken(Exception):
    """Another worker or process allocated the round first."""


def ensure_allocated(round, now=None, seed=None, url=""):
    """Allocate reviewers once reviewing has begun; return the Allocation, or None if not due (or done elsewhere).

    Never call it inside a transaction: it solves with none open and writes in its own short one
    (see the module's description). What could not be done is stored on the round
    (round.shortfalls). Each reviewer gets one notice saying how many reviews they have, linking to url.
    """
    now = now or clock.now()
    if not round.allocation_due(now):
        return None
    inputs = _inputs(round.id, now)
    for _attempt in range(ATTEMPTS):
        if inputs is None or not inputs.begun:
            return None
        started = time.perf_counter()
        result = solver.allocate(inputs.submissions, inputs.pool, inputs.k, inputs.past, seed=seed,
                                     apart=inputs.apart)
        solved = time.perf_counter() - started
        notes = shortfalls.stored(result.notes)
        try:
            with database.atomic():
                claimed = (ReviewRound.update(allocated_at=now, allocation_notes=notes)
                           .where((ReviewRound.id == round.id) & ReviewRound.allocated_at.is_null()).execute())
                if not claimed:
                    raise _Taken()
                if _inputs(round.id, now, with_past=False) != inputs:
                    raise _Changed()  # rolls the claim back
                _insert_assignments(round, result.assignments, now)
                _tell_reviewers(round, [reviewer for _, reviewer in result.assignments], url)
        except _Changed:
            inputs = _inputs(round.id, now)  # read again with no transaction open, and solve again
            continue
        except _Taken:
            round.allocated_at = ReviewRound.select(ReviewRound.allocated_at).where(ReviewRound.id == round.id).scalar()
            return None
        log.info("allocated %d reviews in round %d (%d submissions) in %.3f s", len(result.assignments), round.id,
                 len(inputs.submissions), solved)
        round.allocated_at, round.allocation_notes = now, notes
        return result
    log.info("round %d changed during each of %d allocations; the next step tries again", round.id, ATTEMPTS)
    return None


def allocate_arrival(round, submission, now=None, seed=None, url=""):
    """Give a late submission its reviewers, and its author a fair share of reviewing; None if not allocated yet.

    Called inside submit()'s transaction. While the round still waits for its allocation there is
    nothing to do: the allocation reads every submission when it writes, this one included.
    Everyone given work gets a notice linking to url; none names the late author.
    """
    now = now or clock.now()
    # Take the round's row lock (PostgreSQL; SQLite's write transaction holds it already): an
    # allocation being written either committed before this, and is seen below, or waits for this
    # transaction to commit and then sees this submission and solves again.
    ReviewRound.update(allocated_at=ReviewRound.allocated_at).where(ReviewRound.id == round.id).execute()
    if ReviewRound.select(ReviewRound.allocated_at).where(ReviewRound.id == round.id).scalar() is None:
        return None
    pool = reviewer_pool(round)
    counts = Counter(reviewer for (reviewer,) in Assignment.select(Assignment.reviewer)
                     .where(Assignment.round == round.id).tuples())
    loads = {reviewer: counts[reviewer] for reviewer in pool}
    earlier, apart = past_pairs(round), pairs.kept_apart(round.circle_id)
    result = solver.allocate_late(submission.id, submission.author_id, pool, loads,
                                      round.reviews_per_submission, earlier, seed=seed, apart=apart)
    _insert_assignments(round, result.assignments, now)
    Notice.send([reviewer for _, reviewer in result.assignments],
                kinds.late_submission_assigned(round=round.title), url, round.circle_id)
    for _sid, reviewer in result.assignments:
        loads[reviewer] += 1
    if submission.author_id in loads:
        reviewers_of = defaultdict(set)
        for sid, reviewer in Assignment.select(Assignment.submission, Assignment.reviewer).where(
                Assignment.round == round.id).tuples():
            reviewers_of[sid].add(reviewer)
        submissions = [(sid, author, reviewers_of[sid]) for sid, author in
                       Submission.select(Submission.id, Submission.author).where(Submission.round == round.id).tuples()]
        work = solver.late_reviewer_work(submission.author_id, submissions, loads, earlier, seed=seed, apart=apart)
        _insert_assignments(round, work.assignments, now)
        _tell_reviewers(round, [reviewer for _, reviewer in work.assignments], url)
    if result.notes:
        _add_notes(round, result.notes)
    return result


def swap_reviewer(assignment, new_reviewer, discard_draft=False, url="", now=None):
    """Give an assignment to another reviewer, keeping its "Reviewer N" label.

    Refused when the review was already submitted, the new reviewer is the author, already
    reviews this submission, is kept apart from its author or is not in the circle. A draft the
    old reviewer started is deleted with the swap, so without discard_draft=True a non-empty draft
    raises DraftWouldBeLost (a Refused) and nothing changes. The new reviewer gets a notice linking to url.
    """
    now = now or clock.now()
    round, submission = assignment.round, assignment.submission
    if round.closed_at is not None:
        raise Refused(_("This round is closed; its reviewers can no longer change."))
    review = Review.get_or_none(Review.assignment == assignment)
    if review is not None and review.is_submitted:
        raise Refused(_("%(name)s has already submitted this review, so it stays with them.",
                        name=assignment.reviewer.display_name))
    _check_new_reviewer(round, submission, new_reviewer)
    if review is not None and review.has_text() and not discard_draft:
        raise DraftWouldBeLost(_("%(name)s has started a draft of this review; swapping discards it. "
                                 "Confirm to go ahead.", name=assignment.reviewer.display_name))
    with database.atomic():
        if review is not None:
            review.delete_instance(recursive=True)
        try:
            with database.atomic():
                Assignment.update(reviewer=new_reviewer, created_at=now).where(Assignment.id == assignment.id).execute()
        except peewee.IntegrityError:
            raise Refused(_("%(name)s already reviews this submission.", name=new_reviewer.display_name)) from None
        Notice.send([new_reviewer], kinds.review_assigned(round=round.title), url, round.circle_id)
    assignment.reviewer, assignment.created_at = new_reviewer, now
    return assignment


def add_reviewer(submission, reviewer, url="", now=None):
    """Assign one more reviewer to a submission by hand (to make up a shortfall); returns the Assignment."""
    now = now or clock.now()
    round = submission.round
    if round.allocated_at is None:
        if round.allocation_due(now):
            raise Refused(_("Reviewers are being allocated right now; add one in a moment, once that is done."))
        raise Refused(_("Reviewers are allocated when reviewing starts; add one after that."))
    if round.closed_at is not None:
        raise Refused(_("This round is closed; its reviewers can no longer change."))
    _check_new_reviewer(round, submission, reviewer)
    with database.atomic():
        try:
            with database.atomic():
                slot = (_last_slots(round).get(submission.id) or 0) + 1
                created = Assignment.create(round=round.id, submission=submission.id, reviewer=reviewer.id,
                                            slot=slot, created_at=now)
        except peewee.IntegrityError:
            raise Refused(_("%(name)s already reviews this submission.", name=reviewer.display_name)) from None
        Notice.send([reviewer], kinds.review_assigned(round=round.title), url, round.circle_id)
    return created


def _check_new_reviewer(round, submission, reviewer):
    if reviewer.id == submission.author_id:
        raise Refused(_("Authors cannot review their own work."))
    if Membership.get_or_none((Membership.user == reviewer.id) & (Membership.circle == round.circle_id)) is None:
        raise Refused(_("%(name)s is not a member of this circle.", name=reviewer.display_name))
    if Assignment.select().where((Assignment.submission == submission)
                                 & (Assignment.reviewer == reviewer.id)).exists():
        raise Refused(_("%(name)s already reviews this submission.", name=reviewer.display_name))
    if pairs.is_kept_apart(round.circle_id, reviewer.id, submission.author_id):
        raise Refused(_("%(name)s is kept apart from this author in this circle, so is never given their work.",
                        name=reviewer.display_name))


def _last_slots(round):
    """Each submission's highest "Reviewer N" number so far in the round."""
    return dict(Assignment.select(Assignment.submission, peewee.fn.MAX(Assignment.slot))
                .where(Assignment.round == round.id).group_by(Assignment.submission).tuples())


def _insert_assignments(round, pairs_made, now):
    """Insert (submission id, reviewer id) pairs, numbering each submission's slots after its last."""
    if not pairs_made:
        return
    last_slot = _last_slots(round)
    rows = []
    for sid, reviewer in pairs_made:
        last_slot[sid] = (last_slot.get(sid) or 0) + 1
        rows.append((round.id, sid, reviewer, last_slot[sid], now))
    _insert_rows(Assignment, ("round", "submission", "reviewer", "slot", "created_at"), rows)


def _tell_reviewers(round, reviewers, url):
    """Send each reviewer one notice with their number of reviews."""
    now, rows = clock.now(), []
    for reviewer, count in Counter(reviewers).items():
        message = kinds.reviewing_started(round=round.title, count=count)
        rows.append((reviewer, round.circle_id, message.kind, message.stored(), url or "", now))
    _insert_rows(Notice, ("user", "circle", "kind", "params", "url", "created_at"), rows)


def _insert_rows(model, names, rows):
    """Insert many rows with one statement run for each (the driver's executemany): building the SQL
    of a thousand rows in Python would cost more than SQLite takes to store them, inside the write lock."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in names]
    quote = database.quote or '""'
    columns = ", ".join(quote[0] + f.column_name + quote[-1] for f in fields)
    marks = ", ".join([database.param] * len(fields))
    table = quote[0] + model._meta.table_name + quote[-1]
    with peewee.__exception_wrapper__:  # the same errors as any query (IntegrityError, OperationalError)
        database.cursor().executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                      [[f.db_value(value) for f, value in zip(fields, row)] for row in rows])


def _add_notes(round, more):
    """Add shortfalls (kinds and numbers, said when shown) to those the round keeps."""
    kept = ReviewRound.select(ReviewRound.allocation_notes).where(ReviewRound.id == round.id).scalar()
    notes = shortfalls.stored([*shortfalls.read(kept), *more])
    ReviewRound.update(allocation_notes=notes).where(ReviewRound.id == round.id).execute()
    round.allocation_notes = notes
