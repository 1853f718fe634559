"""Allocating reviewers in the database: the pool, earlier pairings, the one-time allocation when
reviewing begins, late arrivals, and a facilitator's changes by hand.

Who reviews: with the "submitters" pool, everyone who submitted and is still in the circle; with
the "members" pool, every circle member whose role is member, plus everyone who submitted.
Facilitators and the owner run the round: they review only if they submitted, or when a
facilitator assigns them by hand (swap_reviewer, add_reviewer).
"""
from collections import Counter, defaultdict

import peewee

from .. import clock
from ..circles.models import MEMBER, Membership
from ..db import database
from ..notices.models import Notice
from . import allocation
from .models import Assignment, Review, ReviewRound, Submission
from .rules import MEMBERS, DraftWouldBeLost, Refused


def reviewer_pool(round):
    """The user ids who review in this round (see the module's description)."""
    in_circle = Membership.select(Membership.user).where(Membership.circle == round.circle_id)
    submitters = [author for (author,) in Submission.select(Submission.author)
                  .where((Submission.round == round) & Submission.author.in_(in_circle))
                  .order_by(Submission.id).tuples()]
    if round.reviewer_pool != MEMBERS:
        return submitters
    members = [user for (user,) in Membership.select(Membership.user)
               .where((Membership.circle == round.circle_id) & (Membership.role == MEMBER))
               .order_by(Membership.id).tuples()]
    return list(dict.fromkeys(submitters + members))


def past_pairs(round):
    """(reviewer id, author id) pairs from the circle's other rounds."""
    query = (Assignment.select(Assignment.reviewer, Submission.author)
             .join(Submission, on=(Assignment.submission == Submission.id))
             .join(ReviewRound, on=(Assignment.round == ReviewRound.id))
             .where((ReviewRound.circle == round.circle_id) & (ReviewRound.id != round.id)))
    return set(query.tuples())


def ensure_allocated(round, now=None, seed=None, url=""):
    """Allocate reviewers once, when reviewing has begun; return the Allocation, or None if not due.

    Idempotent and safe to call on every request that shows the round: the first caller claims
    the round in the same transaction that writes the assignments; later callers do nothing.
    What could not be done is stored on the round (round.shortfalls). Each reviewer gets one
    notice saying how many reviews they have, linking to url.
    """
    now = now or clock.now()
    if not round.allocation_due(now):
        return None
    with database.atomic():
        claimed = (ReviewRound.update(allocated_at=now)
                   .where((ReviewRound.id == round.id) & ReviewRound.allocated_at.is_null()).execute())
        if not claimed:
            round.allocated_at = ReviewRound.get_by_id(round.id).allocated_at
            return None
        submissions = list(Submission.select(Submission.id, Submission.author)
                           .where(Submission.round == round).order_by(Submission.id).tuples())
        result = allocation.allocate(submissions, reviewer_pool(round), round.reviews_per_submission,
                                     past_pairs(round), seed=seed)
        _create_assignments(round, result.assignments, now)
        notes = "\n".join(result.shortfalls)
        ReviewRound.update(allocation_notes=notes).where(ReviewRound.id == round.id).execute()
        _tell_reviewers(round, [reviewer for _, reviewer in result.assignments], url)
    round.allocated_at, round.allocation_notes = now, notes
    return result


def allocate_arrival(round, submission, now=None, seed=None, url=""):
    """Give a late submission its reviewers, and its author a fair share of reviewing.

    Called inside submit()'s transaction once the round has been allocated. Everyone given work
    gets a notice linking to url; none names the late author.
    """
    now = now or clock.now()
    pool = reviewer_pool(round)
    counts = Counter(reviewer for (reviewer,) in Assignment.select(Assignment.reviewer)
                     .where(Assignment.round == round).tuples())
    loads = {reviewer: counts[reviewer] for reviewer in pool}
    earlier = past_pairs(round)
    result = allocation.allocate_late(submission.id, submission.author_id, pool, loads,
                                      round.reviews_per_submission, earlier, seed=seed)
    _create_assignments(round, result.assignments, now)
    Notice.send([reviewer for _, reviewer in result.assignments],
                f"A late submission in “{round.title}” was given to you to review.", url, round.circle_id)
    for _, reviewer in result.assignments:
        loads[reviewer] += 1
    if submission.author_id in loads:
        reviewers_of = defaultdict(set)
        for sid, reviewer in Assignment.select(Assignment.submission, Assignment.reviewer).where(
                Assignment.round == round).tuples():
            reviewers_of[sid].add(reviewer)
        submissions = [(sid, author, reviewers_of[sid]) for sid, author in
                       Submission.select(Submission.id, Submission.author).where(Submission.round == round).tuples()]
        work = allocation.late_reviewer_work(submission.author_id, submissions, loads, earlier, seed=seed)
        _create_assignments(round, work.assignments, now)
        _tell_reviewers(round, [reviewer for _, reviewer in work.assignments], url)
    if result.shortfalls:
        _add_notes(round, result.shortfalls)
    return result


def swap_reviewer(assignment, new_reviewer, discard_draft=False, url="", now=None):
    """Give an assignment to another reviewer, keeping its "Reviewer N" label.

    Refused when the review was already submitted, the new reviewer is the author, already
    reviews this submission or is not in the circle. A draft the old reviewer started is
    deleted with the swap, so without discard_draft=True a non-empty draft raises
    DraftWouldBeLost (a Refused) and nothing changes. The new reviewer gets a notice linking to url.
    """
    now = now or clock.now()
    round, submission = assignment.round, assignment.submission
    if round.closed_at is not None:
        raise Refused("This round is closed; its reviewers can no longer change.")
    review = Review.get_or_none(Review.assignment == assignment)
    if review is not None and review.is_submitted:
        raise Refused(f"{assignment.reviewer.display_name} has already submitted this review, so it stays with them.")
    _check_new_reviewer(round, submission, new_reviewer)
    if review is not None and review.has_text() and not discard_draft:
        raise DraftWouldBeLost(f"{assignment.reviewer.display_name} has started a draft of this review; "
                               "swapping discards it. Confirm to go ahead.")
    with database.atomic():
        if review is not None:
            review.delete_instance(recursive=True)
        try:
            with database.atomic():
                Assignment.update(reviewer=new_reviewer, created_at=now).where(Assignment.id == assignment.id).execute()
        except peewee.IntegrityError:
            raise Refused(f"{new_reviewer.display_name} already reviews this submission.") from None
        Notice.send([new_reviewer], f"You have a new review to do in “{round.title}”.", url, round.circle_id)
    assignment.reviewer, assignment.created_at = new_reviewer, now
    return assignment


def add_reviewer(submission, reviewer, url="", now=None):
    """Assign one more reviewer to a submission by hand (to make up a shortfall); returns the Assignment."""
    now = now or clock.now()
    round = submission.round
    if round.allocated_at is None:
        raise Refused("Reviewers are allocated when reviewing starts; add one after that.")
    if round.closed_at is not None:
        raise Refused("This round is closed; its reviewers can no longer change.")
    _check_new_reviewer(round, submission, reviewer)
    with database.atomic():
        try:
            with database.atomic():
                created = _create_assignments(round, [(submission.id, reviewer.id)], now)
        except peewee.IntegrityError:
            raise Refused(f"{reviewer.display_name} already reviews this submission.") from None
        Notice.send([reviewer], f"You have a new review to do in “{round.title}”.", url, round.circle_id)
    return created[0]


def _check_new_reviewer(round, submission, reviewer):
    if reviewer.id == submission.author_id:
        raise Refused("Authors cannot review their own work.")
    if Membership.get_or_none((Membership.user == reviewer.id) & (Membership.circle == round.circle_id)) is None:
        raise Refused(f"{reviewer.display_name} is not a member of this circle.")
    if Assignment.select().where((Assignment.submission == submission)
                                 & (Assignment.reviewer == reviewer.id)).exists():
        raise Refused(f"{reviewer.display_name} already reviews this submission.")


def _create_assignments(round, pairs, now):
    """Insert (submission id, reviewer id) pairs, numbering each submission's slots after its last."""
    if not pairs:
        return []
    submission_ids = {sid for sid, _ in pairs}
    last_slot = dict(Assignment.select(Assignment.submission, peewee.fn.MAX(Assignment.slot))
                     .where(Assignment.submission.in_(submission_ids))
                     .group_by(Assignment.submission).tuples())
    created = []
    for sid, reviewer in pairs:
        last_slot[sid] = (last_slot.get(sid) or 0) + 1
        created.append(Assignment.create(round=round, submission=sid, reviewer=reviewer,
                                         slot=last_slot[sid], created_at=now))
    return created


def _tell_reviewers(round, reviewers, url):
    """Send each reviewer one notice with their number of reviews: one insert per distinct number."""
    loads = Counter(reviewers)
    for count in sorted(set(loads.values())):
        people = [reviewer for reviewer, n in loads.items() if n == count]
        plural = "review" if count == 1 else "reviews"
        Notice.send(people, f"Reviewing has started in “{round.title}”: you have {count} {plural} to do.",
                    url, round.circle_id)


def _add_notes(round, lines):
    stored = ReviewRound.select(ReviewRound.allocation_notes).where(ReviewRound.id == round.id).scalar()
    notes = "\n".join(line for line in [*(stored or "").splitlines(), *lines] if line.strip())
    ReviewRound.update(allocation_notes=notes).where(ReviewRound.id == round.id).execute()
    round.allocation_notes = notes
