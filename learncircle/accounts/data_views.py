"""Your data: the page, the ZIP of everything a member wrote, and asking for the account to be deleted.

Cancelling a deletion belongs to signing in (accounts/views.py): during the grace period the account has no
session, and the sign-in page offers the cancel button.
"""
import tempfile

from flask import Blueprint, flash, g, render_template, send_file, url_for
from flask_login import current_user, login_required, logout_user

from .. import clock, limits, timefmt, web
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..limits import limiter
from . import deletion, export
from .data_forms import DeleteAccountForm

bp = Blueprint("yourdata", __name__)

# A member of a busy circle has thousands of posts: the archive is kept in memory up to this size, then on disk.
SPOOL_BYTES = 8 * 1024 * 1024
EXPORTS_PER_HOUR = "10 per hour"
TOO_MANY_PASSWORD_TRIES = _l("Too many wrong passwords. Try again in a few minutes.")
TOO_MANY_EXPORTS = _l("You have downloaded your data many times in the last hour. Try again later.")


@bp.errorhandler(429)
def too_many(error):
    if limits.wants_form_again(error) and current_user.is_authenticated:
        return _page(DeleteAccountForm(), status=429, too_many=TOO_MANY_PASSWORD_TRIES)
    return limits.refusal(error)


def _page(form, status=200, too_many=None):
    user = current_user._get_current_object()
    return web.render("accounts/data.html", form=form, owned=deletion.owned_circles(user),
                      keeping=deletion.keeping_circles(user), grace_days=deletion.grace_days(),
                      too_many=too_many, status=status)


@bp.route("/settings/data")
@login_required
def page():
    return _page(DeleteAccountForm())


@bp.route("/settings/data/export.zip")
@login_required
@limiter.limit(EXPORTS_PER_HOUR, key_func=lambda: f"export:{current_user.id}",
               error_message=limits.limit_message(TOO_MANY_EXPORTS))
def download():
    user, now = current_user._get_current_object(), clock.now()
    readme = render_template("accounts/export_readme.txt", user=user, now=now)
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    export.build(user, archive, readme, now)
    archive.seek(0)
    response = send_file(archive, mimetype="application/zip", as_attachment=True,
                         download_name=export.filename(user, now), max_age=0)
    response.headers["Cache-Control"] = "no-store"  # one person's data: never kept by a shared cache
    return response


@bp.route("/settings/data/delete", methods=["POST"])
@login_required
@limits.password_checks(TOO_MANY_PASSWORD_TRIES)  # the password page's budget: one account's password guessed
def delete():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        when = deletion.request_deletion(user, password=form.password.data, remove_posts=form.remove_posts)
    except deletion.WrongPassword:
        g.attempt_failed = True
        form.password.errors.append(_("That is not your password."))
        return _page(form, status=422)
    except deletion.OwnsCircles:
        return _page(form, status=422)  # the page names the circles to hand over first
    said = timefmt.exact_time(when)  # in the member's zone, before they are signed out
    logout_user()
    flash(_("Your account will be deleted on %(when)s, and you are signed out everywhere. To keep it, log in "
            "before then and cancel the deletion.", when=said), "info")
    return web.see_other(url_for("circles.home"))
