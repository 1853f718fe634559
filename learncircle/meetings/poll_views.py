"""Finding a time: a facilitator's candidate slots, members' votes, the fair result (polls.py, fairness.py).

A poll's page shows every slot in its reader's own zone: members answer each one, and everyone of the circle
sees the ranking, how late or early each slot is for whom, and who took the bad hour how often. Facilitators
schedule a meeting from a slot, or a weekly one taking turns between the best two (meetings.new does that).
"""
from flask import Blueprint, abort, flash, g, url_for
from flask_login import current_user

from .. import web
from ..i18n import gettext as _
from . import access, fairness, polls
from .loading import blueprint_loading
from .poll_forms import PollForm, slot_message, vote_form

bp = blueprint_loading(Blueprint("meeting_polls", __name__))


def _poll_url(circle, poll):
    return url_for("meeting_polls.poll", slug=circle.slug, poll_id=poll.id)


@bp.route("/c/<slug>/meetings/polls/new", methods=["GET", "POST"])
def new():
    circle = g.circle
    if not access.can_schedule(current_user, circle):
        abort(403)
    form = PollForm.for_user(current_user)
    if form.validate_on_submit():
        try:
            poll = polls.create(circle=circle, author=current_user._get_current_object(), title=form.title.data,
                                zone=form.timezone.data, duration_minutes=form.duration_minutes.data,
                                weekly=form.weekly.data, local_slots=form.local_slots)
        except polls.PollError as error:  # a time passed between the form's check and now
            form.slot_errors = [slot_message(error)]
        else:
            flash(_("The poll is open: the circle's members are asked to mark the times that suit them."),
                  "success")
            return web.see_other(_poll_url(circle, poll))
    return web.render("meetings/poll_new.html", status=422 if form.is_submitted() else 200, circle=circle,
                      form=form)


def _context(poll, **extra):
    """What the page and its result partial show."""
    circle = g.circle
    viewer = current_user if current_user.is_authenticated else None
    results = polls.results(poll, viewer=viewer)
    return dict(circle=circle, poll=poll, results=results, is_open=polls.is_open(poll),
                can_schedule=access.can_schedule(current_user, circle), BAD=fairness.BAD,
                scheduled=polls.scheduled_occurrence(poll), **extra)


def _page(poll, status=200, form=None, message=None):
    context = _context(poll, message=message)
    if form is None and context["is_open"] and access.can_answer(current_user, g.circle):
        form = vote_form(list(context["results"].slots.values()), context["results"].mine, formdata=None)
    return web.render("meetings/poll.html", status=status, form=form, **context)


@bp.route("/c/<slug>/meetings/polls/<int:poll_id>")
def poll():
    if not access.can_see_details(current_user, g.circle):
        abort(403)
    return _page(g.poll)


@bp.route("/c/<slug>/meetings/polls/<int:poll_id>/vote", methods=["POST"])
def vote():
    circle, poll = g.circle, g.poll
    if not access.can_answer(current_user, circle):
        abort(403)
    form = vote_form(polls.slots_of(poll), {})
    message = None
    if not polls.is_open(poll):
        message = _("This poll is closed: answers can no longer change.")
    elif not form.validate_on_submit():
        message = _("Choose yes, if needed or no for each time.")
    elif not form.answers():
        message = _("Choose yes, if needed or no for at least one time.")
    else:
        try:
            polls.vote(poll, current_user._get_current_object(), form.answers())
        except polls.PollError:  # closed in the meantime
            message = _("This poll is closed: answers can no longer change.")
    if web.is_fragment_request():
        return web.fragment("meetings/_poll_result.html", status=422 if message else 200,
                            **_context(poll, message=message, saved=message is None))
    if message:
        return _page(poll, status=422, message=message)
    flash(_("Your answers are saved."), "success")
    return web.see_other(_poll_url(circle, poll))


@bp.route("/c/<slug>/meetings/polls/<int:poll_id>/close", methods=["POST"])
def close():
    circle, poll = g.circle, g.poll
    if not access.can_schedule(current_user, circle):
        abort(403)
    if polls.close(poll):
        flash(_("The poll is closed: its result stays for everyone to read."), "success")
    else:
        flash(_("This poll was already closed."), "success")
    return web.see_other(_poll_url(circle, poll))
