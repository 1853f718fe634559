"""Housekeeping: the jobs that delete what has outlived its time (the audit log past its retention, what
moderators deleted past REMOVED_RETENTION_DAYS, accounts whose deletion's grace period ended).

Each feature registers its job once, at import; `learncircle prune` runs them all (for cron or a systemd
timer), and the server runs them in the background too. Every job takes `now` and returns how many rows it
deleted, and is safe to run twice or from two processes at once.
"""
import atexit
import logging
import threading

from flask import current_app

from . import clock
from .db import database

log = logging.getLogger(__name__)
_jobs = {}


def register(name, job):
    """Add a job(now) -> count under name (a feature's dotted name, e.g. "audit.prune"); returns job."""
    _jobs[name] = job
    return job


def run(now=None):
    """Run every registered job; return {name: count}."""
    now = now or clock.now()
    return {name: job(now) for name, job in sorted(_jobs.items())}


# ---- the server's hourly run ----------------------------------------------------------------------

EXTENSION = "learncircle.housekeeper"
EVERY_SECONDS = 3600
STOP_SECONDS = 10


class Housekeeper:
    """A daemon thread of the server that runs every job at its start, then hourly, until stop().

    Several processes may each run one (every job is safe to run twice); `learncircle prune` beside it is
    harmless too. Tests call step() instead of starting the thread.
    """

    def __init__(self, app, every_seconds=EVERY_SECONDS):
        self.app, self.every_seconds = app, every_seconds
        self._stopping = threading.Event()
        self._thread = None
        self._lock = threading.Lock()
        self._stops_at_exit = False

    def step(self, now=None):
        """Run every job once on a connection of this thread's; {name: count}, or None when it failed."""
        with self.app.app_context():
            opened = database.is_closed()
            if opened:
                database.connect()
            try:
                done = run(now)
            except Exception:  # the database is away (disk full, locked): the next hour tries again
                log.exception("housekeeping failed; it runs again in %d seconds", self.every_seconds)
                return None
            finally:
                if opened and not database.is_closed():
                    database.close()
        if any(done.values()):
            log.info("housekeeping deleted %s", ", ".join(f"{count} ({name})" for name, count in done.items()))
        return done

    def start(self):
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="learncircle-housekeeping", daemon=True)
            self._thread.start()
            if not self._stops_at_exit:  # under a WSGI server that never calls stop(): end the run under way
                atexit.register(self.stop)
                self._stops_at_exit = True

    def stop(self, timeout=STOP_SECONDS):
        """Let a run under way finish (each job is one short transaction), start no other, end the thread."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)

    def is_alive(self):
        return self._thread is not None and self._thread.is_alive()

    def _run(self):
        while not self._stopping.is_set():
            self.step()
            self._stopping.wait(self.every_seconds)


def init_app(app):
    """Give the app its housekeeper (not started: `learncircle serve` and wsgi.py start it)."""
    app.extensions[EXTENSION] = Housekeeper(app)


def housekeeper(app=None):
    return (app or current_app).extensions[EXTENSION]
