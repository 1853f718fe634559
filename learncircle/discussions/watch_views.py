"""Notification levels: how much a member hears of one thread, or of a whole circle's discussions."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user, login_required

from .. import web
from ..circles import access as circle_access
from ..i18n import gettext as _
from . import access, watching
from .forms import CircleNotifyForm, ThreadNotifyForm
from .models import Thread

bp = Blueprint("watching", __name__)


def _members_thread(thread_id):
    """The thread, for a member of its circle (404 for who cannot read it, 403 for other readers)."""
    thread = Thread.with_circle(thread_id)
    if thread is None or not access.can_read_thread(current_user, thread):
        abort(404)
    membership = circle_access.membership(current_user, thread.circle)
    if membership is None:
        abort(403)
    return thread, membership


@bp.route("/t/<int:thread_id>/notifications", methods=["GET", "POST"])
@login_required
def thread_level(thread_id):
    thread, membership = _members_thread(thread_id)
    level, chosen = watching.thread_level(current_user, thread, membership)
    form = ThreadNotifyForm(data={"level": level})
    if form.validate_on_submit():
        watching.set_thread_level(current_user, thread, form.level.data)
        saved = _("Notices about this thread: %(level)s.", level=watching.LEVEL_NAMES[form.level.data])
        if web.is_fragment_request():
            return web.fragment("discussions/_notify_form.html", form=form, thread=thread, saved=saved)
        flash(saved, "success")
        return web.see_other(url_for("discussions.thread", thread_id=thread.id))
    status = 422 if form.is_submitted() else 200
    return web.render("discussions/thread_notifications.html", block="notify_form", status=status, form=form,
                      thread=thread, circle=thread.circle, chosen=chosen, circle_level=membership.notify_level)


@bp.route("/c/<slug>/notifications", methods=["POST"])
@login_required
def circle_level(slug):
    circle = circle_access.circle_or_404(slug)
    membership = circle_access.membership(current_user, circle)
    if membership is None:
        abort(403)
    form = CircleNotifyForm()
    if not form.validate_on_submit():
        flash(_("Choose how much you want to hear."), "error")
    else:
        watching.set_circle_level(membership, form.level.data)
        flash(_("Notices about this circle: %(level)s.", level=watching.LEVEL_NAMES[form.level.data]), "success")
    return web.see_other(url_for("circles.circle", slug=circle.slug) + "#notify-circle")
