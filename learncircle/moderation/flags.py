"""Members' flags: one person's report of a post, thread, peer review or member to the circle's facilitators,
and auto-hide, which hides an item at once when enough members flagged it.

Who flagged is known to the database alone: the flagger gets a receipt and, later, the outcome; the
facilitators get a notice that flags wait (gathered while unread, like reactions), the author a notice when
their item is hidden, and the circle's log says "members' flags". No page, notice or mail names a flagger.

Auto-hide: an item with open (unresolved) flags from `circle.auto_hide_threshold` distinct people is hidden
until a facilitator reviews it; one flag from the circle's facilitators or owner, or from an instance admin,
is enough. A threshold below 1 turns auto-hide off. Members are not hidden: their flags only wait in the queue.
"""
import peewee

from .. import audit, clock
from ..accounts.models import User
from ..circles.models import FACILITATOR, OWNER, Membership
from ..db import database
from ..discussions.models import Post, Thread
from ..i18n import lazy_gettext as _l
from ..notices import kinds
from ..notices.models import Notice
from ..reviews.models import Review
from . import hiding, log
from .models import CONDUCT, MEMBER, NOTE_MAX, OTHER, POST, REASONS, REVIEW, THREAD, Flag, LogEntry

AUTO_HIDDEN, APPEALED = "auto_hidden", "appealed"  # the log's actions
audit.describe("moderation." + AUTO_HIDDEN, _l("Hidden by members' flags until reviewed"))
audit.describe("moderation." + APPEALED, _l("The author asked for another look"))
FLAGS_TO_REVIEW = "flags_to_review"  # the notice kind that gathers a moderator's unread flags


class Refused(Exception):
    """A flag (or a request for another look) that cannot be taken; `reason` says why."""
    OWN, GONE, HIDDEN, ALREADY = "own", "gone", "hidden", "already"
    NOT_HIDDEN, ASKED, NOT_AUTHOR = "not_hidden", "asked", "not_author"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def refusal(item, user):
    """Why user cannot flag item now (a Refused reason), or None. Who may flag in the circle at all is
    access.can_flag's question; a second flag is found by the unique index when it is stored."""
    if item.author_id == user.id:
        return Refused.OWN
    if item.gone:
        return Refused.GONE
    if item.is_hidden:
        return Refused.HIDDEN
    return None


def has_flagged(item, user):
    """Whether user already flagged item (the page then says so instead of offering the form)."""
    return Flag.select().where((Flag.flagger == user.id) & (Flag.target_kind == item.kind)
                               & (Flag.target_id == item.id)).exists()


def flag(item, flagger, reason, *, conduct_point=None, note="", item_url="", queue_url=""):
    """Store flagger's flag of item (a targets.Item) and tell whom it concerns; return whether it hid the item.

    reason: one of models.REASONS; conduct_point: the point of the code of conduct it breaks (CONDUCT only);
    note: the flagger's words (required for OTHER). item_url: where the item is (the receipt and the author's
    notice link to it); queue_url: the circle's review queue (the facilitators' notice links to it).
    Raises Refused (own item, deleted, hidden, already flagged by them), ValueError for a reason or note that
    does not fit (the form says so first)."""
    note = " ".join((note or "").split())
    if reason not in REASONS or (reason == OTHER and not note) or len(note) > NOTE_MAX:
        raise ValueError("a flag needs a known reason, and words for 'other'")
    refused = refusal(item, flagger)
    if refused:
        raise Refused(refused)
    now, circle = clock.now(), item.circle
    with database.atomic():
        if _hidden_or_gone_now(item):  # changed since the page was read: a moderator or other flags were quicker
            raise Refused(Refused.HIDDEN)
        try:
            with database.atomic():  # a savepoint: on PostgreSQL the transaction outlives the conflict
                Flag.create(circle=circle.id, target_kind=item.kind, target_id=item.id, flagger=flagger.id,
                            reason=reason, conduct_point=conduct_point if reason == CONDUCT else None, note=note,
                            created_at=now)
        except peewee.IntegrityError:
            raise Refused(Refused.ALREADY) from None
        Notice.send([flagger.id], kinds.flag_received(item=item.title, what=item.kind), item_url, circle.id, at=now)
        _tell_moderators(item, skip={flagger.id, item.author_id}, url=queue_url, now=now)
        return _hide_if_flagged_enough(item, item_url)


def _hidden_or_gone_now(item):
    """Read the item's state again inside the transaction."""
    if item.kind == POST:
        row = Post.select(Post.hidden_at, Post.deleted_at).where(Post.id == item.id).tuples().first()
        return row is None or any(row)
    if item.kind == THREAD:
        row = Thread.select(Thread.hidden_at).where(Thread.id == item.id).tuples().first()
        return row is None or row[0] is not None
    if item.kind == REVIEW:
        row = Review.select(Review.hidden_at).where(Review.id == item.id).tuples().first()
        return row is None or row[0] is not None
    return False


def moderators(circle_id):
    """The ids of a circle's facilitators and owner."""
    return [user_id for (user_id,) in Membership.select(Membership.user).where(
        (Membership.circle == circle_id) & Membership.role.in_((OWNER, FACILITATOR))).tuples()]


def _tell_moderators(item, *, skip, url, now):
    """Each moderator's one unread notice of flags waiting, counting those since it began (the flaggers unnamed)."""
    circle = item.circle
    for user_id in moderators(circle.id):
        if user_id in skip:
            continue
        notice = Notice.unread_about(user_id, FLAGS_TO_REVIEW, url)
        if notice is None:
            Notice.send([user_id], kinds.flags_to_review(circle=circle.name, count=1), url, circle.id, at=now)
            continue
        count = Flag.select().where((Flag.circle == circle.id) & Flag.resolved_at.is_null()
                                    & (Flag.created_at >= notice.created_at)).count()
        notice.restate(kinds.flags_to_review(circle=circle.name, count=max(count, 1)))


def open_flag_count(item):
    """How many open flags item has (the moderators' placeholder says so)."""
    return Flag.select().where((Flag.target_kind == item.kind) & (Flag.target_id == item.id)
                               & Flag.resolved_at.is_null()).count()


def open_counts(kind, ids):
    """{id: open flags} for items of kind among ids (a thread page's posts, in one query)."""
    if not ids:
        return {}
    rows = (Flag.select(Flag.target_id, peewee.fn.COUNT(Flag.id))
            .where((Flag.target_kind == kind) & Flag.target_id.in_(list(ids)) & Flag.resolved_at.is_null())
            .group_by(Flag.target_id).tuples())
    return dict(rows)


def _hide_if_flagged_enough(item, url):
    """Auto-hide: hide item when its open flags reach the circle's threshold (inside the caller's write)."""
    threshold = item.circle.auto_hide_threshold
    if item.kind == MEMBER or threshold < 1:
        return False
    flaggers = [user_id for (user_id,) in Flag.select(Flag.flagger).where(
        (Flag.target_kind == item.kind) & (Flag.target_id == item.id) & Flag.resolved_at.is_null()).tuples()]
    if len(set(flaggers)) < threshold and not _any_moderator(flaggers, item.circle.id):
        return False
    if not hiding.hide(item.kind, item.id, why=hiding.BY_FLAGS):
        return False
    log.record(item.circle, None, AUTO_HIDDEN, target_kind=item.kind, target_id=item.id,
               target_user=item.author_id)
    if item.author_id is not None:
        Notice.send([item.author_id], kinds.hidden_by_flags(item=item.title, what=item.kind), url, item.circle.id)
    item.hidden_at, item.hidden_kind = clock.now(), hiding.BY_FLAGS
    return True


def _any_moderator(user_ids, circle_id):
    """Whether any of user_ids is the circle's facilitator or owner, or an instance admin: their flag is enough."""
    if not user_ids:
        return False
    role = Membership.select().where((Membership.circle == circle_id) & Membership.user.in_(user_ids)
                                     & Membership.role.in_((OWNER, FACILITATOR)))
    return role.exists() or User.select().where(User.id.in_(user_ids) & User.is_admin).exists()


def ask_another_look(item, author, queue_url=""):
    """The author of a hidden post or thread (hidden by flags or by a moderator) asks the circle's facilitators
    to look again, once per hiding: logged as "appealed" by "the author", which puts it in the review queue,
    and the moderators get a notice linking to queue_url. Raises Refused."""
    if item.author_id != author.id:
        raise Refused(Refused.NOT_AUTHOR)
    if item.kind not in (POST, THREAD) or item.gone or not item.is_hidden:
        raise Refused(Refused.NOT_HIDDEN)
    with database.atomic():
        if _asked_since(item):
            raise Refused(Refused.ASKED)
        log.record(item.circle, author, APPEALED, target_kind=item.kind, target_id=item.id,
                   target_user=author.id, item_author=author)
        others = [user_id for user_id in moderators(item.circle.id) if user_id != author.id]
        Notice.send(others, kinds.another_look_asked(item=item.title, what=item.kind), queue_url, item.circle.id)


def asked_for_another_look(item):
    """Whether the author asked for another look and no moderator acted on the item since (once per hiding)."""
    return item.is_hidden and _asked_since(item)


def _asked_since(item):
    """The item's latest log entry is the author's request (what the review queue lists)."""
    latest = (LogEntry.select(LogEntry.action).where((LogEntry.target_kind == item.kind)
                                                     & (LogEntry.target_id == item.id))
              .order_by(LogEntry.created_at.desc(), LogEntry.id.desc()).scalar())
    return latest == APPEALED
