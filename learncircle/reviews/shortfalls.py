"""What an allocation could not do, said in the language of whoever reads it.

The solver names each shortfall as a kind and its numbers (a Shortfall); the round keeps them as JSON in
`allocation_notes`, and the board says them when it is shown (`said`), so a facilitator reads them in
their own language whoever's page started the allocation. Rounds allocated before kept sentences, one
a line: those are shown as written.

Never rename a kind or a parameter once rounds store it: add a new kind instead.
"""
import json
from typing import NamedTuple

from ..i18n import gettext as _
from ..i18n import ngettext


class Shortfall(NamedTuple):
    """One thing the allocation could not do: its kind and its numbers (plain values)."""

    kind: str
    params: dict

    def __str__(self):
        return say(self)


TEXT = "text"  # a sentence stored before shortfalls had kinds: shown as written


def say(shortfall):
    """A shortfall in the current language (an unknown one by its stored text, or a plain line)."""
    kind, params = shortfall
    say_kind = _TEXTS.get(kind)
    if say_kind is not None:
        try:
            return say_kind(**params)
        except (TypeError, KeyError, ValueError):
            pass
    text = params.get(TEXT) if isinstance(params, dict) else None
    if isinstance(text, str) and text.strip():
        return text
    return _("The allocation could not give every submission all the reviewers it asks for.")


def stored(shortfalls):
    """The allocation_notes value for a list of shortfalls ("" for none)."""
    if not shortfalls:
        return ""
    return json.dumps([[kind, params] for kind, params in shortfalls], ensure_ascii=False, separators=(",", ":"))


def read(raw):
    """The shortfalls kept in an allocation_notes value: JSON, or the sentences of an older round."""
    raw = raw or ""
    if raw.lstrip().startswith("["):
        try:
            items = json.loads(raw)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [Shortfall(item[0], item[1]) for item in items
                    if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and isinstance(item[1], dict)]
    return [Shortfall(TEXT, {TEXT: line}) for line in raw.splitlines() if line.strip()]


def said(raw):
    """The shortfalls kept in an allocation_notes value, as sentences in the current language."""
    return [say(shortfall) for shortfall in read(raw)]


# ---- the kinds: what each says --------------------------------------------------------------------

def _no_reviewers():
    return _("There were no reviewers, so no submission could be allocated.")


def _none_for_the_submission():
    return _("No reviewer was available for the submission.")


def _none_for_each_submission():
    return _("No reviewer was available for each submission.")


def _only_for_the_submission(reviewers, wanted):
    return ngettext("Only %(num)d reviewer was available for the submission instead of %(wanted)d.",
                    "Only %(num)d reviewers were available for the submission instead of %(wanted)d.",
                    reviewers, wanted=wanted)


def _only_for_each_submission(reviewers, wanted):
    return ngettext("Only %(num)d reviewer was available for each submission instead of %(wanted)d.",
                    "Only %(num)d reviewers were available for each submission instead of %(wanted)d.",
                    reviewers, wanted=wanted)


def _got_none(submissions):
    return ngettext("%(num)d submission got no reviewer.", "%(num)d submissions got no reviewer.", submissions)


def _got_only(submissions, reviewers, wanted):
    # Two counts in one sentence: the reviewers' is said first, and put into the submissions' sentence.
    how_many_reviewers = ngettext("%(num)d reviewer", "%(num)d reviewers", reviewers)
    return ngettext("%(num)d submission got only %(reviewers)s instead of %(wanted)d.",
                    "%(num)d submissions got only %(reviewers)s instead of %(wanted)d.",
                    submissions, reviewers=how_many_reviewers, wanted=wanted)


def _loads_uneven(fewest, most):
    return ngettext("Reviewer loads could not be balanced: some have %(num)d review to do, others %(most)d.",
                    "Reviewer loads could not be balanced: some have %(num)d reviews to do, others %(most)d.",
                    fewest, most=most)


def _apart_short(submissions):
    return ngettext("%(num)d submission fell short because its author is kept apart from some reviewers "
                    "(a facilitator hid one of their reviews, or marked the pair “keep apart”).",
                    "%(num)d submissions fell short because their authors are kept apart from some reviewers "
                    "(a facilitator hid one of their reviews, or marked the pair “keep apart”).",
                    submissions)


def _apart_uneven():
    return _("Some reviewers and authors are kept apart, which left too few choices to even the loads out.")


def _repeats(pairings):
    return ngettext("%(num)d pairing repeats a reviewer and an author from an earlier round: with loads kept even, "
                    "no fresh pairing was possible.",
                    "%(num)d pairings repeat a reviewer and an author from an earlier round: with loads kept even, "
                    "no fresh pairing was possible.", pairings)


def _late_short(reviewers, wanted):
    return ngettext("A late submission got %(num)d reviewer instead of %(wanted)d: there were not enough other "
                    "people.",
                    "A late submission got %(num)d reviewers instead of %(wanted)d: there were not enough other "
                    "people.", reviewers, wanted=wanted)


def _late_short_apart(reviewers, wanted):
    return ngettext("A late submission got %(num)d reviewer instead of %(wanted)d: there were not enough other "
                    "people, as some are kept apart from its author.",
                    "A late submission got %(num)d reviewers instead of %(wanted)d: there were not enough other "
                    "people, as some are kept apart from its author.", reviewers, wanted=wanted)


_TEXTS = {
    "no_reviewers": _no_reviewers,
    "none_for_the_submission": _none_for_the_submission,
    "none_for_each_submission": _none_for_each_submission,
    "only_for_the_submission": _only_for_the_submission,
    "only_for_each_submission": _only_for_each_submission,
    "got_none": _got_none,
    "got_only": _got_only,
    "loads_uneven": _loads_uneven,
    "apart_short": _apart_short,
    "apart_uneven": _apart_uneven,
    "repeats": _repeats,
    "late_short": _late_short,
    "late_short_apart": _late_short_apart,
}
