"""What meeting notices say (registered with notices.kinds at import): every time is written when the notice is
shown, in its reader's zone and language, with the organiser's time beside it (`start` and `old` are naive UTC
in ISO form, `zone` the organiser's)."""
from ..i18n import gettext as _
from ..notices.kinds import kind
from .times import from_iso, meeting_text


def _when(start, zone):
    moment = from_iso(start)
    return meeting_text(moment, zone) if moment else start


@kind
def meeting_scheduled(circle, title, start, zone, repeats):
    """To a circle's members: a facilitator scheduled a meeting (the first of a series when repeats)."""
    if repeats:
        return _("New meetings in %(circle)s: “%(title)s”, the first on %(when)s.", circle=circle, title=title,
                 when=_when(start, zone))
    return _("New meeting in %(circle)s: “%(title)s” on %(when)s.", circle=circle, title=title,
             when=_when(start, zone))


@kind
def meeting_reminder(title, start, zone, soon):
    """To those who did not say no: a meeting starts tomorrow (soon="day") or within the hour ("hour")."""
    if soon == "hour":
        return _("Starting within the hour: “%(title)s” at %(when)s.", title=title, when=_when(start, zone))
    return _("Tomorrow: “%(title)s” at %(when)s.", title=title, when=_when(start, zone))


@kind
def meeting_moved(title, old, start, zone, reason):
    """To those who said going or maybe: one meeting moved to another time."""
    return _("“%(title)s” moved from %(old)s to %(when)s: %(reason)s", title=title, old=_when(old, zone),
             when=_when(start, zone), reason=reason)


@kind
def meeting_cancelled(title, start, zone, reason):
    """To those who said going or maybe: a meeting (or what is left of a series) is cancelled."""
    return _("“%(title)s” on %(when)s is cancelled: %(reason)s", title=title, when=_when(start, zone), reason=reason)


@kind
def meeting_changed(title, start, zone):
    """To those who said going or maybe: the meeting's link, place or agenda changed."""
    return _("“%(title)s” on %(when)s has a new link, place or agenda.", title=title, when=_when(start, zone))


@kind
def meeting_place_opened(title, start, zone):
    """To the first on the waiting list: a place opened and is theirs."""
    return _("A place opened for you at “%(title)s” on %(when)s: you are going.", title=title,
             when=_when(start, zone))


@kind
def poll_opened(circle, title):
    """To a circle's members: help find a time."""
    return _("Help %(circle)s find a time for “%(title)s”: mark the times that suit you.", circle=circle,
             title=title)


@kind
def meeting_notes(title, start, zone):
    """To the members who were not there: the notes are posted as a thread, to catch up and carry on."""
    return _("You missed “%(title)s” on %(when)s: its notes are posted, so you can catch up and join the "
             "discussion.", title=title, when=_when(start, zone))
