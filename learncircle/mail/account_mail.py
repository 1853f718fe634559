"""The account's own mails: a password reset link, an address to confirm, a warning that an address is taken.

They are sent because someone asked (or tried to use the address), never as news, so they carry no
unsubscribe. Confirmation links are signed (SECRET_KEY, a salt per purpose) and carry their own expiry,
read against the clock; each says what it was made for, so it can be used once only (see each reader).
"""
import datetime as dt

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .. import clock, timefmt
from ..accounts import resets
from ..i18n import lazy_gettext as _l
from . import compose, outbox

CONFIRM_HOURS = 24
TOKEN_MAX = 2000
NEW_ADDRESS, NEW_ACCOUNT = "learncircle.mail.new-address", "learncircle.mail.new-account"


def _until(user_zone, language, moment):
    with timefmt.reading_in(user_zone, language) as times:
        return times.exact(moment)


def send_reset_link(user):
    """Mail user a one-time link to set a new password (resets.make: earlier links stop working)."""
    token = resets.make(user)
    expires = clock.now() + dt.timedelta(hours=resets.RESET_LINK_HOURS)
    subject, text, html, headers = compose.for_member(
        user, "reset_password", subject=_l("Set a new password"),
        reset_url=compose.link("accounts.reset_password", reset_token=token),
        until=_until(user.timezone, compose.language_of(user), expires))
    return outbox.enqueue(user.email, "reset_password", subject, text, html, user_id=user.id, headers=headers)


def send_address_taken(user):
    """Tell the owner of an address that someone tried to register (or move an account) with it."""
    subject, text, html, headers = compose.for_member(
        user, "address_taken", subject=_l("Someone tried to use your email address"),
        login_url=compose.link("accounts.login"), forgot_url=compose.link("mail.forgot_password"))
    return outbox.enqueue(user.email, "address_taken", subject, text, html, user_id=user.id, headers=headers)


# ---- signed confirmation links -------------------------------------------------------------------

def make_token(purpose, payload, secret=None):
    expires = clock.now() + dt.timedelta(hours=CONFIRM_HOURS)
    return URLSafeSerializer(secret or current_app.config["SECRET_KEY"], salt=purpose).dumps(
        {**payload, "until": expires.isoformat()})


def read_token(purpose, token):
    """The payload of an unexpired link made for purpose, or None (forged, tampered with, expired)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    try:
        payload = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose).loads(token)
        expires = dt.datetime.fromisoformat(payload.pop("until"))
    except (BadSignature, ValueError, TypeError, KeyError, AttributeError):
        return None
    return payload if expires > clock.now() else None


def send_confirmation(address, *, purpose, payload, endpoint, argument, language, zone, intro, action,
                      user_id=None):
    """Mail address a link to endpoint carrying a signed payload; the link works for CONFIRM_HOURS."""
    token = make_token(purpose, payload)
    until = _until(zone, language, clock.now() + dt.timedelta(hours=CONFIRM_HOURS))
    subject, text, html = compose.rendered(
        "confirm_address", language=language, zone=zone, subject=action, intro=intro, action=action,
        confirm_url=compose.link(endpoint, **{argument: token}), until=until)
    return outbox.enqueue(address, purpose.rpartition(".")[2], subject, text, html, user_id=user_id)
