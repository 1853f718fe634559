"""Error pages in the site layout, and a short message for htmx requests that fail."""
import errno
import sqlite3

import peewee
from flask import request
from werkzeug.exceptions import HTTPException

from . import logs, web
from .i18n import gettext as _
from .i18n import lazy_gettext as _l

MESSAGES = {
    400: (_l("Bad request"), _l("Something in that request did not make sense. Reload the page and try again.")),
    401: (_l("Please log in"), _l("You need to be signed in to see this page.")),
    403: (_l("Not allowed"), _l("Your role here does not allow that.")),
    404: (_l("Not found"), _l("There is nothing here, or it is not visible to you.")),
    405: (_l("Not allowed"), _l("That page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    429: (_l("Slow down"), _l("Too many attempts. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"),
          _l("The error has been logged. Nothing you typed was saved; go back to keep it.")),
}
# Another code's page (rare: 408, 410, 415 …) says what went wrong in general words rather than in
# Werkzeug's English.
OTHER = (_l("Something went wrong"), _l("That request could not be answered. Go back and try again."))

# Faults of the machine rather than of the code: a 503 that says what happened, and one log line.
OUT_OF_SPACE = (_l("Out of space"), _l("The server has run out of disk space, so nothing was saved. "
                                      "Go back to keep what you typed, and try again later."))
BUSY = (_l("Busy"), _l("The server is busy, so nothing was saved. Go back and send it again in a moment."))
FAULTS = (  # (words in the driver's message, page, seconds for Retry-After)
    ("database or disk is full", OUT_OF_SPACE, 300),
    ("no space left on device", OUT_OF_SPACE, 300),
    ("could not extend file", OUT_OF_SPACE, 300),  # PostgreSQL
    ("database is locked", BUSY, 5),
    ("database table is locked", BUSY, 5),
)


def machine_fault(error):
    """(page, retry_after, cause) when a database or disk fault caused `error`, else None.

    Looks past errors raised while cleaning up after the first one (a failed ROLLBACK), so the
    cause named is the real one.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return OUT_OF_SPACE, 300, str(error)
        text = str(error).lower()
        for words, page, retry_after in FAULTS:
            if words in text:
                return page, retry_after, str(error)
        error = error.__cause__ or error.__context__
    return None


def page(code, title, message, **context):
    """An error in the site's layout, or only its message for htmx swapping part of a page."""
    return web.render("errors/error.html", block="error", status=code, code=code, title=title, message=message,
                      **context)


def init_app(app):
    @app.errorhandler(HTTPException)
    def _http_error(error):
        code = error.code or 500
        if code == 401:
            from . import login_manager
            return login_manager.unauthorized()
        title, message = MESSAGES.get(code, OTHER)
        if code == 429:
            # A limit of ours says why in the reader's language; any other ("10 per 1 minute") in general words.
            own = getattr(getattr(error, "limit", None), "error_message", None)
            if own and isinstance(error.description, str) and error.description:
                message = error.description
        if code == 400 and "CSRF" in str(error.description):
            message = _("This form has expired or was sent from elsewhere. Reload the page and send it again.")
        return page(code, title, message)

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(OSError)
    def _machine_fault(error):
        fault = machine_fault(error)
        if fault is None:
            raise error
        (title, message), retry_after, cause = fault
        # One line with the real cause and no traceback: the code did nothing wrong.
        logs.errors_log.error("error=%s %s %s answered 503, nothing was saved: %s", logs.request_id(),
                              request.method, request.full_path.rstrip("?"), cause)
        response = page(503, title, message)
        response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(500)
    def _server_error(error):
        title, message = MESSAGES[500]
        # The same reference is in the log beside the traceback: a person can quote it.
        return web.render("errors/error.html", status=500, code=500, title=title, message=message,
                          reference=logs.request_id())
