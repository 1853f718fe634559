"""Flagging (flags.py): a post, a thread or a member of a circle, each on a page showing what is flagged and
the form; and the author of a hidden post or thread asking the facilitators for another look.

`_load` reads what the address names once, before any view runs (and after the CSRF check), and refuses
whoever may not know of it (404, as for what does not exist; a signed-out visitor is sent to log in); the views
get the item (targets.Item). A review is flagged from its card, by its work's author (reviews' participant views).
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from .. import errors, limits, timefmt, web
from ..circles import access as circle_access
from ..circles.models import Membership
from ..discussions import access as discussion_access
from ..discussions.models import Post, Thread
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from . import access, conduct, flags, targets
from .forms import REASON_LABELS, AnotherLookForm, FlagForm
from .models import MEMBER, POST, THREAD

bp = Blueprint("flags", __name__)

TOO_MANY_FLAGS = _l("You have sent many flags in a short time, more than this site allows. Wait a while, then "
                    "send it again: what you chose is still here.")
flagging = limits.per_account("FLAG_LIMIT", TOO_MANY_FLAGS, scope="flag")

REFUSALS = {
    flags.Refused.OWN: (403, _l("This is your own"),
                        _l("You cannot flag what you wrote, nor yourself. To change it, edit it.")),
    flags.Refused.GONE: (409, _l("Nothing left to flag"),
                         _l("It was deleted, by its author or by the circle's facilitators.")),
    flags.Refused.HIDDEN: (409, _l("Already hidden"),
                           _l("It is hidden from the circle already, and its facilitators will review it.")),
    flags.Refused.ALREADY: (409, _l("You flagged it already"),
                            _l("Each person flags something once: the circle's facilitators have your flag.")),
    flags.Refused.NOT_HIDDEN: (409, _l("It is not hidden"),
                               _l("Only a hidden post or thread can be looked at again: this one is shown.")),
    flags.Refused.ASKED: (409, _l("You asked already"),
                          _l("You asked for another look at it already. The circle's facilitators will review "
                             "it; you can ask again after they decide.")),
    flags.Refused.NOT_AUTHOR: (403, _l("Only its author can ask"),
                               _l("Only the author of a hidden post or thread can ask for another look.")),
}
NOT_A_MEMBER = (_l("Only members can flag"), _l("Only the members of a circle can flag what is in it."))


@bp.before_request
def _load():
    """What the address names, as an item; 404 for those who may not read it (what does not exist answers so).
    Before each view, after the CSRF check: a request without its token is refused first, as everywhere."""
    values = request.view_args
    if not values:
        return
    if not current_user.is_authenticated:
        abort(401)  # the login manager sends them to log in
    if "post_id" in values:
        post = Post.with_thread(values.pop("post_id"))
        if post is None or not discussion_access.can_read_thread(current_user, post.thread):
            abort(404)
        values["item"] = targets.of_post(post)
    elif "thread_id" in values:
        thread = Thread.with_circle(values.pop("thread_id"))
        if thread is None or not discussion_access.can_read_thread(current_user, thread):
            abort(404)
        values["item"] = targets.of_thread(thread)
    else:
        circle = circle_access.circle_or_404(values.pop("slug"))
        membership = Membership.in_circle(circle, values.pop("membership_id"))
        if membership is None:
            abort(404)
        membership.circle = circle
        values["item"] = targets.of_membership(membership)


def _user():
    return current_user._get_current_object()


def item_url(item):
    """Where an item is: a post's permalink, a thread, a member's circle roster."""
    if item.kind == POST:
        return web.id_url(item.id, "discussions.permalink")
    if item.kind == THREAD:
        return web.id_url(item.id, "discussions.thread")
    return url_for("circles.members", slug=item.circle.slug, _anchor=f"member-{item.id}")


def queue_url(circle):
    """The circle's review queue (moderation.queue, the moderators' blueprint), where flags wait."""
    try:
        return url_for("moderation.queue", slug=circle.slug)
    except BuildError:
        return f"/c/{circle.slug}/moderation"


def _refused(reason):
    status, title, message = REFUSALS[reason]
    return errors.page(status, title, message)


def _not_allowed(circle):
    """Refuse someone who may not flag in circle: a suspended member is told until when, and why."""
    suspended = circle_access.suspension(current_user, circle)
    if suspended is None:
        return errors.page(403, *NOT_A_MEMBER)
    when = timefmt.exact_time(suspended.suspended_until)
    if suspended.suspended_reason:
        message = _("Until %(when)s you can read %(circle)s, but not post, react or flag. The facilitators' "
                    "reason: “%(reason)s”", when=when, circle=circle.name, reason=suspended.suspended_reason)
    else:
        message = _("Until %(when)s you can read %(circle)s, but not post, react or flag.", when=when,
                    circle=circle.name)
    return errors.page(403, _("You are suspended from this circle"), message)


# ---- flagging -----------------------------------------------------------------------------------

@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
@flagging
def flag_post(item):
    return _flag(item)


@bp.route("/t/<int:thread_id>/flag", methods=["GET", "POST"])
@flagging
def flag_thread(item):
    return _flag(item)


@bp.route("/c/<slug>/members/<int:membership_id>/flag", methods=["GET", "POST"])
@flagging
def flag_member(item):
    return _flag(item)


def _flag(item):
    """The page with the item and the form; storing the flag (303 back to the item, or the receipt for htmx)."""
    if not access.can_flag(current_user, item.circle):
        return _not_allowed(item.circle)
    user = _user()
    refused = flags.refusal(item, user)
    if refused:
        return _refused(refused)
    form = FlagForm(points=conduct.points(item.circle.conduct))
    if request.method == "GET":
        return _page(item, form, already=flags.has_flagged(item, user))
    if not form.validate():
        return _page(item, form, status=422)
    try:
        flags.flag(item, user, form.reason.data, conduct_point=form.chosen_point(), note=form.note.data or "",
                   item_url=item_url(item), queue_url=queue_url(item.circle))
    except flags.Refused as refusal:
        return _refused(refusal.reason)
    if web.is_fragment_request():
        return web.fragment("moderation/_flag_receipt.html", item=item, back=item_url(item))
    flash(_("Thank you: your flag went to the circle's facilitators. Nobody else learns that you flagged it, "
            "and you will get a notice when they decide."), "success")
    return web.see_other(item_url(item))


def _page(item, form, status=200, already=False):
    action = request.path
    return web.render("moderation/flag.html", block="flag_form", status=status, item=item, form=form,
                      circle=item.circle, action=action, back=item_url(item), already=already, MEMBER=MEMBER)


@bp.errorhandler(429)
def _too_many(error):
    """Over the flag budget: the same page again with what was chosen, and why (htmx: the message alone)."""
    item = (request.view_args or {}).get("item")
    if item is None or not limits.wants_form_again(error):
        return limits.refusal(error)
    flash(error.description, "error")
    return _page(item, FlagForm(points=conduct.points(item.circle.conduct)), status=429)


# ---- asking for another look --------------------------------------------------------------------

@bp.route("/p/<int:post_id>/another-look", methods=["POST"])
def another_look_post(item):
    return _another_look(item)


@bp.route("/t/<int:thread_id>/another-look", methods=["POST"])
def another_look_thread(item):
    return _another_look(item)


def _another_look(item):
    """The author of a hidden post or thread asks the facilitators to look again (once per hiding)."""
    if item.author_id != current_user.id:
        abort(403)
    if not AnotherLookForm().validate_on_submit():
        abort(400)
    try:
        flags.ask_another_look(item, _user(), queue_url=queue_url(item.circle))
    except flags.Refused as refusal:
        return _refused(refusal.reason)
    if web.is_fragment_request():
        return web.fragment("moderation/_another_look.html", item=item, asked=True, focus=True)
    flash(_("You asked the circle's facilitators for another look. They will review it, and you will get a "
            "notice when they decide."), "success")
    return web.see_other(item_url(item))


# ---- what the thread page asks ------------------------------------------------------------------

def _open_flag_counts(posts):
    """{post id: open flags} of the posts hidden by flags among posts (no query when there are none)."""
    hidden = [post.id for post in posts if post.hidden_kind == "flags" and post.hidden_at is not None]
    return flags.open_counts(POST, hidden) if hidden else {}


def _open_flags_of(kind, item_id):
    return flags.open_counts(kind, [item_id]).get(item_id, 0)


def _asked(kind, item):
    """Whether the author of a hidden post or thread asked for another look (no moderator acted since)."""
    return flags.asked_for_another_look(targets.Item(kind, item.id, None, item.author_id, "", "", item.hidden_at))


@bp.record_once
def _template_helpers(state):
    state.app.jinja_env.globals.update(open_flag_counts=_open_flag_counts, open_flags_of=_open_flags_of,
                                       asked_for_another_look=_asked, moderation_queue_url=queue_url,
                                       FLAG_REASON_LABELS=REASON_LABELS)  # a flag's reason, in the reader's words
