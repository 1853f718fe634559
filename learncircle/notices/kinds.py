"""What each kind of notice says: the one place their texts live, rendered in the reader's language.

A notice is stored as a kind and its parameters (plain values: a round's title, a count), never as
text frozen in the sender's language. A feature sends `Notice.send(people, kinds.new_review(round=title), url)`;
the notices page shows `notice.text`, which renders the kind here in the language of the page.

Add a kind with a function named after it, decorated with @kind, whose keyword arguments are its
parameters. Never rename a kind or a parameter once notices of it are stored: add a new kind instead
(an old stored one whose function is gone is shown by `fallback`).
"""
import datetime as dt
import json
from typing import NamedTuple

from ..i18n import gettext as _
from ..i18n import ngettext

PARAM_MAX = 500  # characters of one stored value (a title, a reason); longer ones are cut


class Message(NamedTuple):
    """A notice to be sent: its kind and parameters."""
    kind: str
    params: dict

    def stored(self):
        """The params column's value: JSON with values cut to PARAM_MAX."""
        params = {name: value[:PARAM_MAX] if isinstance(value, str) else value for name, value in self.params.items()}
        return json.dumps(params, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


_TEXTS = {}


def kind(render):
    """Register a kind: its function says the notice in the current language; calling the registered name
    with its parameters makes the Message to send."""
    name = render.__name__
    _TEXTS[name] = render

    def message(**params):
        render(**params)  # the wrong parameters fail at the sender, not later on someone's notices page
        return Message(name, params)

    message.__name__, message.__doc__ = name, render.__doc__
    return message


def render(kind_name, params):
    """A stored notice in the current language; its fallback when its kind or parameters are unknown."""
    say = _TEXTS.get(kind_name)
    if say is not None:
        try:
            return say(**params)
        except (TypeError, KeyError, ValueError):
            pass
    return fallback(params)


def fallback(params):
    """Text stored before notices had kinds (kept as it was written), or a plain line for a kind since removed."""
    text = params.get("text") if isinstance(params, dict) else None
    return text if isinstance(text, str) and text else _("A notice from one of your circles.")


TEXT = "text"  # the kind of notices stored as text: they are shown as written


def as_written(text):
    """A notice of text shown as written, in every language: what notices stored before kinds became
    (tests use it too). A feature never sends one: add a kind."""
    return Message(TEXT, {"text": text})


# ---- peer review ----------------------------------------------------------------------------------

@kind
def review_arrived(round, readable_now):
    """To an author: a review of their work was submitted."""
    if readable_now:
        return _("A review of your work in “%(round)s” arrived.", round=round)
    return _("A review of your work in “%(round)s” arrived. You can read it once reviewing closes.", round=round)


@kind
def review_rated(round, score):
    """To a reviewer: the author rated their review's helpfulness."""
    return _("The author rated your review in “%(round)s”: %(score)s out of 5 helpful.", round=round, score=score)


@kind
def review_flagged(round):
    """To a circle's facilitators: an author flagged a review."""
    return _("A review in “%(round)s” was flagged as unkind or unhelpful.", round=round)


@kind
def submission_reminder(round):
    """To members who have not submitted yet (a facilitator's nudge)."""
    return _("Reminder: “%(round)s” is waiting for your submission.", round=round)


@kind
def review_reminder(round, count):
    """To reviewers with reviews still to finish (a facilitator's nudge)."""
    return ngettext("Reminder: you have %(num)d review to finish in “%(round)s”.",
                    "Reminder: you have %(num)d reviews to finish in “%(round)s”.", count, round=round)


@kind
def reviewing_started(round, count):
    """To each reviewer once reviewers are allocated."""
    return ngettext("Reviewing has started in “%(round)s”: you have %(num)d review to do.",
                    "Reviewing has started in “%(round)s”: you have %(num)d reviews to do.", count, round=round)


@kind
def late_submission_assigned(round):
    """To reviewers given a submission that arrived after the allocation."""
    return _("A late submission in “%(round)s” was given to you to review.", round=round)


@kind
def review_assigned(round):
    """To a reviewer a facilitator added or swapped in."""
    return _("You have a new review to do in “%(round)s”.", round=round)


# ---- discussions -----------------------------------------------------------------------------------

@kind
def post_hidden(thread, reason):
    """To an author: a facilitator hid their post, and why."""
    return _("A facilitator hid your post in “%(thread)s”: %(reason)s", thread=thread, reason=reason)


@kind
def thread_replied(name, thread):
    """To a member who watches a thread: the first reply they have not read yet."""
    return _("%(name)s replied in “%(thread)s”.", name=name, thread=thread)


@kind
def thread_replies(thread):
    """To a member who watches a thread: several replies they have not read yet, gathered in one notice."""
    return _("New replies in “%(thread)s”.", thread=thread)


@kind
def thread_started(name, thread, circle):
    """To a member who watches a whole circle: a new thread in it."""
    return _("%(name)s started “%(thread)s” in %(circle)s.", name=name, thread=thread, circle=circle)


@kind
def reply_accepted(thread):
    """To a reply's author: the question's author or a facilitator marked their reply as its answer."""
    return _("Your reply was marked as the answer to “%(thread)s”.", thread=thread)


@kind
def mentioned(name, thread):
    """To a member of a circle: someone mentioned them by @username in a post there."""
    return _("%(name)s mentioned you in “%(thread)s”.", name=name, thread=thread)


@kind
def post_found_helpful(thread, count, name):
    """To an author: people found their post helpful; one notice gathers them while it is unread (name: the
    one person, when there is one)."""
    if count == 1:
        return _("%(name)s found your post in “%(thread)s” helpful.", name=name, thread=thread)
    return ngettext("%(num)d person found your post in “%(thread)s” helpful.",
                    "%(num)d people found your post in “%(thread)s” helpful.", count, thread=thread)


@kind
def post_thanked(thread, count, name):
    """To an author: people said thanks for their post; one notice gathers them while it is unread (name: the
    one person, when there is one)."""
    if count == 1:
        return _("%(name)s said thanks for your post in “%(thread)s”.", name=name, thread=thread)
    return ngettext("%(num)d person said thanks for your post in “%(thread)s”.",
                    "%(num)d people said thanks for your post in “%(thread)s”.", count, thread=thread)


@kind
def facilitator_welcome(circle, name):
    """To a member who has not been heard yet ("Every voice"): a facilitator welcomes them."""
    return _("%(name)s, a facilitator of “%(circle)s”, says welcome: they would love to hear from you.",
             name=name, circle=circle)


@kind
def facilitator_check_in(circle, name):
    """To a member who has gone quiet ("Every voice"): a facilitator checks in."""
    return _("%(name)s, a facilitator of “%(circle)s”, is checking in: how are you getting on? They would love "
             "to hear from you again.", name=name, circle=circle)


# ---- flags (moderation/flags.py): never naming who flagged ----------------------------------------
# item: the words that name what was flagged (a thread's title, a round's, a member's name); what: its kind
# (post, thread, review, member).

@kind
def flag_received(item, what):
    """To a member who flagged something: their receipt."""
    if what == "thread":
        return _("You flagged the thread “%(item)s”. The circle's facilitators will review it, and nobody else "
                 "learns that you flagged it.", item=item)
    if what == "review":
        return _("You flagged a review in “%(item)s”. The circle's facilitators will review it, and nobody else "
                 "learns that you flagged it.", item=item)
    if what == "member":
        return _("You flagged %(item)s. The circle's facilitators will review it, and nobody else learns that you "
                 "flagged it.", item=item)
    return _("You flagged a post in “%(item)s”. The circle's facilitators will review it, and nobody else "
             "learns that you flagged it.", item=item)


@kind
def flags_to_review(circle, count):
    """To a circle's facilitators and owner: flags wait in the review queue; one notice gathers them while unread."""
    return ngettext("A flag in %(circle)s waits for your review.", "%(num)d flags in %(circle)s wait for your "
                    "review.", count, circle=circle)


@kind
def hidden_by_flags(item, what):
    """To an author: members' flags hid their post, thread or review until a facilitator reviews it."""
    if what == "thread":
        return _("Your thread “%(item)s” is hidden after members flagged it, until the circle's facilitators "
                 "review it. You can still read and edit it, and ask for another look.", item=item)
    if what == "review":
        return _("Your review in “%(item)s” is hidden from the author after it was flagged, until the circle's "
                 "facilitators review it.", item=item)
    return _("Your post in “%(item)s” is hidden after members flagged it, until the circle's facilitators review "
             "it. You can still read and edit it, and ask for another look.", item=item)


@kind
def another_look_asked(item, what):
    """To a circle's facilitators and owner: the author of a hidden post or thread asks them to look again."""
    if what == "thread":
        return _("The author of the hidden thread “%(item)s” asks for another look.", item=item)
    return _("The author of a hidden post in “%(item)s” asks for another look.", item=item)


# What the facilitators decided about a flagged item (the review queue's actions), for flag_resolved.
_DECISIONS = {
    "kept": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and left it as it is.",
                           item=item),
    "hidden": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and hid it.", item=item),
    "shown": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and showed it again.",
                            item=item),
    "deleted": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and deleted it.",
                              item=item),
    "warned": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and warned its author.",
                             item=item),
    "suspended": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and suspended its "
                                "author from the circle for a while.", item=item),
    "removed": lambda item: _("The circle's facilitators reviewed your flag about “%(item)s” and removed its "
                              "author from the circle.", item=item),
}
_DECISION_NAMES = {"keep": "kept", "dismiss": "kept", "dismissed": "kept", "hide": "hidden", "unhide": "shown",
                   "unhidden": "shown", "restored": "shown", "delete": "deleted", "warn": "warned",
                   "suspend": "suspended", "remove": "removed"}


@kind
def flag_resolved(item, outcome):
    """To each member who flagged an item: what the circle's facilitators decided (outcome: kept, hidden, shown,
    deleted, warned, suspended or removed)."""
    say = _DECISIONS.get(_DECISION_NAMES.get(outcome, outcome))
    return say(item) if say else _("The circle's facilitators reviewed your flag about “%(item)s”.", item=item)


# ---- moderators' actions (moderation/actions.py) ---------------------------------------------------
# what: the kind of item (post, thread, review); where: its thread's title, or its round's for a review.

@kind
def content_hidden(what, where, reason):
    """To an author: a moderator hid their thread or review (a post: post_hidden), and why."""
    if what == "thread":
        return _("A facilitator hid your thread “%(where)s” from the circle: %(reason)s You can still read and "
                 "edit it, and ask for another look.", where=where, reason=reason)
    return _("A facilitator hid your review in “%(where)s” from its author: %(reason)s", where=where, reason=reason)


@kind
def content_shown(what, where):
    """To an author: their hidden post, thread or review is shown again."""
    if what == "thread":
        return _("Your thread “%(where)s” is shown to the circle again.", where=where)
    if what == "review":
        return _("Your review in “%(where)s” is shown to its author again.", where=where)
    return _("Your post in “%(where)s” is shown to the circle again.", where=where)


@kind
def content_removed(what, where, reason):
    """To an author: a moderator deleted their post, thread or review, and why."""
    if what == "thread":
        return _("A facilitator deleted your thread “%(where)s”: %(reason)s", where=where, reason=reason)
    if what == "review":
        return _("A facilitator deleted your review in “%(where)s”: %(reason)s", where=where, reason=reason)
    return _("A facilitator deleted your post in “%(where)s”: %(reason)s", where=where, reason=reason)


@kind
def content_restored(what, where):
    """To an author: what a moderator deleted is restored."""
    if what == "thread":
        return _("Your thread “%(where)s” was restored.", where=where)
    if what == "review":
        return _("Your review in “%(where)s” was restored.", where=where)
    return _("Your post in “%(where)s” was restored.", where=where)


@kind
def moderation_warning(circle, reason):
    """To a member: a private warning from the circle's moderators, citing the code of conduct."""
    return _("A warning from the facilitators of %(circle)s: %(reason)s Please read the circle's code of conduct "
             "again.", circle=circle, reason=reason)


@kind
def warning_withdrawn(circle):
    """To a member: the circle's moderators withdrew a warning."""
    return _("The facilitators of %(circle)s withdrew their warning to you.", circle=circle)


@kind
def circle_suspension(circle, until, reason):
    """To a member: suspended from a circle until a moment (ISO, UTC), and why."""
    from .. import timefmt  # the reader's zone and language

    try:
        when = timefmt.exact_time(dt.datetime.fromisoformat(until))
    except (TypeError, ValueError):
        when = until
    return _("You are suspended from %(circle)s until %(until)s: %(reason)s You can still read it, but not post, "
             "react or flag there.", circle=circle, until=when, reason=reason)


@kind
def suspension_lifted(circle):
    """To a member: their suspension from a circle was lifted early."""
    return _("Your suspension from %(circle)s was lifted: you can take part again.", circle=circle)


@kind
def removed_from_circle(circle, reason):
    """To a former member: the circle's moderators removed them, and why."""
    return _("The facilitators of %(circle)s removed you from the circle: %(reason)s", circle=circle, reason=reason)


@kind
def readmitted_to_circle(circle):
    """To a former member: the circle's moderators took them back."""
    return _("You are a member of %(circle)s again.", circle=circle)


# ---- new members (newcomers/approvals.py) ----------------------------------------------------------

@kind
def approval_waiting(circle):
    """To a circle's facilitators and owner: a new member's post waits for approval (one unread notice gathers
    them)."""
    return _("A new member's post in %(circle)s waits for your approval.", circle=circle)


@kind
def post_approved(thread):
    """To a new member: a facilitator approved their post, which the circle now reads."""
    return _("A facilitator approved your post in “%(thread)s”: the circle can read it now.", thread=thread)


@kind
def post_not_approved(thread, reason):
    """To a new member: a facilitator did not approve their post, and why; they may edit it and ask again."""
    return _("A facilitator did not approve your post in “%(thread)s”: %(reason)s You can edit it and ask again.",
             thread=thread, reason=reason)
