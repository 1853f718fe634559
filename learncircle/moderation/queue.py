"""The review queue of a circle, as its moderators read it: every item with open flags (grouped per item, oldest
first), and every hidden item whose author asked for another look; each with its flags summed up (how many per
reason, the code-of-conduct points cited, the notes: never who flagged) and its author's history in the circle.

A page reads a fixed number of queries whatever its length: the page of items, then their items, flags,
authors' memberships, post counts and log counts, each for the whole page at once.
"""
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Membership
from ..discussions.models import Post, Thread
from ..i18n import lazy_gettext as _l
from . import items
from .log import FLAGS
from .actions import APPEALED, DELETED, HIDDEN, REMOVED_MEMBER, SUSPENDED, WARNED, WITHDRAWN
from .models import CONDUCT, OFF_TOPIC, OTHER, REASONS, SPAM, UNKIND, Flag, LogEntry

PER_PAGE = 20
# What a flag's reason is called where moderators read the flags.
REASON_LABELS = {CONDUCT: _l("Breaks the code of conduct"), SPAM: _l("Spam"), UNKIND: _l("Unkind"),
                 OFF_TOPIC: _l("Off-topic"), OTHER: _l("Something else")}


@dataclass(slots=True)
class Flags:
    """An item's open flags, summed up without a word about who flagged."""
    count: int = 0
    by_reason: dict = field(default_factory=dict)  # reason -> how many, in REASONS' order
    conduct_points: list = field(default_factory=list)  # the points cited, each once, in order
    notes: list = field(default_factory=list)  # what flaggers wrote, oldest first
    since: dt.datetime | None = None


@dataclass(slots=True)
class History:
    """An author's record in one circle: since when, how much they wrote, what moderators did about them."""
    member: bool = False
    joined_at: dt.datetime | None = None
    posts: int = 0
    hidden: int = 0  # items moderators hid
    deleted: int = 0  # items moderators deleted
    warnings: int = 0  # not withdrawn
    suspensions: int = 0
    removals: int = 0
    suspended_until: dt.datetime | None = None  # a suspension in force now


@dataclass(slots=True)
class Entry:
    """One line of the queue: the item, its flags, whether its author asked for another look, their history."""
    item: items.Item
    flags: Flags
    since: dt.datetime
    appeal: LogEntry | None = None
    history: History | None = None


def open_items(circle):
    """(kind, id, since) of every item waiting in the queue, oldest first: paginate it (web.Page). An item with
    open flags counts from its first; a hidden one whose author asked for another look (and has no open flags)
    from the asking."""
    flagged = (Flag.select(Flag.target_kind.alias("kind"), Flag.target_id.alias("target"),
                           peewee.fn.MIN(Flag.created_at).alias("since"))
               .where((Flag.circle == circle.id) & Flag.resolved_at.is_null())
               .group_by(Flag.target_kind, Flag.target_id))
    Later, Open = LogEntry.alias(), Flag.alias()
    appealed = (LogEntry.select(LogEntry.target_kind.alias("kind"), LogEntry.target_id.alias("target"),
                                LogEntry.created_at.alias("since"))
                .where((LogEntry.circle == circle.id) & (LogEntry.action == APPEALED)
                       & ~peewee.fn.EXISTS(Later.select(Later.id).where(
                           (Later.target_kind == LogEntry.target_kind) & (Later.target_id == LogEntry.target_id)
                           & (Later.circle == LogEntry.circle) & (Later.id > LogEntry.id)))
                       & ~peewee.fn.EXISTS(Open.select(Open.id).where(
                           (Open.target_kind == LogEntry.target_kind) & (Open.target_id == LogEntry.target_id)
                           & Open.resolved_at.is_null()))))
    return flagged.union_all(appealed).order_by(peewee.SQL("3"), peewee.SQL("1"), peewee.SQL("2")).tuples()


def entries(circle, rows):
    """The queue's Entries for one page of open_items' rows (items that no longer exist are left out)."""
    as_time = Flag.created_at.python_value
    keys = [(kind, target) for kind, target, since in rows]
    found = items.describe(circle, keys)
    flags = _flags(circle, keys)
    appeals = _appeals(circle, keys)
    histories = histories_of(circle, {item.author_id for item in found.values() if item.author_id})
    listed = []
    for kind, target, since in rows:
        item = found.get((kind, target))
        if item is not None:
            listed.append(Entry(item, flags.get((kind, target), Flags()), as_time(since), appeals.get((kind, target)),
                                histories.get(item.author_id)))
    return listed


def entry(circle, item):
    """The queue's Entry for one item (its page, and the form shown again with its errors)."""
    key = [item.key]
    flags = _flags(circle, key).get(item.key, Flags())
    return Entry(item, flags, flags.since or clock.now(), _appeals(circle, key).get(item.key),
                 histories_of(circle, {item.author_id} if item.author_id else set()).get(item.author_id))


def _in_keys(kind_column, id_column, keys):
    condition = None
    for kind in {kind for kind, _ in keys}:
        ids = [target for other, target in keys if other == kind]
        part = (kind_column == kind) & id_column.in_(ids)
        condition = part if condition is None else condition | part
    return condition


def _flags(circle, keys):
    if not keys:
        return {}
    summed = {}
    query = (Flag.select(Flag.target_kind, Flag.target_id, Flag.reason, Flag.conduct_point, Flag.note, Flag.created_at)
             .where((Flag.circle == circle.id) & Flag.resolved_at.is_null()
                    & _in_keys(Flag.target_kind, Flag.target_id, keys))
             .order_by(Flag.created_at, Flag.id))
    reasons = {}
    for flag in query:
        key = (flag.target_kind, flag.target_id)
        flags = summed.setdefault(key, Flags(since=flag.created_at))
        flags.count += 1
        reasons.setdefault(key, Counter())[flag.reason] += 1
        if flag.reason == CONDUCT and flag.conduct_point and flag.conduct_point not in flags.conduct_points:
            flags.conduct_points.append(flag.conduct_point)
        if flag.note.strip():
            flags.notes.append(flag.note)
    for key, counted in reasons.items():
        summed[key].by_reason = {reason: counted[reason] for reason in REASONS if counted[reason]}
        summed[key].conduct_points.sort()
    return summed


def _appeals(circle, keys):
    """The author's request for another look, for the items whose latest log entry it is."""
    if not keys:
        return {}
    latest = {}
    query = (LogEntry.select().where((LogEntry.circle == circle.id)
                                     & _in_keys(LogEntry.target_kind, LogEntry.target_id, keys))
             .order_by(LogEntry.id))
    for logged in query:
        latest[(logged.target_kind, logged.target_id)] = logged
    return {key: logged for key, logged in latest.items() if logged.action == APPEALED}


def histories_of(circle, user_ids):
    """{user id: History} in circle, for a set of people (four queries whatever their number)."""
    user_ids = sorted(user_ids)
    if not user_ids:
        return {}
    histories = {user_id: History() for user_id in user_ids}
    now = clock.now()
    for user_id, joined_at, suspended_until in (Membership.select(
            Membership.user, Membership.joined_at, Membership.suspended_until)
            .where((Membership.circle == circle.id) & Membership.user.in_(user_ids)).tuples()):
        history = histories[user_id]
        history.member, history.joined_at = True, Membership.joined_at.python_value(joined_at)
        until = Membership.suspended_until.python_value(suspended_until)
        history.suspended_until = until if until is not None and until > now else None
    for user_id, count in (Post.select(Post.author, peewee.fn.COUNT(Post.id)).join(Thread)
                           .where((Thread.circle == circle.id) & Post.author.in_(user_ids) & Post.deleted_at.is_null())
                           .group_by(Post.author).tuples()):
        histories[user_id].posts = count
    counted = Counter()
    for user_id, action, count in (LogEntry.select(LogEntry.target_user, LogEntry.action, peewee.fn.COUNT(LogEntry.id))
                                   .where((LogEntry.circle == circle.id) & LogEntry.target_user.in_(user_ids)
                                          & (LogEntry.actor_role != FLAGS))
                                   .group_by(LogEntry.target_user, LogEntry.action).tuples()):
        counted[(user_id, action)] = count
    for user_id, history in histories.items():
        history.hidden = counted[(user_id, HIDDEN)]
        history.deleted = counted[(user_id, DELETED)]
        history.warnings = max(counted[(user_id, WARNED)] - counted[(user_id, WITHDRAWN)], 0)
        history.suspensions = counted[(user_id, SUSPENDED)]
        history.removals = counted[(user_id, REMOVED_MEMBER)]
    return histories


def suspended_now(circle):
    """The circle's members suspended now, with their accounts, the soonest to return first."""
    return (Membership.select(Membership, User).join(User)
            .where((Membership.circle == circle.id) & (Membership.suspended_until > clock.now()))
            .order_by(Membership.suspended_until))


def circles_with_open_flags(limit=50):
    """For the instance admin's overview: (name, slug, open flags) of each circle with flags waiting, most first."""
    from ..circles.models import Circle

    count = peewee.fn.COUNT(Flag.id)
    return (Flag.select(Circle.name, Circle.slug, count.alias("open"))
            .join(Circle, on=(Flag.circle == Circle.id)).where(Flag.resolved_at.is_null())
            .group_by(Circle.id, Circle.name, Circle.slug).order_by(count.desc(), Circle.name).limit(limit).tuples())
