"""Your data's forms (data_views.py): asking for the account to be deleted, and cancelling that at sign-in."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..i18n import lazy_gettext as _l
from .models import MAX_PASSWORD_LENGTH

KEEP, REMOVE = "keep", "remove"


class DeleteAccountForm(FlaskForm):
    posts = RadioField(_l("What happens to your posts"), choices=[
        SelectChoice(KEEP, _l("They stay, under “deleted member”")),
        SelectChoice(REMOVE, _l("They are removed: each leaves an empty place, so threads keep their order")),
    ], validators=[InputRequired(_l("Choose what happens to your posts."))])
    # Exactly as typed, as on every password field; the length cap keeps a huge body from reaching the hasher.
    password = PasswordField(_l("Your password"), validators=[
        InputRequired(_l("Enter your password to confirm.")),
        Length(max=MAX_PASSWORD_LENGTH, message=_l("That is not your password."))])

    @property
    def remove_posts(self):
        return self.posts.data == REMOVE


class CancelDeletionForm(FlaskForm):
    """Sent from the sign-in page during the grace period: a signed, short-lived token names the account."""
    token = HiddenField(validators=[DataRequired(), Length(max=400)])
