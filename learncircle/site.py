"""The site's own settings, kept in the database, and the public address that absolute links use.

Links that leave the page (an invitation to copy into an e-mail, what the CLI prints) need the
address people reach LearnCircle at. In order: the BASE_URL setting; else the address confirmed
on the setup page and stored here; else, in a request, the address that request came in on.
"""
import re
from urllib.parse import urlsplit

import peewee
from flask import current_app, has_request_context, request

from . import clock
from .db import BaseModel, database

PUBLIC_URL = "public_url"
# What `learncircle serve` listens on by default: the CLI's best guess before anything is known.
LOCAL_URL = "http://127.0.0.1:5000"
URL_MAX = 300


class SiteSetting(BaseModel):
    name = peewee.CharField(max_length=50, primary_key=True)
    value = peewee.TextField(default="")
    updated_at = peewee.DateTimeField(default=clock.now)

    @classmethod
    def read(cls, name):
        row = cls.get_or_none(cls.name == name)
        return row.value if row is not None else None

    @classmethod
    def write(cls, name, value):
        now = clock.now()
        with database.atomic():
            (cls.insert(name=name, value=value, updated_at=now)
             .on_conflict(conflict_target=[cls.name], update={cls.value: value, cls.updated_at: now}).execute())


# ---- addresses ----------------------------------------------------------------------------------

def normalised(url):
    """url as "scheme://host[:port][/prefix]", without default ports or a trailing slash; None if it is no
    http(s) address of a host."""
    raw = (url or "").strip()
    if len(raw) > URL_MAX or not raw.isprintable() or " " in raw or "\\" in raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if not re.fullmatch(r"[a-z0-9.-]+|[0-9a-f:.]+", host) or not re.fullmatch(r"[A-Za-z0-9._~/%-]*", parts.path):
        return None
    if ":" in host:
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def configured_url():
    """The BASE_URL setting, or None when it is not set."""
    return normalised(current_app.config.get("BASE_URL") or "") or None


def stored_url():
    """The address confirmed on the setup page (or since), or None."""
    if database.is_closed():
        # Outside a request (the CLI): open a connection for this one read. Inside one, the
        # request's connection is open, and a context here would close it on the way out.
        with database.connection_context():
            return _stored()
    return _stored()


def _stored():
    try:
        value = SiteSetting.read(PUBLIC_URL)
    except peewee.OperationalError:  # a database from before the table existed (not migrated yet)
        return None
    return normalised(value) if value else None


def store_url(url):
    """Remember url as the site's public address; returns it normalised (ValueError if it is none)."""
    clean = normalised(url)
    if clean is None:
        raise ValueError(f"not an http(s) address: {url!r}")
    SiteSetting.write(PUBLIC_URL, clean)
    return clean


def request_url():
    """The address this request came in on (its scheme, Host header and path prefix)."""
    return normalised(request.host_url.rstrip("/") + request.script_root) or LOCAL_URL


def public_url():
    """The address absolute links start with: BASE_URL, else the stored one, else this request's.

    Outside a request (the CLI) without either setting it is `learncircle serve`'s default address.
    """
    configured = configured_url() or stored_url()
    if configured:
        return configured
    return request_url() if has_request_context() else LOCAL_URL


def absolute(path):
    """path ("/invite/…", from url_for) as a link that works from anywhere."""
    return public_url() + path


def address_mismatch():
    """(stored address, address in use now) when links use a stored address that differs from the one
    this request came in on, else None. BASE_URL set: None, the deployer chose it."""
    if configured_url():
        return None
    stored = stored_url()
    current = request_url()
    if stored is None or stored == current:
        return None
    return stored, current


# ---- cookies ------------------------------------------------------------------------------------

def cookie_secure(config):
    """Whether every cookie is marked Secure: when BASE_URL is an https:// address."""
    return (config.get("BASE_URL") or "").strip().lower().startswith("https://")


class SecureCookiesOverHttps:
    """WSGI middleware for when BASE_URL is not set: a cookie sent over https is marked Secure.

    Without BASE_URL nothing says which scheme the site is reached by, so each answer follows its
    request (behind a proxy, with PROXY_COUNT set, the scheme the proxy reports: this wraps the app
    inside ProxyFix). Flask's session cookie and Flask-Login's remember-me cookie both pass here.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.app(environ, start_response)

        def start(status, headers, exc_info=None):
            return start_response(status, [_secure(name, value) for name, value in headers], exc_info)

        return self.app(environ, start)


def _secure(name, value):
    if name.lower() != "set-cookie" or any(part.strip().lower() == "secure" for part in value.split(";")[1:]):
        return name, value
    return name, value + "; Secure"
