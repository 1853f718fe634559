"""HTTP plumbing every feature shares: page-or-fragment rendering, redirects after POST, headers,
pagination, time display and static URLs.
"""
import datetime as dt
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import brotli
from flask import abort, current_app, g, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from werkzeug.security import safe_join

from . import clock, memory

# Content-Security-Policy: no inline script, no eval, no inline style; htmx is configured to match
# (see the htmx-config meta tag in base.html). No pictures from other sites: one would tell its host
# who read the page and when (text.py turns them into links).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def is_fragment_request():
    """True for an htmx request that swaps part of a page (not boosted, not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template, block=None, status=200, **context):
    """The whole page, or for an htmx request that swaps part of it, only `block` of the page.

    Pages that an htmx request may ask for in part name the block, so the page and the swapped part
    come from one template and cannot drift apart.
    """
    if block and is_fragment_request():
        return fragment(template, block=block, status=status, **context)
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    return response


def fragment(template, status=200, *, block=None, retarget=None, reswap=None, push_url=None, refresh=False,
             **context):
    """Answer an htmx request with part of a page: a `_partial.html` whole, or one `block` of a page.

    The one place that sets htmx's response headers (through htmx-flask): `retarget` (a CSS selector)
    and `reswap` when the answer belongs somewhere other than where the request aimed, `push_url` to
    put a URL in the address bar, `refresh` when the whole page changed. Every answer varies by
    HX-Request, as the same URL also serves whole pages.
    """
    body = render_block(template, block, **context) if block else render_template(template, **context)
    response = htmx_response(body, status, retarget=retarget, reswap=reswap, push_url=push_url, refresh=refresh)
    response.vary.add("HX-Request")
    return response


def render_partial(template, status=200, **context):
    """Deprecated name of fragment() for a whole partial."""
    return fragment(template, status=status, **context)


def see_other(location):
    """Redirect after a successful POST (303, so the browser follows with GET)."""
    return redirect(location, code=303)


def safe_next(target, fallback):
    """Return target when it is a local path, else fallback (no open redirects)."""
    if target:
        parts = urlsplit(target)
        # Browsers read "\\" as "/" and drop tabs and newlines, so "/\\evil" would leave the site.
        if (not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
                and "\\" not in target and target.isprintable()):
            return target
    return fallback


def page_number(name="page"):
    """A positive page number from the query string; a garbage value is a 404, not a 500."""
    raw = request.args.get(name, "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 100_000:
        abort(404)
    return int(raw)


class Page:
    """One page of a query, fetched with one extra row to know whether another page follows."""

    def __init__(self, query, number, size):
        rows = list(query.limit(size + 1).offset((number - 1) * size))
        self.items = rows[:size]
        self.number = number
        self.has_next = len(rows) > size
        self.has_previous = number > 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


# ---- time zones ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def timezone_names():
    return sorted(name for name in available_timezones() if "/" in name and not name.startswith("Etc/")) + ["UTC"]


def is_timezone(name):
    return name in set(timezone_names())


UTC = dt.timezone.utc


def _zone_named(name):
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
    times = g._local_times = LocalTimes(_zone_named(name), clock.now())
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


def exact_time(moment):
    return local_times().exact(moment)


def time_tag(moment, relative=True):
    """<time> showing a relative or local time, with the exact local time on hover."""
    return local_times().tag(moment, relative)


# ---- URLs ---------------------------------------------------------------------------------------

_ID_SENTINEL = 2**62 + 1729
_id_url_patterns = {}


def id_url(number, endpoint):
    """The URL of a route named by one integer id: `{{ post.id|id_url("discussions.permalink") }}`.

    Its pattern is built once, then filled in: a thread page links fifty posts, and url_for costs
    more than the rest of a post's markup. A filter, so Jinja calls it directly.
    """
    key = (endpoint, request.script_root)
    pattern = _id_url_patterns.get(key)
    if pattern is None:
        (rule,) = current_app.url_map.iter_rules(endpoint)
        (name,) = rule.arguments
        before, _, after = url_for(endpoint, **{name: _ID_SENTINEL}).partition(str(_ID_SENTINEL))
        pattern = _id_url_patterns[key] = (before, after)
    return f"{pattern[0]}{int(number)}{pattern[1]}"


# ---- static files -------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _file_version(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


_static_urls = {}


def static_url(filename, endpoint="static"):
    """URL of a static file carrying a hash of its content, so it can be cached for a year.

    Worked out once per file: every page names four, and the files change only with a new release.
    """
    # Outside a request url_for gives an absolute URL: worth building, not keeping for pages.
    key = (endpoint, filename, request.script_root) if has_request_context() else None
    url = _static_urls.get(key)
    if url is None:
        if endpoint == "static":
            folder = current_app.static_folder
        else:
            folder = current_app.blueprints[endpoint.split(".")[0]].static_folder
        url = url_for(endpoint, filename=filename, v=_file_version(str(Path(folder) / filename)))
        if key is not None:
            _static_urls[key] = url
    return url


def _static_path():
    name = request.endpoint.rpartition(".")[0]
    folder = current_app.blueprints[name].static_folder if name else current_app.static_folder
    return safe_join(folder, request.view_args["filename"])


@lru_cache(maxsize=64)
def _compressed(path, mtime, encoding):
    data = Path(path).read_bytes()
    if encoding == "br":
        # A window just larger than the file compresses as well as the default 4 MB one, and the
        # encoder's memory scales with the window. Quality 11 still needs tens of MB for a moment:
        # once per file and release, so hand them back rather than keep them for the server's life.
        body = brotli.compress(data, quality=11, lgwin=min(24, max(10, len(data).bit_length())))
        memory.give_back_freed()
        return body
    return gzip.compress(data, 9)


def _compress_static(response):
    """Serve static text files compressed at the highest level, computed once per file version.

    Dynamic pages are compressed per request by Flask-Compress at a cheap level; static files
    never change between deploys, so they can afford the slow, smallest encoding.
    """
    if response.mimetype not in ("text/css", "text/javascript", "application/javascript"):
        return
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    path = _static_path()
    if encoding is None or path is None:
        return
    body = _compressed(path, Path(path).stat().st_mtime, encoding)
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")


def init_app(app):
    app.jinja_env.globals.update(static_url=static_url)
    # Filters, not globals: Jinja calls a filter directly, a global through its context, and a
    # thread page has a hundred times and fifty links.
    app.jinja_env.filters.update(time_tag=time_tag, id_url=id_url)
    app.jinja_env.filters["localtime"] = lambda moment: exact_time(moment) if moment else ""

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.endpoint and request.endpoint.endswith("static"):
            # CSS and scripts are not documents: page policies and a download name only add bytes.
            headers.pop("Content-Disposition", None)
            if response.status_code == 200:
                _compress_static(response)
            if request.args.get("v"):
                response.cache_control.no_cache = None
                response.cache_control.public = True
                response.cache_control.max_age = 31_536_000
                response.cache_control.immutable = True
            return response
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            # Pages are personal: never let a shared cache keep them.
            response.cache_control.private = True
            response.cache_control.no_cache = True
        return response
