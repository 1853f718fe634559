"""What lists show of hidden threads (hidden by a moderator, by members' flags, or waiting for approval): to their
author and the circle's moderators they stay listed; to everyone else they are gone, title and all."""
from ..discussions.models import Thread


def threads_shown(query, viewer_id, sees_hidden):
    """query (of Thread) less the hidden threads that viewer_id (None: a visitor) did not start; sees_hidden:
    the viewer moderates the circle, and sees them all."""
    if sees_hidden:
        return query.where(Thread.hidden_kind != "removed")  # deleted by a moderator: listed for nobody
    if viewer_id is None:
        return query.where(Thread.hidden_at.is_null())
    return query.where(Thread.hidden_at.is_null() | ((Thread.author == viewer_id) & (Thread.hidden_kind != "removed")))
