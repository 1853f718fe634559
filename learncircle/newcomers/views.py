"""A circle's "New members" settings page: its owner sets the limits for new members, its facilitators read
them (rules.py says what they mean)."""
from flask import Blueprint, abort, flash, g, url_for
from flask_login import current_user

from .. import web
from ..circles import access as circle_access
from ..i18n import gettext as _
from . import access, rules
from .forms import NewcomerSettingsForm

bp = Blueprint("newcomers", __name__)


@bp.url_value_preprocessor
def _take_slug(endpoint, values):
    g.slug = (values or {}).pop("slug", None)


@bp.before_request
def _load_circle():
    """The circle the address names, for those who may read its limits (404 for what they may not know of)."""
    g.circle = circle_access.circle_or_404(g.slug)
    if not access.can_read_newcomer_settings(current_user, g.circle):
        abort(403)


@bp.route("/c/<slug>/settings/newcomers", methods=["GET", "POST"])
def settings():
    circle = g.circle
    editable = access.can_change_newcomer_settings(current_user, circle)
    form = NewcomerSettingsForm.for_circle(circle)
    if form.is_submitted() and not editable:
        abort(403)
    if form.validate_on_submit():
        rules.set_own_values(circle, form.values())
        flash(_("New members' limits saved."), "success")
        return web.see_other(url_for("newcomers.settings", slug=circle.slug))
    return web.render("newcomers/settings.html", status=422 if form.is_submitted() else 200, circle=circle, form=form,
                      editable=editable, instance=rules.Limits.of_instance(), limits=rules.Limits.of(circle))
