"""Notices that become mail: called by Notice.send for every notice it stores, in the same transaction."""
from flask import has_app_context

from .. import clock
from ..accounts.models import User
from . import compose, enabled, outbox, preferences


def notices_sent(user_ids, message, url, at=None):
    """Queue an immediate mail of message for each of user_ids who chose so for its category; how many.

    A notice dated in the future (about a scheduled prompt) is not mailed: the prompt may still be cancelled
    or moved, which drops or moves its notices but could not call back a queued mail. It shows on the site at
    its time, and the digest lists the prompt's thread once it is published.
    """
    category = preferences.CATEGORY_OF.get(message.kind)
    if category is None or not user_ids or not has_app_context() or not enabled():
        return 0
    if at is not None and at > clock.now():
        return 0
    wanted = preferences.who_wants(user_ids, category)
    if not wanted:
        return 0
    count = 0
    for user in User.select().where(User.id.in_(wanted)):
        subject, text, html, headers = compose.notice_mail(user, message, url, category)
        outbox.enqueue(user.email, message.kind, subject, text, html, user_id=user.id, headers=headers)
        count += 1
    return count
