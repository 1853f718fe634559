"""Pairs kept apart: a reviewer who is never given an author's work again in a circle.

Two things keep a (reviewer, author) pair apart. A review by that reviewer of that author's work
that a facilitator hid keeps them apart for as long as it stays hidden ("Show again" lifts it), and
a facilitator can mark any pair "keep apart" until they undo it. A pair is one way round: it says
who does not review whom. The allocation, late arrivals, swaps and "add a reviewer" all respect it
(reviews.allocation); reviews already allocated stay where they are.
"""
import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Membership
from ..db import database
from ..i18n import gettext as _
from .models import Assignment, KeptApart, Review, ReviewRound, Submission
from .rules import Refused

SHOWN_MAX = 200  # pairs listed on the page, newest first; far more than a circle makes


def kept_apart(circle_id):
    """Every (reviewer id, author id) pair kept apart in the circle, for whatever reason."""
    return {(reviewer, author) for reviewer, author, _ in _hidden(circle_id).tuples()} | set(
        KeptApart.select(KeptApart.reviewer, KeptApart.author).where(KeptApart.circle == circle_id).tuples())


def is_kept_apart(circle_id, reviewer_id, author_id):
    if (KeptApart.select().where((KeptApart.circle == circle_id) & (KeptApart.reviewer == reviewer_id)
                                 & (KeptApart.author == author_id)).exists()):
        return True
    return _hidden(circle_id).where((Assignment.reviewer == reviewer_id) & (Submission.author == author_id)).exists()


def apart_from(circle_id, author_id):
    """The ids of the reviewers kept apart from an author (as a subquery)."""
    marked = KeptApart.select(KeptApart.reviewer).where((KeptApart.circle == circle_id)
                                                        & (KeptApart.author == author_id))
    hidden = (Assignment.select(Assignment.reviewer).join(Submission, on=(Assignment.submission == Submission.id))
              .join(Review, on=(Review.assignment == Assignment.id))
              .join(ReviewRound, on=(Assignment.round == ReviewRound.id))
              .where((ReviewRound.circle == circle_id) & Review.hidden_at.is_null(False)
                     & (Submission.author == author_id)))
    return marked | hidden


def _hidden(circle_id):
    """(reviewer, author, round title) of the circle's hidden reviews."""
    return (Assignment.select(Assignment.reviewer, Submission.author, ReviewRound.title)
            .join(Submission, on=(Assignment.submission == Submission.id))
            .join(Review, on=(Review.assignment == Assignment.id))
            .join(ReviewRound, on=(Assignment.round == ReviewRound.id))
            .where((ReviewRound.circle == circle_id) & Review.hidden_at.is_null(False)))


class Pair:
    """One pair kept apart, as the page lists it."""

    def __init__(self, reviewer, author, reason, marked=None):
        self.reviewer, self.author, self.reason, self.marked = reviewer, author, reason, marked

    @property
    def can_undo(self):
        return self.marked is not None


def listing(circle_id):
    """The pairs kept apart in a circle, with their people and why: facilitators' marks first, newest first."""
    Reviewer, Author, By = User.alias(), User.alias(), User.alias()
    marks = (KeptApart.select(KeptApart, Reviewer, Author, By)
             .join(Reviewer, on=(KeptApart.reviewer == Reviewer.id), attr="reviewer").switch(KeptApart)
             .join(Author, on=(KeptApart.author == Author.id), attr="author").switch(KeptApart)
             .join(By, peewee.JOIN.LEFT_OUTER, on=(KeptApart.created_by == By.id), attr="created_by")
             .where(KeptApart.circle == circle_id)
             .order_by(KeptApart.created_at.desc(), KeptApart.id.desc()).limit(SHOWN_MAX))
    pairs = [Pair(mark.reviewer, mark.author, "marked", mark) for mark in marks]
    # Newest rounds first, through the rounds' (circle, created_at) index.
    hidden = list(_hidden(circle_id).order_by(ReviewRound.created_at.desc(), ReviewRound.id.desc())
                  .limit(SHOWN_MAX).tuples())
    people = {user.id: user for user in User.select(User.id, User.username, User.display_name).where(
        User.id.in_({person for reviewer, author, _ in hidden for person in (reviewer, author)}))} if hidden else {}
    seen = set()
    for reviewer, author, title in hidden:
        if (reviewer, author) not in seen and reviewer in people and author in people:
            seen.add((reviewer, author))
            pairs.append(Pair(people[reviewer], people[author], title))
    return pairs


def circle_members(circle_id):
    """The circle's members to choose a pair from, by name."""
    return list(User.select(User.id, User.username, User.display_name)
                .join(Membership, on=(Membership.user == User.id))
                .where(Membership.circle == circle_id)
                .order_by(peewee.fn.LOWER(User.display_name), User.id))


def keep_apart(circle_id, reviewer, author, by, now=None):
    """Mark reviewer as never to be given author's work in the circle; returns False if already marked.

    Raises Refused for one person twice or someone who is not a member of the circle.
    """
    if reviewer.id == author.id:
        raise Refused(_("Choose two different people: nobody reviews their own work anyway."))
    members = set(Membership.select(Membership.user).where(
        (Membership.circle == circle_id) & Membership.user.in_([reviewer.id, author.id])).tuples())
    if len(members) < 2:
        raise Refused(_("Both people must be members of this circle."))
    try:
        with database.atomic():
            KeptApart.create(circle=circle_id, reviewer=reviewer.id, author=author.id, created_by=by.id,
                             created_at=now or clock.now())
    except peewee.IntegrityError:
        return False
    return True


def release(circle_id, reviewer_id, author_id):
    """Undo a facilitator's "keep apart"; returns whether there was one (a hidden review stays hidden)."""
    with database.atomic():
        return bool(KeptApart.delete().where((KeptApart.circle == circle_id) & (KeptApart.reviewer == reviewer_id)
                                             & (KeptApart.author == author_id)).execute())


def allocated_in(round, reviewer_id, author_id):
    """The assignment giving reviewer the author's work in this round, or None."""
    return (Assignment.select().join(Submission, on=(Assignment.submission == Submission.id))
            .where((Assignment.round == round.id) & (Assignment.reviewer == reviewer_id)
                   & (Submission.author == author_id)).first())
