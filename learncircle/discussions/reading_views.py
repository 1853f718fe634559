"""Unread posts: jumping to the first one a member has not seen, and marking a whole circle read."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from .. import web
from ..circles import access as circle_access
from ..i18n import gettext as _
from . import access, reading
from .models import Thread

bp = Blueprint("reading", __name__)


@bp.route("/t/<int:thread_id>/unread")
@login_required
def first_unread(thread_id):
    """Send the reader to the page and place of the first post they have not seen (no write: the page
    they land on records what they read)."""
    thread = Thread.with_circle(thread_id)
    if thread is None or not access.can_read_thread(current_user, thread):
        abort(404)
    membership = circle_access.membership(current_user, thread.circle)
    number = reading.first_unread(current_user, thread, membership.joined_at if membership else None)
    found = reading.post_numbered(thread, number)
    if found is None:  # an empty thread (cannot happen through the site): its page
        return redirect(url_for("discussions.thread", thread_id=thread.id))
    post_id, page = found
    return redirect(url_for("discussions.thread", thread_id=thread.id, page=page if page > 1 else None,
                            _anchor=f"post-{post_id}"))


@bp.route("/c/<slug>/read", methods=["POST"])
@login_required
def mark_circle_read(slug):
    """A member marks everything in a circle read (CSRFProtect has checked the form)."""
    circle = circle_access.circle_or_404(slug)
    if circle_access.membership(current_user, circle) is None:
        abort(403)
    reading.mark_circle_read(current_user, circle)
    flash(_("Everything in %(circle)s is marked read.", circle=circle.name), "success")
    return web.see_other(url_for("circles.circle", slug=circle.slug))
