"""Hiding an item from its circle, and showing it again: the one place that changes an item's hidden state,
for a moderator's decision, for members' flags (auto-hide) and for a new member's post awaiting approval.

Only state changes here, each in its own transaction (or the caller's): who is told, and what the log says,
is the caller's business. A member is not hideable: a profile belongs to the instance, and a circle's
moderators act on the membership instead.
"""
from .. import clock
from ..db import database
from ..circles.models import FACILITATOR, OWNER, Membership
from ..discussions.models import HIDE_REASON_MAX, Post, Thread
from ..notices.models import Notice
from ..reviews import reviewing
from ..reviews.models import Review
from .models import MEMBER, POST, REVIEW, THREAD

# Why an item is hidden (its hidden_kind): a moderator's decision, members' flags until a facilitator reviews
# it, or a new member's post waiting for a facilitator's approval.
BY_MODERATOR, BY_FLAGS, AWAITING_APPROVAL = "", "flags", "approval"
WHYS = (BY_MODERATOR, BY_FLAGS, AWAITING_APPROVAL)


def hide(kind, target_id, *, why, reason="", by=None):
    """Hide the item of kind (post, thread, review) target_id from its circle; its author still reads it.

    Returns True when it was shown until now; an item already hidden keeps its time but takes the new why,
    reason and by (a moderator confirming what members' flags hid, with their reason). Raises LookupError for
    an item that does not exist, ValueError for a member or an unknown kind or why."""
    if why not in WHYS:
        raise ValueError(f"unknown reason for hiding {why!r}")
    reason = " ".join((reason or "").split())[:HIDE_REASON_MAX]
    by_id = getattr(by, "id", by)
    now = clock.now()
    with database.atomic():
        if kind == POST:
            post = Post.select(Post.id, Post.thread, Post.hidden_at).where(Post.id == target_id).first()
            if post is None:
                raise LookupError(f"no post {target_id}")
            Post.update(hidden_at=post.hidden_at or now, hidden_by=by_id, hidden_kind=why,
                        hidden_reason=reason).where(Post.id == target_id).execute()
            post._stop_being_the_answer()
            return post.hidden_at is None
        if kind == THREAD:
            was = Thread.select(Thread.hidden_at).where(Thread.id == target_id).tuples().first()
            if was is None:
                raise LookupError(f"no thread {target_id}")
            Thread.update(hidden_at=was[0] or now, hidden_kind=why, hidden_reason=reason).where(
                Thread.id == target_id).execute()
            if was[0] is None:
                _withdraw_notices(target_id)
            return was[0] is None
        if kind == REVIEW:
            review = Review.select(Review.id, Review.hidden_at).where(Review.id == target_id).first()
            if review is None:
                raise LookupError(f"no review {target_id}")
            was_shown = review.hidden_at is None
            reviewing.hide_review(review, by_id, now=review.hidden_at or now, why=why, reason=reason)
            return was_shown
    if kind == MEMBER:
        raise ValueError("a member is not hidden: a circle's moderators act on the membership")
    raise ValueError(f"unknown kind of item {kind!r}")


def _withdraw_notices(thread_id):
    """Take back the notices that name a thread just hidden (a new thread, replies, mentions, reactions), from
    everyone but its author and the circle's moderators: a hidden thread's title is gone for the others (but
    for those who flagged it, whose receipts stay).
    (Showing it again does not bring them back: the thread is in the circle's list again.)"""
    thread = Thread.select(Thread.author, Thread.circle).where(Thread.id == thread_id).first()
    keep = [thread.author_id, *(user_id for (user_id,) in Membership.select(Membership.user).where(
        (Membership.circle == thread.circle_id) & Membership.role.in_((OWNER, FACILITATOR))).tuples())]
    about = ((Notice.url == f"/t/{thread_id}") | Notice.url.startswith(f"/t/{thread_id}/")
             | Notice.url.startswith(f"/t/{thread_id}?") | Notice.url.startswith(f"/t/{thread_id}#"))
    post_urls = [f"/p/{post_id}" for (post_id,) in Post.select(Post.id).where(Post.thread == thread_id).tuples()]
    for start in range(0, len(post_urls), 500):
        about |= Notice.url.in_(post_urls[start:start + 500])
    # A flagger's receipt stays: it names what they flagged, which they had read.
    return (Notice.delete().where((Notice.circle == thread.circle_id) & about & Notice.user.not_in(keep)
                                  & (Notice.kind != "flag_received")).execute())


def show(kind, target_id):
    """Show a hidden item to its circle again; returns whether it was hidden. ValueError as for hide()."""
    with database.atomic():
        if kind == POST:
            return bool(Post.update(hidden_at=None, hidden_by=None, hidden_kind="", hidden_reason="")
                        .where((Post.id == target_id) & Post.hidden_at.is_null(False)).execute())
        if kind == THREAD:
            return bool(Thread.update(hidden_at=None, hidden_kind="", hidden_reason="")
                        .where((Thread.id == target_id) & Thread.hidden_at.is_null(False)).execute())
        if kind == REVIEW:
            review = Review.select(Review.id, Review.hidden_at).where(Review.id == target_id).first()
            if review is None or review.hidden_at is None:
                return False
            reviewing.unhide_review(review)
            return True
    if kind == MEMBER:
        raise ValueError("a member is not hidden: a circle's moderators act on the membership")
    raise ValueError(f"unknown kind of item {kind!r}")
