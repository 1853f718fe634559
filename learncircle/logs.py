"""The server's log on standard error: one line per request, failures with a reference, and waitress
kept to what matters.

A request line is in the Common Log Format that Apache and nginx write (and log tools read), with
the person's account id in the user field and the seconds taken at the end:

    203.0.113.7 - 42 [02/Mar/2026:09:00:00 +0000] "GET /t/5 HTTP/1.1" 200 5120 0.012

A request that failed with a server error ends with `error=<reference>`; the error page shows the
same reference, so a person can quote it and the admin find the traceback, which is logged with it.
"""
import logging
import re
import secrets
import sys
import threading
import time

from flask import g, request
from flask.logging import default_handler

requests_log = logging.getLogger("learncircle.requests")
errors_log = logging.getLogger("learncircle.errors")

USER_KEY = "learncircle.user_id"
ERROR_KEY = "learncircle.request_id"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')  # what a request line may not hold as it is
SAFE = re.compile(r'[^\x00-\x1f\x7f-\U0010ffff"\\]*')
QUEUE_REPORT_EVERY = 60  # seconds between two warnings that requests wait for a worker thread


class RequestLog:
    """WSGI middleware that logs each request when the app has answered it.

    Outside the proxy fix or inside it, it reads the client address after the app ran, when the
    proxy fix has put the forwarded one in place.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if not requests_log.isEnabledFor(logging.INFO):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        answer = []

        def noting_start_response(status, headers, exc_info=None):
            answer[:] = (status, headers)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, noting_start_response)
        finally:
            text = line(environ, answer, time.perf_counter() - started, time.time())
            # Made directly: Logger.info would look up its caller's file and line, which no one reads here.
            requests_log.handle(requests_log.makeRecord(requests_log.name, logging.INFO, "", 0, text, None, None))


def line(environ, answer, seconds, now):
    status, headers = answer if answer else ("500", ())
    size = next((value for name, value in headers if name.lower() == "content-length"), "-")
    target = environ.get("PATH_INFO", "") or "/"
    if environ.get("QUERY_STRING"):
        target += "?" + environ["QUERY_STRING"]
    request_line = f'{environ.get("REQUEST_METHOD", "-")} {target} {environ.get("SERVER_PROTOCOL", "-")}'
    # Written as nginx writes them: a client's quote or line break must not forge a field or a line.
    if not SAFE.fullmatch(request_line):
        request_line = UNSAFE.sub(_hex, request_line)
    text = (f'{environ.get("REMOTE_ADDR") or "-"} - {environ.get(USER_KEY, "-")} [{clf_time(now)}] '
            f'"{request_line}" {status.split(" ", 1)[0]} {size} {seconds:.3f}')
    if ERROR_KEY in environ:
        text += f" error={environ[ERROR_KEY]}"
    return text


def _hex(match):
    return f"\\x{ord(match.group()):02X}"


_last_second = (None, "")  # the last second written, and how: a busy second is formatted once


def clf_time(now):
    """A moment as the Common Log Format writes it, in UTC: 02/Mar/2026:09:00:00 +0000."""
    global _last_second
    second, text = _last_second
    if int(now) != second:
        t = time.gmtime(now)
        text = f"{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
        _last_second = (int(now), text)
    return text


def request_id():
    """This request's reference for its error: made when first asked, then the same for the request."""
    environ = request.environ
    if ERROR_KEY not in environ:
        environ[ERROR_KEY] = secrets.token_hex(4)
    return environ[ERROR_KEY]


def init_app(app):
    app.wsgi_app = RequestLog(app.wsgi_app)

    @app.after_request
    def _note_user(response):
        # Only a person the request has already loaded: logging never costs a query.
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            request.environ[USER_KEY] = user.id
        return response

    def log_exception(exc_info):
        """Flask's unhandled-error log, with the reference the error page shows."""
        errors_log.error("error=%s %s %s failed", request_id(), request.method, request.full_path.rstrip("?"),
                         exc_info=exc_info)

    app.log_exception = log_exception


# ---- the server process -------------------------------------------------------------------------

class QueueDepthDigest(logging.Filter):
    """Turns waitress's "Task queue depth is N", logged for every request that waits for a worker
    thread, into one warning a minute at most, saying how often and how deep it was."""

    def __init__(self, every=QUEUE_REPORT_EVERY, clock=time.monotonic):
        super().__init__()
        self.every, self.clock = every, clock
        self.lock = threading.Lock()
        self.next_report = None
        self.waits = self.deepest = 0

    def filter(self, record):
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        now = self.clock()
        with self.lock:
            self.waits += 1
            self.deepest = max(self.deepest, depth if isinstance(depth, int) else 0)
            if self.next_report is not None and now < self.next_report:
                return False
            first = self.next_report is None
            waits, deepest = self.waits, self.deepest
            self.waits = self.deepest = 0
            self.next_report = now + self.every
        if first:
            record.msg, record.args = ("requests are waiting for a free worker thread (%d queued); "
                                       "this is reported at most once a minute"), (deepest,)
        else:
            record.msg, record.args = ("requests waited for a free worker thread %d times since the last report "
                                       "(at most %d queued)"), (waits, deepest)
        return True


class _Formatter(logging.Formatter):
    """Request lines as they are (they carry their own time); anything else with time, level and source."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record):
        if record.name == requests_log.name:
            return record.getMessage()
        return super().format(record)


def configure(stream=None):
    """Send the server's log to standard error: requests, LearnCircle's own records, waitress's warnings."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    own = logging.getLogger("learncircle")
    own.setLevel(logging.INFO)
    own.removeHandler(default_handler)  # Flask's, added if its logger was asked for first: lines would repeat
    # "Client disconnected" and the like are waitress's INFO records: not worth a line each.
    logging.getLogger("waitress").setLevel(logging.WARNING)
    logging.getLogger("waitress.queue").addFilter(QueueDepthDigest())
    return handler
