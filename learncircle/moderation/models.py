"""What moderation stores: members' flags, the circle's moderation log, and what a moderator deleted."""
import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Circle
from ..db import BaseModel

# What can be flagged: a post, a thread (its title and opening post), a peer review, a member (their profile
# and conduct in the circle).
POST, THREAD, REVIEW, MEMBER = "post", "thread", "review", "member"
TARGET_KINDS = (POST, THREAD, REVIEW, MEMBER)
# Why: a point of the circle's code of conduct (which one: conduct_point), spam, unkind, off-topic, other (note).
CONDUCT, SPAM, UNKIND, OFF_TOPIC, OTHER = "conduct", "spam", "unkind", "off_topic", "other"
REASONS = (CONDUCT, SPAM, UNKIND, OFF_TOPIC, OTHER)
NOTE_MAX, REASON_MAX = 500, 300


class Flag(BaseModel):
    """One member's report of one item to the circle's facilitators. Who flagged is never shown to anyone:
    the row exists so that each person flags an item once, and gets a receipt and the outcome."""
    circle = peewee.ForeignKeyField(Circle, on_delete="CASCADE", backref="+")
    target_kind = peewee.CharField(max_length=10)
    target_id = peewee.IntegerField()
    flagger = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    reason = peewee.CharField(max_length=12)
    conduct_point = peewee.IntegerField(null=True)  # the numbered point of the code of conduct, for CONDUCT
    note = peewee.CharField(max_length=NOTE_MAX, default="")
    created_at = peewee.DateTimeField(default=clock.now)
    # Set when a moderator acted on the item: what they decided (a LogEntry action), so the flag leaves the queue.
    resolved_at = peewee.DateTimeField(null=True)
    resolution = peewee.CharField(max_length=20, default="")

    class Meta:
        indexes = (
            (("flagger", "target_kind", "target_id"), True),  # one flag per person per item
            (("target_kind", "target_id", "resolved_at"), False),  # an item's open flags (auto-hide counts them)
            (("circle", "resolved_at", "created_at"), False),  # the circle's queue, oldest first
        )


class LogEntry(BaseModel):
    """One moderation action in a circle, as its members read it: what, to which item, when, by which role and
    why. The person who acted is kept for the audit log and the owner; flaggers never appear."""
    circle = peewee.ForeignKeyField(Circle, on_delete="CASCADE", backref="+")
    created_at = peewee.DateTimeField(default=clock.now)
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")  # None: members' flags
    actor_role = peewee.CharField(max_length=12)  # owner, facilitator, admin, or "flags" (auto-hide)
    action = peewee.CharField(max_length=20)
    target_kind = peewee.CharField(max_length=10, default="")
    target_id = peewee.IntegerField(null=True)
    # Whose item or which member it concerned: the author's history in the circle is read from here.
    target_user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    reason = peewee.CharField(max_length=REASON_MAX, default="")
    # For a suspension: until when. For an action that undoes another (unhide, restore, lift): that one.
    until = peewee.DateTimeField(null=True)
    reverses = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "moderation_entry"
        indexes = (
            (("circle", "created_at"), False),  # the log, newest first
            (("circle", "target_user", "created_at"), False),  # an author's history in the circle
            (("target_kind", "target_id"), False),  # an item's history
        )


class Removed(BaseModel):
    """The original of an item a moderator deleted, kept for the circle's owner and the instance admins to
    restore until purge_after (REMOVED_RETENTION_DAYS); then it is deleted for good."""
    circle = peewee.ForeignKeyField(Circle, on_delete="CASCADE", backref="+")
    target_kind = peewee.CharField(max_length=10)
    target_id = peewee.IntegerField()
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    title = peewee.CharField(max_length=200, default="")
    body = peewee.TextField(default="")
    removed_at = peewee.DateTimeField(default=clock.now)
    entry = peewee.ForeignKeyField(LogEntry, null=True, on_delete="SET NULL", backref="+")
    purge_after = peewee.DateTimeField()
    restored_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "removed_content"
        indexes = ((("target_kind", "target_id"), False), (("purge_after",), False))
