"""@name suggestions while typing a post: the people of one circle, offered only to those who can post there.

The rest of mentions and quotes needs no route of its own: mentions are resolved when a post is stored
(mentions.py), and a quote is the thread page's reply box filled in (`?quote=`, discussions/views.py).
"""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from .. import web
from ..circles import access as circle_access
from . import access, mentions

bp = Blueprint("mentions", __name__)


@bp.route("/c/<slug>/mentions")
@login_required
def suggestions(slug):
    """Members of the circle whose name starts with or contains `q`, as a listbox for static/composer.js."""
    circle = circle_access.circle_or_404(slug)
    if not access.can_post(current_user, circle):
        abort(403)
    people = mentions.suggestions(circle, request.args.get("q", ""), current_user)
    return web.fragment("discussions/_mention_options.html", people=people)
