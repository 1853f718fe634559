"""A circle's thread list, marked with what the reader muted (people/ keeps who muted or blocked whom)."""
from ..people.models import muted_by
from .models import Thread


def mark_threads(query, user):
    """A thread query that also reads, as `thread.muted`, whether user muted or blocked each thread's author (in
    the same query; 0 for a visitor): _thread_list.html collapses those threads behind "show"."""
    viewer = user.id if user is not None and getattr(user, "is_authenticated", False) else None
    return query.select_extend(muted_by(viewer, Thread.author).alias("muted"))
