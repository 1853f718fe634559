"""Calendar files: one meeting's or a series' .ics for the circle's own people, and each member's private feed
(its address is the authority: calendar programs cannot sign in), made and revoked on the member's settings."""
import re

from flask import Blueprint, abort, current_app, flash, g, request, url_for
from flask_login import current_user, login_required

from .. import i18n, web
from ..i18n import gettext as _
from ..mail.compose import language_of, link
from . import access, feeds
from .loading import blueprint_loading
from .models import Occurrence

bp = blueprint_loading(Blueprint("calendar", __name__))

FEED_MAX_AGE = 300  # seconds a calendar program (or the browser) may keep a feed before asking again


def _calendar():
    """meetings/calendar.py, imported on the first calendar file asked for: the icalendar library it needs takes
    some 8 MB, which a server that never sends a calendar file should not carry."""
    from . import calendar

    return calendar


def _ics(body, filename=None, max_age=0):
    """A calendar answer: a file to save when named, else a feed; never kept by a shared cache."""
    response = current_app.response_class(body, content_type=_calendar().CONTENT_TYPE)
    if filename:
        # Only letters, digits and dashes: the name is safe in any header and any file system.
        safe = re.sub(r"[^A-Za-z0-9-]+", "-", filename).strip("-")[:80] or "meeting"
        response.headers.set("Content-Disposition", "attachment", filename=f"{safe}.ics")
    response.cache_control.private = True
    if max_age:
        response.cache_control.max_age = max_age
    else:
        response.cache_control.no_cache = True
    return response


@bp.route("/c/<slug>/meetings/<int:occurrence_id>.ics")
def occurrence_ics():
    if not access.can_see_details(current_user, g.circle):
        abort(403)
    body = _calendar().occurrence_calendar(g.occurrence, g.meeting, True, circle=g.circle)
    day = g.occurrence.starts_at.strftime("%Y-%m-%d")
    return _ics(body, filename=f"{g.circle.slug}-{day}-{g.occurrence.id}")


@bp.route("/c/<slug>/meetings/series/<int:meeting_id>.ics")
def series_ics():
    if not access.can_see_details(current_user, g.circle):
        abort(403)
    occurrences = Occurrence.select().where(Occurrence.meeting == g.meeting.id).order_by(Occurrence.number)
    body = _calendar().series_calendar(g.meeting, list(occurrences), True, circle=g.circle)
    return _ics(body, filename=f"{g.circle.slug}-series-{g.meeting.id}")


@bp.route("/calendar/<token>.ics")
def feed(token):
    """The member's meetings, read by whoever holds the address; a wrong or ended one is a plain 404."""
    user = feeds.owner(token)
    if user is None:
        abort(404)
    with i18n.speaking(language_of(user)):
        body = _calendar().feed_calendar(user)
    response = _ics(body, max_age=FEED_MAX_AGE)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/settings/calendar", methods=["GET", "POST"])
@login_required
def settings():
    """Whether the member has a calendar address, making a new one (shown once, on the answer) and ending it."""
    user = current_user._get_current_object()
    address = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "revoke":
            if feeds.revoke(user):
                flash(_("Your calendar address is ended: calendars that read it get nothing more."), "success")
            return web.see_other(url_for("calendar.settings"))
        if action != "new":
            abort(400)
        address = link("calendar.feed", token=feeds.make(user))
    response = web.render("meetings/calendar_settings.html", feed=feeds.feed_of(user), address=address,
                          webcal=re.sub(r"^https?://", "webcal://", address) if address else None)
    if address:
        # The secret is on this page alone: never kept by the browser, never passed on in a Referer.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
