"""Forms for running review rounds: settings, rubric criteria, deadlines, swapping a reviewer,
keeping two people apart.

The forms convert what was typed (numbers, deadlines in the viewer's zone) and leave the rules to
reviews.rules, whose messages are put beside the fields they concern (show_errors).
"""

from flask import abort
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ... import timefmt
from ...formkeys import OneTimeForm
from ...timefields import NOT_A_TIME, LocalTimeField
from ...i18n import gettext as _
from ...i18n import lazy_gettext as _l
from .. import rules

SETTINGS = ("title", "brief", "submission_format", "reviews_per_submission", "reviewer_pool", "anonymity",
            "submission_deadline", "review_deadline", "accept_late", "results_release", "min_prompt_length")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _unix_newlines(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _typed_deadline(typed, current):
    """A deadline typed in the viewer's zone, in UTC; the current one when the same minute was typed back."""
    if typed is None:
        return None
    if current is not None and typed.isoformat(timespec="minutes") == timefmt.input_value(current):
        return current
    return timefmt.from_local(typed)


class _ShowsRuleErrors:
    """Put a rules.ValidationError's messages beside their fields (the rest in form.general_errors)."""

    general_errors = ()

    def show_errors(self, errors):
        general = []
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None:
                general.append(message)
            elif message not in field.errors:
                field.errors = [*field.errors, message]
        self.general_errors = [*self.general_errors, *general]


class DeadlineField(LocalTimeField):
    """A round's deadline: typed in the viewer's zone, at most DEADLINE_YEARS_AHEAD years ahead."""

    def __init__(self, label, **kwargs):
        super().__init__(label, years_ahead=rules.DEADLINE_YEARS_AHEAD, **kwargs)


def _deadline_field(label):
    return DeadlineField(label, validators=[InputRequired(NOT_A_TIME)])


class RoundForm(_ShowsRuleErrors, OneTimeForm):
    """A round's settings; deadlines are typed in the viewer's zone and stored in UTC."""

    title = StringField(_l("Title"), filters=[_strip])
    brief = TextAreaField(_l("Brief"), filters=[_unix_newlines])
    submission_format = RadioField(_l("What members submit"), default=rules.TEXT, choices=[
        SelectChoice(code, rules.SUBMISSION_FORMAT_LABELS[code]) for code in rules.SUBMISSION_FORMATS
    ], validate_choice=False)
    reviews_per_submission = IntegerField(_l("Reviews per submission"), default=rules.DEFAULT_REVIEWS_PER_SUBMISSION,
                                          validators=[InputRequired(_l("Give a number of reviews."))])
    reviewer_pool = RadioField(_l("Who reviews"), default=rules.SUBMITTERS, choices=[
        SelectChoice(rules.SUBMITTERS, rules.REVIEWER_POOL_LABELS[rules.SUBMITTERS]),
        SelectChoice(rules.MEMBERS, _l("Every member, whether they submitted or not")),
    ], validate_choice=False)
    anonymity = RadioField(_l("Who sees whose name"), default=rules.REVIEWERS_HIDDEN, choices=[
        SelectChoice(rules.REVIEWERS_HIDDEN, rules.ANONYMITY_LABELS[rules.REVIEWERS_HIDDEN]),
        SelectChoice(rules.BOTH_HIDDEN, _l("Both hidden: reviewers do not see authors either")),
        SelectChoice(rules.OPEN_IDENTITIES, rules.ANONYMITY_LABELS[rules.OPEN_IDENTITIES]),
    ], validate_choice=False)
    submission_deadline = _deadline_field(_l("Submission deadline"))
    review_deadline = _deadline_field(_l("Review deadline"))
    accept_late = BooleanField(_l("Accept late submissions (marked late)"), default=True)
    results_release = RadioField(_l("When authors see their reviews"), default=rules.AS_ARRIVE, choices=[
        SelectChoice(rules.AS_ARRIVE, _l("As each review arrives")),
        SelectChoice(rules.AFTER_CLOSE, _l("When reviewing closes")),
    ], validate_choice=False)
    min_prompt_length = IntegerField(_l("Minimum length of the two prompts (characters)"),
                                     default=rules.DEFAULT_MIN_PROMPT_LENGTH,
                                     validators=[InputRequired(_l("Give a number of characters (0 for none)."))])
    copy_from = SelectField(_l("Copy the rubric from"), coerce=int, default=0, validate_choice=False)

    def __init__(self, *args, sources=(), round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.copy_from.choices = [SelectChoice(0, _("Nothing: start an empty rubric"))] + [
            SelectChoice(source.id, source.title) for source in sources]
        self.fixed = round.fixed_settings if round is not None else ()
        for name in self.fixed:
            delattr(self, name)  # shown as text; the round keeps its value
        if round is not None and not self.is_submitted():
            for name in ("submission_deadline", "review_deadline"):
                if name in self._fields:
                    self[name].data = timefmt.to_local(getattr(round, name)).replace(tzinfo=None)

    def validate_copy_from(self, field):
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Choose a round of this circle that has a rubric."))

    def settings(self, round=None):
        """The values rules.validate_round_settings takes; settings the round has fixed keep their value."""
        data = {}
        for name in SETTINGS:
            if name in self.fixed:
                data[name] = getattr(round, name)
            elif name in ("submission_deadline", "review_deadline"):
                data[name] = _typed_deadline(self[name].data, getattr(round, name, None))
            else:
                data[name] = self[name].data
        data["brief"] = data["brief"] or ""
        return data

    def check(self, now, round=None):
        """Convert and check everything, showing every problem at once; return the settings or None."""
        converted = self.validate()
        data = self.settings(round)
        try:
            rules.validate_round_settings(data, now, current=round)
        except rules.ValidationError as error:
            # A field that could not be read already says so; add the rules' other messages.
            self.show_errors({name: message for name, message in error.errors.items()
                              if name not in self._fields or not self[name].errors})
            return None
        return data if converted else None


class CriterionForm(_ShowsRuleErrors, OneTimeForm):
    """One rubric criterion: a scale of 2–6 described levels, or comments only."""

    name = StringField(_l("Name"), filters=[_strip])
    description = TextAreaField(_l("Description"), filters=[_unix_newlines])
    kind = SelectField(_l("Kind"), default=rules.SCALE, validate_choice=False, choices=[
        SelectChoice(rules.SCALE, _l("A scale of levels")),
        SelectChoice(rules.COMMENTS, _l("Comments only")),
    ])
    levels = FieldList(StringField(filters=[_strip]), min_entries=rules.LEVELS[1], max_entries=rules.LEVELS[1])

    def __init__(self, *args, criterion=None, **kwargs):
        if criterion is not None and "obj" not in kwargs:
            kwargs["data"] = {"name": criterion.name, "description": criterion.description,
                              "kind": criterion.kind, "levels": criterion.level_names}
        super().__init__(*args, **kwargs)

    def criterion(self):
        return {"name": self.name.data or "", "description": self.description.data or "",
                "kind": self.kind.data, "levels": [entry.data or "" for entry in self.levels]}


class DeadlinesForm(_ShowsRuleErrors, FlaskForm):
    """Move a published round's deadlines; an unchanged box leaves its deadline as it is."""

    submission_deadline = DeadlineField(_l("Submission deadline"), validators=[Optional()])
    review_deadline = DeadlineField(_l("Review deadline"), validators=[Optional()])

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        if not self.is_submitted():
            for name in ("submission_deadline", "review_deadline"):
                getattr(self, name).data = timefmt.to_local(getattr(round, name)).replace(tzinfo=None)

    def changes(self):
        """The deadlines that were changed, in UTC (minutes typed equal to the current ones count as unchanged)."""
        moved = {}
        for name in ("submission_deadline", "review_deadline"):
            current = getattr(self.round, name)
            typed = _typed_deadline(self[name].data, current)
            if typed is not None and typed != current:
                moved[name] = typed
        return moved


class ReviewerForm(_ShowsRuleErrors, FlaskForm):
    """Choose a member of the circle to review a submission (one more reviewer, made up by hand)."""

    reviewer = SelectField(_l("Reviewer"), coerce=int, validate_choice=False,
                           validators=[InputRequired(_l("Choose who reviews it."))])

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewer.choices = [SelectChoice(user.id, f"{user.display_name} (@{user.username})")
                                 for user in candidates]
        self.allowed_ids = {user.id for user in candidates}

    def validate_reviewer(self, field):
        if field.data not in self.allowed_ids:
            raise ValidationError(_("Choose a member of the circle who does not already review this submission."))


class SwapForm(ReviewerForm):
    """Give an assignment to another member; a started draft is discarded only when confirmed."""

    reviewer = SelectField(_l("New reviewer"), coerce=int, validate_choice=False,
                           validators=[InputRequired(_l("Choose who reviews instead."))])
    discard_draft = BooleanField(_l("Discard the draft they started"))


class ButtonForm(FlaskForm):
    """A form that is only a button (its CSRF token is checked)."""

    @classmethod
    def check(cls):
        """Refuse (400) a button whose CSRF token is missing or wrong."""
        if not cls().validate_on_submit():
            abort(400)


class ModerationReasonForm(FlaskForm):
    """Hiding a review from its author or showing it again: a moderation action, its one line in the circle's log."""
    reason = StringField(_l("Why?"), filters=[lambda text: " ".join(text.split()) if isinstance(text, str) else text],
                         validators=[InputRequired(_l("Say in one line why: it is written in the moderation log.")),
                                     Length(max=300, message=_l("Keep the reason to one line of 300 characters."))])


class MoveForm(FlaskForm):
    direction = RadioField(choices=[SelectChoice("up", _l("Up")), SelectChoice("down", _l("Down"))],
                           validators=[InputRequired(_l("Say whether to move it up or down."))])

    @property
    def offset(self):
        return -1 if self.direction.data == "up" else 1


def _user_id(value):
    """A chosen member's id; nothing chosen is None (InputRequired says so), anything else not a number is refused."""
    if value in (None, ""):
        return None
    return int(value)


class KeepApartForm(_ShowsRuleErrors, FlaskForm):
    """Two members of the circle: the one who reviews, and the one whose work they must not get."""

    reviewer = SelectField(_l("Reviewer"), coerce=_user_id, validate_choice=False,
                           validators=[InputRequired(_l("Choose who should not review this author."))])
    author = SelectField(_l("Author"), coerce=_user_id, validate_choice=False,
                         validators=[InputRequired(_l("Choose whose work they should not get."))])

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", _("Choose a member…"))] + [
            SelectChoice(user.id, f"{user.display_name} (@{user.username})") for user in members]
        self.reviewer.choices, self.author.choices = list(choices), list(choices)
        self.member_ids = {user.id for user in members}

    def validate_reviewer(self, field):
        if field.data not in self.member_ids:
            raise ValidationError(_("Choose a member of this circle."))

    def validate_author(self, field):
        if field.data not in self.member_ids:
            raise ValidationError(_("Choose a member of this circle."))
        if field.data == self.reviewer.data:
            raise ValidationError(_("Choose someone other than the reviewer: nobody reviews their own work anyway."))
