"""The unread-notices count in the site header: one indexed count per page, for signed-in people."""
from flask import g
from flask_login import current_user

from .models import Notice


def unread_notice_count():
    """How many notices the signed-in person has not read yet (0 for visitors)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notices" not in g:
        g.unread_notices = Notice.unread_count(current_user)
    return g.unread_notices


def init_app(app):
    app.jinja_env.globals.update(unread_notice_count=unread_notice_count)
