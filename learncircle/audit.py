"""The instance's audit log: every admin and moderation action, who took it, when and from which address.

Instance admins read it (admin pages); it is kept for AUDIT_RETENTION_DAYS, then pruned. It is not the
circle's moderation log that members read (moderation/): that one names a role, never a person or an
address, and stays. Features describe their action codes here once, so the admin page can say them.
"""
import datetime as dt

import peewee
from flask import current_app, has_request_context, request

from . import clock, housekeeping
from .accounts.models import User
from .circles.models import Circle
from .db import BaseModel, database

ACTION_MAX, SUBJECT_MAX, REASON_MAX = 40, 200, 300
# What the admin page calls each action code (a lazy translation), filled by the features that record them.
LABELS = {}


def describe(code, label):
    """Name an action code for the audit page (at import of the feature that records it)."""
    LABELS[code] = label
    return code


class AuditEvent(BaseModel):
    created_at = peewee.DateTimeField(default=clock.now)
    # The actor's name is copied: the log outlives an account that is deleted.
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    actor_name = peewee.CharField(max_length=80, default="")
    address = peewee.CharField(max_length=45, default="")  # the client address, "cli" from the command line
    action = peewee.CharField(max_length=ACTION_MAX)
    circle = peewee.ForeignKeyField(Circle, null=True, on_delete="SET NULL", backref="+")
    subject = peewee.CharField(max_length=SUBJECT_MAX, default="")  # what it was done to, in a few words
    reason = peewee.CharField(max_length=REASON_MAX, default="")

    class Meta:
        table_name = "audit_event"
        indexes = ((("created_at",), False), (("circle", "created_at"), False))

    @property
    def label(self):
        return LABELS.get(self.action, self.action)


def client_address():
    """Where the request came from (ProxyFix already applied PROXY_COUNT), or "cli" outside a request."""
    if has_request_context():
        return (request.remote_addr or "")[:45]
    return "cli"


def record(action, *, actor=None, circle=None, subject="", reason="", address=None):
    """Write one event (inside the caller's transaction, when there is one); address: the client's unless given."""
    with database.atomic():
        return AuditEvent.create(
            action=action[:ACTION_MAX], actor=getattr(actor, "id", actor),
            actor_name=(getattr(actor, "display_name", "") or "")[:80],
            address=client_address() if address is None else address,
            circle=getattr(circle, "id", circle), subject=(subject or "")[:SUBJECT_MAX],
            reason=" ".join((reason or "").split())[:REASON_MAX])


def recent(circle=None):
    """Events newest first (of one circle, or all), with the actor's name as it was."""
    query = AuditEvent.select().order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if circle is not None:
        query = query.where(AuditEvent.circle == getattr(circle, "id", circle))
    return query


def prune(now=None):
    """Delete events older than AUDIT_RETENTION_DAYS; return how many went."""
    days = int(current_app.config["AUDIT_RETENTION_DAYS"])
    cutoff = (now or clock.now()) - dt.timedelta(days=days)
    with database.atomic():
        return AuditEvent.delete().where(AuditEvent.created_at < cutoff).execute()


housekeeping.register("audit.prune", prune)
