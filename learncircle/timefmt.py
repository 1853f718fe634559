"""Times as a viewer reads them: stored naive UTC shown in their zone and language (Babel's CLDR data),
relative to one "now" per page, typed back in their zone, and the zone names they may choose from.
"""
import datetime as dt
from contextlib import contextmanager
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_timedelta, match_skeleton, tokenize_pattern
from flask import g, has_request_context
from flask_login import current_user
from markupsafe import Markup, escape

from . import clock, i18n
from .i18n import gettext as _

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


class Formats:
    """How one language writes a moment, from Babel's CLDR data, made once per language and kept.

    Babel's own formatting reads its pattern and tables again at every call, ten times the cost of the
    rest of a time tag; a thread page shows a hundred times, so each pattern is turned once into one
    Python expression over tuples of the language's names, and each relative label ("vor 3 Stunden")
    is made once and remembered.
    """

    # English keeps the form LearnCircle always showed ("Wed 09 Dec 2026, 06:34"); every other language
    # takes its own from CLDR's skeletons ("Mi., 9. Dez. 2026, 07:34", "mié, 9 dic 2026, 7:34").
    PATTERNS = {"en": ("EEE dd MMM y, HH:mm", "dd MMM y")}

    def __init__(self, code):
        self.code = code
        self.locale = locale = _locale(code)  # its data is read only when first used
        exact, date = self.PATTERNS.get(code) or _patterns(locale)
        # English names are written out below: an English page never loads CLDR's data (4 MB in memory).
        tables = _ENGLISH_NAMES if str(locale) == "en" else _names(locale)
        self._exact = _compile(exact, locale, tables)
        self._date = _compile(date, locale, tables)
        self._relative = {}

    def exact(self, local):
        """"Wed 09 Dec 2026, 06:34 CET": the date and time of an aware datetime, with its zone."""
        return f"{self._exact(local)} {zone_label(local)}"

    def date(self, local):
        return self._date(local)

    def relative(self, amount, unit, future):
        """"3 hours ago", "in 5 days", "vor 3 Stunden"."""
        key = (amount, unit, future)
        try:
            return self._relative[key]
        except KeyError:
            if str(self.locale) == "en":
                label = f"{amount} {unit}{'' if amount == 1 else 's'}"
                label = f"in {label}" if future else f"{label} ago"  # as CLDR's English says it
            else:
                seconds = amount * _UNIT_SECONDS[unit] * (1 if future else -1)
                label = str(escape(format_timedelta(dt.timedelta(seconds=seconds), granularity=unit, threshold=1000,
                                                    add_direction=True, format="long", locale=self.locale)))
            self._relative[key] = label
            return label


_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_ENGLISH_NAMES = {
    "D": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "DW": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "DS": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "M": ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "MW": ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_ENGLISH_NAMES.update(MS=_ENGLISH_NAMES["M"], MSW=_ENGLISH_NAMES["MW"])


@lru_cache(maxsize=None)
def formats(code):
    """The Formats of a language (code such as "de"), made once."""
    return Formats(code)


@lru_cache(maxsize=None)
def _locale(code):
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _patterns(locale):
    """(date and time, date) patterns of a locale: its abbreviated date with the weekday, and the time in 24 hours."""
    date_with_day = _skeleton(locale, "yMMMEd")
    joined = str(locale.datetime_formats.get("medium", "{1}, {0}"))
    exact = joined.replace("{1}", date_with_day).replace("{0}", _skeleton(locale, "Hm"))
    return exact, _skeleton(locale, "yMMMd")


def _skeleton(locale, skeleton):
    pattern = locale.datetime_skeletons.get(skeleton)
    if pattern is None:
        pattern = locale.datetime_skeletons[match_skeleton(skeleton, locale.datetime_skeletons)]
    return pattern.pattern


# Each field a LearnCircle pattern uses, as Python on an aware datetime `t` (D: day names, M: month names).
_FIELDS = {
    ("E", 1): "D[t.weekday()]", ("E", 2): "D[t.weekday()]", ("E", 3): "D[t.weekday()]",
    ("E", 4): "DW[t.weekday()]", ("c", 3): "DS[t.weekday()]",
    ("d", 1): "str(t.day)", ("d", 2): "f'{t.day:02d}'",
    ("M", 1): "str(t.month)", ("M", 2): "f'{t.month:02d}'", ("M", 3): "M[t.month]", ("M", 4): "MW[t.month]",
    ("L", 3): "MS[t.month]", ("L", 4): "MSW[t.month]",
    ("y", 1): "str(t.year)", ("y", 4): "f'{t.year:04d}'",
    ("H", 1): "str(t.hour)", ("H", 2): "f'{t.hour:02d}'", ("m", 1): "str(t.minute)", ("m", 2): "f'{t.minute:02d}'",
}


def _names(locale):
    """A locale's day and month names, escaped for HTML, as the tables _FIELDS reads."""
    def names(kind, context, width, first=0):
        table = getattr(locale, kind)[context][width]
        return ("",) * first + tuple(str(escape(table[key])) for key in range(first, first + (7 if first == 0 else 12)))

    return {"D": names("days", "format", "abbreviated"), "DW": names("days", "format", "wide"),
            "DS": names("days", "stand-alone", "abbreviated"),
            "M": names("months", "format", "abbreviated", 1), "MW": names("months", "format", "wide", 1),
            "MS": names("months", "stand-alone", "abbreviated", 1), "MSW": names("months", "stand-alone", "wide", 1)}


def _compile(pattern, locale, tables):
    """A function writing an aware datetime in pattern: Babel's meaning, without Babel's cost per call.

    The pattern is turned once into one Python expression over the tables of the locale's names; a
    pattern with a field not in _FIELDS is written by Babel itself at each call.
    """
    parts = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "chars":
            parts.append(repr(str(escape(value))))
        elif value in _FIELDS:
            parts.append(_FIELDS[value])
        else:
            return lambda local: str(escape(format_datetime(local, pattern, locale=locale)))
    return eval(f"lambda t: {' + '.join(parts) or repr('')}", {"__builtins__": {"str": str}, **tables})  # noqa: S307


class LocalTimes:
    """Times as one viewer reads them: in their zone and language, relative to one "now" for the whole page.

    A thread page shows a hundred times; making this once per request (`local_times()`) instead of
    asking for the viewer, their language and the clock at every one is a fifth of the page's cost.
    Every text it writes is safe in HTML (the names from CLDR are escaped once, when their tables are made).
    """

    __slots__ = ("zone", "now", "formats")

    def __init__(self, zone, now, language="en"):
        self.zone, self.now, self.formats = zone, now, formats(language)

    def local(self, moment):
        """A naive UTC datetime from the database, as an aware datetime in the viewer's zone."""
        try:
            return moment.replace(tzinfo=UTC).astimezone(self.zone)
        except OverflowError:
            return _beyond_the_calendar(moment)

    def exact(self, moment):
        """"Tue 04 Mar 2025, 11:11 CET", "Di., 4. März 2025, 11:11 CET"."""
        return self.formats.exact(self.local(moment))

    def tag(self, moment, relative=True):
        """<time> showing a relative or local time, with the exact local time on hover."""
        if moment is None:
            return ""
        local = self.local(moment)
        exact = self.formats.exact(local)
        label = self._relative(moment, local) if relative else exact
        return Markup(f'<time datetime="{moment.isoformat()}Z" title="{exact}">{label}</time>')

    def _relative(self, moment, local):
        """"3 hours ago", "in 2 days", or the date once it is a month away."""
        seconds = int((self.now - moment).total_seconds())
        future = seconds < 0
        seconds = abs(seconds)
        if seconds < 60:
            return str(escape(_("in a moment") if future else _("just now")))
        for limit, unit, size in ((3600, "minute", 60), (86400, "hour", 3600), (86400 * 30, "day", 86400)):
            if seconds < limit:
                return self.formats.relative(seconds // size, unit, future)
        return self.formats.date(local)


def local_times():
    """The viewer's LocalTimes, made once per request; UTC and the clock outside one (CLI, e-mail)."""
    try:
        return g._local_times
    except (AttributeError, RuntimeError):  # not made yet, or no app context at all
        pass
    if not has_request_context():
        return LocalTimes(ZoneInfo("UTC"), clock.now(), i18n.page_language())
    user = current_user
    name = user.timezone if user and user.is_authenticated else None
    times = g._local_times = LocalTimes(zone_named(name), clock.now(), i18n.page_language())
    return times


@contextmanager
def reading_in(zone_name, language):
    """Write every time inside the block in zone_name and language (an email to one reader); i18n.speaking
    chooses the words, this the zone."""
    state = g._get_current_object()
    saved = state.__dict__.get("_local_times")
    state._local_times = LocalTimes(zone_named(zone_name), clock.now(), language)
    try:
        yield state._local_times
    finally:
        if saved is None:
            state.__dict__.pop("_local_times", None)
        else:
            state._local_times = saved


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
