"""Forms of email: the choices per category, a forgotten password, a new address, and buttons."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, Regexp

from ..accounts.forms import EMAIL_PATTERN, _no_control_characters, _strip
from ..i18n import lazy_gettext as _l
from .preferences import CATEGORIES, FREQUENCY_LABELS, OFFERED


def _email_field(label):
    return StringField(label, filters=[_strip], validators=[
        InputRequired(_l("Enter an email address.")), _no_control_characters,
        Length(max=254, message=_l("Use at most 254 characters.")),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.org.")),
    ])


class EmailSettingsForm(FlaskForm):
    """One group of radio buttons per category (fields named after the categories)."""


for _category, (_label, _kinds, _default) in CATEGORIES.items():
    setattr(EmailSettingsForm, _category, RadioField(
        _label, choices=[SelectChoice(value, FREQUENCY_LABELS[value]) for value in OFFERED], default=_default,
        validators=[InputRequired(_l("Choose how often."))]))


class ForgotPasswordForm(FlaskForm):
    email = _email_field(_l("Your account's email address"))


class NewAddressForm(FlaskForm):
    email = _email_field(_l("New email address"))
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(_l("Enter your current password."))])


class ButtonForm(FlaskForm):
    """No fields: a button's CSRF token."""
