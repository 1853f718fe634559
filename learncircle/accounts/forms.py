"""Account forms. Passwords are taken exactly as typed: no field here trims or normalises them."""
import unicodedata

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from .. import timefmt
from .models import (BIO_MAX, DEMO_USERNAME_PREFIX, DISPLAY_NAME_MAX, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH,
                     PRONOUNS_MAX, USERNAME_PATTERN, is_reserved_username)

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form, field):
    """Refuse invisible control characters (NUL and the like); tabs and line breaks are fine."""
    if any(unicodedata.category(character) == "Cc" and character not in "\t\n\r" for character in field.data or ""):
        raise ValidationError("Remove the invisible control characters from this field.")


def _new_password_field(label):
    return PasswordField(label, validators=[
        InputRequired("Choose a password."),
        Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        Length(max=MAX_PASSWORD_LENGTH, message=f"Use at most {MAX_PASSWORD_LENGTH} characters."),
    ])


def _confirmation_field(label, of):
    return PasswordField(label, validators=[
        InputRequired("Type the password a second time."),
        EqualTo(of, message="The two passwords are not the same."),
    ])


def _known_timezone(form, field):
    if not timefmt.is_timezone(field.data or ""):
        raise ValidationError("Choose a time zone from the list.")


def _timezone_field():
    """A select of every IANA time zone, UTC by default, checked against the same list on submit."""
    return SelectField("Time zone", choices=timefmt.timezone_names, default="UTC", validate_choice=False,
                       validators=[_known_timezone])


def _not_reserved(form, field):
    if is_reserved_username(field.data):
        raise ValidationError(f"Usernames beginning with “{DEMO_USERNAME_PREFIX}” are kept for the demo circle. "
                              "Choose another one.")


def _public_address(form, field):
    """The site's public address: required and checked unless BASE_URL fixes it."""
    from ..site import configured_url, normalised

    if configured_url():
        return
    if not field.data:
        raise ValidationError("Enter the address people will use to reach this site.")
    if normalised(field.data) is None:
        raise ValidationError("Enter a web address starting with http:// or https://, "
                              "such as https://learn.example.org or http://192.168.1.20:8080.")


class AccountForm(FlaskForm):
    """A new account: used by first-run setup and by registration."""

    username = StringField("Username", filters=[_strip], validators=[
        InputRequired("Choose a username."),
        Regexp(USERNAME_PATTERN, message="Use 3 to 30 letters, digits, dots, dashes or underscores."),
        _not_reserved,
    ])
    email = StringField("Email", filters=[_strip], validators=[
        InputRequired("Enter your email address."), _no_control_characters,
        Length(max=254, message="Use at most 254 characters."),
        Regexp(EMAIL_PATTERN, message="Enter an email address like name@example.org."),
    ])
    display_name = StringField("Display name", filters=[_strip], validators=[
        Optional(), _no_control_characters,
        Length(max=DISPLAY_NAME_MAX, message=f"Use at most {DISPLAY_NAME_MAX} characters."),
    ])
    password = _new_password_field("Password")
    confirm = _confirmation_field("Password again", "password")
    timezone = _timezone_field()


class SetupForm(AccountForm):
    """First-run setup: the admin's account, and the address invitation links will start with."""

    public_url = StringField("Public address", filters=[_strip], validators=[_public_address])


class LoginForm(FlaskForm):
    login = StringField("Username or email", filters=[_strip],
                        validators=[InputRequired("Enter your username or email."), _no_control_characters])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Remember me on this device")


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", filters=[_strip], validators=[
        Optional(), _no_control_characters,
        Length(max=DISPLAY_NAME_MAX, message=f"Use at most {DISPLAY_NAME_MAX} characters."),
    ])
    pronouns = StringField("Pronouns", filters=[_strip], validators=[
        _no_control_characters,
        Length(max=PRONOUNS_MAX, message=f"Use at most {PRONOUNS_MAX} characters."),
    ])
    bio = TextAreaField("Bio", validators=[
        _no_control_characters, Length(max=BIO_MAX, message=f"Keep the bio to {BIO_MAX} characters."),
    ])
    timezone = _timezone_field()


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[InputRequired("Enter your current password.")])
    new_password = _new_password_field("New password")
    confirm = _confirmation_field("New password again", "new_password")


class NewPasswordForm(FlaskForm):
    """A new password through a one-time reset link: no current password, which is what was forgotten."""

    new_password = _new_password_field("New password")
    confirm = _confirmation_field("New password again", "new_password")


class SignOutElsewhereForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""
