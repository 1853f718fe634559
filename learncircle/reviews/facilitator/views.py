"""The facilitator's pages: creating and setting up a round, moving it through its phases, the
board with swaps, added reviewers, nudges and the export, hiding reviews, and the pairs kept apart.
The rubric builder is rubric_views.py.

Every route here is for the people who run the round its address names: `_load` finds the round
(with the assignment or submission named with it, or the review) and refuses everyone else, once,
before any view runs (see reviews.loading); the views receive the objects.
"""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user

from ... import clock, formkeys, web
from ...moderation import hooks as moderation_hooks
from ...i18n import gettext as _
from ...i18n import ngettext
from .. import access, allocation, background_allocation, loading, pairs, reviewing
from .. import board as boards
from ..board import STATUS_WORDS
from ..rules import DraftWouldBeLost, Refused, ValidationError
from . import queries
from .forms import (ButtonForm, DeadlinesForm, KeepApartForm, ModerationReasonForm, ReviewerForm, RoundForm,
                    SwapForm)

bp = Blueprint("reviews_facilitator", __name__)

# Beyond running the round, what a route asks of the viewer (403 otherwise).
MAY = {"kept_apart": access.can_keep_apart, "release_pair": access.can_keep_apart,
       "hide_review": access.can_hide, "unhide_review": access.can_hide}


@bp.before_request
def _load():
    """The round (or review) the address names, for those who run it: see reviews.loading."""
    loading.for_managers(MAY)


def _user():
    return current_user._get_current_object()


def _round_url(round):
    return url_for("reviews_participant.round", round_id=round.id)


def _rubric_url(round):
    return url_for("reviews_rubric.builder", round_id=round.id)


def _board_url(round):
    return url_for("reviews_facilitator.board", round_id=round.id)


def _back(round, fallback=None):
    """Where a button sends the facilitator back to: a local `next`, else fallback (the round page)."""
    return web.safe_next(request.form.get("next"), fallback or _round_url(round))


# ---- creating and setting up a round ------------------------------------------------------------

@bp.route("/c/<slug>/reviews/new", methods=["GET", "POST"])
def new_round(circle):
    sources = queries.rubric_sources(circle)
    form = RoundForm(sources=sources)
    status = 200
    if form.is_submitted():
        status = 422
        data = form.check(clock.now())
        if data is not None:
            source = next((s for s in sources if s.id == form.copy_from.data), None)
            try:
                round = queries.create_round_once(circle=circle, created_by=_user(), data=data,
                                                  form_key=form.form_key.data, result_url=_rubric_url,
                                                  copy_from=source)
            except formkeys.DuplicateSubmission as sent:
                return web.see_other(web.safe_next(sent.result_url,
                                                   url_for("reviews_participant.rounds", slug=circle.slug)))
            except ValidationError as error:
                form.show_errors(error.errors)
            else:
                flash(_("Draft saved. Next, check the rubric; members see the round once you publish it."), "success")
                return web.see_other(_rubric_url(round))
    return web.render("reviews/new_round.html", status=status, circle=circle, form=form)


@bp.route("/r/<int:round_id>/settings", methods=["GET", "POST"])
def round_settings(round):
    form = RoundForm(obj=round, round=round)
    status = 200
    if form.is_submitted():
        status = 422
        data = form.check(clock.now(), round)
        if data is not None:
            try:
                round.update_settings(data)
            except ValidationError as error:
                form.show_errors(error.errors)
                round = loading.round_with_circle(round.id)  # the refused save may have left the copy changed
            else:
                flash(_("Settings saved."), "success")
                return web.see_other(_round_url(round))
    return web.render("reviews/settings.html", status=status, round=round, circle=round.circle, form=form)


@bp.route("/r/<int:round_id>/discard", methods=["POST"])
def discard_round(round):
    ButtonForm.check()
    try:
        round.discard()
    except Refused as error:
        flash(str(error), "error")
        return web.see_other(_round_url(round))
    flash(_("The draft “%(round)s” was deleted.", round=round.title), "success")
    return web.see_other(url_for("reviews_participant.rounds", slug=round.circle.slug))


# ---- moving a round through its phases ----------------------------------------------------------

def _phase_change(round, change, done):
    ButtonForm.check()
    try:
        change(round)
    except Refused as error:
        flash(str(error), "error")
    else:
        flash(done, "success")
    return web.see_other(_back(round))


@bp.route("/r/<int:round_id>/publish", methods=["POST"])
def publish(round):
    return _phase_change(round, lambda round: round.publish(),
                         _("Published: members can see the round and submit their work."))


@bp.route("/r/<int:round_id>/start-reviewing", methods=["POST"])
def start_reviewing(round):
    def start(round):
        round.start_reviewing_now()
        background_allocation.worker().nudge()  # the background allocation does it: this request does not wait

    return _phase_change(round, start, _("Reviewing has started. Reviewers are being allocated: each gets a notice, "
                                         "and the board lists anything the allocation could not do."))


@bp.route("/r/<int:round_id>/close", methods=["POST"])
def close_round(round):
    return _phase_change(round, lambda round: round.close_now(),
                         _("The round is closed: no more submissions or submitted reviews."))


@bp.route("/r/<int:round_id>/deadlines", methods=["GET", "POST"])
def extend_deadlines(round):
    form = DeadlinesForm(round=round)
    status = 200
    if round.is_draft:
        # A draft's deadlines are ordinary settings.
        return web.see_other(url_for("reviews_facilitator.round_settings", round_id=round.id))
    if form.is_submitted():
        status = 422
        if form.validate():
            changes = form.changes()
            if not changes:
                flash(_("The deadlines are unchanged."), "info")
                return web.see_other(_back(round))
            try:
                round.extend_deadlines(**changes)
            except ValidationError as error:
                form.show_errors(error.errors)
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                flash(_("Deadlines moved. Everyone sees the new times in their own time zone."), "success")
                return web.see_other(_back(round))
    context = dict(round=round, circle=round.circle, form=form)
    if request.htmx:
        # Sent from the round page's panel, the form comes back on its own page: show that page's address.
        return web.fragment("reviews/deadlines.html", status=status, **context,
                            push_url=url_for("reviews_facilitator.extend_deadlines", round_id=round.id))
    return web.render("reviews/deadlines.html", status=status, **context)


# ---- the board ----------------------------------------------------------------------------------

@bp.route("/r/<int:round_id>/board")
def board(round):
    return web.render("reviews/board.html", block="board", round=round, circle=round.circle,
                      board=boards.board(round), now=clock.now(), flag_reasons=queries.flag_reasons(round),
                      status_words=STATUS_WORDS)


@bp.route("/r/<int:round_id>/assignments/<int:assignment_id>/swap", methods=["GET", "POST"])
def swap_reviewer(round, assignment):
    form = SwapForm(candidates=queries.reviewer_candidates(round, assignment.submission))
    review = queries.review_of(assignment)
    draft_started = False
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            new_reviewer = queries.member_of_circle(round.circle_id, form.reviewer.data)
            try:
                allocation.swap_reviewer(assignment, new_reviewer, discard_draft=form.discard_draft.data,
                                         url=url_for("reviews_participant.review", assignment_id=assignment.id))
            except DraftWouldBeLost as error:
                draft_started = True
                form.show_errors({"discard_draft": str(error)})
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                flash(_("%(reviewer)s now reviews %(author)s’s work and has been told.",
                        reviewer=new_reviewer.display_name, author=assignment.submission.author.display_name),
                      "success")
                return web.see_other(_board_url(round))
    return web.render("reviews/swap.html", status=status, round=round, circle=round.circle, form=form,
                      assignment=assignment, review=review, draft_started=draft_started, status_words=STATUS_WORDS)


@bp.route("/r/<int:round_id>/submissions/<int:submission_id>/add-reviewer", methods=["GET", "POST"])
def add_reviewer(round, submission):
    """Give a submission one more reviewer by hand, to make up for what the allocation could not do."""
    form = ReviewerForm(candidates=queries.reviewer_candidates(round, submission))
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            reviewer = queries.member_of_circle(round.circle_id, form.reviewer.data)
            try:
                # The assignment does not exist yet, so the notice points to the round, which lists their tasks.
                allocation.add_reviewer(submission, reviewer, url=_round_url(round))
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                flash(_("%(reviewer)s now also reviews %(author)s’s work and has been told.",
                        reviewer=reviewer.display_name, author=submission.author.display_name), "success")
                return web.see_other(_board_url(round))
    return web.render("reviews/add_reviewer.html", status=status, round=round, circle=round.circle, form=form,
                      submission=submission, reviewers=queries.reviewer_count(submission))


@bp.route("/r/<int:round_id>/nudge", methods=["POST"])
def nudge(round):
    ButtonForm.check()
    sent = queries.nudge_once(round, url=_round_url(round), form_key=request.form.get("form_key", ""),
                              user=_user())
    if sent is None:
        flash(_("Those reminders were already sent."), "info")
    elif sent:
        flash(ngettext("Reminded %(num)d person.", "Reminded %(num)d people.", sent), "success")
    else:
        flash(_("Nobody has pending work to be reminded of."), "info")
    return web.see_other(_back(round, _board_url(round)))


@bp.route("/r/<int:round_id>/export.csv")
def export_csv(round):
    response = current_app.response_class(boards.export_csv(round), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="round-{round.id}-reviews.csv"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _moderation_reason():
    """The one-line reason of a review's hiding or showing; None (with the message shown) when there is none."""
    form = ModerationReasonForm()
    if form.validate_on_submit():
        return form.reason.data
    if "csrf_token" in form.errors:
        abort(400)
    flash(" ".join(str(error) for error in form.reason.errors), "error")
    return None


@bp.route("/reviews/<int:review_id>/hide", methods=["POST"])
def hide_review(review):
    round = review.assignment.round
    reason = _moderation_reason()
    if reason is None:
        return web.see_other(_back(round, _board_url(round)))
    reviewing.hide_review(review, _user())
    moderation_hooks.review_hidden(round.circle, review, _user(), reason)  # logged, its flags closed
    flash(_("The review is hidden from its author, and its reviewer is not given this author’s work again in this "
            "circle."), "success")
    return web.see_other(_back(round, _board_url(round)))


@bp.route("/reviews/<int:review_id>/unhide", methods=["POST"])
def unhide_review(review):
    round = review.assignment.round
    reason = _moderation_reason()
    if reason is None:
        return web.see_other(_back(round, _board_url(round)))
    reviewing.unhide_review(review)
    moderation_hooks.review_shown(round.circle, review, _user(), reason)
    flash(_("The review is shown to its author again."), "success")
    return web.see_other(_back(round, _board_url(round)))


# ---- pairs kept apart ---------------------------------------------------------------------------

def _apart_url(round):
    return url_for("reviews_facilitator.kept_apart", round_id=round.id)


@bp.route("/r/<int:round_id>/kept-apart", methods=["GET", "POST"])
def kept_apart(round):
    """The circle's pairs kept apart, with a form to add one (prefilled by ?reviewer=&author=)."""
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
        flash(_("%(reviewer)s was already kept apart from %(author)s.", reviewer=reviewer.display_name,
                author=author.display_name), "info")
        return
    names = dict(reviewer=reviewer.display_name, author=author.display_name)
    if pairs.allocated_in(round, reviewer.id, author.id) is not None:
        flash(_("%(reviewer)s will not be given %(author)s’s work again in this circle. They already review it in "
                "“%(round)s”: swap that review on the board if they should not.", round=round.title, **names),
              "success")
    else:
        flash(_("%(reviewer)s will not be given %(author)s’s work again in this circle.", **names), "success")


@bp.route("/r/<int:round_id>/kept-apart/undo", methods=["POST"])
def release_pair(round):
    """Undo a facilitator's "keep apart" (the form names the pair; a hidden review stays as it is)."""
    ButtonForm.check()
    reviewer_id, author_id = request.form.get("reviewer", type=int), request.form.get("author", type=int)
    if not all(loading.storable(person) for person in (reviewer_id, author_id)):
        abort(400)
    if not pairs.release(round.circle_id, reviewer_id, author_id):
        flash(_("That pair was not kept apart by a facilitator."), "info")
    elif pairs.is_kept_apart(round.circle_id, reviewer_id, author_id):
        flash(_("Undone, but a hidden review of theirs still keeps them apart."), "success")
    else:
        flash(_("They are no longer kept apart."), "success")
    return web.see_other(_apart_url(round))
