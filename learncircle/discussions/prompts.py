"""Scheduled prompts: threads a facilitator wrote ahead, hidden until their `publish_at`. The clock publishes
them (Thread.is_scheduled, Thread.is_published); here are the list facilitators see, publishing one at once
and cancelling one, each bringing along the notices dated at its time (new thread, mentions)."""
from .. import clock
from ..db import database
from ..notices.models import Notice
from .models import Post, Thread


def scheduled(circle):
    """A circle's scheduled prompts, soonest first."""
    return (Thread.select(Thread.id, Thread.title, Thread.kind, Thread.publish_at, Thread.author)
            .where((Thread.circle == circle) & (Thread.publish_at > clock.now()))
            .order_by(Thread.publish_at, Thread.id))


def publish_now(thread):
    """Publish a scheduled prompt at once: it and its opening post are dated now."""
    now = clock.now()
    with database.atomic():
        if not Thread.update(created_at=now, last_activity_at=now, publish_at=now).where(
                (Thread.id == thread.id) & (Thread.publish_at > now)).execute():
            return  # published meanwhile: it keeps its own time
        Post.update(created_at=now).where((Post.thread == thread.id) & (Post.number == 1)).execute()
        # Its notices were dated at its time: now is its time.
        Notice.update(created_at=now).where(_waiting_notices(thread, now)).execute()
    thread.created_at = thread.last_activity_at = thread.publish_at = now


def cancel(thread):
    """Delete a prompt that is still scheduled (nobody but facilitators has seen it); False when it was
    published meanwhile and so was kept."""
    now = clock.now()
    with database.atomic():
        waiting = _waiting_notices(thread, now)  # read before the thread and its posts go
        if not Thread.delete().where((Thread.id == thread.id) & (Thread.publish_at > now)).execute():
            return False
        Notice.delete().where(waiting).execute()  # nobody is to hear of it now
    return True


def _waiting_notices(thread, now):
    """Which notices about the prompt (a new thread in a watched circle, a mention in it) still wait for its
    time: they were dated then."""
    opening = [f"/p/{post_id}" for (post_id,) in
               Post.select(Post.id).where((Post.thread == thread.id) & (Post.number == 1)).tuples()]
    return ((Notice.circle == thread.circle_id) & Notice.url.in_([f"/t/{thread.id}", *opening])
            & (Notice.created_at > now))
