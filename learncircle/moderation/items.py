"""What a moderator acts on, read many at once for the review queue, its actions and the log (one query per kind
of item, never one per item): a post, a thread (its title and opening post), a peer review, or a member.

An item is named by its kind and id, as a Flag names it (a member by their membership's id, as targets.py).
`REMOVED` is the hidden_kind of what a moderator deleted: its text is gone from the item and kept in a Removed
row until it is restored or purged.
"""
import datetime as dt
from dataclasses import dataclass, field

from ..accounts.models import User
from ..circles.models import Membership
from ..discussions.models import Post, Thread
from ..reviews.models import Assignment, Review, ReviewRound
from .models import MEMBER, POST, REVIEW, THREAD

REMOVED = "removed"  # hidden_kind of a post, thread or review a moderator deleted


@dataclass(slots=True)
class Item:
    """One item as moderation shows it. `where`: the thread's title (post, thread), the round's (review), the
    member's name. `body_html`: what a post or thread says (rendered when saved), a member's bio; `paragraphs`:
    a review's plain text. `hidden_kind` as moderation.hiding names it, or REMOVED."""
    kind: str
    id: int
    circle_id: int
    author_id: int | None
    author_name: str = ""
    author_username: str = ""
    where: str = ""
    body_html: str = ""
    paragraphs: list = field(default_factory=list)
    created_at: dt.datetime | None = None
    hidden_at: dt.datetime | None = None
    hidden_kind: str = ""
    hidden_reason: str = ""
    deleted: bool = False  # deleted by its author
    thread_id: int | None = None
    thread_hidden: bool = False  # a post's thread is hidden (or removed)
    thread_author_id: int | None = None
    number: int | None = None  # a post's place in its thread
    assignment_id: int | None = None  # a review's (its page's address)

    @property
    def key(self):
        return (self.kind, self.id)

    @property
    def removed(self):
        return self.hidden_kind == REMOVED

    @property
    def hidden(self):
        """Hidden from the circle (by a moderator, by flags, waiting for approval); not removed."""
        return self.hidden_at is not None and not self.removed

    @property
    def hidden_by_flags(self):
        return self.hidden and self.hidden_kind == "flags"

    @property
    def shown(self):
        """Shown to the circle as it is: neither hidden, removed nor deleted (nor a post's thread hidden)."""
        return self.hidden_at is None and not self.removed and not self.deleted and not self.thread_hidden


def describe(circle, keys):
    """{(kind, id): Item} for the keys that name something in circle (others are left out)."""
    wanted = {}
    for kind, target_id in keys:
        wanted.setdefault(kind, set()).add(target_id)
    found = {}
    for kind, reader in ((POST, _posts), (THREAD, _threads), (REVIEW, _reviews), (MEMBER, _members)):
        if wanted.get(kind):
            for item in reader(circle, sorted(wanted[kind])):
                found[item.key] = item
    return found


def one(circle, kind, target_id):
    """The item, or None when it does not exist in circle."""
    return describe(circle, [(kind, target_id)]).get((kind, target_id))


def _posts(circle, ids):
    query = (Post.select(Post.id, Post.author, Post.number, Post.body_html, Post.created_at, Post.deleted_at,
                         Post.hidden_at, Post.hidden_kind, Post.hidden_reason, Thread.id, Thread.title,
                         Thread.hidden_at, Thread.author, User.id, User.display_name, User.username)
             .join(Thread).switch(Post).join(User, on=(Post.author == User.id))
             .where(Post.id.in_(ids) & (Thread.circle == circle.id)))
    for post in query:
        thread = post.thread
        yield Item(POST, post.id, circle.id, post.author_id, post.author.display_name, post.author.username,
                   thread.title, body_html=post.body_html, created_at=post.created_at, hidden_at=post.hidden_at,
                   hidden_kind=post.hidden_kind, hidden_reason=post.hidden_reason,
                   deleted=post.deleted_at is not None and post.hidden_kind != REMOVED, thread_id=thread.id,
                   thread_hidden=thread.hidden_at is not None, thread_author_id=thread.author_id,
                   number=post.number)


def _threads(circle, ids):
    query = (Thread.select(Thread.id, Thread.author, Thread.title, Thread.created_at, Thread.hidden_at,
                           Thread.hidden_kind, Thread.hidden_reason, Post.body_html, User.id, User.display_name,
                           User.username)
             .join(Post, on=((Post.thread == Thread.id) & (Post.number == 1)), attr="opening")
             .switch(Thread).join(User, on=(Thread.author == User.id))
             .where(Thread.id.in_(ids) & (Thread.circle == circle.id)))
    for thread in query:
        yield Item(THREAD, thread.id, circle.id, thread.author_id, thread.author.display_name, thread.author.username,
                   thread.title, body_html=thread.opening.body_html, created_at=thread.created_at,
                   hidden_at=thread.hidden_at, hidden_kind=thread.hidden_kind, hidden_reason=thread.hidden_reason,
                   thread_id=thread.id, thread_author_id=thread.author_id)


def _reviews(circle, ids):
    query = (Review.select(Review.id, Review.what_works, Review.could_be_better, Review.submitted_at,
                           Review.created_at, Review.hidden_at, Review.hidden_kind, Review.hidden_reason,
                           Assignment.id, Assignment.reviewer, ReviewRound.id, ReviewRound.title, User.id,
                           User.display_name, User.username)
             .join(Assignment).join(ReviewRound).switch(Assignment).join(User, on=(Assignment.reviewer == User.id))
             .where(Review.id.in_(ids) & (ReviewRound.circle == circle.id)))
    for review in query:
        assignment = review.assignment
        yield Item(REVIEW, review.id, circle.id, assignment.reviewer_id, assignment.reviewer.display_name,
                   assignment.reviewer.username, assignment.round.title,
                   paragraphs=[text for text in (review.what_works, review.could_be_better) if text.strip()],
                   created_at=review.submitted_at or review.created_at, hidden_at=review.hidden_at,
                   hidden_kind=review.hidden_kind, hidden_reason=review.hidden_reason, assignment_id=assignment.id)


def _members(circle, ids):
    query = (Membership.select(Membership.id, Membership.joined_at, User.id, User.display_name, User.username,
                               User.bio_html)
             .join(User).where(Membership.id.in_(ids) & (Membership.circle == circle.id)))
    for membership in query:
        user = membership.user
        yield Item(MEMBER, membership.id, circle.id, user.id, user.display_name, user.username, user.display_name,
                   body_html=user.bio_html, created_at=membership.joined_at)
