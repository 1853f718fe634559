"""Who may do what in a circle's discussions: one function per decision, used by views and templates
alike. Built on circles.access (membership and role, cached per request).
"""
from ..circles import access as circle_access
from ..circles.models import FACILITATOR, OWNER
from .models import KIND_LABELS
from .watching import CIRCLE_LEVEL_LABELS


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False)


def can_read_thread(user, thread):
    """Read a thread: whoever reads its circle, once it is published; a scheduled prompt before its time
    only its circle's facilitators and owner (who wrote or may change it); a hidden thread (moderation/) only
    its author and the circle's moderators (its page tells the others it is hidden, and nothing more)."""
    if not circle_access.can_view(user, thread.circle):
        return False
    if thread.is_scheduled and not can_schedule_prompts(user, thread.circle):
        return False
    return thread.hidden_at is None or can_see_hidden(user, thread, thread.circle)


def is_hidden_from(user, thread):
    """A thread user would read but for its being hidden from them: its page says it is hidden, nothing more."""
    return (thread.hidden_at is not None and circle_access.can_view(user, thread.circle)
            and not can_see_hidden(user, thread, thread.circle)
            and not (thread.is_scheduled and not can_schedule_prompts(user, thread.circle)))


def can_see_hidden(user, item, circle):
    """Read a hidden post or thread (item: anything with an author_id) of circle: its author and the circle's
    moderators. What a moderator deleted ("removed") nobody reads in its place: the owner reads the original
    among what moderators deleted (moderation/)."""
    return (_signed_in(user) and getattr(item, "hidden_kind", "") != "removed"
            and (item.author_id == user.id or circle_access.can_moderate(user, circle)))


def can_schedule_prompts(user, circle):
    """Schedule a thread to publish itself later, see, publish or cancel the scheduled ones: the circle's
    facilitators and owner."""
    return circle_access.role(user, circle) in (OWNER, FACILITATOR)


def can_post(user, circle):
    """Start threads and reply: the circle's members, unless suspended from it."""
    return circle_access.membership(user, circle) is not None and not circle_access.is_suspended(user, circle)


def can_reply(user, circle, thread):
    """A hidden thread takes no replies (they would tell its watchers of it) until it is shown again."""
    return can_post(user, circle) and not thread.locked and thread.hidden_at is None


def can_edit_post(user, post, thread):
    """Authors edit and delete their own posts, until a thread is locked."""
    return (_signed_in(user) and post.author_id == user.id and not post.is_deleted
            and not thread.locked)


def editable_posts(user, posts, thread):
    """The ids of the posts, among posts, that user may edit: asked once for a page of fifty."""
    return {post.id for post in posts if can_edit_post(user, post, thread)}


def can_react(user, circle):
    """Find a post helpful or say thanks for it: the circle's members, as for posting; in a locked thread too (a
    lock ends the conversation, not the thanks for it). Never to one's own post, nor to a deleted or hidden
    one: the domain refuses those (reactions.Refused), and the page shows them no buttons."""
    return can_post(user, circle)


def can_hide_posts(user, circle):
    """Hide a post from the circle, with a reason its author reads, and show it again: its moderators."""
    return circle_access.can_moderate(user, circle)


def can_accept_answer(user, thread):
    """Mark a reply of a question as its answer, change it or clear it: the question's author, and the
    circle's facilitators and owner, while they belong to the circle. (Only questions have answers, only
    their shown replies can be one: the domain refuses the rest, saying why.)"""
    found = circle_access.membership(user, thread.circle)
    return found is not None and (thread.author_id == user.id or found.role in (OWNER, FACILITATOR))


def can_hear_every_voice(user, circle):
    """See "Every voice" (who has not been heard in the circle) and welcome or check in with its members: the
    circle's facilitators and owner (not the instance admin, who is not part of the circle)."""
    return circle_access.role(user, circle) in (OWNER, FACILITATOR)


def init_app(app):
    app.jinja_env.globals.update(can_post=can_post, can_reply=can_reply, can_edit_post=can_edit_post,
                                 editable_posts=editable_posts, can_hide_posts=can_hide_posts, can_react=can_react,
                                 can_accept_answer=can_accept_answer, can_hear_every_voice=can_hear_every_voice,
                                 can_schedule_prompts=can_schedule_prompts, can_see_hidden=can_see_hidden,
                                 CIRCLE_LEVEL_LABELS=CIRCLE_LEVEL_LABELS,
                                 # A thread's kind, named in the reader's language: THREAD_KIND_LABELS[thread.kind].
                                 THREAD_KIND_LABELS=KIND_LABELS)
