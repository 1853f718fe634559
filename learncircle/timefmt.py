"""Times as a viewer reads them: stored naive UTC shown in their zone, relative to one "now" per page,
typed back in their zone, and the zone names they may choose from.
"""
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import g, has_request_context
from flask_login import current_user
from markupsafe import Markup

from . import clock

UTC = dt.timezone.utc


@lru_cache(maxsize=1)
def timezone_names():
    return sorted(name for name in available_timezones() if "/" in name and not name.startswith("Etc/")) + ["UTC"]


def is_timezone(name):
    return name in set(timezone_names())


def zone_named(name):
    """The named time zone, or UTC for a name this system's zone database does not know (any more)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_label(local):
    """A zone's abbreviation ("CET"), or "UTC+5:30" where the zone has none but an offset ("+0530")."""
    name = local.tzname() or ""
    if name[:1] not in "+-" or not name:
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


# English names, whatever the server's locale: strftime would follow it, and costs more besides.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class LocalTimes:
    """Times as one viewer reads them: in their zone, relative to one "now" for the whole page.

    A thread page shows a hundred times; making this once per request (`local_times()`) instead of
    asking for the viewer and the clock at every one is a fifth of the page's cost.
    """

    __slots__ = ("zone", "now")

    def __init__(self, zone, now):
        self.zone, self.now = zone, now

    def local(self, moment):
        """A naive UTC datetime from the database, as an aware datetime in the viewer's zone."""
        try:
            return moment.replace(tzinfo=UTC).astimezone(self.zone)
        except OverflowError:
            return _beyond_the_calendar(moment)

    def exact(self, moment):
        """"Tue 04 Mar 2025, 11:11 CET"."""
        return self._exact(self.local(moment))

    def tag(self, moment, relative=True):
        """<time> showing a relative or local time, with the exact local time on hover."""
        if moment is None:
            return ""
        local = self.local(moment)
        exact = self._exact(local)
        label = self._relative(moment, local) if relative else exact
        # Both texts are digits, English names and a zone abbreviation from tzdata: nothing to escape.
        return Markup(f'<time datetime="{moment.isoformat()}Z" title="{exact}">{label}</time>')

    @staticmethod
    def _exact(local):
        return (f"{_DAYS[local.weekday()]} {local.day:02d} {_MONTHS[local.month]} {local.year}, "
                f"{local.hour:02d}:{local.minute:02d} {zone_label(local)}")

    def _relative(self, moment, local):
        """"3 h ago", "in 2 d", or the date once it is a month away."""
        seconds = int((self.now - moment).total_seconds())
        future = seconds < 0
        seconds = abs(seconds)
        if seconds < 60:
            return "in a moment" if future else "just now"
        for limit, unit, size in ((3600, "min", 60), (86400, "h", 3600), (86400 * 30, "d", 86400)):
            if seconds < limit:
                amount = seconds // size
                return f"in {amount} {unit}" if future else f"{amount} {unit} ago"
        return f"{local.day:02d} {_MONTHS[local.month]} {local.year}"


def local_times():
    """The viewer's LocalTimes, made once per request; UTC and the clock outside one (CLI, e-mail)."""
    try:
        return g._local_times
    except (AttributeError, RuntimeError):  # not made yet, or no app context at all
        pass
    if not has_request_context():
        return LocalTimes(ZoneInfo("UTC"), clock.now())
    user = current_user
    name = user.timezone if user and user.is_authenticated else None
    times = g._local_times = LocalTimes(zone_named(name), clock.now())
    return times


def viewer_zone():
    """The signed-in viewer's time zone (UTC for visitors)."""
    return local_times().zone


def _beyond_the_calendar(moment):
    """A moment whose local time would fall outside years 1–9999, shown in UTC instead of crashing the page.

    Forms accept only dates near today, so such a moment comes from elsewhere: an old row, a script.
    """
    return moment.replace(tzinfo=UTC)


def to_local(moment, zone=None):
    """A naive UTC datetime from the database, as an aware datetime in the viewer's zone (or UTC, see above)."""
    try:
        return moment.replace(tzinfo=UTC).astimezone(zone or viewer_zone())
    except OverflowError:
        return _beyond_the_calendar(moment)


def from_local(naive_local, zone=None):
    """A naive datetime typed in the viewer's zone, as naive UTC for the database.

    A local time whose UTC moment lies beyond year 1 or 9999 becomes the calendar's first or last moment.
    """
    aware = naive_local.replace(tzinfo=zone or viewer_zone())
    try:
        return aware.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return dt.datetime.max if naive_local.year > 5000 else dt.datetime.min


def input_value(moment):
    """A stored UTC moment as the value of a datetime-local input in the viewer's zone ("" for none)."""
    # isoformat, not strftime: it writes the year with four digits whatever the year.
    return to_local(moment).replace(tzinfo=None).isoformat(timespec="minutes") if moment else ""


def exact_time(moment):
    return local_times().exact(moment)


def time_tag(moment, relative=True):
    """<time> showing a relative or local time, with the exact local time on hover."""
    return local_times().tag(moment, relative)


def _localtime(moment):
    return exact_time(moment) if moment else ""


def init_app(app):
    # Filters, not globals: Jinja calls a filter directly, a global through its context, and a
    # thread page has a hundred times.
    app.jinja_env.filters.update(time_tag=time_tag, localtime=_localtime, datetime_local=input_value)
