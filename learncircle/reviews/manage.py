"""Facilitator routes: a circle's rounds, creating and setting up a round, its rubric, moving it
through its phases, the board with swaps, nudges and the export, hiding reviews, and notices.
"""
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required
from htmx_flask import make_response as htmx_response

from .. import clock, formkeys, web
from ..circles import access as circle_access
from ..notices.models import Notice
from . import access, managing
from . import board as boards
from . import worker
from .allocating import add_reviewer as add_assignment, swap_reviewer as swap_assignment
from .blueprint import bp
from .manage_forms import (ButtonForm, CriterionForm, DeadlinesForm, MoveForm, ReviewerForm, RoundForm, SwapForm,
                           local_input_value)
from .models import ReviewRound, copy_rubric
from .results import DRAFTING, LATE, NOT_STARTED, SUBMITTED
from .reviewing import hide_review as hide, unhide_review as unhide
from .rules import OPEN, REVIEWING, DraftWouldBeLost, Refused, ValidationError

ROUNDS_PER_PAGE = 25
NOTICES_PER_PAGE = 25
NEW_CRITERION = "new-criterion"
STATUS_LABELS = {NOT_STARTED: "not started", DRAFTING: "draft", SUBMITTED: "submitted", LATE: "late"}


@bp.app_template_filter("datetime_local")
def _datetime_local(moment):
    """A stored UTC moment as the value of a datetime-local input in the viewer's zone."""
    return local_input_value(moment)


@bp.app_template_global("one_time_key")
def _one_time_key():
    """A fresh key for a form whose second sending must not act twice (see formkeys)."""
    return formkeys.new_key()


@bp.app_template_filter("local_url")
def _local_url(url):
    """A stored link if it stays on this site, else "" (a notice never sends anyone elsewhere)."""
    return web.safe_next(url, "")


@bp.app_template_filter("review_status")
def _review_status(status):
    return STATUS_LABELS.get(status, status)


# ---- loading and refusing -----------------------------------------------------------------------

def _user():
    return current_user._get_current_object()


def _require(allowed):
    if not allowed:
        abort(403)


def _hidden_unless_visible(circle):
    """A private circle's rounds do not exist for outsiders; signed-out visitors are asked to log in."""
    if not circle_access.can_view(current_user, circle):
        abort(401 if circle.is_public and not current_user.is_authenticated else 404)


def _round_or_404(round_id):
    """Load a round the viewer may know of: its circle is visible to them, and drafts only to managers."""
    round = managing.round_with_circle(round_id)
    if round is None:
        abort(404)
    _hidden_unless_visible(round.circle)
    if round.is_draft and not access.can_manage_round(current_user, round):
        abort(404)
    return round


def _managed_round(round_id):
    """Load a round the viewer manages (403 for the circle's other people)."""
    round = _round_or_404(round_id)
    _require(access.can_manage_round(current_user, round))
    # Reviewing may have begun by the clock since anyone last looked: the background allocation is
    # asked to run now, and the pages say "being allocated" until it has (see reviews.allocating).
    worker.nudge_if_due(round)
    return round


def _round_url(round):
    return url_for("reviews.round", round_id=round.id)


def _rubric_url(round, criterion=None):
    anchor = f"criterion-{criterion.id}" if criterion is not None else None
    return url_for("reviews.rubric", round_id=round.id, _anchor=anchor)


def _board_url(round):
    return url_for("reviews.board", round_id=round.id)


def _back(round, fallback=None):
    """Where a button sends the facilitator back to: a local `next`, else fallback (the round page)."""
    return web.safe_next(request.form.get("next"), fallback or _round_url(round))


def _check_button():
    """Refuse a button form whose CSRF token is missing or wrong (400)."""
    if not ButtonForm().validate_on_submit():
        abort(400)


# ---- a circle's rounds --------------------------------------------------------------------------

@bp.route("/c/<slug>/reviews")
def rounds(slug):
    circle = circle_access.circle_or_404(slug)
    # Rounds are for the circle's own people, like its roster (and the admin, who answers reports).
    _require(access.can_list_rounds(current_user, circle))
    managers = access.can_create_round(current_user, circle)
    page = web.Page(ReviewRound.for_circle(circle, include_drafts=managers), web.page_number(), ROUNDS_PER_PAGE)
    now = clock.now()
    return web.render("reviews/rounds.html", block="rounds", circle=circle, rounds=page, now=now,
                      expectations=_expectations(page, now))


def _expectations(rounds, now):
    """What each running round (open or reviewing) expects of the viewer, by round id."""
    running = [round for round in rounds if round.phase(now) in (OPEN, REVIEWING)]
    return ReviewRound.expectations_for(running, _user(), now)


@bp.route("/c/<slug>/reviews/new", methods=["GET", "POST"])
def new_round(slug):
    circle = circle_access.circle_or_404(slug)
    _require(access.can_create_round(current_user, circle))
    sources = managing.rubric_sources(circle)
    form = RoundForm(sources=sources)
    status = 200
    if form.is_submitted():
        status = 422
        data = form.check(clock.now())
        if data is not None:
            source = next((s for s in sources if s.id == form.copy_from.data), None)
            try:
                round = managing.create_round_once(circle=circle, created_by=_user(), data=data,
                                                   form_key=form.form_key.data, result_url=_rubric_url,
                                                   copy_from=source)
            except formkeys.DuplicateSubmission as sent:
                return web.see_other(web.safe_next(sent.result_url, url_for("reviews.rounds", slug=circle.slug)))
            except ValidationError as error:
                form.show_errors(error.errors)
            else:
                flash("Draft saved. Next, check the rubric; members see the round once you publish it.", "success")
                return web.see_other(_rubric_url(round))
    return web.render("reviews/new_round.html", status=status, circle=circle, form=form)


@bp.route("/r/<int:round_id>/settings", methods=["GET", "POST"])
def round_settings(round_id):
    round = _managed_round(round_id)
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
                round = _managed_round(round_id)  # the refused save may have left the copy changed
            else:
                flash("Settings saved.", "success")
                return web.see_other(_round_url(round))
    return web.render("reviews/settings.html", status=status, round=round, circle=round.circle, form=form)


@bp.route("/r/<int:round_id>/discard", methods=["POST"])
def discard_round(round_id):
    round = _managed_round(round_id)
    _check_button()
    try:
        round.discard()
    except Refused as error:
        flash(str(error), "error")
        return web.see_other(_round_url(round))
    flash(f"The draft “{round.title}” was deleted.", "success")
    return web.see_other(url_for("reviews.rounds", slug=round.circle.slug))


# ---- the rubric ---------------------------------------------------------------------------------

def _rubric_context(round, **overrides):
    criteria = round.rubric()
    context = dict(round=round, circle=round.circle, criteria=criteria, editors={}, problem=None,
                   new_form=CriterionForm(formdata=None, prefix=NEW_CRITERION),
                   sources=managing.rubric_sources(round.circle, exclude=round))
    context.update(overrides)
    return context


def _rubric_response(round, status=200, **overrides):
    """The builder page, or only the rubric (#rubric-<id>) for htmx."""
    return web.render("reviews/rubric.html", block="rubric", status=status, **_rubric_context(round, **overrides))


def _rubric_problem(round, problem):
    """Say why the rubric cannot change; htmx puts the whole rubric (now without edit buttons) in place."""
    response = _rubric_response(round, status=422, problem=problem)
    if web.is_fragment_request():
        response.headers["HX-Retarget"] = f"#rubric-{round.id}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _criterion_response(round, criterion, editor=None, status=200):
    """One criterion (#criterion-<id>) for htmx, shown or in its edit form."""
    criteria = round.rubric()
    ids = [c.id for c in criteria]
    return web.render_partial("reviews/_criterion.html", status=status, round=round, criterion=criterion,
                              index=ids.index(criterion.id) + 1, count=len(ids), editor=editor)


def _criterion_or_404(round, criterion_id):
    criterion = managing.criterion_in_round(round, criterion_id)
    if criterion is None:
        abort(404)
    criterion.round = round
    return criterion


def _editor(criterion, **kwargs):
    return CriterionForm(criterion=criterion, prefix=f"criterion-{criterion.id}", **kwargs)


@bp.route("/r/<int:round_id>/rubric")
def rubric(round_id):
    return _rubric_response(_managed_round(round_id))


@bp.route("/r/<int:round_id>/rubric/criteria", methods=["POST"])
def add_criterion(round_id):
    round = _managed_round(round_id)
    form = CriterionForm(prefix=NEW_CRITERION)
    if form.validate():
        try:
            criterion = managing.add_criterion_once(round, form.criterion(), form_key=form.form_key.data,
                                                    user=_user())
        except ValidationError as error:
            form.show_errors(error.errors)
        except Refused as error:
            return _rubric_problem(round, str(error))
        else:
            if not web.is_fragment_request():
                return web.see_other(_rubric_url(round, criterion))
            return _rubric_response(round)
    if web.is_fragment_request():
        # Only the form comes back, so criteria being edited elsewhere on the page keep what was typed.
        body = web.render_partial("reviews/_new_criterion.html", status=422, round=round, new_form=form)
        return htmx_response(body, retarget=f"#rubric-{round.id}-new", reswap="outerHTML")
    return _rubric_response(round, status=422, new_form=form)


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>", methods=["GET"], endpoint="criterion")
def show_criterion(round_id, criterion_id):
    """A criterion as shown in the builder: htmx gets it alone (to end an edit), others the builder."""
    round = _managed_round(round_id)
    criterion = _criterion_or_404(round, criterion_id)
    if not web.is_fragment_request():
        return web.see_other(_rubric_url(round, criterion))
    return _criterion_response(round, criterion)


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>/edit")
def criterion_editor(round_id, criterion_id):
    """The edit form of a criterion: in place for htmx, in the builder page otherwise."""
    round = _managed_round(round_id)
    criterion = _criterion_or_404(round, criterion_id)
    if round.rubric_locked:
        return _rubric_problem(round, "The rubric is fixed once reviewing has started.")
    editor = _editor(criterion, formdata=None)
    if web.is_fragment_request():
        return _criterion_response(round, criterion, editor=editor)
    return _rubric_response(round, editors={criterion.id: editor})


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>", methods=["POST"])
def edit_criterion(round_id, criterion_id):
    round = _managed_round(round_id)
    criterion = _criterion_or_404(round, criterion_id)
    form = _editor(criterion)
    if form.validate():
        try:
            criterion.edit(form.criterion())
        except ValidationError as error:
            form.show_errors(error.errors)
        except Refused as error:
            return _rubric_problem(round, str(error))
        else:
            if not web.is_fragment_request():
                return web.see_other(_rubric_url(round, criterion))
            return _criterion_response(round, criterion)
    criterion = _criterion_or_404(round, criterion_id)  # as stored, beside the form with what was typed
    if web.is_fragment_request():
        return _criterion_response(round, criterion, editor=form, status=422)
    return _rubric_response(round, status=422, editors={criterion.id: form})


def _rubric_changed(round, change):
    """Run a change to the whole rubric; answer with the rubric (htmx) or a redirect back to the builder."""
    try:
        change()
    except Refused as error:
        return _rubric_problem(round, str(error))
    if web.is_fragment_request():
        return _rubric_response(round)
    return web.see_other(_rubric_url(round))


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>/remove", methods=["POST"])
def remove_criterion(round_id, criterion_id):
    round = _managed_round(round_id)
    _check_button()
    criterion = managing.criterion_in_round(round, criterion_id)
    if criterion is None:
        # Already removed (a double click): the rubric as it now is.
        return _rubric_changed(round, lambda: None)
    criterion.round = round
    return _rubric_changed(round, criterion.remove)


@bp.route("/r/<int:round_id>/rubric/criteria/<int:criterion_id>/move", methods=["POST"])
def move_criterion(round_id, criterion_id):
    round = _managed_round(round_id)
    criterion = _criterion_or_404(round, criterion_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    return _rubric_changed(round, lambda: criterion.move(form.offset))


@bp.route("/r/<int:round_id>/rubric/copy", methods=["POST"], endpoint="copy_rubric")
def copy_rubric_from(round_id):
    round = _managed_round(round_id)
    _check_button()
    sources = {source.id: source for source in managing.rubric_sources(round.circle, exclude=round)}
    chosen = request.form.get("source", type=int)
    if chosen not in sources:
        return _rubric_problem(round, "Choose an earlier round of this circle that has a rubric.")
    return _rubric_changed(round, lambda: copy_rubric(sources[chosen], round))


# ---- moving a round through its phases ----------------------------------------------------------

def _phase_change(round_id, change, done):
    round = _managed_round(round_id)
    _check_button()
    try:
        change(round)
    except Refused as error:
        flash(str(error), "error")
    else:
        flash(done(round), "success")
    return web.see_other(_back(round))


@bp.route("/r/<int:round_id>/publish", methods=["POST"])
def publish(round_id):
    return _phase_change(round_id, lambda round: round.publish(),
                         lambda round: "Published: members can see the round and submit their work.")


@bp.route("/r/<int:round_id>/start-reviewing", methods=["POST"])
def start_reviewing(round_id):
    def done(round):
        return ("Reviewing has started. Reviewers are being allocated: each gets a notice, and the board lists "
                "anything the allocation could not do.")

    def start(round):
        round.start_reviewing_now(allocate=False)
        worker.worker().nudge()  # the background allocation does it, so this request does not wait

    return _phase_change(round_id, start, done)


@bp.route("/r/<int:round_id>/close", methods=["POST"])
def close_round(round_id):
    return _phase_change(round_id, lambda round: round.close_now(),
                         lambda round: "The round is closed: no more submissions or submitted reviews.")


@bp.route("/r/<int:round_id>/deadlines", methods=["GET", "POST"])
def extend_deadlines(round_id):
    round = _managed_round(round_id)
    form = DeadlinesForm(round=round)
    status = 200
    if round.is_draft:
        # A draft's deadlines are ordinary settings.
        return web.see_other(url_for("reviews.round_settings", round_id=round.id))
    if form.is_submitted():
        status = 422
        if form.validate():
            changes = form.changes()
            if not changes:
                flash("The deadlines are unchanged.", "info")
                return web.see_other(_back(round))
            try:
                round.extend_deadlines(**changes)
            except ValidationError as error:
                form.show_errors(error.errors)
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                flash("Deadlines moved. Everyone sees the new times in their own time zone.", "success")
                return web.see_other(_back(round))
    response = web.render("reviews/deadlines.html", status=status, round=round, circle=round.circle, form=form)
    if request.htmx:
        # Sent from the round page's panel, the form comes back on its own page: show that page's address.
        response.headers["HX-Push-Url"] = url_for("reviews.extend_deadlines", round_id=round.id)
    return response


# ---- the board ----------------------------------------------------------------------------------

def _board_context(round):
    return dict(round=round, circle=round.circle, board=boards.board(round), now=clock.now(),
                flag_reasons=managing.flag_reasons(round))


@bp.route("/r/<int:round_id>/board")
def board(round_id):
    round = _managed_round(round_id)
    return web.render("reviews/board.html", block="board", **_board_context(round))


@bp.route("/r/<int:round_id>/assignments/<int:assignment_id>/swap", methods=["GET", "POST"])
def swap_reviewer(round_id, assignment_id):
    round = _managed_round(round_id)
    assignment = managing.assignment_in_round(round, assignment_id)
    if assignment is None:
        abort(404)
    form = SwapForm(candidates=managing.reviewer_candidates(round, assignment.submission))
    review = managing.review_of(assignment)
    draft_started = False
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            new_reviewer = managing.member_of_circle(round.circle_id, form.reviewer.data)
            try:
                swap_assignment(assignment, new_reviewer, discard_draft=form.discard_draft.data,
                                url=url_for("reviews.review", assignment_id=assignment.id))
            except DraftWouldBeLost as error:
                draft_started = True
                form.show_errors({"discard_draft": str(error)})
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                flash(f"{new_reviewer.display_name} now reviews {assignment.submission.author.display_name}’s "
                      "work and has been told.", "success")
                return web.see_other(_board_url(round))
    return web.render("reviews/swap.html", status=status, round=round, circle=round.circle, form=form,
                      assignment=assignment, review=review, draft_started=draft_started)


@bp.route("/r/<int:round_id>/submissions/<int:submission_id>/add-reviewer", methods=["GET", "POST"])
def add_reviewer(round_id, submission_id):
    """Give a submission one more reviewer by hand, to make up for what the allocation could not do."""
    round = _managed_round(round_id)
    submission = managing.submission_in_round(round, submission_id)
    if submission is None:
        abort(404)
    form = ReviewerForm(candidates=managing.reviewer_candidates(round, submission))
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            reviewer = managing.member_of_circle(round.circle_id, form.reviewer.data)
            try:
                # The assignment does not exist yet, so the notice points to the round, which lists their tasks.
                add_assignment(submission, reviewer, url=_round_url(round))
            except Refused as error:
                form.show_errors({"general": str(error)})
            else:
                flash(f"{reviewer.display_name} now also reviews {submission.author.display_name}’s work "
                      "and has been told.", "success")
                return web.see_other(_board_url(round))
    return web.render("reviews/add_reviewer.html", status=status, round=round, circle=round.circle, form=form,
                      submission=submission, reviewers=managing.reviewer_count(submission))


@bp.route("/r/<int:round_id>/nudge", methods=["POST"])
def nudge(round_id):
    round = _managed_round(round_id)
    _check_button()
    sent = managing.nudge_once(round, url=_round_url(round), form_key=request.form.get("form_key", ""),
                               user=_user())
    if sent is None:
        flash("Those reminders were already sent.", "info")
    elif sent:
        flash(f"Reminded {sent} {'person' if sent == 1 else 'people'}.", "success")
    else:
        flash("Nobody has pending work to be reminded of.", "info")
    return web.see_other(_back(round, _board_url(round)))


@bp.route("/r/<int:round_id>/export.csv")
def export_csv(round_id):
    round = _managed_round(round_id)
    response = current_app.response_class(boards.export_csv(round), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="round-{round.id}-reviews.csv"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _hideable_review(review_id):
    review = managing.review_with_round(review_id)
    if review is None:
        abort(404)
    _hidden_unless_visible(review.assignment.round.circle)
    _require(access.can_hide(current_user, review))
    _check_button()
    return review


@bp.route("/reviews/<int:review_id>/hide", methods=["POST"])
def hide_review(review_id):
    review = _hideable_review(review_id)
    hide(review, _user())
    flash("The review is hidden from its author, and its reviewer is not given this author’s work again in this "
          "circle.", "success")
    return web.see_other(_back(review.assignment.round, _board_url(review.assignment.round)))


@bp.route("/reviews/<int:review_id>/unhide", methods=["POST"])
def unhide_review(review_id):
    review = _hideable_review(review_id)
    unhide(review)
    flash("The review is shown to its author again.", "success")
    return web.see_other(_back(review.assignment.round, _board_url(review.assignment.round)))


# ---- notices ------------------------------------------------------------------------------------

@bp.route("/notices")
@login_required
def notices():
    page = web.Page(Notice.recent_for(_user()), web.page_number(), NOTICES_PER_PAGE)
    return web.render("reviews/notices.html", block="notices", notices=page)


@bp.route("/notices/read", methods=["POST"])
@login_required
def mark_notices_read():
    _check_button()
    changed = Notice.mark_read(_user())
    if changed:
        flash("All notices are marked as read.", "success")
    return web.see_other(url_for("reviews.notices"))
