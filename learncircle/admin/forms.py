"""The instance admin's forms: suspend an account, lift its suspension, delete it.

The three share the account's page, so each has a prefix: their fields never share a name or an id.
"""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from .. import clock, timefmt
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..timefields import LocalTimeField

REASON_MAX = 300
UNTIL, INDEFINITELY = "until", "indefinitely"
KEEP, REMOVE = "keep", "remove"
SUSPENSION_YEARS_AHEAD = 5  # longer than that is "until lifted"


def _one_line(value):
    """Line breaks and runs of spaces become one space, invisible characters go: a reason is one line."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(c for c in value if c.isprintable() or c.isspace()).split())


def _reason(label, required_message=None):
    too_long = Length(max=REASON_MAX, message=lazy_ngettext("Keep the reason to %(num)d character or fewer.",
                                                            "Keep the reason to %(num)d characters or fewer.",
                                                            REASON_MAX))
    required = DataRequired(required_message) if required_message else Optional()
    return StringField(label, filters=[_one_line], validators=[required, too_long])


class SuspendForm(FlaskForm):
    reason = _reason(_l("Why?"), _l("Say in a line why the account is suspended: its owner reads it when they "
                                    "try to sign in."))
    length = RadioField(_l("For how long?"), default=UNTIL, choices=[
        SelectChoice(UNTIL, _l("Until the moment below")),
        SelectChoice(INDEFINITELY, _l("Until an admin lifts it")),
    ], validators=[InputRequired(_l("Choose until when the account is suspended."))])
    until = LocalTimeField(_l("Suspended until"), years_ahead=SUSPENSION_YEARS_AHEAD)

    def validate_until(self, field):
        if self.length.data != UNTIL:  # what the box holds does not matter then, readable or not
            field.errors[:] = []
            raise StopValidation()
        if not "".join(field.raw_data or []).strip():
            field.errors[:] = [_("Give the date and time the suspension ends, like 2026-03-20 18:00, or choose "
                                 "“Until an admin lifts it”.")]
            raise StopValidation()
        if field.data is not None and timefmt.from_local(field.data) <= clock.now():
            raise ValidationError(_l("That moment has passed: choose one in the future."))

    def ends_at(self):
        """The UTC moment the suspension ends, or None: until lifted."""
        if self.length.data != UNTIL or self.until.data is None:
            return None
        return timefmt.from_local(self.until.data)


class LiftForm(FlaskForm):
    reason = _reason(_l("Why? (optional)"))


class DeleteAccountForm(FlaskForm):
    """Deleting is final: the admin types the account's username to say they mean it."""
    confirm = StringField(_l("Type the account's username to confirm"), filters=[_one_line],
                          validators=[DataRequired(_l("Type the username to confirm."))])
    posts = RadioField(_l("Their posts"), default=KEEP, choices=[
        SelectChoice(KEEP, _l("Keep them, shown as a deleted member's")),
        SelectChoice(REMOVE, _l("Remove them")),
    ], validators=[InputRequired(_l("Choose what happens to their posts."))])
    reason = _reason(_l("Why?"), _l("Say in a line why the account is deleted."))

    def __init__(self, *args, username="", **kwargs):
        super().__init__(*args, **kwargs)
        self.username = username

    def validate_confirm(self, field):
        if (field.data or "").strip().lower().lstrip("@") != self.username:
            raise ValidationError(_("That is not the account's username: type %(username)s exactly.",
                                    username=self.username))
