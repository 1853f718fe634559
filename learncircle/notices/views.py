"""The notices page: a person's notices, newest first, and marking them all read."""
from flask import Blueprint, Response, abort, flash, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import web
from ..i18n import gettext as _
from ..i18n import page_language
from .badge import unread_notice_count
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


@bp.route("/notices/count")
@login_required
def count():
    """The header's notices link, asked for again while a page is open: 304 when its count is unchanged
    (the browser revalidates with the ETag of the last answer, and htmx gets that answer again)."""
    etag = f"{unread_notice_count()}-{page_language()}"
    # Unchanged (the usual answer, once a minute from every open page): say so before drawing anything.
    response = (Response(status=304) if etag in request.if_none_match.as_set(include_weak=True)
                else web.fragment("notices/_count.html"))
    response.set_etag(etag, weak=True)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


@bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@login_required
def mark_one_read(notice_id):
    """Mark one notice read: its row again for htmx, the notices page otherwise."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not Notice.mark_one_read(current_user.id, notice_id):
        abort(404)
    if web.is_fragment_request():
        notice = Notice.get_by_id(notice_id)
        return web.fragment("notices/_notice.html", notice=notice)
    return web.see_other(url_for("notices.notices", _anchor=f"notice-{notice_id}"))


@bp.route("/notices/read", methods=["POST"])
@login_required
def mark_read():
    if not ButtonForm().validate_on_submit():
        abort(400)
    if Notice.mark_read(current_user.id):
        flash(_("All notices are marked as read."), "success")
    return web.see_other(url_for("notices.notices"))
