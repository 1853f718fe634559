"""Static files: URLs that carry a hash of the content (cached for a year), compressed once per file
at the highest level, and htmx served from its registry package (no CDN, no copy in the repository).
"""
import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import brotli
import js_lib_htmx
from flask import Blueprint, current_app, has_request_context, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

from . import memory

# htmx comes from its registry package at install time and is served from here.
vendor = Blueprint("vendor", __name__, static_folder=str(Path(js_lib_htmx.__file__).parent / "static" / "htmx"),
                   static_url_path="/static/vendor")

YEAR = 31_536_000


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


def is_static_request():
    return bool(request.endpoint) and request.endpoint.endswith("static")


def _static_path():
    name = request.endpoint.rpartition(".")[0]
    folder = current_app.blueprints[name].static_folder if name else current_app.static_folder
    return safe_join(folder, request.view_args["filename"])


# The stylesheet's comments are for the people editing it: a phone need not download them.
_CSS_COMMENT = re.compile(rb"/\*.*?\*/\s*", re.S)
# And so are the spaces that lay it out: around braces, semicolons, commas, ">" and after a property's colon
# (never inside a string; a run of other spaces, which may separate a selector's parts, becomes one).
_CSS_SPACE = re.compile(rb"""("[^"]*"|'[^']*')|\s*([{};,>])\s*|(:)\s+|\s+""")


def _squeeze_css(data):
    data = _CSS_SPACE.sub(lambda found: found.group(1) or found.group(2) or found.group(3) or b" ", data)
    return data.replace(b";}", b"}").strip()


# So are our scripts' comment lines and indentation (a line's leading spaces, and a line that begins with
# "//"): our scripts have no template literals and no string that runs over a line, where either would be
# text (tests/test_web.py checks). Only our own files: a vendored script is sent as its authors made it.
_JS_LAYOUT = re.compile(rb"^[ \t]*(?://.*\n)?", re.M)


@lru_cache(maxsize=64)
def _compressed(path, mtime, encoding, own=True):
    data = Path(path).read_bytes()
    if path.endswith(".css"):
        data = _squeeze_css(_CSS_COMMENT.sub(b"", data))
    elif path.endswith(".js") and own:
        data = _JS_LAYOUT.sub(b"", data)
    if encoding == "br":
        # A window just larger than the file compresses as well as the default 4 MB one, and the
        # encoder's memory scales with the window. Quality 11 still needs tens of MB for a moment:
        # once per file and release, so hand them back rather than keep them for the server's life.
        body = brotli.compress(data, quality=11, lgwin=min(24, max(10, len(data).bit_length())))
        memory.give_back_freed()
        return body
    return gzip.compress(data, 9)


def _compress(response):
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
    body = _compressed(path, Path(path).stat().st_mtime, encoding, own=request.endpoint == "static")
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    # Ranges are answered from the file as stored, not from this encoding of it: offer none.
    response.headers.pop("Accept-Ranges", None)


def _static_headers(response):
    if not is_static_request():
        return response
    # CSS and scripts are not documents: page policies (web.py leaves them out) and a download name
    # only add bytes.
    response.headers.pop("Content-Disposition", None)
    if response.status_code == 200:
        _compress(response)
    if request.args.get("v"):
        # A versioned address never changes, so browsers never ask again: one validator (the ETag, for
        # a forced reload) is enough, and a first visit carries four of these responses.
        response.headers.pop("Last-Modified", None)
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response


class _SessionsOutsideStatic(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, not saved on a static file's answer.

    Saving reads the session, which marks the answer `Vary: Cookie`: a file that is the same for
    everyone would then be kept per visitor by shared caches, and carry the bytes for it.
    """

    def save_session(self, app, session, response):
        if not is_static_request():
            super().save_session(app, session, response)


def init_app(app):
    app.session_interface = _SessionsOutsideStatic()
    app.register_blueprint(vendor)
    app.jinja_env.globals.update(static_url=static_url)
    app.after_request(_static_headers)
