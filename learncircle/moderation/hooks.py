"""What the moderation routes of other features call, so that what a facilitator does from a thread page, a
round's board or the members page is logged and closes the item's flags as the review queue does: hiding and
showing a post (discussions), a review (peer review), removing a member (circles)."""
from ..db import database
from . import actions, hiding, items, log
from .links import Links
from .models import LogEntry, MEMBER, POST, REVIEW

# What a moderator's showing again undoes: the latest of these about the item, if nothing undid it yet.
HIDINGS = (actions.HIDDEN, "auto_hidden")


def hide_post(post, actor, reason, url):
    """A facilitator hides a post from its thread page (discussions.hide_post), with a reason its author reads."""
    circle = post.thread.circle
    with database.atomic():
        post.hide(actor, reason, url=url)
        hiding.hide(POST, post.id, why=hiding.BY_MODERATOR, reason=reason, by=actor)  # flags' hiding confirmed
        post.hidden_kind = hiding.BY_MODERATOR
        _logged(circle, actor, POST, post.id, actions.HIDDEN, reason)


def unhide_post(post, actor, reason):
    """A facilitator shows a hidden post again from its thread page (discussions.unhide_post), saying why."""
    circle = post.thread.circle
    with database.atomic():
        hiding.show(POST, post.id)
        post.hidden_at, post.hidden_by, post.hidden_reason, post.hidden_kind = None, None, "", ""
        _shown(circle, actor, POST, post.id, reason)


def review_hidden(circle, review, actor, reason):
    """A facilitator hid a review from its author on the round's board (reviews_facilitator.hide_review)."""
    with database.atomic():
        _logged(circle, actor, REVIEW, review.id, actions.HIDDEN, reason)


def review_shown(circle, review, actor, reason):
    """A facilitator showed a review to its author again (reviews_facilitator.unhide_review)."""
    with database.atomic():
        _shown(circle, actor, REVIEW, review.id, reason)


def member_removed(circle, actor, membership, reason=""):
    """The members page removed someone (circles.remove_member): it is in the log, and undone by readmitting."""
    return log.record(circle, actor, actions.REMOVED_MEMBER, target_kind=MEMBER, target_id=membership.id,
                      target_user=membership.user_id, reason=reason)


def _logged(circle, actor, kind, target_id, action, reason):
    item = items.one(circle, kind, target_id)
    entry = log.record(circle, actor, action, target_kind=kind, target_id=target_id,
                       target_user=item.author_id if item else None, reason=reason)
    if item is not None:
        actions.resolve_flags(circle, item, action, Links(circle))
    return entry


def _shown(circle, actor, kind, target_id, reason):
    """Log the showing again as the undoing of the latest hiding (flags' or a moderator's); close the item's flags
    (keeping it is what showing it again decides)."""
    latest = (LogEntry.select(LogEntry.id, LogEntry.action).where(
        (LogEntry.circle == circle.id) & (LogEntry.target_kind == kind) & (LogEntry.target_id == target_id)
        & LogEntry.action.in_((*HIDINGS, actions.UNHIDDEN, actions.KEPT))).order_by(LogEntry.id.desc()).first())
    reverses = latest.id if latest is not None and latest.action in HIDINGS else None
    item = items.one(circle, kind, target_id)
    entry = log.record(circle, actor, actions.UNHIDDEN, target_kind=kind, target_id=target_id,
                       target_user=item.author_id if item else None, reverses=reverses, reason=reason)
    if item is not None:
        actions.resolve_flags(circle, item, actions.KEPT, Links(circle), told="shown")
    return entry
