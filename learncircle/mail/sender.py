"""Sending the outbox: a thread of `learncircle serve` (and wsgi.py), and `learncircle send-mail` once through.

Both do the same: claim due rows, send them, until none is due. Any number of them may run on one database
(outbox.claim keeps them from sending a row twice), so a cron job beside the server is harmless.
"""
import atexit
import contextlib
import logging
import threading

from flask import current_app

from ..db import database
from .. import clock
from . import digest, enabled, outbox

log = logging.getLogger(__name__)

EXTENSION = "learncircle.mail_sender"
POLL_SECONDS = 15
DIGEST_CHECK_SECONDS = 300  # who is due for a digest: asked every five minutes, not at every turn
STOP_SECONDS = 10


def send_all(app, worker=None, digests=True):
    """Make the digests that are due and prune old mail (digests=True), then send every mail that is due now;
    (sent, failed). What fails waits for its back-off."""
    worker = worker or outbox.new_worker_name()
    sent = failed = 0
    with _connection(app):
        if digests:
            try:
                digest.send_due()
                outbox.prune()
            except Exception:  # a digest that cannot be made must not hold up the mail already queued
                log.exception("making the digests failed; the next run tries again")
        while True:
            done, refused = outbox.send_due(app.config, worker)
            sent, failed = sent + done, failed + refused
            if done == 0:
                return sent, failed


@contextlib.contextmanager
def _connection(app):
    with app.app_context():
        opened = database.is_closed()
        if opened:
            database.connect()
        try:
            yield
        finally:
            if opened and not database.is_closed():
                database.close()


class MailSender:
    def __init__(self, app, poll_seconds=POLL_SECONDS):
        self.app, self.poll_seconds = app, poll_seconds
        self.worker = outbox.new_worker_name()
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._thread = None
        self._lock = threading.Lock()
        self._digests_checked = None

    def start(self):
        """Run in a daemon thread until stop(); nothing when the instance sends no mail."""
        if not enabled(self.app):
            return False
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return True
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="learncircle-mail", daemon=True)
            self._thread.start()
            atexit.register(self.stop)
        return True

    def nudge(self):
        self._wake.set()

    def stop(self, timeout=STOP_SECONDS):
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self):
        while not self._stopping.is_set():
            self._wake.clear()
            now = clock.now()
            check = self._digests_checked is None or (now - self._digests_checked).total_seconds() >= \
                DIGEST_CHECK_SECONDS
            try:
                send_all(self.app, self.worker, digests=check)
                if check:
                    self._digests_checked = now
            except Exception:  # the database is away: try again at the next turn
                log.exception("sending mail failed; it tries again in %d seconds", self.poll_seconds)
            self._wake.wait(self.poll_seconds)


def init_app(app):
    app.extensions[EXTENSION] = MailSender(app)


def sender(app=None):
    return (app or current_app).extensions[EXTENSION]
