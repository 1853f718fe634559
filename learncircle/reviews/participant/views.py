"""The pages of the people taking part in peer review: a circle's rounds, the round page (and whether
its reviewers are allocated yet), one's own submission, reading a submission with its reviews,
writing a review, and feedback on feedback.

`_load` finds what the address names (a round, submission, assignment or review, with its round)
and refuses those who may not see it or may not do what the route does (its line in MAY), once,
before any view runs (see reviews.loading); the views receive the objects.
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from ... import clock, formkeys, timefmt, web
from ...moderation import conduct
from ...moderation.forms import FlagForm
from ...i18n import gettext as _
from .. import access, background_allocation, expectations, loading, reviewing
from ..models import ReviewRound
from ..results import results_for, reviewer_tasks, reviewer_view
from ..rules import BOTH_HIDDEN, LINK, OPEN, REVIEWING, TEXT, Refused, ValidationError
from ..submitting import save_revision_plan
from . import queries
from .forms import RatingForm, ReviewForm, RevisionPlanForm, SubmissionForm

bp = Blueprint("reviews_participant", __name__)

ROUNDS_PER_PAGE = 25
# Beyond seeing the round, what a route asks of the viewer (403 otherwise), given what its address names.
MAY = {
    "my_submission": access.can_take_part,
    "submission": access.can_read_submission,
    "revision_plan": access.can_write_revision_plan,
    "rate_review": access.can_rate,
    "flag_review": access.can_flag,
    # The reviewer; those who run the round read it.
    "review": lambda user, assignment: (access.can_review(user, assignment)
                                        or access.can_manage_round(user, assignment.round)),
    "save_draft": access.can_review,
    "submit_review": access.can_review,
}


@bp.before_request
def _load():
    """What the address names, for those who may see its round: see reviews.loading."""
    return loading.for_participants(MAY)


def _user():
    return current_user._get_current_object()


def _submission_url(submission, **args):
    return url_for("reviews_participant.submission", submission_id=submission.id, **args)


def _review_url(assignment_id):
    return url_for("reviews_participant.review", assignment_id=assignment_id)


# ---- a circle's rounds --------------------------------------------------------------------------

@bp.route("/c/<slug>/reviews")
def rounds(circle):
    """A circle's rounds, for its own people (like its roster) and the admin; drafts for those who run them."""
    managers = access.can_create_round(current_user, circle)
    page = web.Page(ReviewRound.for_circle(circle, include_drafts=managers), web.page_number(), ROUNDS_PER_PAGE)
    now = clock.now()
    return web.render("reviews/rounds.html", block="rounds", circle=circle, rounds=page, now=now,
                      expectations=_expectations(page, now))


def _expectations(rounds, now):
    """What each running round (open or reviewing) expects of the viewer, by round id."""
    running = [round for round in rounds if round.phase(now) in (OPEN, REVIEWING)]
    return expectations.expectations_for(running, _user(), now)


# ---- the round page -----------------------------------------------------------------------------

@bp.route("/r/<int:round_id>", endpoint="round")
def show_round(round):
    """The round as the viewer takes part in it: phase, deadlines, what to do now, their work and tasks."""
    background_allocation.nudge_if_due(round)
    user = _user()
    tasks = reviewer_tasks(round, user)
    pending = [task for task in tasks if task.status in ("not_started", "draft")]
    return web.render("reviews/round.html", round=round, circle=round.circle, phase=round.phase(),
                      expectation=expectations.expected_of(round, user),
                      submission=expectations.submission_of(round, user),
                      refusal=expectations.submission_refusal(round, user),
                      is_member=access.can_take_part(user, round),
                      tasks=tasks, next_task=pending[0] if pending else None)


@bp.route("/r/<int:round_id>/allocation")
def allocation_status(round):
    """Polled by the "reviewers are being allocated" notice: the notice while it lasts, then a reload."""
    page = web.safe_next(request.args.get("next"), url_for("reviews_participant.round", round_id=round.id))
    if background_allocation.nudge_if_due(round):
        return web.fragment("reviews/_allocating.html", round=round, reload_url=page)
    if web.is_fragment_request():
        return web.fragment(None, refresh=True)  # the whole page changes: reviewers, tasks, the board
    return web.see_other(page)


# ---- one's own submission -----------------------------------------------------------------------

def _will_be_late(round, submission):
    """A first submission now would be marked late (the deadline has passed and late work is accepted)."""
    return _arrives_in_review(round, submission) and not round.started_early()


def _arrives_in_review(round, submission):
    """A first submission now would arrive while reviewing runs, and get its reviewers at once."""
    return submission is None and round.phase() == REVIEWING and round.accept_late


def _saved_message(submission):
    if submission.is_late:
        return _("Saved as version %(number)s, marked late: the deadline had passed.",
                 number=submission.version_count)
    return _("Saved as version %(number)s.", number=submission.version_count)


@bp.route("/r/<int:round_id>/submission", methods=["GET", "POST"])
def my_submission(round):
    """Submit or edit one's own work; earlier versions stay readable; shows what reviewers will see."""
    background_allocation.nudge_if_due(round)
    user = _user()
    submission = expectations.submission_of(round, user)
    refusal = expectations.submission_refusal(round, user)
    status = 200
    if request.method == "POST":
        form = SubmissionForm()
        if refusal is None and form.validate():
            try:
                saved = queries.submit_once(
                    round, user, body=form.body.data or "", link=form.link.data or "", form_key=form.form_key.data,
                    result_url=lambda s: url_for("reviews_participant.my_submission", round_id=round.id),
                    round_url=url_for("reviews_participant.round", round_id=round.id))
            except formkeys.DuplicateSubmission as sent:
                return web.see_other(web.safe_next(sent.result_url,
                                                   url_for("reviews_participant.my_submission", round_id=round.id)))
            except ValidationError as error:
                form.show_errors(error.errors)
            except Refused as error:
                refusal = str(error)
            else:
                flash(_saved_message(saved), "success")
                return web.see_other(url_for("reviews_participant.my_submission", round_id=round.id))
        status = 422
    else:
        latest = submission.latest_version() if submission else None
        form = SubmissionForm(formdata=None, data={"body": latest.body if latest else "",
                                                   "link": latest.link if latest else ""})
    return _my_submission_page(round, user, submission, form, refusal, status)


def _my_submission_page(round, user, submission, form, refusal, status):
    latest = submission.latest_version() if submission else None
    versions = (web.Page(submission.versions(), web.page_number(), queries.VERSIONS_PER_PAGE)
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
    version = loading.version_of(submission, int(raw))
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
    assignment = None if is_author else queries.assignment_for(submission, user)
    if is_author:
        work_label, author_hidden = _label_for_reviewers(round, user), round.hides_authors
    elif is_manager:
        work_label, author_hidden = submission.author.display_name, False
    else:
        view = reviewer_view(assignment)
        work_label, author_hidden = view.label, view.author_name is None
    rating_forms, flag_forms = dict(rating_forms or {}), dict(flag_forms or {})
    if is_author:
        points = conduct.points(round.circle.conduct)
        for result in results.reviews:
            rating_forms.setdefault(result.review_id, RatingForm(formdata=None, data={
                "helpfulness": result.helpfulness, "helpfulness_note": result.helpfulness_note}))
            flag_forms.setdefault(result.review_id, _flag_form(result.review_id, points, formdata=None))
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
def show_submission(submission):
    """A submission as its reader may see it: the author with their results, a reviewer, a manager."""
    background_allocation.nudge_if_due(submission.round)
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
    return web.fragment("reviews/_review_result.html", status=status, result=result, **context)


@bp.route("/reviews/<int:review_id>/rate", methods=["POST"])
def rate_review(review):
    """The author rates how helpful a review was (1–5, optional note)."""
    user = _user()
    form = RatingForm()
    if form.validate():
        try:
            reviewing.rate_review(review, user, form.helpfulness.data, form.helpfulness_note.data or "",
                        url=_review_url(review.assignment_id))
        except ValidationError as error:
            form.show_errors(error.errors)
        else:
            if not web.is_fragment_request():
                flash(_("Thank you: your rating was saved, and the reviewer will see it."), "success")
            return _answer_with_card(review)
    return _answer_with_card(review, status=422, rating_form=form)


def _flag_form(review_id, points, **kwargs):
    """A review card's flag form (moderation's): its fields named after the review, as a page shows several. The
    card sends the page's one csrf_token, which CSRFProtect has checked before (the form's own would be prefixed)."""
    return FlagForm(prefix=f"review-{review_id}-flag", points=points, meta={"csrf": False}, **kwargs)


def _queue_url(circle):
    """The circle's review queue, where the flag waits (moderation.queue; its path until that exists)."""
    try:
        return url_for("moderation.queue", slug=circle.slug)
    except BuildError:
        return f"/c/{circle.slug}/moderation"


@bp.route("/reviews/<int:review_id>/flag", methods=["POST"])
def flag_review(review):
    """The author flags a review (a flag like any other, moderation/): the circle's facilitators are told."""
    user = _user()
    if review.is_flagged:  # a second click: the facilitators were already told
        return _answer_with_card(review)
    circle = review.assignment.round.circle
    form = _flag_form(review.id, conduct.points(circle.conduct))
    if form.validate():
        submission = review.assignment.submission
        try:
            reviewing.flag_review(review, user, form.reason.data, conduct_point=form.chosen_point(),
                                  note=form.note.data or "", queue_url=_queue_url(circle),
                                  url=_submission_url(submission, _anchor=f"review-{review.id}"))
        except Refused as refused:
            form.reason.errors = [*form.reason.errors, str(refused)]
        else:
            if not web.is_fragment_request():
                flash(_("Thank you: your flag went to the circle's facilitators, who will look at the review."),
                      "success")
            return _answer_with_card(review)
    return _answer_with_card(review, status=422, flag_form=form)


@bp.route("/s/<int:submission_id>/plan", methods=["POST"])
def revision_plan(submission):
    """The author saves "what I will change" (Markdown)."""
    user = _user()
    form = RevisionPlanForm()
    status = 422
    if form.validate():
        try:
            save_revision_plan(submission, user, form.body.data or "")
        except ValidationError as error:
            form.body.errors = [*form.body.errors, *error.errors.values()]
        else:
            if not web.is_fragment_request():
                flash(_("Your revision plan was saved."), "success")
                return web.see_other(_submission_url(submission, _anchor=f"submission-{submission.id}-plan"))
            form, status = None, 200
    context = _results_context(submission, plan_form=form)
    if web.is_fragment_request():
        return web.fragment("reviews/_revision_plan.html", status=status, saved=status == 200, **context)
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
    local = timefmt.to_local(moment)
    return {"moment": moment, "iso": local.isoformat(), "hh_mm": local.strftime("%H:%M")}


@bp.route("/a/<int:assignment_id>", endpoint="review")
def show_review(assignment):
    """The reviewer's form for one assignment; a manager sees it read-only."""
    return _review_page(assignment)


@bp.route("/a/<int:assignment_id>/draft", methods=["POST"])
def save_draft(assignment):
    """Save what the reviewer typed: a status line for htmx autosave, 303 back to the form otherwise."""
    round = assignment.round
    form = ReviewForm(round.rubric())
    late = clock.now() >= round.review_deadline
    try:
        saved = reviewing.save_review_draft(assignment, form.data_for_domain())
    except ValidationError as error:
        form.show_errors(error.errors)
        if web.is_fragment_request():
            return web.fragment("reviews/_save_status.html", status=422, assignment=assignment,
                                save_error=str(error))
        return _review_page(assignment, form=form, status=422)
    except Refused as error:
        if web.is_fragment_request():
            return web.fragment("reviews/_save_status.html", status=422, assignment=assignment,
                                save_error=str(error))
        flash(str(error), "error")
        return web.see_other(_review_url(assignment.id))
    if web.is_fragment_request():
        return web.fragment("reviews/_save_status.html", assignment=assignment, saved=_saved_at(saved),
                            past_deadline=late, round=round)
    when = _clock_time(saved.updated_at)["hh_mm"]
    if late:
        flash(_("Draft saved at %(time)s. The deadline has passed: the review will be marked late.", time=when),
              "success")
    else:
        flash(_("Draft saved at %(time)s.", time=when), "success")
    return web.see_other(_review_url(assignment.id))


@bp.route("/a/<int:assignment_id>/submit", methods=["POST"])
def submit_review(assignment):
    """Make the review final; on a problem, the same form with everything typed and what to fix (422)."""
    round = assignment.round
    form = ReviewForm(round.rubric())
    try:
        submitted = reviewing.submit_review(assignment, form.data_for_domain(), url=_submission_url(
            assignment.submission, _anchor=f"submission-{assignment.submission_id}-results"))
    except ValidationError as error:
        form.show_errors(error.errors)
        return _review_page(assignment, form=form, status=422)
    except Refused as error:
        current = reviewer_view(assignment)
        if current.review is not None and current.review.is_submitted:
            return web.see_other(_review_url(assignment.id))  # a second click: it is already final
        return _review_page(assignment, form=form, status=422, refusal=str(error))
    flash(_("Your review was submitted, marked late: the deadline had passed.") if submitted.is_late
          else _("Your review was submitted. Thank you!"), "success")
    return web.see_other(_review_url(assignment.id))
