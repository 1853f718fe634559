"""HTTP plumbing every feature shares: the whole page or the part htmx asked for, redirects after
POST, local links, pagination and the headers every page carries.

Times are shown by timefmt.py, static files served by assets.py.
"""
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block

from . import assets

# Content-Security-Policy: no inline script, no eval, no inline style; htmx is configured to match
# (see the htmx-config meta tag in base.html). No pictures from other sites: one would tell its host
# who read the page and when (text.py turns them into links). Scripts, styles and connections fall back to
# default-src; the last four do not, so they are said.
CSP = ("default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
       "object-src 'none'")


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
    HX-Request, as the same URL also serves whole pages. With no template the answer is empty.
    """
    if template is None:
        body = ""  # nothing: an empty swap takes the target away
    elif block:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = htmx_response(body, status, retarget=retarget, reswap=reswap, push_url=push_url, refresh=refresh)
    response.vary.add("HX-Request")
    return response


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


def local_url(url):
    """A stored link if it stays on this site, else "" (a page never sends anyone elsewhere by it)."""
    return safe_next(url, "")


def init_app(app):
    # A filter, not a global: Jinja calls a filter directly, and a thread page has fifty links.
    app.jinja_env.filters.update(id_url=id_url, local_url=local_url)
    app.jinja_env.globals["site_name"] = lambda: app.config["SITE_NAME"]

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if assets.is_static_request():
            return response  # assets.py sets what a static file needs
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            # Pages are personal: never let a shared cache keep them.
            response.cache_control.private = True
            response.cache_control.no_cache = True
        return response
