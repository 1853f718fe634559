"""Forms for circles: creating and editing one, roles, joining and invitation links."""
import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NoneOf,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..i18n import lazy_gettext as _l
from .models import (
    DEPARTED_CHOICE,
    DEPARTED_KEEP,
    FACILITATOR,
    MARKDOWN_MAX,
    MEMBER,
    NAME_MAX,
    PRIVATE,
    PUBLIC,
    PURPOSE_MAX,
    RESERVED_SLUGS,
    SLUG_MAX,
    SLUG_PATTERN,
    default_conduct,
)

# A sentence ends at . ! or ? followed by space and a capital; short abbreviations ("Dr. Ada") do not end one.
_SENTENCE_BREAK = re.compile(r"(?<![A-Z][a-z])(?<!\b[A-Za-z])[.!?][\"')\]]*\s+[A-Z0-9]")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def one_sentence(form, field):
    """Refuse a purpose that runs over several lines or sentences."""
    value = field.data or ""
    if "\n" in value or "\r" in value or _SENTENCE_BREAK.search(value):
        raise ValidationError(_l("Say it in one sentence; the goals below have room for more."))


class CircleForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(_l("Give the circle a name.")), Length(max=NAME_MAX)])
    slug = StringField(_l("Address"), filters=[_lower], validators=[
        Optional(), Length(max=SLUG_MAX),
        Regexp(SLUG_PATTERN, message=_l("Use lower-case letters, digits and single dashes between them.")),
        NoneOf(sorted(RESERVED_SLUGS), message=_l("That word is reserved; choose another address.")),
    ])
    purpose = StringField(_l("Purpose"), filters=[_strip], validators=[
        DataRequired(_l("Say in one sentence what this circle is for.")), Length(max=PURPOSE_MAX), one_sentence,
    ])
    goals = TextAreaField(_l("Goals"), validators=[Optional(), Length(max=MARKDOWN_MAX)])
    conduct = TextAreaField(_l("Code of conduct"), default=default_conduct, validators=[
        DataRequired(_l("A circle needs a code of conduct; the default is a good start.")), Length(max=MARKDOWN_MAX),
    ])
    visibility = RadioField(_l("Who can find it"), default=PRIVATE, choices=[
        SelectChoice(PRIVATE, _l("Private: invitation only; to anyone else it does not exist")),
        SelectChoice(PUBLIC, _l("Public: listed; any signed-in person can read and join")),
    ], validators=[InputRequired(_l("Choose who can find the circle."))])

    def settings(self):
        """The values Circle.found and Circle.update_settings take (the slug is handled by the view)."""
        return dict(name=self.name.data, purpose=self.purpose.data, goals=self.goals.data or "",
                    conduct=self.conduct.data, visibility=self.visibility.data)


class CircleSettingsForm(CircleForm):
    """A circle's settings page: its fields, and what happens to a departing member's posts."""
    departed_posts = RadioField(_l("When a member deletes their account"), default=DEPARTED_CHOICE, choices=[
        SelectChoice(DEPARTED_CHOICE, _l("They choose: their posts stay under “deleted member”, or are removed")),
        SelectChoice(DEPARTED_KEEP, _l("The circle keeps their posts, under “deleted member”, so its discussions "
                                       "stay readable")),
    ])  # no InputRequired: a form sent without it (an older page) leaves the circle's choice as it is

    def settings(self):
        return dict(super().settings(), departed_posts=self.departed_posts.data)


class AcceptConductForm(FlaskForm):
    accept = BooleanField(_l("I accept the code of conduct"),
                          validators=[DataRequired(_l("Accept the code of conduct to join the circle."))])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(MEMBER, _l("Member")),
                                            SelectChoice(FACILITATOR, _l("Facilitator"))])


class TransferForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])


class InvitationForm(FlaskForm):
    expires_in_days = IntegerField(_l("Expires after (days)"), validators=[
        Optional(), NumberRange(1, 365, _l("Between 1 and 365 days, or leave empty for no expiry."))])
    max_uses = IntegerField(_l("Maximum uses"), validators=[
        Optional(), NumberRange(1, 1000, _l("Between 1 and 1000, or leave empty for no limit."))])
    role = SelectField(_l("Joins as"), default=MEMBER,
                       choices=[SelectChoice(MEMBER, _l("Member")), SelectChoice(FACILITATOR, _l("Facilitator"))])


class RemoveMemberForm(FlaskForm):
    """Removing someone is a moderation action: its one-line reason goes in the circle's moderation log."""
    reason = StringField(_l("Why?"), filters=[lambda text: " ".join(text.split()) if isinstance(text, str) else text],
                         validators=[DataRequired(_l("Say in one line why: it is written in the moderation log.")),
                                     Length(max=300, message=_l("Keep the reason to one line of 300 characters."))])


class ButtonForm(FlaskForm):
    """A form that is only a button: leaving, removing, revoking (its CSRF token is checked)."""
