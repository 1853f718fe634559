"""The instance admin's pages under /admin: the overview, every account and the actions on one, the audit log.

Everyone else is refused before any view runs: a signed-out visitor is sent to log in, a signed-in person
who is not an instance admin gets 403. An account the URL names is loaded once, after that check.
"""
from flask import Blueprint, abort, flash, g, request, url_for
from flask_login import current_user

from .. import errors, web
from ..i18n import gettext as _
from ..moderation import queue as moderation_queue
from . import accounts, audit_log
from .access import can_act_on, is_instance_admin
from .forms import REMOVE, DeleteAccountForm, LiftForm, SuspendForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

ACCOUNTS_PER_PAGE = 50
CIRCLES_PER_PAGE = 50
EVENTS_PER_PAGE = 50


@bp.url_value_preprocessor
def _take_account_id(endpoint, values):
    g.account_id = (values or {}).pop("user_id", None)


@bp.before_request
def _instance_admins_only():
    if not current_user.is_authenticated:
        abort(401)  # the login page, then back here
    if not is_instance_admin(current_user):
        abort(403)
    if g.account_id is not None:
        g.account = accounts.find(g.account_id)
        if g.account is None:
            abort(404)


# ---- overview -----------------------------------------------------------------------------------

@bp.route("")
def overview():
    suspended, deleting = accounts.counts()
    return web.render("admin/overview.html", suspended=suspended, deleting=deleting,
                      flagged=list(moderation_queue.circles_with_open_flags()))


# ---- accounts -----------------------------------------------------------------------------------

@bp.route("/accounts")
def accounts_list():
    search = request.args.get("q", "")[:accounts.SEARCH_MAX]
    status = request.args.get("status", "")
    if status not in accounts.STATUS_LABELS:
        status = accounts.ALL
    page = web.Page(accounts.listing(search, status), web.page_number(), ACCOUNTS_PER_PAGE)
    return web.render("admin/accounts.html", block="results", people=page, search=search, chosen=status,
                      statuses=accounts.STATUS_LABELS)


def _account_page(suspend_form=None, lift_form=None, delete_form=None, status=200, refused=None):
    user = g.account
    circles = web.Page(accounts.circles_of(user), web.page_number(), CIRCLES_PER_PAGE)
    return web.render("admin/account.html", account=user, circles=circles, status=status, refused=refused,
                      suspend_form=suspend_form or SuspendForm(prefix="suspend"),
                      lift_form=lift_form or LiftForm(prefix="lift"),
                      delete_form=delete_form or DeleteAccountForm(prefix="delete", username=user.username))


@bp.route("/accounts/<int:user_id>")
def account():
    return _account_page()


def _refuse_unless_allowed():
    """The account page offers no action on oneself or on the last admin; a request anyway is told why."""
    if not can_act_on(current_user, g.account):
        message = (_("You cannot suspend or delete your own account.") if g.account.id == current_user.id
                   else _("This is the last admin who can sign in: create another admin first."))
        abort(errors.page(403, _("Not allowed"), message))


@bp.route("/accounts/<int:user_id>/suspend", methods=["POST"])
def suspend():
    _refuse_unless_allowed()
    form = SuspendForm(prefix="suspend")
    if not form.validate_on_submit():
        return _account_page(suspend_form=form, status=422)
    try:
        accounts.suspend(g.account, by=current_user._get_current_object(), reason=form.reason.data,
                         until=form.ends_at())
    except accounts.Refused as refused:
        return _account_page(suspend_form=form, status=422, refused=str(refused))
    flash(_("%(name)s is suspended and signed out everywhere.", name=g.account.display_name), "success")
    return web.see_other(url_for("admin.account", user_id=g.account.id))


@bp.route("/accounts/<int:user_id>/lift", methods=["POST"])
def lift_suspension():
    form = LiftForm(prefix="lift")
    if not form.validate_on_submit():
        return _account_page(lift_form=form, status=422)
    if accounts.lift(g.account, by=current_user._get_current_object(), reason=form.reason.data):
        flash(_("The suspension is lifted: %(name)s can sign in again.", name=g.account.display_name), "success")
    else:
        flash(_("This account is not suspended: there was nothing to lift."), "info")
    return web.see_other(url_for("admin.account", user_id=g.account.id))


@bp.route("/accounts/<int:user_id>/delete", methods=["POST"])
def delete_account():
    _refuse_unless_allowed()
    form = DeleteAccountForm(prefix="delete", username=g.account.username)
    if not form.validate_on_submit():
        return _account_page(delete_form=form, status=422)
    name = g.account.display_name
    try:
        accounts.delete(g.account, by=current_user._get_current_object(), reason=form.reason.data,
                        remove_posts=form.posts.data == REMOVE)
    except accounts.Refused as refused:
        return _account_page(delete_form=form, status=422, refused=str(refused))
    flash(_("The account of %(name)s is deleted.", name=name), "success")
    return web.see_other(url_for("admin.accounts_list"))


# ---- the audit log ------------------------------------------------------------------------------

@bp.route("/audit")
def audit():
    circle_id = request.args.get("circle", "")
    circle_id = int(circle_id) if circle_id.isdigit() and len(circle_id) < 19 else None
    action = request.args.get("action", "")
    choices = audit_log.action_choices()
    if action not in dict(choices):
        action = ""
    page = web.Page(audit_log.events(circle_id, action), web.page_number(), EVENTS_PER_PAGE)
    return web.render("admin/audit.html", block="results", events=page, circle_id=circle_id, action=action,
                      actions=choices, circles=audit_log.circle_choices())
