"""Participant routes for peer review rounds: the round page, one's own submission, reading a
submission with its reviews, writing a review, and feedback on feedback.
"""
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import clock, formkeys, web
from ..circles import access as circle_access
from . import access, participating, worker
from .blueprint import bp
from .participate_forms import FlagForm, RatingForm, ReviewForm, RevisionPlanForm, SubmissionForm
from .results import reviewer_tasks, reviewer_view, results_for
from .reviewing import flag_review, rate_review, save_review_draft, submit_review
from .rules import BOTH_HIDDEN, LINK, REVIEWING, TEXT, Refused, ValidationError
from .submitting import save_revision_plan


# ---- loading and refusing -----------------------------------------------------------------------

def _user():
    return current_user._get_current_object()


def _require(allowed):
    if not allowed:
        abort(403)


def _check_round_visible(round):
    """404 when the circle is hidden from the viewer or the round is a draft they do not run; else 403 if not theirs."""
    if not circle_access.can_view(current_user, round.circle):
        abort(404)
    if round.is_draft and not access.can_manage_round(current_user, round):
        abort(404)
    _require(access.can_view_round(current_user, round))


def _round_or_404(round_id):
    round = participating.round_with_circle(round_id)
    if round is None:
        abort(404)
    _check_round_visible(round)
    return round


def _submission_or_404(submission_id):
    submission = participating.submission_with_round(submission_id)
    if submission is None:
        abort(404)
    _check_round_visible(submission.round)
    return submission


def _assignment_or_404(assignment_id):
    assignment = participating.assignment_with_round(assignment_id)
    if assignment is None:
        abort(404)
    _check_round_visible(assignment.round)
    return assignment


def _review_or_404(review_id):
    review = participating.review_with_round(review_id)
    if review is None:
        abort(404)
    _check_round_visible(review.assignment.round)
    return review


def _submission_url(submission, **args):
    return url_for("reviews.submission", submission_id=submission.id, **args)


def _review_url(assignment_id):
    return url_for("reviews.review", assignment_id=assignment_id)


def _is_member(round):
    return circle_access.membership(current_user, round.circle) is not None


# ---- the round page -----------------------------------------------------------------------------

@bp.route("/r/<int:round_id>", endpoint="round")
@login_required
def show_round(round_id):
    """The round as the viewer takes part in it: phase, deadlines, what to do now, their work and tasks."""
    round = _round_or_404(round_id)
    worker.nudge_if_due(round)
    user = _user()
    tasks = reviewer_tasks(round, user)
    pending = [task for task in tasks if task.status in ("not_started", "draft")]
    return web.render("reviews/round.html", round=round, circle=round.circle, phase=round.phase(),
                      expectation=round.expected_of(user), submission=round.submission_of(user),
                      refusal=round.submission_refusal(user), is_member=_is_member(round),
                      tasks=tasks, next_task=pending[0] if pending else None)


# ---- one's own submission -----------------------------------------------------------------------

def _will_be_late(round, submission):
    """A first submission now would be marked late (the deadline has passed and late work is accepted)."""
    return _arrives_in_review(round, submission) and not round.started_early()


def _arrives_in_review(round, submission):
    """A first submission now would arrive while reviewing runs, and get its reviewers at once."""
    return submission is None and round.phase() == REVIEWING and round.accept_late


def _saved_message(submission):
    late = ", marked late: the deadline had passed" if submission.is_late else ""
    return f"Saved as version {submission.version_count}{late}."


@bp.route("/r/<int:round_id>/submission", methods=["GET", "POST"])
@login_required
def my_submission(round_id):
    """Submit or edit one's own work; earlier versions stay readable; shows what reviewers will see."""
    round = _round_or_404(round_id)
    _require(_is_member(round))
    worker.nudge_if_due(round)
    user = _user()
    submission = round.submission_of(user)
    refusal = round.submission_refusal(user)
    status = 200
    if request.method == "POST":
        form = SubmissionForm()
        if refusal is None and form.validate():
            try:
                saved = participating.submit_once(
                    round, user, body=form.body.data or "", link=form.link.data or "", form_key=form.form_key.data,
                    result_url=lambda s: url_for("reviews.my_submission", round_id=round.id),
                    round_url=url_for("reviews.round", round_id=round.id))
            except formkeys.DuplicateSubmission as sent:
                return web.see_other(web.safe_next(sent.result_url,
                                                   url_for("reviews.my_submission", round_id=round.id)))
            except ValidationError as error:
                form.show_errors(error.errors)
            except Refused as error:
                refusal = str(error)
            else:
                flash(_saved_message(saved), "success")
                return web.see_other(url_for("reviews.my_submission", round_id=round.id))
        status = 422
    else:
        latest = submission.latest_version() if submission else None
        form = SubmissionForm(formdata=None, data={"body": latest.body if latest else "",
                                                   "link": latest.link if latest else ""})
    return _my_submission_page(round, user, submission, form, refusal, status)


def _my_submission_page(round, user, submission, form, refusal, status):
    latest = submission.latest_version() if submission else None
    versions = (web.Page(submission.versions(), web.page_number(), participating.VERSIONS_PER_PAGE)
                if submission else None)
    return web.render(
        "reviews/my_submission.html", status=status, round=round, circle=round.circle, phase=round.phase(),
        form=form, submission=submission, refusal=refusal, posted=request.method == "POST",
        will_be_late=_will_be_late(round, submission), latest=latest, shown=_version_asked_for(submission),
        arrives_early=_arrives_in_review(round, submission) and round.started_early(),
        versions=versions, work_label=_label_for_reviewers(round, user), author_hidden=round.hides_authors,
        show_text=round.submission_format != LINK, show_link=round.submission_format != TEXT,
    )


def _version_asked_for(submission):
    """The version named by ?version=N, None without it; 404 for one that does not exist."""
    raw = request.args.get("version")
    if raw is None:
        return None
    if submission is None or not raw.isdigit():
        abort(404)
    version = participating.version_of(submission, int(raw))
    if version is None:
        abort(404)
    return version


def _label_for_reviewers(round, author):
    """How reviewers name this author's work: the author's name, or nothing when authors are hidden."""
    return None if round.anonymity == BOTH_HIDDEN else author.display_name


# ---- a submission and its reviews ---------------------------------------------------------------

def _results_context(submission, rating_forms=None, flag_forms=None, plan_form=None):
    """Everything submission.html shows, for the author, an allocated reviewer or a manager."""
    user = _user()
    round = submission.round
    is_author = submission.author_id == user.id
    is_manager = access.can_manage_round(user, round)
    results = results_for(submission, user) if is_author or is_manager else None
    assignment = None if is_author else participating.assignment_for(submission, user)
    if is_author:
        work_label, author_hidden = _label_for_reviewers(round, user), round.hides_authors
    elif is_manager:
        work_label, author_hidden = submission.author.display_name, False
    else:
        view = reviewer_view(assignment)
        work_label, author_hidden = view.label, view.author_name is None
    rating_forms, flag_forms = dict(rating_forms or {}), dict(flag_forms or {})
    if is_author:
        for result in results.reviews:
            rating_forms.setdefault(result.review_id, RatingForm(formdata=None, data={
                "helpfulness": result.helpfulness, "helpfulness_note": result.helpfulness_note}))
            flag_forms.setdefault(result.review_id, FlagForm(formdata=None))
    plan = submission.revision_plan() if is_author or is_manager else None
    if plan_form is None:
        plan_form = RevisionPlanForm(formdata=None, data={"body": plan.body if plan else ""})
    return dict(
        round=round, circle=round.circle, phase=round.phase(), submission=submission,
        version=submission.latest_version(), work_label=work_label, author_hidden=author_hidden,
        is_author=is_author, is_manager=is_manager, results=results, assignment=assignment,
        arrived=submission.visible_reviews().count() if is_author else 0,
        rating_forms=rating_forms, flag_forms=flag_forms, plan=plan, plan_form=plan_form,
        can_edit=is_author and access.can_submit(user, round),
    )


@bp.route("/s/<int:submission_id>", endpoint="submission")
@login_required
def show_submission(submission_id):
    """A submission as its reader may see it: the author with their results, a reviewer, a manager."""
    submission = _submission_or_404(submission_id)
    _require(access.can_read_submission(current_user, submission))
    worker.nudge_if_due(submission.round)
    return web.render("reviews/submission.html", **_results_context(submission))


def _answer_with_card(review, status=200, rating_form=None, flag_form=None):
    """After a rating or flag: the review's card for htmx, the results page otherwise (303 or 422)."""
    submission = review.assignment.submission
    if status == 200 and not web.is_fragment_request():
        return web.see_other(_submission_url(submission, _anchor=f"review-{review.id}"))
    forms = dict(rating_forms={review.id: rating_form} if rating_form else None,
                 flag_forms={review.id: flag_form} if flag_form else None)
    context = _results_context(submission, **forms)
    if not web.is_fragment_request():
        return web.render("reviews/submission.html", status=status, **context)
    result = next((r for r in context["results"].reviews if r.review_id == review.id), None)
    if result is None:
        abort(404)
    return web.render_partial("reviews/_review_result.html", status=status, result=result, **context)


@bp.route("/reviews/<int:review_id>/rate", methods=["POST"], endpoint="rate_review")
@login_required
def rate_review_view(review_id):
    """The author rates how helpful a review was (1–5, optional note)."""
    review = _review_or_404(review_id)
    user = _user()
    _require(access.can_rate(user, review))
    form = RatingForm()
    if form.validate():
        try:
            rate_review(review, user, form.helpfulness.data, form.helpfulness_note.data or "",
                        url=_review_url(review.assignment_id))
        except ValidationError as error:
            form.show_errors(error.errors)
        else:
            if not web.is_fragment_request():
                flash("Thank you: your rating was saved, and the reviewer will see it.", "success")
            return _answer_with_card(review)
    return _answer_with_card(review, status=422, rating_form=form)


@bp.route("/reviews/<int:review_id>/flag", methods=["POST"], endpoint="flag_review")
@login_required
def flag_review_view(review_id):
    """The author flags a review as unkind or unhelpful; the circle's facilitators are told."""
    review = _review_or_404(review_id)
    user = _user()
    _require(access.can_flag(user, review))
    if review.is_flagged:  # a second click: the facilitators were already told
        return _answer_with_card(review)
    form = FlagForm()
    if form.validate():
        submission = review.assignment.submission
        try:
            flag_review(review, user, form.reason.data,
                        url=_submission_url(submission, _anchor=f"review-{review.id}"))
        except ValidationError as error:
            form.reason.errors = [*form.reason.errors, *error.errors.values()]
        else:
            if not web.is_fragment_request():
                flash("The review was flagged. The circle's facilitators will look at it.", "success")
            return _answer_with_card(review)
    return _answer_with_card(review, status=422, flag_form=form)


@bp.route("/s/<int:submission_id>/plan", methods=["POST"])
@login_required
def revision_plan(submission_id):
    """The author saves "what I will change" (Markdown)."""
    submission = _submission_or_404(submission_id)
    user = _user()
    _require(access.can_write_revision_plan(user, submission))
    form = RevisionPlanForm()
    status = 422
    if form.validate():
        try:
            save_revision_plan(submission, user, form.body.data or "")
        except ValidationError as error:
            form.body.errors = [*form.body.errors, *error.errors.values()]
        else:
            if not web.is_fragment_request():
                flash("Your revision plan was saved.", "success")
                return web.see_other(_submission_url(submission, _anchor=f"submission-{submission.id}-plan"))
            form, status = None, 200
    context = _results_context(submission, plan_form=form)
    if web.is_fragment_request():
        return web.render_partial("reviews/_revision_plan.html", status=status, saved=status == 200, **context)
    return web.render("reviews/submission.html", status=status, **context)


# ---- writing a review ---------------------------------------------------------------------------

def _review_page(assignment, form=None, status=200, refusal=None):
    """The reviewer's page (editable until submitted), or a manager's read-only look at it."""
    view = reviewer_view(assignment)
    if form is None:
        form = ReviewForm(view.criteria, formdata=None)
        form.fill_from(view.review, view.responses)
    is_reviewer = access.can_review(current_user, assignment)
    now = clock.now()
    return web.render(
        "reviews/review.html", status=status, view=view, round=view.round, circle=view.round.circle,
        assignment=assignment, form=form, refusal=refusal, is_reviewer=is_reviewer,
        reviewer_name=None if is_reviewer else assignment.reviewer.display_name,
        past_deadline=now >= view.round.review_deadline, saved=_saved_at(view.review),
        work_label=view.label, author_hidden=view.author_name is None, version=view.version,
    )


def _saved_at(review):
    """The moment a draft was last saved, for the save status line, or None."""
    if review is None or review.is_submitted:
        return None
    return _clock_time(review.updated_at)


def _clock_time(moment):
    """A moment for "saved at 14:02": the time of day in the viewer's zone, with the exact time beside it."""
    local = web.to_local(moment)
    return {"moment": moment, "iso": local.isoformat(), "hh_mm": local.strftime("%H:%M")}


@bp.route("/a/<int:assignment_id>", endpoint="review")
@login_required
def show_review(assignment_id):
    """The reviewer's form for one assignment; a manager sees it read-only."""
    assignment = _assignment_or_404(assignment_id)
    _require(access.can_review(current_user, assignment) or access.can_manage_round(current_user, assignment.round))
    return _review_page(assignment)


@bp.route("/a/<int:assignment_id>/draft", methods=["POST"])
@login_required
def save_draft(assignment_id):
    """Save what the reviewer typed: a status line for htmx autosave, 303 back to the form otherwise."""
    assignment = _assignment_or_404(assignment_id)
    _require(access.can_review(current_user, assignment))
    round = assignment.round
    form = ReviewForm(round.rubric())
    late = clock.now() >= round.review_deadline
    try:
        saved = save_review_draft(assignment, form.data_for_domain())
    except ValidationError as error:
        form.show_errors(error.errors)
        if web.is_fragment_request():
            return web.render_partial("reviews/_save_status.html", status=422, assignment=assignment,
                                      save_error=str(error))
        return _review_page(assignment, form=form, status=422)
    except Refused as error:
        if web.is_fragment_request():
            return web.render_partial("reviews/_save_status.html", status=422, assignment=assignment,
                                      save_error=str(error))
        flash(str(error), "error")
        return web.see_other(_review_url(assignment.id))
    if web.is_fragment_request():
        return web.render_partial("reviews/_save_status.html", assignment=assignment, saved=_saved_at(saved),
                                  past_deadline=late, round=round)
    when = _clock_time(saved.updated_at)["hh_mm"]
    flash(f"Draft saved at {when}." + (" The deadline has passed: the review will be marked late." if late else ""),
          "success")
    return web.see_other(_review_url(assignment.id))


@bp.route("/a/<int:assignment_id>/submit", methods=["POST"], endpoint="submit_review")
@login_required
def submit_review_view(assignment_id):
    """Make the review final; on a problem, the same form with everything typed and what to fix (422)."""
    assignment = _assignment_or_404(assignment_id)
    _require(access.can_review(current_user, assignment))
    round = assignment.round
    form = ReviewForm(round.rubric())
    try:
        submitted = submit_review(assignment, form.data_for_domain(), url=_submission_url(
            assignment.submission, _anchor=f"submission-{assignment.submission_id}-results"))
    except ValidationError as error:
        form.show_errors(error.errors)
        return _review_page(assignment, form=form, status=422)
    except Refused as error:
        current = reviewer_view(assignment)
        if current.review is not None and current.review.is_submitted:
            return web.see_other(_review_url(assignment.id))  # a second click: it is already final
        return _review_page(assignment, form=form, status=422, refusal=str(error))
    flash("Your review was submitted, marked late: the deadline had passed." if submitted.is_late
          else "Your review was submitted. Thank you!", "success")
    return web.see_other(_review_url(assignment.id))
