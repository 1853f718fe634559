"""Who hears of what happens in a circle's discussions: notification levels per thread and per circle.

Levels: watching (a notice for every reply; for a circle, also for every new thread), normal (only what is
addressed to you: mentions, an accepted answer, reactions, reviews), muted. A thread's author and everyone
who replies watch it unless they chose otherwise for that thread. A circle's level applies to its threads
that have no level of the member's own; a muted circle is silent whatever its threads' levels, except for what
is addressed to the member.

Replies are gathered: while a member has not read the notice about a thread's replies, the next reply
restates it ("New replies in …") and moves it up instead of adding one notice per reply.
"""
import peewee

from .. import clock
from ..accounts.models import User
from ..circles.models import Membership
from ..db import BaseModel, database
from ..i18n import lazy_gettext as _l
from ..notices import kinds
from ..notices.models import Notice
from ..people.models import has_blocked
from .models import Thread

WATCHING, NORMAL, MUTED = "watching", "normal", "muted"
LEVELS = (WATCHING, NORMAL, MUTED)
LEVEL_NAMES = {WATCHING: _l("Watching"), NORMAL: _l("Normal"), MUTED: _l("Muted")}
THREAD_LEVEL_LABELS = {
    WATCHING: _l("Watching: a notice for every reply"),
    NORMAL: _l("Normal: only when someone mentions you or marks your reply as the answer"),
    MUTED: _l("Muted: no notices about replies"),
}


class ThreadWatch(BaseModel):
    """A member's notification level for one thread, when it is not their circle's."""
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+", index=False)  # (user, thread) serves
    thread = peewee.ForeignKeyField(Thread, on_delete="CASCADE", backref="+")
    level = peewee.CharField(max_length=10)

    class Meta:
        indexes = ((("user", "thread"), True),)


CIRCLE_LEVEL_LABELS = {
    WATCHING: _l("Watching: a notice for every new thread and every reply"),
    NORMAL: _l("Normal: replies in threads you started or replied to, and what is addressed to you"),
    MUTED: _l("Muted: only what is addressed to you (mentions, answers, reactions, reviews)"),
}
REPLY_KINDS = ("thread_replied", "thread_replies")


def replies_url(thread_id):
    """Where a notice about replies leads: the first post the reader has not seen."""
    return f"/t/{thread_id}/unread"


def thread_level(user, thread, membership):
    """(level, chosen): the level that applies to user in thread, and whether they set it for the thread."""
    row = (ThreadWatch.select(ThreadWatch.level)
           .where((ThreadWatch.user == user.id) & (ThreadWatch.thread == thread.id)).first())
    if row is not None:
        return row.level, True
    return (membership.notify_level if membership else NORMAL), False


def set_thread_level(user, thread, level):
    if level not in LEVELS:
        raise ValueError(level)
    with database.atomic():
        (ThreadWatch.insert(user=user.id, thread=thread.id, level=level)
         .on_conflict(conflict_target=[ThreadWatch.user, ThreadWatch.thread], update={ThreadWatch.level: level})
         .execute())


def set_circle_level(membership, level):
    if level not in LEVELS:
        raise ValueError(level)
    with database.atomic():
        Membership.update(notify_level=level).where(Membership.id == membership.id).execute()
    membership.notify_level = level


def watch_by_default(user_id, thread_id):
    """Whoever writes in a thread watches it, unless they chose a level for it (inside the caller's write)."""
    (ThreadWatch.insert(user=user_id, thread=thread_id, level=WATCHING)
     .on_conflict_ignore()
     .execute())


def _hearing(circle_id, thread_id, author_id, exclude):
    """Ids of the circle's members who hear of replies in thread_id (by its level or their circle's), but not
    those who blocked author_id, whose reply it is (in the same query)."""
    explicit = ThreadWatch.alias()
    query = (Membership.select(Membership.user)
             .join(explicit, peewee.JOIN.LEFT_OUTER,
                   on=((explicit.user == Membership.user) & (explicit.thread == thread_id)))
             .where((Membership.circle == circle_id) & (Membership.notify_level != MUTED)
                    & ((explicit.level == WATCHING)
                       | (explicit.level.is_null() & (Membership.notify_level == WATCHING)))
                    & ~has_blocked(Membership.user, author_id))
             .tuples())
    return [user_id for (user_id,) in query if user_id not in exclude]


def tell_of_reply(thread, post, author, skip=()):
    """Notices about a new reply, inside the caller's write: to those who hear of the thread's replies, but
    not its author, those in skip (mentioned in it: they get that notice instead) nor those who blocked its
    author (people/). Nobody hears of a hidden reply (a new member's, waiting for approval:
    newcomers/approvals.py tells them once it is approved)."""
    if post.hidden_at is not None:
        return 0
    people = _hearing(thread.circle_id, thread.id, author.id, {author.id, *skip})
    if not people:
        return 0
    url, now = replies_url(thread.id), clock.now()
    gathered = dict(Notice.select(Notice.user, Notice.id)
                    .where(Notice.user.in_(people) & Notice.read_at.is_null() & (Notice.url == url)
                           & Notice.kind.in_(REPLY_KINDS))
                    .tuples())
    if gathered:
        message = kinds.thread_replies(thread=thread.title)
        (Notice.update(kind=message.kind, params=message.stored(), created_at=now)
         .where(Notice.id.in_(list(gathered.values()))).execute())
    fresh = [user_id for user_id in people if user_id not in gathered]
    Notice.send(fresh, kinds.thread_replied(name=author.display_name, thread=thread.title), url, thread.circle_id)
    return len(people)


def tell_of_new_thread(thread, author, circle_name):
    """Notices about a new thread to the circle's members who watch the whole circle, dated when it is
    published (a scheduled prompt's notices wait for its time: see Notice.shown); none for a hidden thread, nor
    for those who blocked its author (people/)."""
    if thread.hidden_at is not None:
        return 0
    people = [user_id for (user_id,) in Membership.select(Membership.user)
              .where((Membership.circle == thread.circle_id) & (Membership.notify_level == WATCHING)
                     & (Membership.user != author.id) & ~has_blocked(Membership.user, author.id)).tuples()]
    return Notice.send(people, kinds.thread_started(name=author.display_name, thread=thread.title,
                                                    circle=circle_name),
                       f"/t/{thread.id}", thread.circle_id, at=thread.created_at)
