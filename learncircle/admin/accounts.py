"""Accounts as the instance admin sees them: the list (searched, filtered by status) and the actions on one
account (suspend, lift the suspension, delete), each written to the audit log with its reason.

A suspension is two columns of the account (accounts.models.User): until when, and why. It ends every
session at once; sign-in is refused, saying until when and why, to whoever types the right password; and it
lifts by itself when the clock passes its end (no job runs for it).
"""
import peewee

from .. import audit, clock
from ..accounts import deletion
from ..accounts.models import SUSPENDED_INDEFINITELY, User
from ..circles.models import Circle, Membership
from ..db import database
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from .access import can_act_on, is_last_admin

ALL, ACTIVE, SUSPENDED, DELETING = "", "active", "suspended", "deleting"
STATUS_LABELS = {ALL: _l("Every account"), ACTIVE: _l("Active"), SUSPENDED: _l("Suspended"),
                 DELETING: _l("Scheduled for deletion")}
SEARCH_MAX = 100
# The largest id a database holds: bounding the id lets SQLite walk the accounts newest first by their
# primary key and stop at the end of a page, where an unbounded ORDER BY id reads as a scan of the table.
_LARGEST_ID = 2**63 - 1

SUSPEND = audit.describe("admin.suspend", _l("Suspended an account until a date"))
SUSPEND_INDEFINITELY = audit.describe("admin.suspend_indefinitely", _l("Suspended an account until lifted"))
LIFT = audit.describe("admin.lift_suspension", _l("Lifted an account's suspension"))
DELETE_KEEPING_POSTS = audit.describe("admin.delete_keep_posts",
                                      _l("Deleted an account, its posts kept as a deleted member's"))
DELETE_WITH_POSTS = audit.describe("admin.delete_remove_posts", _l("Deleted an account and its posts"))


class Refused(Exception):
    """An action the rules do not allow, with the sentence that says why (in the actor's language)."""


def listing(search="", status=ALL):
    """Accounts newest first (deleted ones are gone), each with .circle_count, in one query.

    search: a part of the name, username or email (case does not matter); status: one of STATUS_LABELS.
    """
    circles = (Membership.select(peewee.fn.COUNT(Membership.id)).where(Membership.user == User.id))
    query = (User.select(User.id, User.username, User.email, User.display_name, User.is_admin, User.created_at,
                         User.suspended_until, User.suspended_reason, User.deletion_requested_at,
                         circles.alias("circle_count"))
             .where((User.id < _LARGEST_ID) & User.deleted_at.is_null())
             .order_by(User.id.desc()))
    search = " ".join((search or "").split())[:SEARCH_MAX]
    if search:
        query = query.where(User.display_name.contains(search) | User.username.contains(search.lower())
                            | User.email.contains(search.lower()))
    now = clock.now()
    if status == SUSPENDED:
        query = query.where(User.suspended_until > now)
    elif status == DELETING:
        query = query.where(User.deletion_requested_at.is_null(False))
    elif status == ACTIVE:
        query = query.where((User.suspended_until.is_null() | (User.suspended_until <= now))
                            & User.deletion_requested_at.is_null())
    return query


def counts():
    """(suspended now, scheduled for deletion): the overview's two numbers."""
    live = User.select().where(User.deleted_at.is_null())
    return (live.where(User.suspended_until > clock.now()).count(),
            live.where(User.deletion_requested_at.is_null(False)).count())


def find(user_id):
    """The account the admin pages name by id; None for none, or one deleted (only its scrubbed row is left)."""
    return User.get_or_none((User.id == user_id) & User.deleted_at.is_null())


def circles_of(user):
    """The account's circles, each with its membership (role, joined), by name."""
    return Circle.of_user(user)


def subject_of(user):
    """How the audit log names the account, as it is now (the log outlives it)."""
    return f"{user.display_name} (@{user.username})"


def _may_act(user, by):
    """Refuse acting on oneself or on the last admin, inside the action's transaction: on SQLite it is the one
    writer; PostgreSQL locks the admins' rows, so two admins suspending each other at once are taken in turn."""
    if by is not None and by.id == user.id:
        raise Refused(_("You cannot do this to your own account."))
    if user.is_admin and database.for_update:
        list(User.select(User.id).where(User.is_admin).order_by(User.id).for_update())
    if is_last_admin(user):
        raise Refused(_("This is the last admin who can sign in: create another admin first."))
    if by is not None and not can_act_on(by, user):
        raise Refused(_("Only an instance admin can do this."))


def _one_line(reason):
    return " ".join((reason or "").split())


def suspend(user, *, by, reason, until=None):
    """Suspend the account until `until` (naive UTC; None: until an admin lifts it) and sign it out everywhere."""
    reason = _one_line(reason)
    if not reason:
        raise Refused(_("Say in a line why the account is suspended: its owner reads it when they try to sign in."))
    if until is not None and until <= clock.now():
        raise Refused(_("Choose a moment in the future, or suspend until lifted."))
    with database.atomic():
        _may_act(user, by)
        user.suspended_until = until or SUSPENDED_INDEFINITELY
        user.suspended_reason = reason[:300]
        user.save(only=[User.suspended_until, User.suspended_reason])
        user.end_all_sessions()
        if until is None:
            audit.record(SUSPEND_INDEFINITELY, actor=by, subject=subject_of(user), reason=reason)
        else:  # the end in UTC, the same for every reader of the log
            audit.record(SUSPEND, actor=by, reason=reason,
                         subject=f"{subject_of(user)} · {until:%Y-%m-%d %H:%M} UTC")
    return user


def lift(user, *, by, reason=""):
    """End the account's suspension now; False when it was not suspended (nothing is recorded then)."""
    with database.atomic():
        changed = (User.update(suspended_until=None, suspended_reason="")
                   .where((User.id == user.id) & (User.suspended_until > clock.now())).execute())
        if changed:
            audit.record(LIFT, actor=by, subject=subject_of(user), reason=_one_line(reason))
    user.suspended_until, user.suspended_reason = None, ""
    return bool(changed)


def delete(user, *, by, reason, remove_posts):
    """Delete the account for good (accounts.deletion.delete_now, which logs what it did too): its posts removed,
    or kept as a deleted member's. Final: it cannot be undone. An owner of circles hands them over first."""
    reason = _one_line(reason)
    if not reason:
        raise Refused(_("Say in a line why the account is deleted."))
    with database.atomic():
        _may_act(user, by)
        owned = deletion.owned_circles(user)
        if owned:
            raise Refused(_("This account owns circles, which cannot lose their owner: %(circles)s. Its owner "
                            "must hand each one over to another member first.",
                            circles=", ".join(circle.name for circle in owned)))
        audit.record(DELETE_WITH_POSTS if remove_posts else DELETE_KEEPING_POSTS, actor=by,
                     subject=subject_of(user), reason=reason)
        deletion.delete_now(user, remove_posts=remove_posts, by=by)
