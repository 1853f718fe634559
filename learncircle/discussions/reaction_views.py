"""Reactions on a post: toggling "Helpful" or "Thanks", and who reacted (reactions.py)."""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import errors, web
from ..i18n import lazy_gettext as _l
from . import access, reactions
from .models import Post

bp = Blueprint("reactions", __name__)

REFUSALS = {
    reactions.Refused.OWN_POST: (_l("This is your own post"),
                                 _l("Reactions are how others say a post helped them: you cannot react to your "
                                    "own posts.")),
    reactions.Refused.NOT_SHOWN: (_l("This post takes no reactions"),
                                  _l("A deleted or hidden post cannot take reactions.")),
}
UNKNOWN_KIND = (_l("Unknown reaction"), _l("A post can be found helpful, or thanked: choose one of those buttons."))


def _post_or_404(post_id):
    """The post with its author, thread and circle; 404 when it is missing or its thread hidden from the reader."""
    post = Post.with_thread(post_id)
    if post is None or not access.can_read_thread(current_user, post.thread):
        abort(404)
    return post


@bp.route("/p/<int:post_id>/react", methods=["POST"])
@login_required
def react(post_id):
    """Toggle the reader's reaction of `kind`; back to the post without JavaScript, its reactions bar with htmx."""
    post = _post_or_404(post_id)
    if not access.can_react(current_user, post.thread.circle):
        abort(403)
    kind = request.form.get("kind", "")
    if kind not in reactions.KINDS:
        return errors.page(400, *UNKNOWN_KIND)
    permalink = web.id_url(post.id, "discussions.permalink")
    try:
        reactions.toggle(post, current_user._get_current_object(), kind, url=permalink)
    except reactions.Refused as refused:
        status = 403 if refused.reason == reactions.Refused.OWN_POST else 409
        return errors.page(status, *REFUSALS[refused.reason])
    if not web.is_fragment_request():
        return web.see_other(permalink)
    return web.fragment("discussions/_reactions.html", retarget=f"#post-{post.id} .reactions", reswap="outerHTML",
                        post=post, reacting=True, mine=reactions.mine(post, current_user), pressed=kind)


@bp.route("/p/<int:post_id>/reactions")
@login_required
def who(post_id):
    """Who found the post helpful and who said thanks: a list htmx puts in the post's <details>, or a page."""
    post = _post_or_404(post_id)
    readable = not post.is_hidden or post.author_id == current_user.id or access.can_hide_posts(
        current_user, post.thread.circle)
    if post.is_deleted or not readable:
        abort(404)
    people = reactions.who(post)
    if web.is_fragment_request():
        return web.fragment("discussions/_who_reacted.html", post=post, people=people)
    return web.render("discussions/who_reacted.html", post=post, thread=post.thread, circle=post.thread.circle,
                      people=people)


def _mine(post):
    """The reader's reactions to a post read alone (a Post, which the thread page's query did not bring)."""
    if not (post.helpful_count or post.thanks_count) or not current_user.is_authenticated:
        return 0
    return reactions.mine(post, current_user)


def _with_id(parts, post_id):
    """A bar drawn once with a stand-in id (_posts.html), split where that id was, with post_id put back."""
    return Markup(str(post_id).join(parts))


@bp.record_once
def _template_helpers(state):
    state.app.jinja_env.globals.update(reactions_mine=_mine)
    state.app.jinja_env.filters.update(with_id=_with_id)
