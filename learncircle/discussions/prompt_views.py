"""Scheduled prompts: a facilitator publishes one now or cancels it before its time.

Scheduling is part of starting a thread (views.new_thread); publishing needs no job: a prompt is shown
once the clock passes its time (Thread.is_scheduled).
"""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user, login_required

from .. import web
from ..i18n import gettext as _
from . import access, prompts
from .models import Thread

bp = Blueprint("prompts", __name__)


def _scheduled_prompt(thread_id):
    """The thread, for those who may schedule prompts in its circle (404 for who cannot read it, 403 for
    other readers), still scheduled; a prompt already published needs nothing more (None)."""
    thread = Thread.with_circle(thread_id)
    if thread is None or not access.can_read_thread(current_user, thread):
        abort(404)
    if not access.can_schedule_prompts(current_user, thread.circle):
        abort(403)
    return thread if thread.is_scheduled else None


@bp.route("/t/<int:thread_id>/publish", methods=["POST"])
@login_required
def publish(thread_id):
    thread = _scheduled_prompt(thread_id)
    if thread is None:
        flash(_("This thread is already published."), "success")
    else:
        prompts.publish_now(thread)
        flash(_("Published: the circle sees the thread now."), "success")
    return web.see_other(url_for("discussions.thread", thread_id=thread_id))


@bp.route("/t/<int:thread_id>/cancel", methods=["POST"])
@login_required
def cancel(thread_id):
    thread = _scheduled_prompt(thread_id)
    if thread is None or not prompts.cancel(thread):
        flash(_("This thread was published before it could be cancelled: it stays."), "error")
        return web.see_other(url_for("discussions.thread", thread_id=thread_id))
    flash(_("The scheduled prompt “%(title)s” is cancelled and deleted.", title=thread.title), "success")
    return web.see_other(url_for("circles.circle", slug=thread.circle.slug))
