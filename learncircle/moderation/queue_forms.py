"""Forms of the review queue: an action on an item with its one-line reason (and a suspension's length),
undoing an action, and the circle's moderation settings."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .. import clock, timefmt
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..timefields import LocalTimeField
from .actions import DELETED, HIDDEN, KEPT, PERIODS, REMOVED_MEMBER, SUSPENDED, WARNED, applies
from .models import REASON_MAX

UNTIL_DATE = "date"
THRESHOLD_MIN, THRESHOLD_MAX = 1, 20
NO_REASON = _l("Give a reason in one line: the person it concerns reads it, and so does the circle in its "
               "moderation log.")
REASON_TOO_LONG = lazy_ngettext("Keep the reason to %(num)d character or fewer.",
                                "Keep the reason to %(num)d characters or fewer.", REASON_MAX)
# Each action as the form offers it, and how it is undone (the page says so next to each).
ACTION_CHOICES = {
    KEPT: (_l("Keep it: dismiss the flags"),
           _l("Shown again if flags hid it. You can still hide or delete it later.")),
    HIDDEN: (_l("Hide it, with your reason"),
             _l("Its author still sees it, with your reason, can edit it and ask for another look. Undo: show it "
                "again at any time.")),
    DELETED: (_l("Delete it"),
              _l("Its text is kept for the circle's owner and the instance admins, who can restore it for a while; "
                 "then it is deleted for good. The circle sees “removed by a moderator”.")),
    WARNED: (_l("Warn its author"),
             _l("A private notice citing your reason and the code of conduct. Undo: withdraw the warning.")),
    SUSPENDED: (_l("Suspend its author from the circle"),
                _l("They can read the circle but not post, react or flag until then. Undo: lift it early.")),
    REMOVED_MEMBER: (_l("Remove its author from the circle"),
                     _l("They lose access to the circle (a private one disappears for them). Undo: readmit them.")),
}
PERIOD_CHOICES = [SelectChoice("1d", _l("1 day")), SelectChoice("3d", _l("3 days")), SelectChoice("7d", _l("A week")),
                  SelectChoice("30d", _l("30 days")), SelectChoice(UNTIL_DATE, _l("Until a date"))]


def _one_line(value):
    """Line breaks and runs of spaces become one space, invisible characters go: a reason is one line."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(c for c in value if c.isprintable() or c.isspace()).split())


def _reason_field(label):
    return StringField(label, filters=[_one_line], validators=[
        InputRequired(NO_REASON), Length(min=1, max=REASON_MAX, message=REASON_TOO_LONG)])


class ActionForm(FlaskForm):
    """What a moderator does about one item of the queue."""
    action = RadioField(_l("What to do"), choices=[SelectChoice(code, label) for code, (label, _) in
                                                   ACTION_CHOICES.items()],
                        validators=[InputRequired(_l("Choose what to do."))])
    reason = _reason_field(_l("Reason"))
    period = RadioField(_l("For how long (a suspension)"), default="7d", choices=PERIOD_CHOICES,
                        validators=[Optional()])
    until = LocalTimeField(_l("Suspended until (a date)"), years_ahead=1, validators=[Optional()])

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None:
            self.action.choices = [choice for choice in self.action.choices if applies(choice.value, item)]

    def validate_reason(self, field):
        if not (field.data or "").strip():
            raise ValidationError(NO_REASON)

    def validate_period(self, field):
        if self.action.data == SUSPENDED and field.data not in (*PERIODS, UNTIL_DATE):
            raise ValidationError(_l("Choose how long the suspension lasts."))

    def validate(self, extra_validators=None):
        """The date counts only for a suspension "until a date": then it must be given, and later than now."""
        valid = super().validate(extra_validators)
        until = self.until
        if self.action.data != SUSPENDED or self.period.data != UNTIL_DATE:
            until.errors = []
            return valid and not self.errors
        if until.errors:
            return False
        if until.data is None:
            until.errors = [_l("Give the date the suspension ends, like 2026-03-20 18:00.")]
        elif timefmt.from_local(until.data) <= clock.now():
            until.errors = [_l("That date is in the past: a suspension must end later than now.")]
        return valid and not until.errors

    def suspended_until(self):
        """The UTC moment a suspension ends, or None for another action."""
        if self.action.data != SUSPENDED:
            return None
        if self.period.data == UNTIL_DATE:
            return timefmt.from_local(self.until.data)
        return clock.now() + PERIODS[self.period.data]


class UndoForm(FlaskForm):
    reason = _reason_field(_l("Reason"))

    def validate_reason(self, field):
        if not (field.data or "").strip():
            raise ValidationError(NO_REASON)


class SettingsForm(FlaskForm):
    auto_hide_threshold = IntegerField(
        _l("Members' flags that hide an item until a facilitator reviews it"),
        validators=[InputRequired(_l("Give a number from 1 to 20.")),
                    NumberRange(THRESHOLD_MIN, THRESHOLD_MAX, _l("Give a number from 1 to 20."))])
    log_names_moderators = BooleanField(_l("Name the facilitators who acted in the moderation log"))
