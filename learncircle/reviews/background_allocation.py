"""The background allocation: one thread in the server process that allocates reviewers.

A round's reviewers are due the moment its submission deadline passes, whether or not anyone is
looking (each reviewer must get their notice), and allocating must never hold up a page view or
another writer (see reviews.allocation for why and how it writes). So `learncircle serve` starts an
AllocationWorker. It runs a step at once (rounds that came due while the server was down), then
again at the next submission deadline or after POLL_SECONDS, whichever comes first, and at once
when nudged: a page of a round that waits for reviewers nudges it, and so does "Start reviewing
now". Nudging only sets an event, so no request waits, and a GET stays free of writes: the writes
happen in this thread, in their own transactions.

Several processes (one per gunicorn worker, say) may each run one: allocating claims the round in
its write transaction, so a round is allocated once. Tests never start the thread; they call
step(), which does the same work synchronously.
"""
import atexit
import contextlib
import logging
import os
import threading

from flask import current_app

from .. import clock
from ..db import database
from . import allocation

log = logging.getLogger(__name__)

EXTENSION = "learncircle.allocation_worker"
POLL_SECONDS = 30  # the longest a round waits after its deadline when nobody looks at it
STOP_SECONDS = 10


class AllocationWorker:
    def __init__(self, app, poll_seconds=POLL_SECONDS):
        self.app = app
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self._pid = None
        self._lock = threading.Lock()
        self._stops_at_exit = False

    # ---- the work -----------------------------------------------------------------------------

    def step(self, now=None):
        """Allocate every round whose reviewing has begun and that has no reviewers yet; return their ids.

        A round that fails is logged and left for the next step; the others go ahead.
        """
        done = []
        # Notices link to the round page, built as url_for would build it in a request.
        urls = self.app.url_map.bind("localhost", script_name=self.app.config.get("APPLICATION_ROOT") or "/")
        with self._connection():
            for round in allocation.due_rounds(now):
                try:
                    url = urls.build("reviews_participant.round", {"round_id": round.id})
                    if allocation.ensure_allocated(round, now=now, url=url) is not None:
                        done.append(round.id)
                except Exception:
                    log.exception("allocating reviewers for round %d failed; the next step tries again", round.id)
        return done

    def seconds_to_wait(self, now=None):
        """Until the next submission deadline, at most poll_seconds and at least one."""
        now = now or clock.now()
        with self._connection():
            deadline = allocation.next_deadline(now)
        if deadline is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(1.0, (deadline - now).total_seconds() + 0.5))

    @contextlib.contextmanager
    def _connection(self):
        """The app's database, on a connection of this thread's (kept open if the caller had one)."""
        with self.app.app_context():
            opened = database.is_closed()
            if opened:
                database.connect()
            try:
                yield
            finally:
                if opened and not database.is_closed():
                    database.close()

    # ---- the thread ---------------------------------------------------------------------------

    def start(self):
        """Run in a daemon thread until stop() (or the process's end: see atexit below)."""
        with self._lock:
            if self.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="learncircle-allocation", daemon=True)
            self._pid = os.getpid()
            self._thread.start()
            if not self._stops_at_exit:
                # Under a WSGI server that never calls stop(): finish the step under way before exiting.
                atexit.register(self.stop)
                self._stops_at_exit = True

    def is_alive(self):
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def nudge(self):
        """Ask for a step now, without waiting for it; restart the thread lost to a fork."""
        if self._pid is not None and self._pid != os.getpid() and not self._stopping.is_set():
            self.start()
        self._wake.set()

    def stop(self, timeout=STOP_SECONDS):
        """Let the step under way finish (its transactions are short), start no other, and end the thread."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the background allocation did not stop within %d seconds", timeout)

    def _run(self):
        while True:
            self._wake.clear()
            try:
                self.step()
                wait = self.seconds_to_wait()
            except Exception:  # the database is away (disk full, locked): try again later
                log.exception("the background allocation failed; it tries again in %d seconds", self.poll_seconds)
                wait = self.poll_seconds
            if self._stopping.is_set():
                return
            self._wake.wait(wait)
            if self._stopping.is_set():
                return


def init_app(app):
    """Give the app its worker (not started: `learncircle serve` and wsgi.py start it)."""
    app.extensions[EXTENSION] = AllocationWorker(app)


def worker(app=None):
    """The app's AllocationWorker."""
    return (app or current_app).extensions[EXTENSION]


def nudge_if_due(round):
    """Ask the background allocation to run now if this round waits for reviewers; never waits itself."""
    if round.allocation_due():
        worker().nudge()
        return True
    return False
