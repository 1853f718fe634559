"""The audit log as the admin page reads it: newest first, of one circle or all, of one action or a kind of
action (every admin action, every moderation action), with each event's circle in the same query.

Events past AUDIT_RETENTION_DAYS are left out even before `learncircle prune` deletes them: the page shows
what the instance keeps. That bound is also what lets the database read the list through its index.
"""
import datetime as dt

import peewee
from flask import current_app

from .. import audit, clock
from ..audit import AuditEvent
from ..circles.models import Circle
from ..i18n import lazy_gettext as _l

# Kinds of action, by the prefix of their codes (admin/accounts.py's, moderation's, accounts/deletion.py's).
GROUPS = {"admin.": _l("Every admin action"), "moderation.": _l("Every moderation action"),
          "account.": _l("Every step of members deleting their accounts")}
CIRCLES_MAX = 500  # the circle filter's choices (a larger instance filters from an event's circle link)


def events(circle_id=None, action=""):
    """The events kept, newest first, each with .circle (None when it concerned no circle, or one deleted)."""
    cutoff = clock.now() - dt.timedelta(days=int(current_app.config["AUDIT_RETENTION_DAYS"]))
    query = (audit.recent(circle_id).select_extend(Circle.id, Circle.name, Circle.slug)
             .join(Circle, peewee.JOIN.LEFT_OUTER, on=(AuditEvent.circle == Circle.id))
             .where(AuditEvent.created_at >= cutoff))
    if action in GROUPS:
        query = query.where(AuditEvent.action.startswith(action))
    elif action:
        query = query.where(AuditEvent.action == action)
    return query


def action_choices():
    """(code, label) for the action filter: the kinds, then every described action by its label."""
    described = sorted(audit.LABELS.items(), key=lambda item: str(item[1]).casefold())
    return [*GROUPS.items(), *described]


def circle_choices():
    """(id, name) of the circles the filter offers, by name."""
    return list(Circle.select(Circle.id, Circle.name).order_by(Circle.name, Circle.id).limit(CIRCLES_MAX).tuples())
