"""Forms about new members: a circle's own limits, and a facilitator's decision on a post waiting for approval."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import Length, ValidationError

from ..i18n import lazy_gettext as _l
from ..moderation.models import REASON_MAX
from . import rules

DEFAULT, ON, OFF = "default", "on", "off"
APPROVE, REJECT = "approve", "reject"


class _Number:
    """A whole number from 0 to largest, or empty (the instance's setting)."""

    def __init__(self, largest):
        self.largest = largest

    def __call__(self, form, field):
        typed = (field.data or "").strip()
        if typed and not (typed.isascii() and typed.isdigit() and int(typed) <= self.largest):
            raise ValidationError(_l("A whole number from 0 to %(largest)d, or empty for the instance's setting.",
                                     largest=self.largest))


def _field(name, label):
    return StringField(label, validators=[_Number(rules.NUMBERS[name][2])], render_kw={"inputmode": "numeric"})


class NewcomerSettingsForm(FlaskForm):
    """The circle's own values; an empty field (or "as the instance") takes the instance's setting."""
    days = _field("days", _l("Days a member stays new"))
    posts = _field("posts", _l("Accepted posts after which a member is no longer new"))
    threads = _field("threads", _l("New threads a new member may start in a day"))
    links = _field("links", _l("Links a new member's post may hold"))
    images = _field("images", _l("Images a new member's post may hold"))
    approval = RadioField(_l("A new member's first post here"), default=DEFAULT, choices=[
        SelectChoice(DEFAULT, _l("As the instance sets it")),
        SelectChoice(ON, _l("Waits for a facilitator's approval")),
        SelectChoice(OFF, _l("Is shown at once")),
    ])

    @classmethod
    def for_circle(cls, circle, formdata=None):
        """The form with the circle's own values (empty where it takes the instance's)."""
        own = rules.own_values(circle)
        data = {name: "" if own[name] is None else str(own[name]) for name in rules.NUMBERS}
        data["approval"] = DEFAULT if own["approval"] is None else (ON if own["approval"] else OFF)
        return cls(formdata=formdata, data=data) if formdata is not None else cls(data=data)

    def values(self):
        """What to save (rules.set_own_values): a number or None for each, True, False or None for approval."""
        values = {name: int(self[name].data.strip()) if (self[name].data or "").strip() else None
                  for name in rules.NUMBERS}
        values["approval"] = {ON: True, OFF: False}.get(self.approval.data)
        return values


class DecisionForm(FlaskForm):
    """Approve or reject a post waiting for approval: a reason is needed to reject, and may go with approving."""
    reason = StringField(_l("Reason"), filters=[lambda value: " ".join(value.split()) if value else value],
                         validators=[Length(max=REASON_MAX, message=_l("Keep the reason to one line of %(max)d "
                                                                        "characters or fewer.", max=REASON_MAX))])
    decision = RadioField(choices=[SelectChoice(APPROVE, _l("Approve")), SelectChoice(REJECT, _l("Reject"))],
                          validate_choice=False)

    def validate_reason(self, field):
        if self.decision.data == REJECT and not field.data:
            raise ValidationError(_l("Say in one line why you do not approve it: its author reads it."))

    def validate_decision(self, field):
        if field.data not in (APPROVE, REJECT):
            raise ValidationError(_l("Choose to approve or to reject it."))


class AskAgainForm(FlaskForm):
    """The author of a rejected post asks for approval again (a button: its CSRF token is checked)."""
