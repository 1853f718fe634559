"""Forms of members' flags: a flag, and the author's request for another look (the moderators' forms are in
queue_forms.py)."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext, lazy_number
from .models import CONDUCT, NOTE_MAX, OFF_TOPIC, OTHER, SPAM, UNKIND

# What each reason is called where a flag is made or read.
REASON_LABELS = {CONDUCT: _l("It breaks the code of conduct"), SPAM: _l("It is spam"), UNKIND: _l("It is unkind"),
                 OFF_TOPIC: _l("It is off-topic"), OTHER: _l("Something else")}


def _one_paragraph(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class FlagForm(FlaskForm):
    """Why something is flagged: a reason, the point of the code of conduct it breaks (when the code numbers
    its points), and the flagger's words (required for "something else").

    points: the circle's code of conduct as conduct.points() reads it."""

    reason = RadioField(_l("Why are you flagging it?"),
                        choices=[SelectChoice(value, label) for value, label in REASON_LABELS.items()],
                        validators=[InputRequired(_l("Choose why you are flagging it."))])
    conduct_point = SelectField(_l("Which point of the code of conduct?"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Anything the facilitators should know"), filters=[_one_paragraph], validators=[
        Length(max=NOTE_MAX, message=lazy_ngettext("Keep it to %(count)s character or fewer.",
                                                   "Keep it to %(count)s characters or fewer.", NOTE_MAX,
                                                   count=lazy_number(NOTE_MAX)))])

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.points = list(points)
        self.conduct_point.choices = [SelectChoice("", _l("Choose a point"))] + [
            SelectChoice(str(number), f"{number}. {text}") for number, text in self.points]

    def validate_conduct_point(self, field):
        if self.reason.data != CONDUCT or not self.points:
            return
        if field.data not in {str(number) for number, _ in self.points}:
            raise ValidationError(_l("Choose which point of the code of conduct it breaks."))

    def validate_note(self, field):
        if self.reason.data == OTHER and not field.data:
            raise ValidationError(_l("Say in a few words what is wrong: the facilitators read it."))

    def chosen_point(self):
        """The point cited (a number), or None: another reason, or a code of conduct without numbered points."""
        if self.reason.data != CONDUCT or not self.points:
            return None
        return int(self.conduct_point.data)


class AnotherLookForm(FlaskForm):
    """The author's button: ask the circle's facilitators to look at a hidden post or thread again."""
