"""Every voice: the facilitators' page of who has not been heard yet in their circle, and the welcomes and
check-ins sent from it (voices.py decides who is listed and keeps a member from hearing twice in a day)."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from .. import web
from ..circles import access as circle_access
from ..circles.models import MEMBER, Membership
from ..i18n import gettext as _
from . import access, voices
from .forms import GreetForm

bp = Blueprint("voices", __name__)

def _voices_circle(slug):
    circle = circle_access.circle_or_404(slug)
    if not access.can_hear_every_voice(current_user, circle):
        abort(403)
    return circle


@bp.route("/c/<slug>/voices")
def page(slug):
    """The facilitators' view of the questions nobody answered and the members nobody has heard (voices.py)."""
    circle = _voices_circle(slug)
    return web.render("discussions/voices.html", circle=circle, voices=voices.every_voice(circle))


def _greet(slug, membership_id, kind):
    circle = _voices_circle(slug)
    target = Membership.in_circle(circle, membership_id)
    if target is None or target.role != MEMBER:
        abort(404)
    if not GreetForm().validate_on_submit():
        abort(400)
    name = target.user.display_name
    try:
        voices.greet(circle, target, current_user._get_current_object(), kind,
                     url=url_for("circles.circle", slug=circle.slug))
    except voices.AlreadyGreeted:
        refused, sent = True, None
        message = _("%(name)s already heard from this circle's facilitators in the last day: try again tomorrow.",
                    name=name)
    else:
        refused, sent = False, kind
        message = (_("Welcome sent to %(name)s.", name=name) if kind == voices.WELCOME
                   else _("Check-in sent to %(name)s.", name=name))
    if web.is_fragment_request():
        return web.fragment("discussions/_voice_action.html", circle=circle, membership_id=target.id, kind=kind,
                            sent=sent, refused=message if refused else None, focus=True)
    flash(message, "error" if refused else "success")
    return web.see_other(url_for("voices.page", slug=circle.slug))


@bp.route("/c/<slug>/voices/<int:membership_id>/welcome", methods=["POST"])
def welcome(slug, membership_id):
    return _greet(slug, membership_id, voices.WELCOME)


@bp.route("/c/<slug>/voices/<int:membership_id>/check-in", methods=["POST"])
def check_in(slug, membership_id):
    return _greet(slug, membership_id, voices.CHECK_IN)
