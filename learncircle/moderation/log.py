"""Recording a moderation action: one LogEntry for the circle's members to read, and one audit event for the
instance admins (with the person and the address), in the caller's transaction."""
from .. import audit
from ..circles.models import FACILITATOR, OWNER, Membership
from ..db import database
from ..i18n import lazy_gettext as _l
from .models import LogEntry

ADMIN, FLAGS, AUTHOR = "admin", "flags", "author"
# How the log names the actor: by role, never by name (unless the circle chooses to name its moderators).
ROLE_LABELS = {OWNER: _l("the owner"), FACILITATOR: _l("a facilitator"), ADMIN: _l("an instance admin"),
               FLAGS: _l("members' flags"), AUTHOR: _l("the author")}


def role_of(actor, circle, item_author=None):
    """The role an action is logged under: the actor's role in the circle, else admin; None: members' flags;
    the item's author (item_author, passed by the caller: an author asking for another look) "the author"."""
    if actor is None:
        return FLAGS
    if item_author is not None and getattr(actor, "id", actor) == getattr(item_author, "id", item_author):
        return AUTHOR
    membership = Membership.of(actor, circle)
    if membership is not None and membership.role in (OWNER, FACILITATOR):
        return membership.role
    return ADMIN


def record(circle, actor, action, *, target_kind="", target_id=None, target_user=None, reason="", until=None,
           reverses=None, subject="", item_author=None):
    """Log action (a code the log page names) on an item or member of circle; return the entry.
    subject: a few words for the audit log (the circle's log names the item from its own state).
    item_author: the item's author, when they may be the actor (see role_of). The audit event of members'
    flags (actor None) keeps no address: it would be the last flagger's."""
    reason = " ".join((reason or "").split())
    with database.atomic():
        entry = LogEntry.create(
            circle=circle, actor=actor, actor_role=role_of(actor, circle, item_author), action=action,
            target_kind=target_kind, target_id=target_id, target_user=getattr(target_user, "id", target_user),
            reason=reason[:300], until=until, reverses=reverses)
        audit.record(f"moderation.{action}", actor=actor, circle=circle,
                     subject=subject or f"{target_kind} {target_id}".strip(), reason=reason,
                     address="" if actor is None else None)
    return entry
