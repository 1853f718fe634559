"""A circle's meetings: scheduling one (or a series, or from a poll's slots), its page, answers, moving and
cancelling one, editing and cancelling a series. The loader (loading.py) has g.circle, g.occurrence and
g.meeting; each view checks who may act before it reads a form."""
import datetime as dt

from flask import Blueprint, abort, flash, g, request, url_for
from flask_login import current_user

from .. import clock, timefmt, web
from ..i18n import gettext as _
from . import access, recurrence, rsvp, scheduling
from . import reminders  # noqa: F401  (registers the reminders' job with the housekeeper)
from .forms import CancelForm, EditForm, MoveForm, RsvpForm, ScheduleForm, number
from .loading import blueprint_loading
from .models import ONCE, WEEKLY, Occurrence, Poll, Slot

bp = blueprint_loading(Blueprint("meetings", __name__))


def _page_url(occurrence):
    return url_for("meetings.occurrence", slug=g.circle.slug, occurrence_id=occurrence.id)


def _refusal(reason):
    """What a person reads when an occurrence cannot take what they asked (rsvp.Refused's reason)."""
    return {"cancelled": _("This meeting is cancelled."),
            "over": _("This meeting is over: it can no longer change."),
            "past": _("That time has passed: choose one still to come.")}.get(reason, _("That cannot be done now."))


# ---- scheduling -----------------------------------------------------------------------------------

def _poll_and_slots(circle):
    """The poll (?poll=) and its slots (?slot=, in the order given) a meeting is scheduled from, or (None, []);
    404 for a poll of another circle, or a slot not of the poll."""
    poll_id = request.values.get("poll", "")
    if not poll_id:
        return None, []
    if not poll_id.isdigit() or len(poll_id) > 18:
        abort(404)
    poll = Poll.get_or_none((Poll.id == int(poll_id)) & (Poll.circle == circle.id))
    slot_ids = request.values.getlist("slot")
    if poll is None or not slot_ids or not all(value.isdigit() and len(value) <= 18 for value in slot_ids):
        abort(404)
    by_id = {slot.id: slot for slot in Slot.select().where(
        (Slot.poll == poll.id) & Slot.id.in_([int(value) for value in slot_ids]))}
    slots = [by_id.get(int(value)) for value in dict.fromkeys(slot_ids)]
    if None in slots:
        abort(404)
    return poll, slots


def _prefill(poll, slots):
    if poll is None:
        own = current_user.timezone if timefmt.is_timezone(current_user.timezone or "") else "UTC"
        return {"timezone": own, "duration": "60", "repeat": ONCE}
    return {"title": poll.title, "timezone": poll.zone, "duration": str(poll.duration_minutes),
            "start": scheduling.local_wall_time(slots[0].starts_at, poll.zone),
            "repeat": WEEKLY if poll.weekly else ONCE, "rotate": len(slots) > 1}


def _schedule(form, circle, poll, slots):
    """The meeting the valid form asks for, or None with the form's errors said."""
    zone, repeat = form.timezone.data, form.repeat.data
    if scheduling.utc_start(form.start.data, zone) <= clock.now():
        form.start.errors = [*form.start.errors, _("That time has passed: choose one still to come.")]
        return None
    rotation = ()
    if form.rotate.data and len(slots) > 1 and repeat != ONCE:
        rotation = scheduling.rotation_from([slot.starts_at for slot in slots], zone)[1]
    try:
        return scheduling.create(
            circle=circle, organiser=current_user._get_current_object(), poll=poll, url_of=_page_url,
            local_start=form.start.data, zone=zone, duration_minutes=number(form.duration), repeat=repeat,
            until=form.until_date, times=number(form.times), rotation=rotation, **form.details())
    except recurrence.SeriesError as error:
        form.show_series_error(error.reason)
        return None


def _viewer_time(form):
    """The typed start as a UTC moment, when the form holds a time and a known zone (to say it in the viewer's
    zone beside the form), else None."""
    if form.start.data is None or not timefmt.is_timezone(form.timezone.data or ""):
        return None
    return scheduling.utc_start(form.start.data, form.timezone.data)


@bp.route("/c/<slug>/meetings/new", methods=["GET", "POST"])
def new():
    circle = g.circle
    if not access.can_schedule(current_user, circle):
        abort(403)
    poll, slots = _poll_and_slots(circle)
    form = ScheduleForm(data=None if request.method == "POST" else _prefill(poll, slots))
    if form.validate_on_submit():
        meeting = _schedule(form, circle, poll, slots)
        if meeting is not None:
            first = scheduling.first_occurrence(meeting)
            flash(_("Scheduled: the circle's members were told."), "success")
            return web.see_other(_page_url(first))
    return web.render("meetings/new.html", status=422 if form.is_submitted() else 200, circle=circle, form=form,
                      poll=poll, slots=slots, viewer_time=_viewer_time(form))


# ---- an occurrence's page and answers ---------------------------------------------------------------

def _page_context(occurrence, **forms):
    circle, meeting = g.circle, g.meeting
    total, previous, following = scheduling.series_of(occurrence)
    details = access.can_see_details(current_user, circle)
    context = dict(circle=circle, occurrence=occurrence, meeting=meeting, total=total, previous=previous,
                   following=following, is_over=scheduling.is_over(occurrence),
                   has_begun=occurrence.starts_at <= clock.now(),
                   answers=rsvp.Answers(occurrence, meeting.capacity) if details else None,
                   mine=rsvp.of(occurrence, current_user), until_text=_until_text(meeting), rsvp_error=None,
                   rsvp_said=None, rsvp_form=None, cancel_form=None, series_form=None, focus=False)
    context.update(forms)
    if context["rsvp_form"] is None:
        mine = context["mine"]
        answer = (rsvp.GOING if mine.answer == rsvp.WAITING else mine.answer) if mine else None
        context["rsvp_form"] = RsvpForm(formdata=None, data={"answer": answer, "note": mine.note if mine else ""})
    for name in ("cancel_form", "series_form"):  # both ask for a reason: the page gives each its own id
        if context[name] is None:
            context[name] = CancelForm(formdata=None)
    return context


def _until_text(meeting):
    if meeting.until is None:
        return ""
    return timefmt.local_times().formats.date(dt.datetime.combine(meeting.until, dt.time()))


@bp.route("/c/<slug>/meetings/<int:occurrence_id>")
def occurrence():
    return web.render("meetings/occurrence.html", **_page_context(g.occurrence))


# The endpoint is meetings.rsvp; the function is named otherwise so as not to hide the rsvp module.
@bp.route("/c/<slug>/meetings/<int:occurrence_id>/rsvp", methods=["POST"], endpoint="rsvp")
def rsvp_answer():
    circle, occurrence = g.circle, g.occurrence
    if not access.can_answer(current_user, circle):
        abort(403)
    form = RsvpForm()
    error = None
    if form.validate_on_submit():
        try:
            kept = rsvp.answer(occurrence, current_user, form.answer.data, form.note.data, url_of=_page_url)
        except rsvp.Refused as refused:
            error = _refusal(refused.reason)
        else:
            said = {rsvp.GOING: _("You are going."), rsvp.MAYBE: _("You said maybe."),
                    rsvp.NOT_GOING: _("You said you are not going."),
                    rsvp.WAITING: _("Every place is taken: you are on the waiting list, and will be told if "
                                    "one opens.")}[kept.answer]
            if web.is_fragment_request():
                return web.fragment("meetings/_rsvp.html", **_page_context(occurrence, rsvp_said=said, focus=True))
            flash(said, "success")
            return web.see_other(_page_url(occurrence))
    context = _page_context(occurrence, rsvp_form=form, rsvp_error=error, focus=True)
    if web.is_fragment_request():
        return web.fragment("meetings/_rsvp.html", status=422, **context)
    return web.render("meetings/occurrence.html", status=422, **context)


# ---- moving and cancelling one ----------------------------------------------------------------------

def _facilitators_only():
    if not access.can_schedule(current_user, g.circle):
        abort(403)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/move", methods=["GET", "POST"])
def move():
    _facilitators_only()
    occurrence, meeting = g.occurrence, g.meeting
    minutes = int((occurrence.ends_at - occurrence.starts_at).total_seconds() // 60)
    form = MoveForm(data=None if request.method == "POST" else {
        "start": scheduling.local_wall_time(occurrence.starts_at, meeting.zone), "timezone": meeting.zone,
        "duration": str(minutes)})
    error = None
    if form.validate_on_submit():
        try:
            scheduling.move(occurrence, local_start=form.start.data, zone=form.timezone.data,
                            duration_minutes=number(form.duration), reason=form.reason.data,
                            by=current_user, url_of=_page_url)
        except rsvp.Refused as refused:
            if refused.reason == "past":
                form.start.errors = [*form.start.errors, _refusal("past")]
            else:
                error = _refusal(refused.reason)
        else:
            flash(_("Moved: everyone coming was told."), "success")
            return web.see_other(_page_url(occurrence))
    return web.render("meetings/move.html", status=422 if form.is_submitted() else 200, circle=g.circle,
                      occurrence=occurrence, meeting=meeting, form=form, error=error,
                      viewer_time=_viewer_time(form))


def _refused_on_page(occurrence, **forms):
    return web.render("meetings/occurrence.html", status=422, **_page_context(occurrence, **forms))


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/cancel", methods=["POST"])
def cancel():
    _facilitators_only()
    occurrence = g.occurrence
    form = CancelForm()
    if not form.validate_on_submit():
        return _refused_on_page(occurrence, cancel_form=form)
    try:
        scheduling.cancel(occurrence, form.reason.data, by=current_user, url_of=_page_url)
    except rsvp.Refused as refused:
        form.reason.errors = [_refusal(refused.reason)]
        return _refused_on_page(occurrence, cancel_form=form)
    flash(_("Cancelled: everyone coming was told."), "success")
    return web.see_other(_page_url(occurrence))


# ---- the series -------------------------------------------------------------------------------------

def _shown_occurrence(meeting):
    """The occurrence a series' page stands for: the next one to come, else its last."""
    ahead = scheduling.upcoming(meeting)
    return ahead[0] if ahead else meeting.occurrences.order_by(Occurrence.number.desc()).first()


@bp.route("/c/<slug>/meetings/series/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit():
    _facilitators_only()
    meeting = g.meeting
    form = EditForm(data=None if request.method == "POST" else {
        "title": meeting.title, "agenda": meeting.agenda, "link": meeting.link, "place": meeting.place,
        "capacity": "" if meeting.capacity is None else str(meeting.capacity)})
    shown = _shown_occurrence(meeting)
    error = None
    if form.validate_on_submit():
        try:
            scheduling.edit(meeting, by=current_user, url_of=_page_url, **form.details())
        except rsvp.Refused as refused:
            error = _refusal(refused.reason)
        else:
            flash(_("Saved: everyone coming was told of the change."), "success")
            return web.see_other(_page_url(shown))
    return web.render("meetings/edit.html", status=422 if form.is_submitted() else 200, circle=g.circle,
                      meeting=meeting, occurrence=shown, form=form, error=error)


@bp.route("/c/<slug>/meetings/series/<int:meeting_id>/cancel", methods=["POST"])
def cancel_series():
    _facilitators_only()
    meeting = g.meeting
    shown = _shown_occurrence(meeting)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancelled = scheduling.cancel_series(meeting, form.reason.data, by=current_user, url_of=_page_url)
        except rsvp.Refused as refused:
            form.reason.errors = [_refusal(refused.reason)]
        else:
            flash(_("The series is cancelled: everyone coming was told."), "success")
            return web.see_other(_page_url(cancelled[0] if cancelled else shown))
    return _refused_on_page(shown, series_form=form)
