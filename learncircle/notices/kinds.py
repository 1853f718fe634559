"""What each kind of notice says: the one place their texts live, rendered in the reader's language.

A notice is stored as a kind and its parameters (plain values: a round's title, a count), never as
text frozen in the sender's language. A feature sends `Notice.send(people, kinds.new_review(round=title), url)`;
the notices page shows `notice.text`, which renders the kind here in the language of the page.

Add a kind with a function named after it, decorated with @kind, whose keyword arguments are its
parameters. Never rename a kind or a parameter once notices of it are stored: add a new kind instead
(an old stored one whose function is gone is shown by `fallback`).
"""
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
