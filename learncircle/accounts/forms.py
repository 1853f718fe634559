"""Account forms. Passwords are taken exactly as typed: no field here trims or normalises them."""
import unicodedata

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from .. import i18n, timefmt
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from .models import (
    BIO_MAX,
    DEMO_USERNAME_PREFIX,
    DISPLAY_NAME_MAX,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PRONOUNS_MAX,
    USERNAME_PATTERN,
    is_reserved_username,
)

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form, field):
    """Refuse invisible control characters (NUL and the like); tabs and line breaks are fine."""
    if any(unicodedata.category(character) == "Cc" and character not in "\t\n\r" for character in field.data or ""):
        raise ValidationError(_l("Remove the invisible control characters from this field."))


def _at_least(count):
    return lazy_ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", count)


def _at_most(count):
    return lazy_ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", count)


def _new_password_field(label):
    return PasswordField(label, validators=[
        InputRequired(_l("Choose a password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_at_least(MIN_PASSWORD_LENGTH)),
        Length(max=MAX_PASSWORD_LENGTH, message=_at_most(MAX_PASSWORD_LENGTH)),
    ])


def _confirmation_field(label, of):
    return PasswordField(label, validators=[
        InputRequired(_l("Type the password a second time.")),
        EqualTo(of, message=_l("The two passwords are not the same.")),
    ])


def _known_timezone(form, field):
    if not timefmt.is_timezone(field.data or ""):
        raise ValidationError(_l("Choose a time zone from the list."))


def _timezone_field():
    """A select of every IANA time zone, UTC by default, checked against the same list on submit."""
    return SelectField(_l("Time zone"), choices=timefmt.timezone_names, default="UTC", validate_choice=False,
                       validators=[_known_timezone])


def _not_reserved(form, field):
    if is_reserved_username(field.data):
        raise ValidationError(_l("Usernames beginning with “%(prefix)s” are kept for the demo circle. "
                                 "Choose another one.", prefix=DEMO_USERNAME_PREFIX))


def _public_address(form, field):
    """The site's public address: required and checked unless BASE_URL fixes it."""
    from ..site import configured_url, normalised

    if configured_url():
        return
    if not field.data:
        raise ValidationError(_l("Enter the address people will use to reach this site."))
    if normalised(field.data) is None:
        raise ValidationError(_l("Enter a web address starting with http:// or https://, "
                                 "such as https://learn.example.org or http://192.168.1.20:8080."))


class AccountForm(FlaskForm):
    """A new account: used by first-run setup and by registration."""

    username = StringField(_l("Username"), filters=[_strip], validators=[
        InputRequired(_l("Choose a username.")),
        Regexp(USERNAME_PATTERN, message=_l("Use 3 to 30 letters, digits, dots, dashes or underscores.")),
        _not_reserved,
    ])
    email = StringField(_l("Email"), filters=[_strip], validators=[
        InputRequired(_l("Enter your email address.")), _no_control_characters,
        Length(max=254, message=_at_most(254)),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.org.")),
    ])
    display_name = StringField(_l("Display name"), filters=[_strip], validators=[
        Optional(), _no_control_characters,
        Length(max=DISPLAY_NAME_MAX, message=_at_most(DISPLAY_NAME_MAX)),
    ])
    password = _new_password_field(_l("Password"))
    confirm = _confirmation_field(_l("Password again"), "password")
    timezone = _timezone_field()


class SetupForm(AccountForm):
    """First-run setup: the admin's account, and the address invitation links will start with."""

    public_url = StringField(_l("Public address"), filters=[_strip], validators=[_public_address])


class LoginForm(FlaskForm):
    login = StringField(_l("Username or email"), filters=[_strip],
                        validators=[InputRequired(_l("Enter your username or email.")), _no_control_characters])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Remember me on this device"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), filters=[_strip], validators=[
        Optional(), _no_control_characters,
        Length(max=DISPLAY_NAME_MAX, message=_at_most(DISPLAY_NAME_MAX)),
    ])
    pronouns = StringField(_l("Pronouns"), filters=[_strip], validators=[
        _no_control_characters,
        Length(max=PRONOUNS_MAX, message=_at_most(PRONOUNS_MAX)),
    ])
    bio = TextAreaField(_l("Bio"), validators=[
        _no_control_characters,
        Length(max=BIO_MAX, message=lazy_ngettext("Keep the bio to %(num)d character.",
                                                  "Keep the bio to %(num)d characters.", BIO_MAX)),
    ])
    timezone = _timezone_field()
    # Each language named in itself, and marked as being in it (lang) for screen readers.
    language = SelectField(_l("Language"), default="", choices=lambda: [
        ("", _l("The one my browser asks for")),
        *[(code, name, {"lang": code}) for code, name in i18n.language_choices()]])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(_l("Enter your current password."))])
    new_password = _new_password_field(_l("New password"))
    confirm = _confirmation_field(_l("New password again"), "new_password")


class NewPasswordForm(FlaskForm):
    """A new password through a one-time reset link: no current password, which is what was forgotten."""

    new_password = _new_password_field(_l("New password"))
    confirm = _confirmation_field(_l("New password again"), "new_password")


class SignOutElsewhereForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""
