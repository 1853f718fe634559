"""New threads, replies and edits as the discussions' views ask for them, under new members' limits.

For everyone who is not new (rules.standing is None: most people, read without a query) these are
Thread.start, Thread.reply and Post.edit themselves. A new member's post is checked first (rules.LimitReached
says what went beyond a limit), and where the circle asks for it their first post is held for approval.
"""
from .. import formkeys
from ..db import database
from ..discussions.models import Thread
from . import approvals, rules


def start_thread(*, circle, author, title, kind, body, form_key=None, publish_at=None):
    """Thread.start under the limits; raises rules.LimitReached, or formkeys.DuplicateSubmission on a resend."""
    standing = rules.standing(author, circle)
    if standing is None:
        return Thread.start(circle=circle, author=author, title=title, kind=kind, body=body, form_key=form_key,
                            publish_at=publish_at)
    # The count of the day's threads and the new one in one write: two tabs at once cannot both pass.
    with database.atomic():
        _check(standing, body, form_key, author, new_thread=True)
        thread = Thread.start(circle=circle, author=author, title=title, kind=kind, body=body, form_key=form_key,
                              publish_at=publish_at, held=standing.holds)
        _stored(standing, circle)
    return thread


def reply(thread, *, author, body, form_key=None):
    """thread.reply under the limits; raises rules.LimitReached, discussions' ThreadLocked, or
    formkeys.DuplicateSubmission on a resend."""
    standing = rules.standing(author, thread.circle)
    if standing is None:
        return thread.reply(author=author, body=body, form_key=form_key)
    _check(standing, body, form_key, author)
    with database.atomic():
        post = thread.reply(author=author, body=body, form_key=form_key, held=standing.holds)
        _stored(standing, thread.circle)
    return post


def edit(post, body, by):
    """post.edit under the limits on links and images (a new member cannot add by editing what a post could not
    hold when sent); raises rules.LimitReached."""
    standing = rules.standing(by, post.thread.circle)
    if standing is not None:
        standing.check(body)
    post.edit(body)


def _stored(standing, circle):
    """After a new member's post was stored: held, the facilitators hear of it; shown, it counts as accepted."""
    if standing.holds:
        approvals.tell_facilitators(circle)
    else:
        rules.count_accepted(standing.membership_id, standing.accepted + 1)


def _check(standing, body, form_key, author, new_thread=False):
    """standing.check, except for a form sent again after it was stored: that one answers with what it stored."""
    try:
        standing.check(body, new_thread=new_thread)
    except rules.LimitReached:
        used = formkeys.UsedFormKey.get_or_none(formkeys.UsedFormKey.key == form_key[:64]) if form_key else None
        if used is not None:
            raise formkeys.DuplicateSubmission(used.result_url) from None
        raise
