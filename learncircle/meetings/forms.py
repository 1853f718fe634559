"""Forms of a circle's meetings: scheduling one or a series, moving one, cancelling, editing a series' details,
and a member's answer. Times are typed as the clock reads in the zone chosen beside them (the field `timezone`,
the organiser's own by default), never in UTC; what they are for each reader is said on the page.

The numbers are text fields checked here, so every mistake has a message of LearnCircle's own, in the
reader's language. Whether a series can be made (an end, not too many) is recurrence's question: the view
puts its SeriesError beside the field it concerns.
"""
import datetime as dt

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import timefmt
from ..i18n import lazy_gettext as _l
from ..leaving import is_web_address
from ..timefields import NOT_A_TIME, LocalTimeField
from . import recurrence
from .models import (FORTNIGHTLY, GOING, LINK_MAX, MAYBE, NOT_GOING, NOTE_MAX, ONCE, PLACE_MAX, REASON_MAX,
                     TITLE_MAX, WEEKLY)
from .scheduling import MAX_DURATION, MIN_DURATION

AGENDA_MAX = 20_000
CAPACITY_MAX = 10_000
YEARS_AHEAD = 5

# What the form says for each reason recurrence.SeriesError gives, and the field it is put beside.
SERIES_ERRORS = {
    "no_end": ("until", _l("Say when the series ends: a last date, or a number of meetings.")),
    "end_before_start": ("until", _l("The last date is before the first meeting: choose a later one.")),
    "too_many": ("times", _l("That is more than %(max)d meetings: end the series sooner, and schedule another "
                             "later.", max=recurrence.MAX_OCCURRENCES)),
    "repeat": ("repeat", _l("Choose once, every week or every other week.")),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _unix_newlines(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def known_zone(form, field):
    """A zone this system's zone database knows (the poll form checks its zone with it too)."""
    if not timefmt.is_timezone(field.data or ""):
        raise ValidationError(_l("“%(zone)s” is an unknown time zone: choose one from the list, like "
                                 "Europe/Berlin or America/Los_Angeles.", zone=(field.data or "")[:64]))


def _web_address(form, field):
    if field.data and not is_web_address(field.data):
        raise ValidationError(_l("Give the meeting's address in full, starting with https:// (or http://), like "
                                 "https://meet.example.org/our-circle."))


class _Whole:
    """Text that is a whole number from low to high (or empty, when the field is Optional)."""

    def __init__(self, low, high, message):
        self.low, self.high, self.message = low, high, message

    def __call__(self, form, field):
        typed = (field.data or "").strip()
        if not (typed.isascii() and typed.isdigit() and self.low <= int(typed) <= self.high):
            raise ValidationError(self.message)


def number(field):
    """A _Whole field's number, or None when empty."""
    typed = (field.data or "").strip()
    return int(typed) if typed else None


def _date(form, field):
    typed = (field.data or "").strip()
    try:
        form.until_date = dt.date.fromisoformat(typed) if typed else None
    except ValueError:
        raise ValidationError(_l("Give a date like 2027-06-30.")) from None


def _numeric(**kwargs):
    return {"inputmode": "numeric", "autocomplete": "off", **kwargs}


def _duration_field(required=True):
    first = InputRequired(_l("Say how long the meeting is, in minutes.")) if required else Optional()
    return StringField(_l("Length in minutes"), default="60", filters=[_strip], render_kw=_numeric(), validators=[
        first, _Whole(MIN_DURATION, MAX_DURATION, _l("A meeting lasts from %(low)d to %(high)d minutes.",
                                                     low=MIN_DURATION, high=MAX_DURATION))])


def _zone_field():
    """Named as the profile's zone field: a select of the zone database's names, checked on submit."""
    return SelectField(_l("Time zone"), choices=timefmt.timezone_names, default="UTC", validate_choice=False,
                       validators=[known_zone])


def _start_field(label):
    return LocalTimeField(label, years_ahead=YEARS_AHEAD, validators=[InputRequired(NOT_A_TIME)])


class _DetailsForm(FlaskForm):
    """What a meeting is about and where: scheduled with it, changed later for the whole series."""
    title = StringField(_l("Title"), filters=[_one_line], validators=[
        DataRequired(_l("Give the meeting a title.")),
        Length(max=TITLE_MAX, message=_l("Keep the title to %(max)d characters.", max=TITLE_MAX))])
    agenda = TextAreaField(_l("Agenda"), filters=[_unix_newlines], validators=[
        Length(max=AGENDA_MAX, message=_l("Keep the agenda to %(max)d characters.", max=AGENDA_MAX))])
    link = StringField(_l("Meeting link"), filters=[_strip], render_kw={"type": "url", "autocomplete": "off"},
                       validators=[Optional(), Length(max=LINK_MAX, message=_l(
                           "Keep the link to %(max)d characters.", max=LINK_MAX)), _web_address])
    place = StringField(_l("Place"), filters=[_one_line], validators=[
        Length(max=PLACE_MAX, message=_l("Keep the place to %(max)d characters.", max=PLACE_MAX))])
    capacity = StringField(_l("Places"), filters=[_strip], render_kw=_numeric(), validators=[
        Optional(), _Whole(1, CAPACITY_MAX, _l("Give a number of places from 1 to %(max)d, or leave it empty for "
                                               "no limit.", max=CAPACITY_MAX))])

    def details(self):
        return {"title": self.title.data, "agenda": self.agenda.data or "", "link": self.link.data or "",
                "place": self.place.data or "", "capacity": number(self.capacity)}


class ScheduleForm(_DetailsForm):
    """A new meeting, once or a series; `start` is the wall time in `zone`."""
    start = _start_field(_l("Starts"))
    timezone = _zone_field()
    duration = _duration_field()
    repeat = RadioField(_l("Repeat"), default=ONCE, validate_choice=False, choices=[
        SelectChoice(ONCE, _l("Once")), SelectChoice(WEEKLY, _l("Every week")),
        SelectChoice(FORTNIGHTLY, _l("Every other week"))])
    until = StringField(_l("Until"), filters=[_strip], render_kw={"type": "date"}, validators=[_date])
    times = StringField(_l("Or this many meetings"), filters=[_strip], render_kw=_numeric(), validators=[
        Optional(), _Whole(1, 100_000, _l("Give a number of meetings, like 8."))])
    rotate = BooleanField(_l("Take turns between these times"))
    until_date = None

    def validate_repeat(self, field):
        if field.data not in (ONCE, WEEKLY, FORTNIGHTLY):
            raise ValidationError(SERIES_ERRORS["repeat"][1])

    def show_series_error(self, reason):
        name, message = SERIES_ERRORS.get(reason, SERIES_ERRORS["no_end"])
        self[name].errors = [*self[name].errors, message]


class EditForm(_DetailsForm):
    """A series' details (its times are moved one occurrence at a time)."""


class MoveForm(FlaskForm):
    start = _start_field(_l("New start"))
    timezone = _zone_field()
    duration = _duration_field(required=False)  # empty: as long as it was
    reason = StringField(_l("Reason"), filters=[_one_line], validators=[
        DataRequired(_l("Say in one line why it moves: everyone coming reads it.")),
        Length(max=REASON_MAX, message=_l("Keep the reason to %(max)d characters.", max=REASON_MAX))])


class CancelForm(FlaskForm):
    """Cancelling one occurrence, or what is left of a series."""
    reason = StringField(_l("Reason"), filters=[_one_line], validators=[
        DataRequired(_l("Say in one line why it is cancelled: everyone coming reads it.")),
        Length(max=REASON_MAX, message=_l("Keep the reason to %(max)d characters.", max=REASON_MAX))])


class RsvpForm(FlaskForm):
    answer = RadioField(_l("Will you come?"), validate_choice=False, choices=[
        SelectChoice(GOING, _l("Going")), SelectChoice(MAYBE, _l("Maybe")), SelectChoice(NOT_GOING, _l("Not going"))])
    note = StringField(_l("Note"), filters=[_one_line], validators=[
        Length(max=NOTE_MAX, message=_l("Keep the note to %(max)d characters.", max=NOTE_MAX))])

    def validate_answer(self, field):
        if field.data not in (GOING, MAYBE, NOT_GOING):
            raise ValidationError(_l("Choose going, maybe or not going."))
