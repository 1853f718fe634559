"""Whatever can be flagged, read the same way whatever it is: a post, a thread, a peer review or a member of a
circle, with its circle, its author, the words that name it in a notice and a short excerpt of it.

Flags use it to refuse and to tell; the review queue can show an item's context with it.
"""
from dataclasses import dataclass
import datetime as dt

from ..accounts.models import User
from ..circles.models import Circle, Membership
from ..discussions.models import Post, Thread
from ..reviews.models import Assignment, Review, ReviewRound, Submission
from ..reviews.rules import REVIEW_SUBMITTED
from .models import MEMBER, POST, REVIEW, THREAD

REMOVED = "removed"  # the hidden_kind of what a moderator deleted (moderation.items, actions)

EXCERPT_MAX = 300
LARGEST_ID = 2**63 - 1  # a longer number names nothing (and must not reach the database)


@dataclass
class Item:
    kind: str  # POST, THREAD, REVIEW or MEMBER
    id: int  # the post's, thread's or review's id; a member's: their membership's
    circle: Circle
    author_id: int | None  # who wrote it (a review: its reviewer); a member: the person
    title: str  # what names it in a notice: the thread's title, the round's, the member's name
    excerpt: str  # a few plain words of it, to recognise it by
    hidden_at: dt.datetime | None = None
    hidden_kind: str = ""
    hidden_reason: str = ""
    gone: bool = False  # deleted, by its author or a moderator (or a review never submitted)
    thing: object = None  # the Post, Thread, Review or Membership itself

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def thread(self):
        """A post's or a thread's thread (None for the rest)."""
        return self.thing.thread if self.kind == POST else self.thing if self.kind == THREAD else None


def excerpt(text):
    words = " ".join((text or "").split())
    return words if len(words) <= EXCERPT_MAX else words[:EXCERPT_MAX - 1].rstrip() + "…"


def of_post(post):
    """A Post loaded with its thread and circle (Post.with_thread)."""
    return Item(POST, post.id, post.thread.circle, post.author_id, post.thread.title, excerpt(post.body),
                post.hidden_at, post.hidden_kind, post.hidden_reason,
                post.deleted_at is not None or post.hidden_kind == REMOVED, post)


def of_thread(thread):
    """A Thread loaded with its circle; its opening post gives the excerpt (one small query)."""
    body = (Post.select(Post.body).where((Post.thread == thread.id) & (Post.number == 1)
                                         & Post.deleted_at.is_null()).scalar())
    return Item(THREAD, thread.id, thread.circle, thread.author_id, thread.title, excerpt(body),
                thread.hidden_at, thread.hidden_kind, thread.hidden_reason, thread.hidden_kind == REMOVED, thread)


def of_review(review):
    """A Review loaded with its assignment, round, circle and submission (reviews.loading.review_with_round)."""
    round = review.assignment.round
    text = f"{review.what_works} {review.could_be_better}"
    return Item(REVIEW, review.id, round.circle, review.assignment.reviewer_id, round.title, excerpt(text),
                review.hidden_at, getattr(review, "hidden_kind", ""), getattr(review, "hidden_reason", ""),
                review.status != REVIEW_SUBMITTED or getattr(review, "hidden_kind", "") == REMOVED, review)


def of_membership(membership):
    """A Membership loaded with its user and circle."""
    user = membership.user
    return Item(MEMBER, membership.id, membership.circle, user.id, user.display_name, excerpt(user.bio),
                thing=membership)


def load(kind, target_id):
    """The item of kind with this id, or None."""
    if not isinstance(target_id, int) or not 0 < target_id <= LARGEST_ID:
        return None
    if kind == POST:
        post = Post.with_thread(target_id)
        return of_post(post) if post is not None else None
    if kind == THREAD:
        thread = Thread.with_circle(target_id)
        return of_thread(thread) if thread is not None else None
    if kind == REVIEW:
        review = (Review.select(Review, Assignment, ReviewRound, Circle, Submission)
                  .join(Assignment).join(ReviewRound).join(Circle).switch(Assignment).join(Submission)
                  .where(Review.id == target_id).first())
        return of_review(review) if review is not None else None
    if kind == MEMBER:
        membership = (Membership.select(Membership, User, Circle).join(User).switch(Membership).join(Circle)
                      .where(Membership.id == target_id).first())
        return of_membership(membership) if membership is not None else None
    return None
