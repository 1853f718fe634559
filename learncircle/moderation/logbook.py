"""The moderation log as one reader reads it: what was done, to which item (linked while the reader may still see
it; a thread's title only when they may read the thread), when, by which role (by name only where the circle
chose so), and why. Never who flagged: members' flags are one role, "members' flags".

Members are not named: a warning, a suspension or a removal says "a member" (their moderators see who). The
log shows that the rules are applied, and how consistently; it is not a pillory, and a warning is private by
design. A page reads a fixed number of queries: the entries (with their actors' names when they are shown),
then the items they name, the reversals among them and the removed originals, each for the whole page at once.
"""
from dataclasses import dataclass

import peewee

from .. import audit, clock
from ..accounts.models import User
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from . import items
from .actions import (APPEALED, DELETED, HIDDEN, KEPT, LIFTED, READMITTED, REMOVED_MEMBER, RESTORED, SUSPENDED,
                      UNDOING, UNHIDDEN, WARNED, WITHDRAWN)
from .log import AUTHOR, FLAGS, ROLE_LABELS
from .models import MEMBER, POST, REVIEW, THREAD, LogEntry, Removed

PER_PAGE = 50
AUTO_HIDDEN = "auto_hidden"  # members' flags hid an item (moderation/flags.py)

# What the log calls each action; features that write others add theirs with label().
ACTION_LABELS = {
    KEPT: _l("Flags dismissed: kept as it is"), HIDDEN: _l("Hidden by a moderator"),
    AUTO_HIDDEN: _l("Hidden by members' flags until reviewed"), UNHIDDEN: _l("Shown again"),
    DELETED: _l("Deleted by a moderator"), RESTORED: _l("Restored"), WARNED: _l("Member warned"),
    WITHDRAWN: _l("Warning withdrawn"), SUSPENDED: _l("Member suspended from the circle"),
    LIFTED: _l("Suspension lifted"), REMOVED_MEMBER: _l("Member removed from the circle"),
    READMITTED: _l("Member readmitted"), APPEALED: _l("The author asked for another look"),
    # A new member's post waiting for approval (newcomers/approvals.py).
    "approved": _l("A new member's post approved"), "rejected": _l("A new member's post kept back"),
}
OTHER_ACTION = _l("Moderation action")
# How a moderator undoes each action (its link and button).
UNDO_LABELS = {HIDDEN: _l("Show it again"), DELETED: _l("Restore it"), WARNED: _l("Withdraw the warning"),
               SUSPENDED: _l("Lift the suspension"), REMOVED_MEMBER: _l("Readmit them")}
for _code, _label in ACTION_LABELS.items():
    if _code not in (AUTO_HIDDEN, APPEALED):  # flags.py names its own
        audit.describe("moderation." + _code, _label)


def label(code, words):
    """Name an action code for the log (at import of the feature that records it)."""
    ACTION_LABELS[code] = words
    return code


@dataclass(slots=True)
class Line:
    """One entry of the log, said for one reader."""
    entry: LogEntry
    action: str  # the action's label
    by: str  # a role, or a name where the circle names its moderators
    target: str  # the words naming the item
    url: str | None  # where the item is, while the reader may see it
    undoable: bool = False  # moderators: undoing it may be offered (the undo page checks the rest)
    kept_until: object = None  # a deleted item's original, kept until then (moderators of what was removed)
    final: bool = False  # a deletion past its retention: for good


def entries_for(circle, moderating):
    """The circle's log newest first, for a reader (moderating: they see the authors' requests too)."""
    query = (LogEntry.select(LogEntry, User.id, User.display_name).join(
        User, join_type=peewee.JOIN.LEFT_OUTER, on=(LogEntry.actor == User.id), attr="actor_account")
             .where(LogEntry.circle == circle.id).order_by(LogEntry.created_at.desc(), LogEntry.id.desc()))
    return query if moderating else query.where(LogEntry.action != APPEALED)


def lines(circle, entries, reader, moderating, urls):
    """The Lines of one page of entries. urls: Item -> its address (from the view)."""
    entries = list(entries)
    found = items.describe(circle, {(e.target_kind, e.target_id) for e in entries
                                    if e.target_kind in (POST, THREAD, REVIEW, MEMBER) and e.target_id})
    reversed_ids, kept, people = set(), {}, {}
    if moderating and entries:
        people = {user.id: user for user in User.select(User.id, User.display_name, User.username).where(
            User.id.in_({e.target_user_id for e in entries if e.target_kind == MEMBER and e.target_user_id}))}
        ids = [e.id for e in entries]
        reversed_ids = {r for r, in LogEntry.select(LogEntry.reverses).where(LogEntry.reverses.in_(ids)).tuples()}
        kept = {r.entry_id: r for r in Removed.select(Removed.entry, Removed.purge_after, Removed.restored_at)
                .where(Removed.entry.in_([e.id for e in entries if e.action == DELETED]))}
    said = []
    for entry in entries:
        item = found.get((entry.target_kind, entry.target_id))
        if item is None and entry.target_kind == MEMBER:
            item = people.get(entry.target_user_id)  # no longer a member: their account
        target, url = _target(entry, item, reader, moderating, urls)
        line = Line(entry, str(ACTION_LABELS.get(entry.action, OTHER_ACTION)), _by(entry, circle), target, url)
        if moderating and entry.action in UNDOING and entry.id not in reversed_ids:
            line.undoable = True
            if entry.action == DELETED:
                removed = kept.get(entry.id)
                if removed is not None and removed.restored_at is not None:
                    line.undoable = False
                elif removed is None or removed.purge_after <= clock.now():  # purged, or about to be
                    line.undoable, line.final = False, True
                else:
                    line.kept_until = removed.purge_after
        said.append(line)
    return said


def _by(entry, circle):
    if entry.actor_role in (FLAGS, AUTHOR):
        return str(ROLE_LABELS[entry.actor_role])
    role = str(ROLE_LABELS.get(entry.actor_role, ROLE_LABELS["admin"]))
    account = getattr(entry, "actor_account", None)
    if circle.log_names_moderators and account is not None and account.id is not None:
        return _("%(name)s (%(role)s)", name=account.display_name, role=role)
    return role


def _target(entry, item, reader, moderating, urls):
    """The words naming entry's item for reader, and its address when they may still see it there."""
    kind = entry.target_kind
    if kind == MEMBER:
        if moderating and isinstance(item, User):  # no longer a member: their account, if it still exists
            return item.display_name, urls(items.Item(MEMBER, 0, 0, item.id, author_username=item.username))
        if moderating and item is not None:
            return item.author_name, urls(item)
        return _("a member"), None
    if item is None:
        return {POST: _("a post that no longer exists"), THREAD: _("a thread that no longer exists"),
                REVIEW: _("a review that no longer exists")}.get(kind, ""), None
    own = reader is not None and getattr(reader, "id", None) in (item.author_id, item.thread_author_id)
    if kind == REVIEW:
        return _("a review in “%(round)s”", round=item.where), urls(item) if moderating else None
    thread_removed = kind == THREAD and item.removed or not item.where
    thread_seen = not thread_removed and (moderating or own or not (item.thread_hidden or (
        kind == THREAD and item.hidden)))
    url = urls(item) if item.shown or (moderating and not item.removed) else None
    if kind == THREAD:
        if thread_removed:
            return _("a removed thread"), None
        return (_("the thread “%(title)s”", title=item.where) if thread_seen else _("a hidden thread")), url
    if thread_removed:
        return _("a post in a removed thread"), None
    return (_("a post in “%(title)s”", title=item.where) if thread_seen else _("a post in a hidden thread")), url
