"""Routes around allocation: whether reviewers are being allocated, and the pairs a facilitator
keeps apart (a reviewer who is never given an author's work again in the circle).
"""
from flask import abort, flash, make_response, request, url_for
from flask_login import current_user, login_required

from .. import web
from . import access, pairs, participating, worker
from .blueprint import bp
from .manage import _check_button, _managed_round
from .manage_forms import KeepApartForm
from .participate import _round_or_404
from .rules import Refused


# ---- while reviewers are being allocated --------------------------------------------------------

@bp.route("/r/<int:round_id>/allocation")
@login_required
def allocation_status(round_id):
    """Polled by the "reviewers are being allocated" notice: the notice while it lasts, then a reload."""
    round = _round_or_404(round_id)
    page = web.safe_next(request.args.get("next"), url_for("reviews.round", round_id=round.id))
    if worker.nudge_if_due(round):
        return web.render_partial("reviews/_allocating.html", round=round, reload_url=page)
    if web.is_fragment_request():
        response = make_response("")
        response.headers["HX-Refresh"] = "true"  # the whole page changes: reviewers, tasks, the board
        return response
    return web.see_other(page)


# ---- pairs kept apart ---------------------------------------------------------------------------

def _apart_url(round):
    return url_for("reviews.kept_apart", round_id=round.id)


def _kept_apart_round(round_id):
    round = _managed_round(round_id)
    if not access.can_keep_apart(current_user, round):
        abort(403)
    return round


@bp.route("/r/<int:round_id>/kept-apart", methods=["GET", "POST"])
def kept_apart(round_id):
    """The circle's pairs kept apart, with a form to add one (prefilled by ?reviewer=&author=)."""
    round = _kept_apart_round(round_id)
    members = pairs.circle_members(round.circle_id)
    status = 200
    if request.method == "POST":
        form = KeepApartForm(members=members)
        status = 422
        if form.validate():
            people = {user.id: user for user in members}
            reviewer, author = people[form.reviewer.data], people[form.author.data]
            try:
                added = pairs.keep_apart(round.circle_id, reviewer, author, by=current_user)
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                _say_kept_apart(round, reviewer, author, added)
                return web.see_other(_apart_url(round))
    else:
        form = KeepApartForm(formdata=None, members=members, data={
            "reviewer": request.args.get("reviewer", type=int), "author": request.args.get("author", type=int)})
    return web.render("reviews/kept_apart.html", status=status, round=round, circle=round.circle, form=form,
                      pairs=pairs.listing(round.circle_id))


def _say_kept_apart(round, reviewer, author, added):
    if not added:
        flash(f"{reviewer.display_name} was already kept apart from {author.display_name}.", "info")
        return
    message = f"{reviewer.display_name} will not be given {author.display_name}’s work again in this circle."
    if pairs.allocated_in(round, reviewer.id, author.id) is not None:
        message += (f" They already review it in “{round.title}”: swap that review on the board if they "
                    "should not.")
    flash(message, "success")


@bp.route("/r/<int:round_id>/kept-apart/undo", methods=["POST"])
def release_pair(round_id):
    """Undo a facilitator's "keep apart" (the form names the pair; a hidden review stays as it is)."""
    round = _kept_apart_round(round_id)
    _check_button()
    reviewer_id, author_id = request.form.get("reviewer", type=int), request.form.get("author", type=int)
    if not all(participating.storable(person) for person in (reviewer_id, author_id)):
        abort(400)
    if not pairs.release(round.circle_id, reviewer_id, author_id):
        flash("That pair was not kept apart by a facilitator.", "info")
    elif pairs.is_kept_apart(round.circle_id, reviewer_id, author_id):
        flash("Undone, but a hidden review of theirs still keeps them apart.", "success")
    else:
        flash("They are no longer kept apart.", "success")
    return web.see_other(_apart_url(round))
