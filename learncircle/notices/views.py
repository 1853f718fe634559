"""The notices page: a person's notices, newest first, and marking them all read."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import web
from ..i18n import gettext as _
from .models import Notice

bp = Blueprint("notices", __name__)

NOTICES_PER_PAGE = 25


class ButtonForm(FlaskForm):
    """A form that is only a button (its CSRF token is checked)."""


@bp.route("/notices")
@login_required
def notices():
    page = web.Page(Notice.recent_for(current_user.id), web.page_number(), NOTICES_PER_PAGE)
    return web.render("notices/notices.html", block="notices", notices=page)


@bp.route("/notices/read", methods=["POST"])
@login_required
def mark_read():
    if not ButtonForm().validate_on_submit():
        abort(400)
    if Notice.mark_read(current_user.id):
        flash(_("All notices are marked as read."), "success")
    return web.see_other(url_for("notices.notices"))
