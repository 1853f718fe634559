"""Forms for taking part in a round: a submission, a review, a helpfulness rating, a revision plan (a flag is
moderation's FlagForm).

The forms parse and bound what arrives; the rules that depend on the round (what must be given,
minimum lengths) are the domain's (rules.py), whose messages the views attach to these fields.
"""
from flask import request
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ...formkeys import OneTimeForm
from ...i18n import lazy_gettext as _l
from ...i18n import lazy_ngettext, lazy_number
from .. import rules


def _unix_newlines(value):
    # Browsers send line breaks as CRLF but count them as one character against maxlength.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value



class SubmissionForm(OneTimeForm):
    """The author's work: Markdown text, a link, or both, depending on the round."""

    body = TextAreaField(_l("Your work"), filters=[_unix_newlines], description=lazy_ngettext(
        "Markdown: **bold**, _italic_, `code`, lists, links and tables. Up to %(count)s character.",
        "Markdown: **bold**, _italic_, `code`, lists, links and tables. Up to %(count)s characters.",
        rules.BODY_MAX, count=lazy_number(rules.BODY_MAX)), validators=[
        Length(max=rules.BODY_MAX, message=lazy_ngettext("Keep your submission under %(count)s character.",
                                                       "Keep your submission under %(count)s characters.",
                                                       rules.BODY_MAX, count=lazy_number(rules.BODY_MAX))),
    ])
    link = StringField(_l("Link to your work"), filters=[_strip], validators=[
        Length(max=rules.LINK_MAX, message=lazy_ngettext("Keep the link under %(count)s character.",
                                                       "Keep the link under %(count)s characters.",
                                                       rules.LINK_MAX, count=lazy_number(rules.LINK_MAX))),
    ])

    def show_errors(self, errors):
        """Attach the domain's messages (body, link) to the fields."""
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None and message not in field.errors:
                field.errors = [*field.errors, message]


def level_field(criterion_id):
    return f"level-{criterion_id}"


def comment_field(criterion_id):
    return f"comment-{criterion_id}"


class ReviewForm(FlaskForm):
    """The two prompts plus, per criterion, a level (scale criteria) and a comment.

    The per-criterion inputs are named level-<criterion id> and comment-<criterion id>, the keys the
    domain reports errors under, and are read from the submitted data for the round's rubric.
    Levels travel as 1-based numbers (what a person reads); the domain stores 0-based indexes.
    """

    what_works = TextAreaField(_l("What works"), filters=[_unix_newlines])
    could_be_better = TextAreaField(_l("What would make it better"), filters=[_unix_newlines])

    def __init__(self, criteria, *args, **kwargs):
        reads_request = kwargs.get("formdata", True) is not None  # formdata=None: an empty form to fill
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.levels, self.comments, self.criterion_errors = {}, {}, {}
        self.sent = None  # the names that arrived, when reading a request
        if reads_request and self.is_submitted():
            self.sent = set(request.form)
            for criterion in self.criteria:
                # The page always sends a criterion's comment box; its radios only once one is chosen.
                if comment_field(criterion.id) in self.sent:
                    self.levels[criterion.id] = self._level(criterion, request.form.get(level_field(criterion.id)))
                    self.comments[criterion.id] = _unix_newlines(request.form[comment_field(criterion.id)])

    @staticmethod
    def _level(criterion, raw):
        """The 0-based level index for a typed 1-based number; an unknown value stays visible to validation."""
        if not criterion.is_scale or raw in (None, ""):
            return None
        try:
            return int(raw) - 1
        except ValueError:
            return -1  # not a level: rules.validate_review says "Choose one of the levels."

    def fill_from(self, review, responses):
        """Show a stored review (draft or submitted)."""
        self.what_works.data = review.what_works if review else ""
        self.could_be_better.data = review.could_be_better if review else ""
        for criterion in self.criteria:
            response = responses.get(criterion.id)
            self.levels[criterion.id] = response.level if response is not None else None
            self.comments[criterion.id] = response.comment if response is not None else ""

    def data_for_domain(self):
        """What arrived, in the shape reviewing.save_review_draft and submit_review take.

        Parts the request did not carry are left out, so the stored draft keeps them.
        """
        def arrived(name):
            return self.sent is None or name in self.sent

        return {
            "what_works": (self.what_works.data or "") if arrived("what_works") else None,
            "could_be_better": (self.could_be_better.data or "") if arrived("could_be_better") else None,
            "levels": {c.id: self.levels[c.id] for c in self.criteria if c.is_scale and c.id in self.levels},
            "comments": {c.id: self.comments[c.id] for c in self.criteria if c.id in self.comments},
        }

    def show_errors(self, errors):
        """Attach the domain's messages: prompts to their fields, the rest by criterion input name."""
        for name, message in errors.items():
            field = getattr(self, name, None) if name in ("what_works", "could_be_better") else None
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.criterion_errors[name] = message

    def has_errors(self):
        return bool(self.what_works.errors or self.could_be_better.errors or self.criterion_errors)

    def chosen_level(self, criterion):
        """The 1-based level to show as chosen, or None."""
        level = self.levels.get(criterion.id)
        return None if level is None or level < 0 else level + 1



HELPFULNESS_LOW, HELPFULNESS_HIGH = rules.HELPFULNESS
CHOOSE_HELPFULNESS = _l("Choose how helpful it was, from %(low)d to %(high)d.", low=HELPFULNESS_LOW,
                        high=HELPFULNESS_HIGH)


class RatingForm(FlaskForm):
    """How helpful a review was, 1–5, with an optional note to its reviewer."""

    helpfulness = RadioField(_l("How helpful was this review?"), coerce=int,
                             choices=[SelectChoice(n, str(n)) for n in range(HELPFULNESS_LOW, HELPFULNESS_HIGH + 1)],
                             validators=[InputRequired(CHOOSE_HELPFULNESS)])
    helpfulness_note = TextAreaField(_l("A note for the reviewer"), filters=[_unix_newlines], validators=[
        Optional(), Length(max=rules.NOTE_MAX, message=lazy_ngettext("Keep the note under %(count)s character.",
                                                                   "Keep the note under %(count)s characters.",
                                                                   rules.NOTE_MAX, count=lazy_number(rules.NOTE_MAX))),
    ])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.helpfulness.errors:  # "not a valid choice" and the like, said in our words
            self.helpfulness.errors = [CHOOSE_HELPFULNESS]
        return valid

    def show_errors(self, errors):
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None and message not in field.errors:
                field.errors = [*field.errors, message]


class RevisionPlanForm(FlaskForm):
    """The author's plan: what they will change after reading the reviews (Markdown)."""

    body = TextAreaField(_l("What I will change"), filters=[_unix_newlines], validators=[
        Length(max=rules.REVISION_PLAN_MAX, message=lazy_ngettext(
            "Keep the plan under %(count)s character.", "Keep the plan under %(count)s characters.",
            rules.REVISION_PLAN_MAX, count=lazy_number(rules.REVISION_PLAN_MAX))),
    ])
