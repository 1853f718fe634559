"""Reactions: "Helpful" and "Thanks" on a post, one of each per person, toggled.

A post keeps its counts beside it (`helpful_count`, `thanks_count`), changed in the same transaction as the
reaction rows, so the thread page reads them with its posts. The unique index on (post, user, kind) decides a
double click: adding a reaction that is already there fails, and that failure is what turns it off again.

Its author hears of it in one notice per post and kind, rewritten as more people react while it is unread
("Ana found your post helpful", then "3 people found your post helpful"); once read, the next reaction starts
a new one. Taking a reaction back tells nobody: it only takes the person out of a notice not read yet.
"""
import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Membership
from ..db import BaseModel, database
from ..notices import kinds
from ..notices.models import Notice
from ..people.models import has_blocked
from .models import Post

HELPFUL, THANKS = "helpful", "thanks"
KINDS = (HELPFUL, THANKS)
# How the thread page's query says which reactions are the reader's own: one bit per kind (models._line_columns).
BITS = {HELPFUL: 1, THANKS: 2}
_COUNTS = {HELPFUL: Post.helpful_count, THANKS: Post.thanks_count}
_NOTICES = {HELPFUL: kinds.post_found_helpful, THANKS: kinds.post_thanked}


class Refused(Exception):
    """A reaction the post cannot take; `reason` says why (one of the names below)."""
    OWN_POST, NOT_SHOWN = "own_post", "not_shown"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Reaction(BaseModel):
    post = peewee.ForeignKeyField(Post, on_delete="CASCADE", backref="+", index=False)  # (post, …) serves
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    kind = peewee.CharField(max_length=20)
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        # One of each kind per person and post; also how a post's reactions are found, and who they are from.
        indexes = ((("post", "user", "kind"), True),)


def toggle(post, user, kind, url=""):
    """Add user's reaction of kind to post, or take it back if it is there; return whether it is there now.
    The post's author gets (or sees updated) a notice linking to url. Raises Refused for one's own post and for
    a deleted or hidden one; who may react at all is the caller's question (access.can_react)."""
    if kind not in KINDS:
        raise ValueError(f"unknown reaction {kind!r}")
    if post.author_id == user.id:
        raise Refused(Refused.OWN_POST)
    count = _COUNTS[kind]
    with database.atomic():
        # Read again inside the transaction: the post may have been deleted or hidden meanwhile. PostgreSQL
        # holds the post's row from here (SQLite's IMMEDIATE transaction holds the whole file), so reactions
        # to one post take turns, and their times follow that order: a notice gathers those since it began.
        current = Post.select(Post.deleted_at, Post.hidden_at).where(Post.id == post.id)
        current = (current.for_update() if database.for_update else current).first()
        if current is None or current.deleted_at is not None or current.hidden_at is not None:
            raise Refused(Refused.NOT_SHOWN)
        now = clock.now()
        try:
            with database.atomic():  # a savepoint: on PostgreSQL the transaction outlives the conflict
                Reaction.insert(post=post.id, user=user.id, kind=kind, created_at=now).execute()
            change = 1
        except peewee.IntegrityError:
            change = -Reaction.delete().where((Reaction.post == post.id) & (Reaction.user == user.id)
                                              & (Reaction.kind == kind)).execute()
        if change:
            Post.update({count: count + change}).where(Post.id == post.id).execute()
            _tell_author(post, kind, now, url)
        counts = Post.select(Post.helpful_count, Post.thanks_count).where(Post.id == post.id).get()
    post.helpful_count, post.thanks_count = counts.helpful_count, counts.thanks_count
    return change > 0


def _tell_author(post, kind, now, url):
    """Gather the reactions of kind since the author last read about them into their one unread notice; those of
    people the author blocked are not counted (people/), so theirs alone tell the author nothing."""
    circle_id = post.thread.circle_id
    if not Membership.select().where((Membership.user == post.author_id)
                                     & (Membership.circle == circle_id)).exists():
        return  # someone who left the circle hears nothing more from it
    make = _NOTICES[kind]
    notice = Notice.unread_about(post.author_id, make.__name__, url)
    since = notice.created_at if notice is not None else now
    count, name = (Reaction.select(peewee.fn.COUNT(Reaction.id), peewee.fn.MIN(User.display_name))
                   .join(User, on=(Reaction.user == User.id))
                   .where((Reaction.post == post.id) & (Reaction.kind == kind) & (Reaction.created_at >= since)
                          & ~has_blocked(post.author_id, Reaction.user))
                   .tuples().get())
    if notice is None:
        if count:
            Notice.send([post.author_id], make(thread=post.thread.title, count=count, name=name), url, circle_id,
                        at=now)
    elif count:
        notice.restate(make(thread=post.thread.title, count=count, name=name))
    else:
        notice.delete_instance()  # everyone in it took their reaction back before the author looked


def mine_column(viewer_id):
    """A column of a query on Post: the bits of viewer_id's reactions to each post (0 for None). Looked up
    only for posts that have reactions, so a page where nobody reacted pays nothing for it."""
    if viewer_id is None:
        return peewee.Value(0)
    own = Reaction.alias()
    bits = peewee.fn.COALESCE(peewee.fn.SUM(peewee.Case(own.kind, [(kind, bit) for kind, bit in BITS.items()], 0)), 0)
    lookup = own.select(bits).where((own.post == Post.id) & (own.user == viewer_id))
    return peewee.Case(None, [((Post.helpful_count + Post.thanks_count) > 0, lookup)], 0)


def mine(post, user):
    """The bits (BITS) of user's reactions to post: for a post read alone, without the thread page's query."""
    kinds_ = Reaction.select(Reaction.kind).where((Reaction.post == post.id) & (Reaction.user == user.id))
    return sum(BITS.get(kind, 0) for kind, in kinds_.tuples())


def who(post):
    """Who reacted to post, by kind: {kind: [(username, display name)]}, earliest first."""
    found = {kind: [] for kind in KINDS}
    rows = (Reaction.select(Reaction.kind, User.username, User.display_name)
            .join(User, on=(Reaction.user == User.id))
            .where(Reaction.post == post.id)
            .order_by(Reaction.created_at, Reaction.id).tuples())
    for kind, username, display_name in rows:
        found.setdefault(kind, []).append((username, display_name))
    return found
