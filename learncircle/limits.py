"""Rate limits (Flask-Limiter): failed logins (accounts/throttle.py), registrations per client address,
and posting, previews and invitation links per account.

Only what succeeded counts against a budget, so a form sent back with errors costs nothing. Over a
budget, a blueprint's 429 handler shows the same form again with what was typed and the message;
an htmx request gets the message as a fragment (static/app.js shows it, the typed text stays).
"""
from flask import current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

from . import errors
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .web import is_fragment_request

limiter = Limiter(key_func=get_remote_address, default_limits=[])

TOO_FAST_POSTING = _l("You have posted a lot in a short time, more than this site allows. Wait a few minutes, "
                      "then send it again: what you wrote is kept here.")
TOO_MANY_PREVIEWS = _l("Too many previews in a short time. Wait a minute and try again; your text is still here.")
TOO_MANY_INVITATIONS = _l("You have made many invitation links in a short time, more than this site allows. Wait "
                          "a few minutes before making another; the links you made are listed below.")


def limit_message(lazy):
    """A limit's error message, translated when the limit is hit (Flask-Limiter calls it then)."""
    return lambda: str(lazy)


def _account_key():
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return f"address:{get_remote_address()}"  # refused by the view anyway: nothing succeeds to count


def _succeeded(response):
    return response.status_code < 400


def _setting(name):
    return lambda: current_app.config[name]


def per_account(setting, message, scope=None, exempt_when=None):
    """Limit a view's successful POSTs per signed-in account by the rate in `setting`.

    Views that name the same scope share one budget (a thread and a reply are both posts).
    """
    options = dict(key_func=_account_key, methods=["POST"], deduct_when=_succeeded, exempt_when=exempt_when,
                   error_message=limit_message(message))
    if scope:
        return limiter.shared_limit(_setting(setting), scope=scope, **options)
    return limiter.limit(_setting(setting), **options)


def _previewing():
    """A form's "Preview" button sent without JavaScript: the text comes back rendered, nothing is stored."""
    return request.form.get("action") == "preview"


def _not_previewing():
    return not _previewing()


# New threads and replies share one budget; previews have their own, with or without JavaScript.
posting = per_account("POSTING_LIMIT", TOO_FAST_POSTING, scope="posting", exempt_when=_previewing)
previews = per_account("PREVIEW_LIMIT", TOO_MANY_PREVIEWS, scope="previews")
previews_in_form = per_account("PREVIEW_LIMIT", TOO_MANY_PREVIEWS, scope="previews", exempt_when=_not_previewing)
invitations = per_account("INVITATION_LIMIT", TOO_MANY_INVITATIONS)


def wants_form_again(error):
    """True when a spent budget should be answered with the full page and its form, not a short message."""
    return request.method == "POST" and not is_fragment_request()


def refusal(error):
    """The short answer to a spent budget: an error page, or a fragment for htmx, with the limit's message."""
    message = error.description if isinstance(error.description, str) else str(TOO_FAST_POSTING)
    return errors.page(429, _("Slow down"), message)


def _password_key():
    # The account, not the session: signing out elsewhere must not refill the budget.
    return f"password-check:{current_user.id if current_user.is_authenticated else '-'}"


def _password_was_wrong(response):
    return g.get("attempt_failed", False)


def password_checks(message):
    """Limit the wrong passwords a signed-in account's pages are sent (LOGIN_LIMIT): one budget shared by every
    page that asks for the password again (changing it, deleting the account). The view sets
    g.attempt_failed on a wrong one."""
    return limiter.shared_limit(_setting("LOGIN_LIMIT"), scope="password-check", key_func=_password_key,
                                methods=["POST"], deduct_when=_password_was_wrong,
                                error_message=limit_message(message))
