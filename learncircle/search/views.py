"""Search pages: in all the circles one belongs to (/search), and in one circle (/c/<slug>/search).

A GET form that works alone; htmx swaps in the results block. An empty search shows the form; input that
is no search (too long, too many words, only signs) is answered with the form and why, never an error page.
"""
from flask import Blueprint, request
from flask_login import current_user, login_required

from .. import web
from ..circles import access as circle_access
from ..i18n import ngettext
from ..i18n import lazy_gettext as _l
from . import index
from .query import LENGTH_MAX, WORDS_MAX, Refused, parse

bp = Blueprint("search", __name__)

NO_WORDS = _l("Type a word or a number to search for: signs such as quotes, brackets or stars are not searched.")


@bp.route("/search")
@login_required
def search():
    """All the circles the person belongs to (a public circle they have not joined: its own search)."""
    moderated = (lambda ids: ids) if current_user.is_admin else (lambda ids: index.moderated_by(current_user))
    return _answer(None, lambda: index.circles_of(current_user), moderated)


@bp.route("/c/<slug>/search")
def circle_search(slug):
    """Whoever may read the circle's threads may search them."""
    circle = circle_access.circle_or_404(slug)
    moderates = circle_access.can_moderate(current_user, circle)
    return _answer(circle, lambda: [circle.id], lambda ids: ids if moderates else ())


def _answer(circle, circle_ids, moderated):
    """moderated(ids): those of the circles searched whose hidden threads the searcher finds too (moderation/)."""
    typed = request.args.get("q", "")
    page = web.page_number()
    results, refusal = None, None
    try:
        query = parse(typed)
    except Refused as refused:
        query, refusal = None, _refusal(refused.reason)
    if query is not None:
        ids = circle_ids()
        viewer = current_user.id if current_user.is_authenticated else None
        results = index.find(query, ids, page, viewer_id=viewer, moderated=moderated(ids))
    return web.render("search/page.html", block="results", circle=circle, q=typed[:LENGTH_MAX], results=results,
                      refusal=refusal, inline=web.is_fragment_request())


def _refusal(reason):
    if reason == Refused.TOO_LONG:
        return ngettext("Keep the search to %(num)d character or fewer.",
                        "Keep the search to %(num)d characters or fewer.", LENGTH_MAX)
    if reason == Refused.TOO_MANY_WORDS:
        return ngettext("Search for %(num)d word or fewer at a time.",
                        "Search for %(num)d words or fewer at a time.", WORDS_MAX)
    return NO_WORDS
