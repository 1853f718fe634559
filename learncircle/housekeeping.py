"""Housekeeping: the jobs that delete what has outlived its time (the audit log past its retention, what
moderators deleted past REMOVED_RETENTION_DAYS, accounts whose deletion's grace period ended).

Each feature registers its job once, at import; `learncircle prune` runs them all (for cron or a systemd
timer), and the server runs them in the background too. Every job takes `now` and returns how many rows it
deleted, and is safe to run twice or from two processes at once.
"""
from . import clock

_jobs = {}


def register(name, job):
    """Add a job(now) -> count under name (a feature's dotted name, e.g. "audit.prune"); returns job."""
    _jobs[name] = job
    return job


def run(now=None):
    """Run every registered job; return {name: count}."""
    now = now or clock.now()
    return {name: job(now) for name, job in sorted(_jobs.items())}
