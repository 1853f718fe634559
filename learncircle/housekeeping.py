"""Housekeeping: the jobs that delete what has outlived its time (the audit log past its retention, what
moderators deleted past REMOVED_RETENTION_DAYS, accounts whose deletion's grace period ended), and the few
that do something when its time comes (a meeting's reminders).

Each feature registers its job once, at import; `learncircle prune` runs the deleting ones (for cron or a
systemd timer), and the server runs every job in the background too, each at its own interval (hourly unless
it asks for another). Every job takes `now` and returns how many rows it deleted (or things it did), and is
safe to run twice or from two processes at once.
"""
import atexit
import logging
import threading
import time

from flask import current_app

from . import clock
from .db import database

log = logging.getLogger(__name__)
_jobs = {}
_every = {}  # name -> seconds, for a job that runs at its own interval rather than the housekeeper's
_not_deleting = set()  # jobs that send rather than delete: `learncircle prune` leaves them out


def register(name, job, every_seconds=None, deletes=True):
    """Add a job(now) -> count under name (a feature's dotted name, e.g. "audit.prune"); returns job.

    every_seconds: how often the server runs it (None: the housekeeper's hour). deletes=False for a job that
    acts rather than prunes (reminders): `learncircle prune` does not run it; it has a command of its own."""
    _jobs[name] = job
    if every_seconds is not None:
        _every[name] = every_seconds
    if not deletes:
        _not_deleting.add(name)
    return job


def run(now=None, names=None):
    """Run the registered jobs named (by default every one that deletes); return {name: count}."""
    now = now or clock.now()
    if names is None:
        names = [name for name in _jobs if name not in _not_deleting]
    return {name: _jobs[name](now) for name in sorted(names) if name in _jobs}


# ---- the server's background runs -----------------------------------------------------------------

EXTENSION = "learncircle.housekeeper"
EVERY_SECONDS = 3600
STOP_SECONDS = 10


class Housekeeper:
    """A daemon thread of the server that runs every job at its start, then each at its interval (hourly, or
    what it registered with), until stop(): it wakes at the shortest interval and runs the jobs that are due.

    Several processes may each run one (every job is safe to run twice); `learncircle prune` beside it is
    harmless too. Tests call step() instead of starting the thread.
    """

    def __init__(self, app, every_seconds=EVERY_SECONDS):
        self.app, self.every_seconds = app, every_seconds
        self._stopping = threading.Event()
        self._thread = None
        self._lock = threading.Lock()
        self._stops_at_exit = False
        self._last_run = {}  # name -> time.monotonic() of its last successful run (not the clock: tests freeze it)

    def interval(self, name):
        return _every.get(name, self.every_seconds)

    def wake_seconds(self):
        """How long the thread sleeps between looks: the shortest interval of any job."""
        return min([self.every_seconds, *(self.interval(name) for name in _jobs)])

    def due(self, at=None):
        """The jobs whose interval has passed since they last ran (every one that never ran)."""
        at = time.monotonic() if at is None else at
        return [name for name in _jobs
                if name not in self._last_run or at - self._last_run[name] >= self.interval(name) - 1]

    def step(self, now=None, due_only=False):
        """Run every job once (due_only: those that are due) on a connection of this thread's; {name: count},
        or None when it failed."""
        started = time.monotonic()
        names = self.due(started) if due_only else list(_jobs)
        with self.app.app_context():
            opened = database.is_closed()
            if opened:
                database.connect()
            try:
                done = run(now, names)
            except Exception:  # the database is away (disk full, locked): the next look tries again
                log.exception("housekeeping failed; it runs again in %d seconds", self.wake_seconds())
                return None
            finally:
                if opened and not database.is_closed():
                    database.close()
        self._last_run.update(dict.fromkeys(done, started))
        if any(done.values()):
            log.info("housekeeping: %s", ", ".join(f"{count} ({name})" for name, count in done.items() if count))
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
            self.step(due_only=True)
            self._stopping.wait(self.wake_seconds())


def init_app(app):
    """Give the app its housekeeper (not started: `learncircle serve` and wsgi.py start it)."""
    app.extensions[EXTENSION] = Housekeeper(app)


def housekeeper(app=None):
    return (app or current_app).extensions[EXTENSION]
