"""Deleting for good what moderators deleted, once REMOVED_RETENTION_DAYS have passed (`learncircle prune`, and
the server's housekeeping): the Removed rows, which held the originals, and a removed thread with what it still
held (its replies, which nobody could read since). A deleted post keeps its place, blank ("removed by a
moderator"), so the replies around it still read in order; a deleted review stays blank and hidden."""
import json

import peewee

from .. import clock, housekeeping
from ..accounts.models import User
from ..db import database
from ..discussions.models import Thread
from .items import REMOVED
from .models import REVIEW, THREAD, Removed


def purge(now=None):
    """Delete the Removed rows past their purge_after, and the removed threads among them; return how many rows
    of Removed went. Safe to run twice, or from two processes at once."""
    now = now or clock.now()
    with database.atomic():
        due = list(Removed.select(Removed.id, Removed.target_kind, Removed.target_id, Removed.restored_at)
                   .where(Removed.purge_after <= now))
        if not due:
            return 0
        threads = [row.target_id for row in due if row.target_kind == THREAD and row.restored_at is None]
        if threads:
            # Only while it is still removed: a thread restored, then removed again, has a later row of its own.
            Thread.delete().where(Thread.id.in_(threads) & (Thread.hidden_kind == REMOVED) & ~Thread.id.in_(
                Removed.select(Removed.target_id).where((Removed.target_kind == THREAD) & (Removed.purge_after > now)
                                                        & Removed.restored_at.is_null()))).execute()
        return Removed.delete().where(Removed.id.in_([row.id for row in due])).execute()


housekeeping.register("moderation.purge", purge)


def kept_for(circle):
    """What moderators deleted in circle and is kept still (not restored, not past its time), newest first, with
    its author: the owner's and the admins' page (paginate it)."""
    return (Removed.select(Removed, User.id, User.display_name, User.username)
            .join(User, peewee.JOIN.LEFT_OUTER, on=(Removed.author == User.id), attr="author_account")
            .where((Removed.circle == circle.id) & Removed.restored_at.is_null() & (Removed.purge_after > clock.now()))
            .order_by(Removed.id.desc()))


def original(removed):
    """A Removed row's original as (title, paragraphs of plain text): a review's kept fields, a post's or a
    thread's Markdown source as written."""
    if removed.target_kind == REVIEW:
        try:
            kept = json.loads(removed.body or "{}")
        except ValueError:
            kept = {}
        texts = [kept.get("what_works", ""), kept.get("could_be_better", ""), *kept.get("comments", {}).values()]
        return removed.title, [text for text in texts if isinstance(text, str) and text.strip()]
    return removed.title, [removed.body] if removed.body.strip() else []
