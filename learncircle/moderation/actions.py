"""What a circle's moderators do about an item: keep it (dismiss its flags), hide it, delete it, warn its author,
suspend them from the circle, remove them; and undo each of these (show again, restore, withdraw the warning,
lift the suspension, readmit). Every action is written to the circle's log and the audit log, resolves the
item's open flags (each flagger hears the outcome, never who acted on whose flag), and tells the person it
concerns. Who may act is the caller's question (moderation.access); what cannot be done now raises Refused.

Notices point to the addresses of moderation.links (the item where it is read, the log, the circle).
"""
import datetime as dt
import json

from flask import current_app

from .. import audit, clock
from ..circles.models import AlreadyMember, Circle, Membership
from ..db import database
from ..discussions import mentions
from ..discussions.models import Post, Thread
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..notices import kinds
from ..notices.models import Notice
from ..reviews.models import CriterionResponse, Review
from . import hiding, items, log
from .items import REMOVED
from .links import Links
from .models import MEMBER, POST, REASON_MAX, REVIEW, THREAD, Flag, LogEntry, Removed

# What the log calls each action (codes stored in LogEntry.action; log.py and hiding's callers write some too).
KEPT, HIDDEN, UNHIDDEN, DELETED, RESTORED = "kept", "hidden", "unhidden", "deleted", "restored"
WARNED, WITHDRAWN, SUSPENDED, LIFTED, REMOVED_MEMBER, READMITTED = (
    "warned", "warning_withdrawn", "suspended", "suspension_lifted", "removed", "readmitted")
APPEALED = "appealed"  # the author asked for another look (moderation's flag views record it)
# Actions a moderator takes on a queue item, in the order the form offers them; which apply to an item's kind.
ACTIONS = (KEPT, HIDDEN, DELETED, WARNED, SUSPENDED, REMOVED_MEMBER)
CONTENT = (POST, THREAD, REVIEW)
# Each action's undoing.
UNDOING = {HIDDEN: UNHIDDEN, DELETED: RESTORED, WARNED: WITHDRAWN, SUSPENDED: LIFTED, REMOVED_MEMBER: READMITTED}
SETTINGS = audit.describe("moderation.settings", _l("Moderation settings changed"))
# What a suspension of a set length lasts: the form's choices.
PERIODS = {"1d": dt.timedelta(days=1), "3d": dt.timedelta(days=3), "7d": dt.timedelta(days=7),
           "30d": dt.timedelta(days=30)}


class Refused(Exception):
    """The action cannot be taken now; str(self) says why, in the language of the person acting."""


def applies(action, item):
    """Whether action can be taken on item at all (hiding and deleting are for content, not a member)."""
    if action in (HIDDEN, DELETED):
        return item.kind in CONTENT
    return action in ACTIONS


def act(circle, actor, item, action, reason, until=None):
    """Take action on item (from the review queue), resolving its open flags; return the LogEntry."""
    reason = _one_line(reason)
    if not reason:
        raise Refused(_("Give a reason in one line: it is written in the moderation log."))
    if not applies(action, item):
        raise Refused(_("That action does not apply to a member; choose another."))
    links = Links(circle)
    doing = {KEPT: _keep, HIDDEN: _hide, DELETED: _delete, WARNED: _warn, SUSPENDED: _suspend,
             REMOVED_MEMBER: _remove}[action]
    with database.atomic():
        entry = doing(circle, actor, item, reason, links, until) if action == SUSPENDED else \
            doing(circle, actor, item, reason, links)
        # Flaggers hear "showed it again" when keeping it undid what their flags hid.
        shown_again = action == KEPT and entry.showed_again
        resolve_flags(circle, item, action, links, told="shown" if shown_again else action)
    return entry


def _one_line(reason):
    return " ".join((reason or "").split())[:REASON_MAX]


def _author(item):
    return item.author_id


def _fresh(circle, item):
    """The item as it is inside the transaction (someone may have acted on it meanwhile)."""
    current = items.one(circle, item.kind, item.id)
    if current is None:
        raise Refused(_("That item no longer exists."))
    if current.removed:
        raise Refused(_("A moderator already deleted that item."))
    return current


# ---- on the item ---------------------------------------------------------------------------------

def _keep(circle, actor, item, reason, links):
    """Dismiss the flags; an item hidden by flags (or by a moderator, when its author asked for another look)
    is shown again."""
    current = _fresh(circle, item)
    show_again = current.kind in CONTENT and (current.hidden_by_flags or (
        current.hidden and current.hidden_kind == hiding.BY_MODERATOR and appealed(circle, current)))
    entry = log.record(circle, actor, KEPT, target_kind=item.kind, target_id=item.id, target_user=_author(item),
                       reason=reason)
    entry.showed_again = show_again
    if show_again:
        hiding.show(current.kind, current.id)
        Notice.send([current.author_id], kinds.content_shown(what=current.kind, where=current.where),
                    links.item(current), circle.id)
    return entry


def _hide(circle, actor, item, reason, links):
    """Hide it from the circle with a reason its author reads (again, with a new reason, if it was hidden)."""
    current = _fresh(circle, item)
    if current.deleted:
        raise Refused(_("Its author deleted it already: there is nothing left to hide."))
    hiding.hide(current.kind, current.id, why=hiding.BY_MODERATOR, reason=reason, by=actor)
    entry = log.record(circle, actor, HIDDEN, target_kind=item.kind, target_id=item.id, target_user=_author(item),
                       reason=reason)
    tell_hidden(circle, current, reason, links.item(current))
    return entry


def appealed(circle, item):
    """Whether the latest word in the log about item is its author asking for another look."""
    latest = (LogEntry.select(LogEntry.action).where(
        (LogEntry.circle == circle.id) & (LogEntry.target_kind == item.kind) & (LogEntry.target_id == item.id))
        .order_by(LogEntry.id.desc()).first())
    return latest is not None and latest.action == APPEALED


def tell_hidden(circle, item, reason, url):
    """Tell an author why a moderator hid their post, thread or review."""
    message = (kinds.post_hidden(thread=item.where, reason=reason) if item.kind == POST
               else kinds.content_hidden(what=item.kind, where=item.where, reason=reason))
    Notice.send([item.author_id], message, url, circle.id)


def _delete(circle, actor, item, reason, links):
    """Take the text out of the item, keeping the original in a Removed row for the owner and the instance
    admins to restore until REMOVED_RETENTION_DAYS have passed."""
    current = _fresh(circle, item)
    if current.deleted:
        raise Refused(_("Its author deleted it already: there is nothing left to delete."))
    entry = log.record(circle, actor, DELETED, target_kind=item.kind, target_id=item.id, target_user=_author(item),
                       reason=reason)
    now = clock.now()
    title, body = _take_out(current, reason, now)
    days = int(current_app.config["REMOVED_RETENTION_DAYS"])
    Removed.create(circle=circle, target_kind=item.kind, target_id=item.id, author=_author(item), title=title,
                   body=body, removed_at=now, entry=entry, purge_after=now + dt.timedelta(days=days))
    Notice.send([current.author_id], kinds.content_removed(what=current.kind, where=current.where, reason=reason),
                links.log, circle.id)
    return entry


def _take_out(item, reason, now):
    """Blank the item's text where it is stored and mark it removed; return (title, body) as they were."""
    if item.kind == POST:
        post = Post.get_by_id(item.id)
        Post.update(body="", body_html="", deleted_at=now, hidden_at=None, hidden_by=None, hidden_kind=REMOVED,
                    hidden_reason=reason).where(Post.id == post.id).execute()
        post._stop_being_the_answer()
        return item.where, post.body
    if item.kind == THREAD:
        thread = Thread.get_by_id(item.id)
        opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
        Thread.update(title="", hidden_at=now, hidden_kind=REMOVED, hidden_reason=reason).where(
            Thread.id == thread.id).execute()
        Post.update(body="", body_html="", deleted_at=now, hidden_kind=REMOVED).where(Post.id == opening.id).execute()
        return thread.title, opening.body
    review = Review.get_by_id(item.id)
    comments = {str(criterion): comment for criterion, comment in CriterionResponse.select(
        CriterionResponse.criterion, CriterionResponse.comment).where(
        (CriterionResponse.review == review.id) & (CriterionResponse.comment != "")).tuples()}
    body = json.dumps({"what_works": review.what_works, "could_be_better": review.could_be_better,
                       "comments": comments}, ensure_ascii=False)
    Review.update(what_works="", could_be_better="", hidden_at=now, hidden_kind=REMOVED, hidden_reason=reason).where(
        Review.id == review.id).execute()
    CriterionResponse.update(comment="").where(CriterionResponse.review == review.id).execute()
    return item.where, body


def _put_back(circle, removed):
    """Put a Removed row's original back where it was; the item is shown again."""
    if removed.target_kind == POST:
        rendered = mentions.render(removed.body, circle.id).html
        Post.update(body=removed.body, body_html=rendered, deleted_at=None, hidden_kind="", hidden_reason="").where(
            Post.id == removed.target_id).execute()
    elif removed.target_kind == THREAD:
        Thread.update(title=removed.title, hidden_at=None, hidden_kind="", hidden_reason="").where(
            Thread.id == removed.target_id).execute()
        rendered = mentions.render(removed.body, circle.id).html
        Post.update(body=removed.body, body_html=rendered, deleted_at=None, hidden_kind="").where(
            (Post.thread == removed.target_id) & (Post.number == 1)).execute()
    else:
        kept = json.loads(removed.body or "{}")
        Review.update(what_works=kept.get("what_works", ""), could_be_better=kept.get("could_be_better", ""),
                      hidden_at=None, hidden_by=None, hidden_kind="", hidden_reason="").where(
            Review.id == removed.target_id).execute()
        for criterion, comment in kept.get("comments", {}).items():
            CriterionResponse.update(comment=comment).where(
                (CriterionResponse.review == removed.target_id) & (CriterionResponse.criterion == int(criterion))
            ).execute()


# ---- on the author -------------------------------------------------------------------------------

def _membership(circle, actor, item):
    """The author's membership of circle, for acting on them; Refused when they left or may not be acted on."""
    found = Membership.get_or_none((Membership.user == _author(item)) & (Membership.circle == circle.id))
    if found is None:
        raise Refused(_("They are no longer a member of this circle."))
    if found.is_owner:
        raise Refused(_("The circle's owner cannot be warned, suspended or removed here."))
    if found.user_id == actor.id:
        raise Refused(_("You cannot warn, suspend or remove yourself."))
    return found


def _warn(circle, actor, item, reason, links):
    membership = _membership(circle, actor, item)
    entry = log.record(circle, actor, WARNED, target_kind=MEMBER, target_id=membership.id, target_user=_author(item),
                       reason=reason)
    Notice.send([_author(item)], kinds.moderation_warning(circle=circle.name, reason=reason), links.conduct,
                circle.id)
    return entry


def _suspend(circle, actor, item, reason, links, until):
    membership = _membership(circle, actor, item)
    if until is None or until <= clock.now():
        raise Refused(_("A suspension ends in the future: choose a later date."))
    Membership.update(suspended_until=until, suspended_reason=reason).where(Membership.id == membership.id).execute()
    entry = log.record(circle, actor, SUSPENDED, target_kind=MEMBER, target_id=membership.id,
                       target_user=_author(item), reason=reason, until=until)
    Notice.send([_author(item)], kinds.circle_suspension(circle=circle.name, until=until.isoformat(), reason=reason),
                links.circle, circle.id)
    return entry


def _remove(circle, actor, item, reason, links):
    membership = _membership(circle, actor, item)
    membership.remove()
    entry = log.record(circle, actor, REMOVED_MEMBER, target_kind=MEMBER, target_id=membership.id,
                       target_user=_author(item), reason=reason)
    Notice.send([_author(item)], kinds.removed_from_circle(circle=circle.name, reason=reason), "", None)
    return entry


# ---- the item's flags ----------------------------------------------------------------------------

def resolve_flags(circle, item, outcome, links, told=None):
    """Close the item's open flags with the outcome (inside the caller's transaction); each flagger is told it
    (or `told`), with the item's link while it is shown, else the log's."""
    open_flags = (Flag.target_kind == item.kind) & (Flag.target_id == item.id) & Flag.resolved_at.is_null() & (
        Flag.circle == circle.id)
    flaggers = [flagger for flagger, in Flag.select(Flag.flagger).where(open_flags).tuples()]
    if not flaggers:
        return 0
    Flag.update(resolved_at=clock.now(), resolution=outcome).where(open_flags).execute()
    shown = items.one(circle, item.kind, item.id)
    url = links.item(shown) if shown is not None and shown.shown else links.log
    Notice.send(flaggers, kinds.flag_resolved(item=_item_words(item), outcome=told or outcome), url, circle.id)
    return len(flaggers)


def _item_words(item):
    """What a flagger's notice calls the item: its thread's or round's title, or the member's name."""
    return item.where


# ---- the circle's settings ----------------------------------------------------------------------

def change_settings(circle, actor, *, auto_hide_threshold, log_names_moderators):
    """The owner sets how many members' flags hide an item, and whether the log names moderators."""
    with database.atomic():
        circle.auto_hide_threshold, circle.log_names_moderators = auto_hide_threshold, log_names_moderators
        Circle.update(auto_hide_threshold=auto_hide_threshold, log_names_moderators=log_names_moderators).where(
            Circle.id == circle.id).execute()
        audit.record(SETTINGS, actor=actor, circle=circle, subject=f"auto_hide_threshold={auto_hide_threshold} "
                                                                   f"log_names_moderators={log_names_moderators}")


# ---- undoing -------------------------------------------------------------------------------------

def undo(circle, actor, entry, reason):
    """Undo what entry did (show again, restore, withdraw, lift, readmit); return the new LogEntry."""
    reason = _one_line(reason)
    if not reason:
        raise Refused(_("Give a reason in one line: it is written in the moderation log."))
    links = Links(circle)
    with database.atomic():
        state = undoable(circle, entry)
        if state is not True:
            raise Refused(state)
        doing = UNDOING[entry.action]
        target_user = entry.target_user_id
        if entry.action == HIDDEN:
            item = items.one(circle, entry.target_kind, entry.target_id)
            hiding.show(item.kind, item.id)
            Notice.send([item.author_id], kinds.content_shown(what=item.kind, where=item.where), links.item(item),
                        circle.id)
        elif entry.action == DELETED:
            removed = Removed.get(Removed.entry == entry.id)
            _put_back(circle, removed)
            Removed.update(restored_at=clock.now(), title="", body="").where(Removed.id == removed.id).execute()
            item = items.one(circle, entry.target_kind, entry.target_id)
            Notice.send([item.author_id], kinds.content_restored(what=item.kind, where=item.where), links.item(item),
                        circle.id)
        elif entry.action == WARNED:
            Notice.send([target_user], kinds.warning_withdrawn(circle=circle.name), links.log, circle.id)
        elif entry.action == SUSPENDED:
            Membership.update(suspended_until=None, suspended_reason="").where(
                (Membership.user == target_user) & (Membership.circle == circle.id)).execute()
            Notice.send([target_user], kinds.suspension_lifted(circle=circle.name), links.circle, circle.id)
        else:
            try:
                Membership.join(user=target_user, circle=circle)
            except AlreadyMember:
                raise Refused(_("They are a member of this circle again already.")) from None
            Notice.send([target_user], kinds.readmitted_to_circle(circle=circle.name), links.circle, circle.id)
        return log.record(circle, actor, doing, target_kind=entry.target_kind, target_id=entry.target_id,
                          target_user=target_user, reason=reason, reverses=entry.id)


def undoable(circle, entry, now=None):
    """True when entry can be undone now, else why not (a sentence in the current language)."""
    now = now or clock.now()
    if entry.action not in UNDOING:
        return _("This action cannot be undone.")
    if LogEntry.select().where(LogEntry.reverses == entry.id).exists():
        return _("This was undone already.")
    if entry.action == HIDDEN:
        item = items.one(circle, entry.target_kind, entry.target_id)
        if item is None or not item.hidden or _later_about(entry, (HIDDEN, UNHIDDEN, KEPT, DELETED, RESTORED)):
            return _("It is not hidden by this decision any more.")
    elif entry.action == DELETED:
        removed = Removed.get_or_none(Removed.entry == entry.id)
        if removed is None or removed.purge_after <= now:
            return _("It was deleted for good: its retention period is over.")
        if removed.restored_at is not None:
            return _("This was undone already.")
    elif entry.action == SUSPENDED:
        membership = Membership.get_or_none((Membership.user == entry.target_user_id)
                                            & (Membership.circle == circle.id))
        if membership is None or membership.suspended_until is None or membership.suspended_until <= now \
                or _later_about(entry, (SUSPENDED, LIFTED)):
            return _("This suspension is over already.")
    elif entry.action == REMOVED_MEMBER:
        if entry.target_user_id is None:
            return _("That account no longer exists.")
        if Membership.select().where((Membership.user == entry.target_user_id)
                                     & (Membership.circle == circle.id)).exists():
            return _("They are a member of this circle again already.")
    return True


def _later_about(entry, actions):
    """Whether a later entry of the circle about the same target did one of actions."""
    return LogEntry.select().where(
        (LogEntry.circle == entry.circle_id) & (LogEntry.target_kind == entry.target_kind)
        & (LogEntry.target_id == entry.target_id) & (LogEntry.id > entry.id) & LogEntry.action.in_(actions)).exists()
