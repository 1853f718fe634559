"""Muting and blocking: the buttons on a person's profile, and the list of whom one muted and blocked."""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user

from .. import errors, web
from ..accounts.models import User
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from . import access
from . import models as people

bp = Blueprint("people", __name__)

PER_PAGE = 50
YOURSELF = (_l("That is you"), _l("Muting and blocking are about other people: you cannot mute or block yourself."))


@bp.before_request
def _load():
    """The person an address names, loaded and checked once: signed in, someone the viewer may name (else
    404, as for nobody), and not the viewer themself (403). The views get `person` and `held` (the kinds
    the viewer chose about them)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    args = request.view_args
    if not args or "username" not in args:
        return None
    person = User.by_username(args.pop("username"))
    held = people.held(current_user.id, person.id) if person is not None else frozenset()
    if person is None or not access.can_name(current_user, person, held):
        abort(404)
    if person.id == current_user.id:
        return errors.page(403, *YOURSELF)
    args["person"], args["held"] = person, held
    return None


def _done(kind, on, name):
    if kind == people.MUTE:
        return (_("You muted %(name)s: their posts are collapsed for you. They are not told.", name=name) if on
                else _("You unmuted %(name)s: you see their posts again.", name=name))
    return (_("You blocked %(name)s: nothing they do reaches you, and their posts are collapsed for you. "
              "They are not told.", name=name) if on
            else _("You unblocked %(name)s: you hear from them again.", name=name))


def _choose(person, held, kind, on):
    people.choose(current_user.id, person.id, kind, on)
    held = held | {kind} if on else held - {kind}
    if web.is_fragment_request():
        return web.fragment("people/_buttons.html", person=person, held=held, pressed=(kind, on))
    flash(_done(kind, on, person.display_name), "success")
    fallback = url_for("accounts.profile", username=person.username)
    return web.see_other(web.safe_next(request.form.get("next"), fallback))


@bp.route("/u/<username>/mute", methods=["POST"])
def mute(person, held):
    return _choose(person, held, people.MUTE, True)


@bp.route("/u/<username>/unmute", methods=["POST"])
def unmute(person, held):
    return _choose(person, held, people.MUTE, False)


@bp.route("/u/<username>/block", methods=["POST"])
def block(person, held):
    return _choose(person, held, people.BLOCK, True)


@bp.route("/u/<username>/unblock", methods=["POST"])
def unblock(person, held):
    return _choose(person, held, people.BLOCK, False)


@bp.route("/settings/people")
def settings():
    """Whom the viewer muted and blocked, newest first, each with its undo button."""
    chosen = web.Page(people.chosen_by(current_user.id), web.page_number(), PER_PAGE)
    return web.render("people/settings.html", chosen=chosen)
