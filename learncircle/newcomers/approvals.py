"""A new member's posts waiting for a facilitator's approval (where the circle asks for it: rules.Limits.approval).

A held post is stored hidden (hidden_kind "approval"; a new thread is hidden whole too) and tells nobody but the
circle's facilitators, who find it on the approvals page. Approving shows it and sends then what posting it
would have sent (mentions, watchers, a new thread's notice); rejecting keeps it hidden with a reason its author
reads, and the author may edit it and ask again. Both go into the circle's moderation log.
"""
from .. import clock
from ..accounts.models import User
from ..circles.models import FACILITATOR, OWNER, Membership
from ..db import database
from ..discussions import mentions, watching
from ..discussions.models import Post, Thread
from ..moderation import hiding, log
from ..moderation.models import POST, THREAD
from ..notices import kinds
from ..notices.models import Notice
from . import rules

HELD = hiding.AWAITING_APPROVAL
APPROVED, REJECTED = "approved", "rejected"  # the moderation log's actions
PER_PAGE = 20


class AlreadyDecided(Exception):
    """The post is no longer waiting (another facilitator decided first, or its author deleted it)."""


def page_url(circle):
    """The approvals page, where the facilitators' notices lead."""
    return f"/c/{circle.slug}/moderation/approvals"


def is_waiting(post):
    """A held post nobody has decided on yet (a rejected one keeps its reason until its author asks again)."""
    return post.hidden_kind == HELD and post.hidden_at is not None and not post.hidden_reason \
        and post.deleted_at is None


def is_rejected(post):
    return post.hidden_kind == HELD and post.hidden_at is not None and bool(post.hidden_reason) \
        and post.deleted_at is None


def waiting(circle):
    """The circle's held posts waiting for a decision, oldest first, each with its thread and author (paginate:
    the post index on (hidden_kind, created_at) gives them in order)."""
    return (Post.select(Post.id, Post.number, Post.body_html, Post.created_at, Post.edited_at, Post.thread,
                        Post.author, Thread.id, Thread.title, Thread.hidden_kind, User.id, User.display_name,
                        User.username)
            .join(Thread, on=(Post.thread == Thread.id))
            .switch(Post).join(User, on=(Post.author == User.id))
            .where((Post.hidden_kind == HELD) & (Post.hidden_reason == "") & Post.hidden_at.is_null(False)
                   & Post.deleted_at.is_null() & (Thread.circle == circle.id))
            .order_by(Post.hidden_kind, Post.created_at, Post.id))


def held_in(circle, post_id):
    """A post of circle that is or was held for approval (waiting or rejected), with its thread and author;
    None for any other."""
    post = (Post.select(Post, Thread, User).join(Thread, on=(Post.thread == Thread.id))
            .switch(Post).join(User, on=(Post.author == User.id))
            .where((Post.id == post_id) & (Thread.circle == circle.id) & (Post.hidden_kind == HELD)).first())
    if post is not None:
        post.thread.circle = circle
    return post


def tell_facilitators(circle):
    """A notice to the circle's owner and facilitators that a post waits, unless one they have not read says so
    already (inside the caller's write)."""
    url = page_url(circle)
    people = [user_id for (user_id,) in Membership.select(Membership.user).where(
        (Membership.circle == circle.id) & Membership.role.in_((OWNER, FACILITATOR))).tuples()]
    told = {user_id for (user_id,) in Notice.select(Notice.user).where(
        Notice.user.in_(people) & Notice.read_at.is_null() & (Notice.kind == "approval_waiting")
        & (Notice.url == url)).tuples()} if people else set()
    return Notice.send([person for person in people if person not in told], kinds.approval_waiting(circle=circle.name),
                       url, circle.id)


def _opens_held_thread(post):
    """Whether post opens a thread held with it (the thread is shown or hidden with its first post)."""
    return post.number == 1 and post.thread.hidden_kind == HELD and post.thread.hidden_at is not None


def _current(post):
    return (Post.select(Post.id, Post.hidden_at, Post.hidden_kind, Post.hidden_reason, Post.deleted_at)
            .where(Post.id == post.id).first())


def _target(post, opening):
    return (THREAD, post.thread_id) if opening else (POST, post.id)


def approve(post, by, reason=""):
    """Show a waiting post (and the thread it opens) to the circle, and send the notices it would have sent
    when posted; log it. Raises AlreadyDecided. post: as held_in returns it."""
    thread, circle, author = post.thread, post.thread.circle, post.author
    rendered = mentions.render(post.body, circle.id)  # outside the write: parsing is the slow part
    now = clock.now()
    with database.atomic():
        current = _current(post)
        if current is None or not is_waiting(current):
            raise AlreadyDecided()
        opening = _opens_held_thread(post)
        hiding.show(POST, post.id)
        if opening:
            hiding.show(THREAD, thread.id)
            thread.hidden_at, thread.hidden_kind = None, ""
        # Shown now: the circle's list moves the thread up, unless replies shown meanwhile are later.
        (Thread.update(last_activity_at=now, last_author=author.id)
         .where((Thread.id == thread.id) & (Thread.last_activity_at <= post.created_at)).execute())
        post.hidden_at, post.hidden_kind = None, ""
        mentions.notify(rendered, post=post, thread=thread, author=author)
        if opening:
            watching.tell_of_new_thread(thread, author, circle.name)
        else:
            watching.tell_of_reply(thread, post, author, skip=rendered.mentioned)
        Notice.send([author.id], kinds.post_approved(thread=thread.title), f"/p/{post.id}", circle.id)
        rules.recount(author.id, circle.id)
        kind, target_id = _target(post, opening)
        log.record(circle, by, APPROVED, target_kind=kind, target_id=target_id, target_user=author, reason=reason)


def reject(post, by, reason):
    """Keep a waiting post hidden, with reason (one line, required) for its author, who is told and may edit it
    and ask again; log it. Raises AlreadyDecided, ValueError for an empty reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValueError("a rejection needs a reason")
    thread, circle = post.thread, post.thread.circle
    with database.atomic():
        current = _current(post)
        if current is None or not is_waiting(current):
            raise AlreadyDecided()
        opening = _opens_held_thread(post)
        hiding.hide(POST, post.id, why=HELD, reason=reason, by=by)
        if opening:
            hiding.hide(THREAD, thread.id, why=HELD, reason=reason, by=by)
        post.hidden_reason = reason
        Notice.send([post.author_id], kinds.post_not_approved(thread=thread.title, reason=reason), f"/p/{post.id}",
                    circle.id)
        kind, target_id = _target(post, opening)
        log.record(circle, by, REJECTED, target_kind=kind, target_id=target_id, target_user=post.author_id,
                   reason=reason)


def ask_again(post):
    """The author of a rejected post (edited, one hopes) puts it back among those waiting, and the facilitators
    are told. Returns False when it is waiting already; raises AlreadyDecided when it is no longer held."""
    thread, circle = post.thread, post.thread.circle
    with database.atomic():
        current = _current(post)
        if current is not None and is_waiting(current):
            return False
        if current is None or not is_rejected(current):
            raise AlreadyDecided()
        opening = _opens_held_thread(post)
        hiding.hide(POST, post.id, why=HELD, reason="")
        if opening:
            hiding.hide(THREAD, thread.id, why=HELD, reason="")
        post.hidden_reason = ""
        tell_facilitators(circle)
    return True

