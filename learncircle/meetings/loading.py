"""Loading what a meetings address names, once per request (each blueprint's url_value_preprocessor and
before_request): the circle the viewer may see, then the occurrence, meeting or poll of that circle; anything
else, or another circle's, is 404."""
from flask import abort, g

from ..circles import access as circle_access
from .models import Meeting, Occurrence, Poll

_NAMES = {"occurrence_id": ("occurrence", Occurrence), "meeting_id": ("meeting", Meeting), "poll_id": ("poll", Poll)}


def take_values(endpoint, values):
    """The url_value_preprocessor: keep the address's slug and ids on g for load()."""
    values = values or {}
    g.slug = values.pop("slug", None)
    g.meeting_ids = {name: values.pop(name) for name in list(values) if name in _NAMES}


def load():
    """The before_request: g.circle (404 for a circle the viewer may not know of, 401 for a signed-out visitor of
    a public one), then g.occurrence / g.meeting / g.poll as the address names them, each of g.circle."""
    if g.get("slug") is None:
        return
    g.circle = circle_access.circle_or_404(g.slug)
    for name, value in g.meeting_ids.items():
        attribute, model = _NAMES[name]
        found = model.get_or_none((model.id == value) & (model.circle == g.circle.id))
        if found is None:
            abort(404)
        setattr(g, attribute, found)
    if "occurrence" in g and "meeting" not in g:
        g.meeting = g.occurrence.meeting


def blueprint_loading(bp):
    """Make bp load its objects this way before every view."""
    bp.url_value_preprocessor(take_values)
    bp.before_request(load)
    return bp
