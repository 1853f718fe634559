"""The "you are leaving" page that links in submitted work open through.

A link in someone's work may lead to a site its author runs, which learns the address and the time
of every visit: an anonymous reviewer who follows it unawares can be told apart by when and from where
they came. So a reader sees the full address and what the other site will learn first, and decides;
the link out carries no referrer. The page never redirects by itself, and shows only addresses that
LearnCircle signed for the person reading (checked here), so nobody else can use it to lend their
links this site's name.
"""
import hashlib
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user, login_required
from itsdangerous import Signer
from markupsafe import Markup

from . import errors, text, web
from .i18n import lazy_gettext as _l

bp = Blueprint("leaving", __name__)

REFUSED = (_l("This link cannot be opened here"),
           _l("LearnCircle opens only the links it shows you in someone's work, through their own page. "
              "Go back to the work and follow the link from there."))


def is_web_address(address):
    """An absolute http(s) address with a host, in one printable line."""
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and address.isprintable() \
        and not any(c.isspace() for c in address)


def _signature(user_id, address):
    signer = Signer(current_app.secret_key, salt="learncircle.leaving", digest_method=hashlib.sha256)
    return signer.get_signature(f"{user_id}\n{address}").decode()


def leaving_url(address):
    """The leaving page for address, signed for the signed-in reader; "" for anything else."""
    if not current_user.is_authenticated:
        return ""
    if address.startswith("//"):
        address = "https:" + address
    if not is_web_address(address):
        return ""
    return url_for("leaving.page", to=address, sig=_signature(current_user.id, address))


def _through_leaving_page(href):
    """A link's address as a reader follows it: paths on this site and e-mail as they are, the web via the page."""
    if text.is_same_site(href) or href.startswith(("#", "mailto:")):
        return href
    return leaving_url(href) or None  # an address it cannot show (a relative "x.html") leads nowhere


def leaving_links(html):
    """Stored HTML of someone's work with every link to another site opened through the leaving page."""
    return Markup(text.rewrite_links(html, _through_leaving_page))


def display_host(address):
    """The host as a reader should compare it: in its ASCII (punycode) form, which look-alike letters cannot fake."""
    host = urlsplit(address).hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return host
    return ascii_host


@bp.route("/leaving")
@login_required
def page():
    address = request.args.get("to", "")
    signature = request.args.get("sig", "")
    expected = _signature(current_user.id, address).encode() if is_web_address(address) else b""
    if not expected or not hmac.compare_digest(signature.encode(), expected):
        return errors.page(400, *REFUSED)
    response = web.render("leaving.html", address=address, host=display_host(address))
    # The page's own address holds the target: keep it from any request this page makes, and let the
    # browser look nothing up in advance.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-DNS-Prefetch-Control"] = "off"
    return response


def init_app(app):
    app.jinja_env.filters.update(leaving_links=leaving_links, leaving_url=leaving_url)
