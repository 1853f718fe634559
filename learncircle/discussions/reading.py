"""What each member has read: per thread, the number of the last post they saw.

A thread is "new" to a member when it has posts past that number. A member who never opened a thread
has read none of it, but only threads active since they joined count as new to them: a circle's old
threads are not news to its newest member. Recording a visit is one upsert, only when the page shows a
post past what the reader had seen, and it never moves backwards (two tabs, an older page). It is not a
change of anything the member did: nothing else about them is touched.
"""
import logging

import peewee

from .. import clock
from ..circles.models import Circle, Membership
from ..db import Prepared, database
from .models import POSTS_PER_PAGE, Post, ReadState, Thread

log = logging.getLogger(__name__)


def unread_posts(post_count, last_read, last_activity_at, joined_at):
    """How many of a thread's posts a reader has not seen (deleted ones included: their places count)."""
    if last_read is not None:
        return max(post_count - last_read, 0)
    if joined_at is not None and last_activity_at is not None and last_activity_at > joined_at:
        return post_count
    return 0


def _seen(user_id):
    """How far user_id read the thread of the surrounding query, as a column (NULL: never opened)."""
    return (ReadState.select(ReadState.last_read)
            .where((ReadState.thread == Thread.id) & (ReadState.user == user_id)))


def with_read_state(query, user):
    """A thread query that also reads, as `thread.last_read`, how far user has read each thread (None:
    never opened, or no one is signed in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return query.select_extend(peewee.Value(None).alias("last_read"))
    return query.select_extend(_seen(user.id).alias("last_read"))


def thread_for_reader(thread_id, user):
    """The thread with its circle and, as `last_read`, how far user read it (None for a visitor), or None:
    the thread page's one query for all three."""
    if user is None or not getattr(user, "is_authenticated", False):
        thread = Thread.with_circle(thread_id)
        if thread is not None:
            thread.last_read = None
        return thread
    return _thread_for_reader.first(thread_id, user.id)


@Prepared
def _thread_for_reader(thread_id, user_id):
    return (Thread.select(Thread, Circle, _seen(user_id).alias("last_read")).join(Circle)
            .where(Thread.id == thread_id).limit(1))


def annotate(threads, joined_at):
    """Give each thread of a list (read with with_read_state) its `unread` count for a reader who joined
    the circle at joined_at (None: not a member, so nothing is new to them)."""
    for thread in threads:
        last_read = getattr(thread, "last_read", None)
        thread.unread = (0 if joined_at is None and last_read is None
                         else unread_posts(thread.post_count, last_read, thread.last_activity_at, joined_at))
    return threads


def last_read(user, thread):
    """The number of the last post of thread that user saw, or None."""
    row = _last_read.first(user.id, thread.id)
    return None if row is None else row.last_read


@Prepared
def _last_read(user_id, thread_id):
    return (ReadState.select(ReadState.last_read)
            .where((ReadState.user == user_id) & (ReadState.thread == thread_id)).limit(1))


def record(user, thread, number):
    """Remember that user saw thread up to post number (never less than they had seen).

    Called from a page view: when the database cannot take the write (locked past its timeout, a full
    disk) the page is still worth showing, so the failure is logged and the read state left behind.
    """
    try:
        with database.atomic():
            ReadState.upsert(user.id, thread.id, number)
    except peewee.OperationalError as error:
        log.warning("could not record that user %s read thread %s: %s", user.id, thread.id, error)
        return False
    return True


def first_unread(user, thread, joined_at):
    """Where "first unread" leads: the number of the first post user has not seen (the last post when
    they have seen them all)."""
    seen = last_read(user, thread)
    if seen is None:
        unread = unread_posts(thread.post_count, None, thread.last_activity_at, joined_at)
        seen = 0 if unread else thread.post_count - 1
    return min(seen + 1, max(thread.post_count, 1))


def post_numbered(thread, number):
    """The id and page of a thread's post by its number, or None."""
    row = (Post.select(Post.id).where((Post.thread == thread.id) & (Post.number == number)).first())
    return None if row is None else (row.id, (number - 1) // POSTS_PER_PAGE + 1)


def mark_circle_read(user, circle):
    """Everything in circle is read by user, up to its last post now (one statement however many threads)."""
    threads = (Thread.select(peewee.Value(user.id), Thread.id, Thread.post_count)
               .where((Thread.circle == circle.id) & Thread.is_published(clock.now())))
    with database.atomic():
        (ReadState.insert_from(threads, [ReadState.user, ReadState.thread, ReadState.last_read])
         .on_conflict(conflict_target=[ReadState.user, ReadState.thread],
                      update={ReadState.last_read: peewee.EXCLUDED.last_read},
                      where=(peewee.EXCLUDED.last_read > ReadState.last_read))
         .execute())


def unread_by_circle(user, circle_ids):
    """{circle id: unread posts} over the given circles of user's (circles with none are left out).

    One query: the member's threads active since they joined, or read and then added to."""
    if not circle_ids:
        return {}
    unread = Thread.post_count - peewee.fn.COALESCE(ReadState.last_read, 0)
    rows = (Thread.select(Thread.circle, peewee.fn.SUM(unread))
            .join(Membership, on=((Membership.circle == Thread.circle) & (Membership.user == user.id)))
            .join(ReadState, peewee.JOIN.LEFT_OUTER,
                  on=((ReadState.thread == Thread.id) & (ReadState.user == user.id)))
            .where(Thread.circle.in_(list(circle_ids)) & Thread.is_published(clock.now())
                   & ((ReadState.last_read.is_null() & (Thread.last_activity_at > Membership.joined_at))
                      | (ReadState.last_read < Thread.post_count)))
            .group_by(Thread.circle)
            .tuples())
    return {circle_id: int(count) for circle_id, count in rows if count}

