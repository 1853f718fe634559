"""The approvals page: a circle's facilitators approve or reject the posts of new members that wait for it, oldest
first; the author of a rejected post asks again (approvals.py holds the rules and the notices)."""
from flask import Blueprint, abort, flash, g, url_for
from flask_login import current_user

from .. import errors, web
from ..circles import access as circle_access
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from . import access, approvals
from .forms import APPROVE, AskAgainForm, DecisionForm

bp = Blueprint("approvals", __name__)

DECIDED = (_l("Already decided"),
           _l("This post no longer waits for approval: another facilitator decided first, or its author deleted it."))


@bp.url_value_preprocessor
def _take_address(endpoint, values):
    values = values or {}
    g.slug, g.held_post_id = values.pop("slug", None), values.pop("held_post_id", None)


@bp.before_request
def _load():
    """The circle the address names (404 for what the viewer may not know of) and the held post in it, if named
    (404 for any other post); the author's own request is checked by its view."""
    g.circle = circle_access.circle_or_404(g.slug)
    g.post = None
    if g.held_post_id is not None:
        g.post = approvals.held_in(g.circle, g.held_post_id)
        if g.post is None:
            abort(404)


def _reviewers_only():
    if not access.can_review_approvals(current_user, g.circle):
        abort(403)


def _user():
    return current_user._get_current_object()


@bp.route("/c/<slug>/moderation/approvals")
def page():
    _reviewers_only()
    circle = g.circle
    held = web.Page(approvals.waiting(circle), web.page_number(), approvals.PER_PAGE)
    return web.render("newcomers/approvals.html", circle=circle, held=held, forms={}, blank_form=DecisionForm())


@bp.route("/c/<slug>/moderation/approvals/<int:held_post_id>", methods=["POST"])
def decide():
    """Approve a waiting post (a reason may go with it) or reject it (a reason is needed)."""
    _reviewers_only()
    circle, post = g.circle, g.post
    form = DecisionForm()
    if not form.validate_on_submit():
        return _decision_refused(circle, post, form)
    approving = form.decision.data == APPROVE
    try:
        if approving:
            approvals.approve(post, _user(), form.reason.data or "")
        else:
            approvals.reject(post, _user(), form.reason.data)
    except approvals.AlreadyDecided:
        return errors.page(409, *DECIDED)
    decided = approvals.APPROVED if approving else approvals.REJECTED
    if web.is_fragment_request():
        return web.fragment("newcomers/_approval.html", item=post, circle=circle, form=form, decided=decided,
                            focus=True)
    flash(_("Approved: the post is shown to the circle now.") if approving
          else _("Not approved: the post stays hidden, and its author was told why."), "success")
    return web.see_other(url_for("approvals.page", slug=circle.slug))


def _decision_refused(circle, post, form):
    """The decision's form again with its message: in place for htmx, on the approvals page otherwise."""
    if web.is_fragment_request():
        return web.fragment("newcomers/_approval.html", 422, item=post, circle=circle, form=form, decided=None,
                            focus=False)
    held = web.Page(approvals.waiting(circle), web.page_number(), approvals.PER_PAGE)
    return web.render("newcomers/approvals.html", status=422, circle=circle, held=held, forms={post.id: form},
                      blank_form=DecisionForm(formdata=None))


@bp.route("/c/<slug>/moderation/approvals/<int:held_post_id>/again", methods=["POST"])
def ask_again():
    """The author of a rejected post asks for approval again, once they have edited it."""
    post = g.post
    if not access.can_ask_again(current_user, post):
        abort(403)
    if not AskAgainForm().validate_on_submit():
        abort(400)
    try:
        asked = approvals.ask_again(post)
    except approvals.AlreadyDecided:
        return errors.page(409, *DECIDED)
    flash(_("Your post waits for a facilitator's approval again.") if asked
          else _("Your post already waits for a facilitator's approval."), "success")
    return web.see_other(url_for("discussions.permalink", post_id=post.id))
