"""Muting and blocking: what one person chose about another, which changes only what reaches the chooser.

Mute: the muted person's posts (and threads in a circle's list) are collapsed behind "show" for the one who
muted them; the thread page's own query says so for each post (`muted_by`), so it costs no query.
Block: a mute too, and nothing the blocked person does reaches the blocker: no notice (a mention, a reply or a
new thread, a reaction, an accepted answer, a facilitator's welcome or check-in) and so no mail, nor their
threads in the blocker's digest. Notice.send leaves out whoever blocked its `sender`; the lists of who hears of
replies and new threads leave them out in their own query (`has_blocked`).

The blocked or muted person is never told: nothing they see or get as an answer changes. Neither stops
moderation: a facilitator one blocked still hides one's posts, and the circle's moderation notices still come;
peer review (reviews allocated, arrived, rated, reminders) is the circle's coursework and still comes too.
"""
import peewee

from .. import clock
from ..accounts.models import User
from ..db import BaseModel, database

MUTE, BLOCK = "mute", "block"
KINDS = (MUTE, BLOCK)


class Refused(Exception):
    """Nobody mutes or blocks themselves."""


class Block(BaseModel):
    """who muted or blocked whom (kind). A block mutes too: a post is collapsed when either row is there."""
    who = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+", index=False)  # (who, whom, kind) serves
    whom = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    kind = peewee.CharField(max_length=10)
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        table_name = "person_block"
        indexes = ((("who", "whom", "kind"), True), (("who", "created_at"), False))


def _id(person):
    return getattr(person, "id", person)


def choose(who, whom, kind, on=True):
    """Mute or block (kind) whom for who, or undo it (on=False); doing it twice is doing it once. Returns
    whether anything changed. Raises Refused for oneself; who may is the caller's question (access.py)."""
    if kind not in KINDS:
        raise ValueError(f"unknown choice {kind!r}")
    who, whom = _id(who), _id(whom)
    if who == whom:
        raise Refused()
    with database.atomic():
        if on:
            return bool(Block.insert(who=who, whom=whom, kind=kind, created_at=clock.now())
                        .on_conflict_ignore().as_rowcount().execute())
        return bool(Block.delete().where((Block.who == who) & (Block.whom == whom) & (Block.kind == kind)).execute())


def held(who, whom):
    """The kinds who chose about whom: a frozenset, empty when none (one query)."""
    return frozenset(kind for (kind,) in Block.select(Block.kind)
                     .where((Block.who == _id(who)) & (Block.whom == _id(whom))).tuples())


def chosen_by(who):
    """who's mutes and blocks, newest first, with the other person's names (paginate it)."""
    return (Block.select(Block.id, Block.kind, Block.created_at, User.id, User.username, User.display_name)
            .join(User, on=(Block.whom == User.id), attr="person")
            .where(Block.who == _id(who))
            .order_by(Block.created_at.desc(), Block.id.desc()))


def muted_by(viewer_id, author):
    """A column of a query on posts or threads: whether viewer_id muted or blocked the row's author (a column,
    such as Post.author); 0 for no viewer. A look in the unique index per row, only for a viewer who muted
    someone: whether they did is asked once for the whole query (a subquery that names no row of it)."""
    if viewer_id is None:
        return peewee.Value(0)
    theirs, any_ = Block.alias(), Block.alias()
    muted = peewee.fn.EXISTS(theirs.select(peewee.SQL("1")).where((theirs.who == viewer_id) & (theirs.whom == author)))
    return peewee.Case(None, [(peewee.fn.EXISTS(any_.select(peewee.SQL("1")).where(any_.who == viewer_id)), muted)],
                       False)


def has_blocked(who, whom):
    """A condition: who (an id or a column, such as Membership.user) blocked whom (likewise)."""
    theirs = Block.alias()
    return peewee.fn.EXISTS(theirs.select(peewee.SQL("1"))
                            .where((theirs.who == who) & (theirs.whom == whom) & (theirs.kind == BLOCK)))


def blockers_among(user_ids, sender):
    """The ids among user_ids of those who blocked sender: one query for all of them (none for no one)."""
    user_ids = list(user_ids)
    if not user_ids or sender is None:
        return set()
    return {who for (who,) in Block.select(Block.who)
            .where((Block.whom == _id(sender)) & (Block.kind == BLOCK) & Block.who.in_(user_ids)).tuples()}
