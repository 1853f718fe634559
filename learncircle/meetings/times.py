"""A meeting's time as each reader reads it: in their own zone and language, with the organiser's wall time
beside it when it differs, so nobody does time-zone arithmetic (pages, notices and mail alike)."""
import datetime as dt

from markupsafe import Markup, escape

from .. import timefmt
from ..i18n import gettext as _


def zone_name(name):
    """A zone as people read its name: "America/Los_Angeles" -> "America/Los Angeles"."""
    return (name or "UTC").replace("_", " ")


def hour_minute(local):
    return f"{local.hour:02d}:{local.minute:02d}"


def organiser_aside(moment, zone):
    """"18:00 in Europe/Berlin" (with the date when the organiser's date is not the reader's), or "" when the
    organiser's clock reads what the reader's does."""
    times = timefmt.local_times()
    mine = times.local(moment)
    theirs = timefmt.to_local(moment, timefmt.zone_named(zone))
    if mine.utcoffset() == theirs.utcoffset():
        return ""
    when = hour_minute(theirs) if theirs.date() == mine.date() else times.formats.exact(theirs).rsplit(" ", 1)[0]
    return _("%(time)s in %(zone)s", time=when, zone=zone_name(zone))


def meeting_time(moment, zone):
    """<time> of a meeting's start in the reader's zone, then the organiser's time beside it (organiser_aside)."""
    if moment is None:
        return ""
    exact = timefmt.local_times().exact(moment)
    aside = organiser_aside(moment, zone)
    tag = f'<time datetime="{moment.isoformat()}Z">{exact}</time>'
    if aside:
        tag += f' <span class="muted">({escape(aside)})</span>'
    return Markup(tag)


def meeting_text(moment, zone):
    """meeting_time as plain text (a notice, a mail's subject)."""
    if moment is None:
        return ""
    exact = timefmt.local_times().exact(moment)
    aside = organiser_aside(moment, zone)
    return f"{exact} ({aside})" if aside else exact


def from_iso(value):
    """A stored notice's moment (ISO, naive UTC) back as a datetime, or None."""
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def init_app(app):
    app.jinja_env.filters.update(meeting_time=meeting_time)
    app.jinja_env.globals.update(zone_name=zone_name)
