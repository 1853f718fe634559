"""What new members are told, in the reader's language and time zone: the line beside the composer that says
their limits, and the message when a post goes beyond one (what the limit is, why, and when it lifts)."""
from .. import timefmt
from ..i18n import gettext as _
from ..i18n import ngettext
from . import rules


def _links(number):
    if not number:
        return _("no links")
    return ngettext("at most %(num)d link", "at most %(num)d links", number)


def _images(number):
    if not number:
        return _("no images")
    return ngettext("at most %(num)d image", "at most %(num)d images", number)


def _threads(number):
    if not number:
        return _("no new threads")
    return ngettext("at most %(num)d new thread a day", "at most %(num)d new threads a day", number)


def lifts(standing):
    """When the limits end: a date, or sooner after some more accepted posts."""
    return ngettext("These limits lift on %(until)s, or once %(num)d more of your posts here is accepted.",
                    "These limits lift on %(until)s, or once %(num)d more of your posts here are accepted.",
                    standing.posts_to_go, until=timefmt.exact_time(standing.until))


def note(standing):
    """The short line beside a new member's composer: their limits, and when they lift."""
    limits = standing.limits
    said = _("While you are new here: %(links)s and %(images)s in a post, %(threads)s.",
             links=_links(limits.links), images=_images(limits.images), threads=_threads(limits.threads))
    if standing.holds:
        said += " " + _("Your first post here waits for a facilitator's approval before the circle sees it.")
    return f"{said} {lifts(standing)}"


def refusal(reached):
    """Why a new member's post was refused, what to do, and when the limit lifts."""
    why = _("New members' limits keep a circle safe from spam while people get to know each other.")
    if reached.kind == rules.THREADS:
        if not reached.limit:
            said = _("New members cannot start threads in this circle yet; you can reply to the threads there are.")
        else:
            said = ngettext("New members can start %(num)d thread a day here, and you have started it.",
                            "New members can start %(num)d threads a day here, and you have started them.",
                            reached.limit)
            if reached.retry_at is not None:
                said += " " + _("You can start another from %(when)s.", when=timefmt.exact_time(reached.retry_at))
    elif reached.kind == rules.LINKS:
        said = ngettext("A new member's post can hold %(num)d link here.",
                        "A new member's post can hold %(num)d links here.", reached.limit) if reached.limit \
            else _("New members cannot post links here yet.")
        said += " " + ngettext("This one has %(num)d.", "This one has %(num)d.", reached.count)
    else:
        said = ngettext("A new member's post can hold %(num)d image here.",
                        "A new member's post can hold %(num)d images here.", reached.limit) if reached.limit \
            else _("New members cannot post images here yet.")
        said += " " + ngettext("This one has %(num)d.", "This one has %(num)d.", reached.count)
    return f"{said} {why} {lifts(reached.standing)}"


def held():
    """What a new member is told when their post is held for approval."""
    return _("Thank you! As a new member here, your first post waits for a facilitator's approval: until then "
             "only you and the circle's facilitators see it.")


def init_app(app):
    # Asked of the note's template (newcomers/_limits.html); escaped there like any text.
    app.jinja_env.globals.update(newcomer_note=note)

