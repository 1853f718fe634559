"""The current time, in UTC, as a naive datetime (the database convention), replaceable in tests.

Deadlines, phases, invitation expiry and rate windows all read now() so a test can move time
instead of sleeping.
"""
import datetime as _dt

_frozen = None


def now():
    """Return the current UTC time as a naive datetime."""
    if _frozen is not None:
        return _frozen
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


def freeze(moment):
    """Pin the clock at a naive UTC moment (None lets it run again)."""
    global _frozen
    _frozen = moment


def advance(**delta):
    """Move a frozen clock forward by a timedelta's keyword arguments."""
    freeze(now() + _dt.timedelta(**delta))
