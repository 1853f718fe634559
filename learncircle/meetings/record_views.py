"""The circle's rhythm page, attendance over time, and after a meeting: attendance, notes and reflections."""
from flask import Blueprint, abort, flash, g, request, url_for
from flask_login import current_user

from .. import clock, web
from ..i18n import gettext as _
from ..i18n import ngettext
from . import access, polls, records, reflections
from . import rhythm as queries
from .loading import blueprint_loading
from .record_forms import RecordForm, ReflectionForm

bp = blueprint_loading(Blueprint("meeting_records", __name__))


def _refused(refusal):
    """Why nothing can be recorded for this meeting (records.refusal), as its page says it."""
    if refusal == records.CANCELLED:
        return _("This meeting was cancelled: there is no attendance, notes or reflection to take.")
    return _("This meeting has not begun yet: attendance, notes and reflections are taken once it has.")


@bp.route("/c/<slug>/meetings")
def rhythm():
    circle = g.circle
    if not access.can_see_meetings(current_user, circle):
        abort(403)
    now = clock.now()
    upcoming = queries.upcoming(circle, now)
    details = access.can_see_details(current_user, circle)
    facilitating = access.can_reflect(current_user, circle)
    return web.render(
        "meetings/rhythm.html", circle=circle, upcoming=upcoming, now=now, details=details,
        answers=queries.answer_counts(circle, upcoming) if details else {},
        polls=queries.open_polls(circle) if details else [], notes=queries.last_notes(circle),
        scheduling=access.can_schedule(current_user, circle), facilitating=facilitating,
        attendance=queries.for_facilitators(circle, now) if facilitating else None,
        tally=polls.tally(circle) if facilitating else None, missed_at_least=queries.MISSED_IN_A_ROW)


@bp.route("/c/<slug>/meetings/attendance")
def attendance():
    circle = g.circle
    if not access.can_reflect(current_user, circle):
        abort(403)
    page = web.Page(queries.past(circle, clock.now()), web.page_number(), queries.HISTORY_PAGE)
    return web.render("meetings/attendance.html", circle=circle, page=page, grid=queries.history(circle, page))


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/record", methods=["GET", "POST"])
def record():
    circle, occurrence, meeting = g.circle, g.occurrence, g.meeting
    if not access.can_schedule(current_user, circle):
        abort(403)
    context = {"circle": circle, "occurrence": occurrence, "meeting": meeting}
    refusal = records.refusal(occurrence, clock.now())
    if refusal:
        return web.render("meetings/record.html", status=422, refused=_refused(refusal), form=None, **context)
    posted = occurrence.notes_at is not None
    form = RecordForm(posted=posted) if request.method == "POST" else RecordForm.for_occurrence(occurrence)
    if form.validate_on_submit():
        saved = records.save(occurrence, recorder=current_user._get_current_object(), **form.values())
        if saved.started and not posted:
            flash(ngettext("Saved: the notes are posted as a thread, and %(num)d member who was not there was told.",
                           "Saved: the notes are posted as a thread, and %(num)d members who were not there were "
                           "told.", saved.told), "success")
        elif saved.thread is not None:
            flash(_("Saved: the notes' thread is updated."), "success")
        else:
            flash(_("Attendance saved. Add the notes when you have them: they are posted as a thread."), "success")
        return web.see_other(url_for("meetings.occurrence", slug=circle.slug, occurrence_id=occurrence.id))
    return web.render("meetings/record.html", status=422 if form.is_submitted() else 200, form=form, refused=None,
                      members=records.members(circle), ticked=set(form.present.data or ()), posted=posted, **context)


@bp.route("/c/<slug>/meetings/<int:occurrence_id>/reflection", methods=["GET", "POST"])
def reflection():
    circle, occurrence, meeting = g.circle, g.occurrence, g.meeting
    if not access.can_reflect(current_user, circle):
        abort(403)
    context = {"circle": circle, "occurrence": occurrence, "meeting": meeting}
    refusal = records.refusal(occurrence, clock.now())
    if refusal:
        return web.render("meetings/reflection.html", status=422, refused=_refused(refusal), form=None,
                          reflections=[], **context)
    mine = reflections.own(occurrence, current_user)
    form = ReflectionForm() if request.method == "POST" else ReflectionForm.for_reflection(mine)
    if form.validate_on_submit():
        reflections.save(occurrence, current_user._get_current_object(), rating=form.rating.data,
                         went_well=form.went_well.data, to_change=form.to_change.data)
        flash(_("Your reflection is saved. Only the circle's facilitators read it."), "success")
        return web.see_other(url_for("meeting_records.reflection", slug=circle.slug, occurrence_id=occurrence.id))
    return web.render("meetings/reflection.html", status=422 if form.is_submitted() else 200, form=form,
                      refused=None, reflections=reflections.of(occurrence), mine=mine, **context)


@bp.record_once
def _template_helpers(state):
    # The meeting's page (another blueprint's) includes meetings/_after.html, which asks these.
    state.app.jinja_env.globals.update(meeting_attendance=records.summary, meeting_has_begun=records.has_begun)
