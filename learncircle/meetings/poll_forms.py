"""Forms for finding a time: a new poll (candidate times typed one by one, or made from a weekly grid) and a
member's answers (yes / if needed / no for each slot).

Candidate times are wall times in the poll's zone; polls.slot_moments turns them into UTC and says what is
wrong with them (too few, the same twice, one past), which the form puts beside the times in words.
"""
import datetime as dt

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, IntegerField, RadioField, SelectField,
                     SelectChoice, SelectMultipleField, StringField, TimeField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import timefmt
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..timefields import LocalTimeField
from . import polls
from .forms import known_zone
from .scheduling import MAX_DURATION, MIN_DURATION
from .models import IF_NEEDED, NO, TITLE_MAX, YES

ROWS = 6  # empty rows for candidate times
GRID_TIMES = 3  # times of day the weekly grid offers
SLOT_YEARS_AHEAD = 5
DAYS = [SelectChoice(str(number), label) for number, label in enumerate((
    _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")))]
ANSWERS = [SelectChoice(YES, _l("Yes")), SelectChoice(IF_NEEDED, _l("If needed")), SelectChoice(NO, _l("No"))]


class _Checkboxes(SelectMultipleField):
    """Several choices as checkboxes."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def slot_message(error):
    """A polls.PollError about the candidate times, in words."""
    when = error.detail.strftime("%Y-%m-%d %H:%M") if error.detail else ""
    return {
        "too_few": _("Propose at least %(num)d times, so there is something to choose from.", num=polls.MIN_SLOTS),
        "too_many": _("Propose at most %(num)d times: members answer each one.", num=polls.MAX_SLOTS),
        "duplicate": _("%(time)s is proposed twice: give each time once.", time=when),
        "past": _("%(time)s has already passed: propose times still to come.", time=when),
        "week": _("For a weekly meeting, propose times within one week: %(time)s is a week or more after the "
                  "first.", time=when),
    }.get(error.reason, _("These times cannot be proposed."))


class PollForm(FlaskForm):
    """A new poll. `local_slots` (after validate): the candidate wall times, naive, in the chosen zone."""
    title = StringField(_l("What is it for?"), validators=[
        InputRequired(_l("Give the poll a title, such as “Our weekly call”.")),
        Length(max=TITLE_MAX, message=_l("At most %(max)d characters."))])
    # Named as the profile's zone field: the same list of the zone database's names.
    timezone = SelectField(_l("Time zone of the times below"), choices=timefmt.timezone_names, default="UTC",
                           validate_choice=False, validators=[known_zone])
    duration_minutes = IntegerField(_l("How long, in minutes"), default=60, validators=[
        InputRequired(_l("Say how long the meeting lasts, in minutes.")),
        NumberRange(MIN_DURATION, MAX_DURATION, message=_l("From %(min)s to %(max)s minutes."))])
    weekly = BooleanField(_l("Weekly: these are times in one week, for a meeting every week"))
    slots = FieldList(LocalTimeField(_l("Candidate time"), years_ahead=SLOT_YEARS_AHEAD, validators=[Optional()]),
                      min_entries=ROWS, max_entries=polls.MAX_SLOTS)
    grid_week = DateField(_l("Week starting on"), validators=[Optional()])
    grid_days = _Checkboxes(_l("On these days"), choices=DAYS, validate_choice=True)
    grid_times = FieldList(TimeField(_l("At"), validators=[Optional()]), min_entries=GRID_TIMES,
                           max_entries=GRID_TIMES)

    local_slots = ()
    slot_errors = ()

    @classmethod
    def for_user(cls, user, **kwargs):
        form = cls(**kwargs)
        if not form.is_submitted() and timefmt.is_timezone(getattr(user, "timezone", "") or ""):
            form.timezone.data = user.timezone
        return form

    def grid_slots(self):
        """The wall times the weekly grid makes: each ticked day of the week from grid_week, at each time."""
        times = [entry.data for entry in self.grid_times if entry.data is not None]
        days = {int(day) for day in self.grid_days.data or ()}
        week = self.grid_week.data
        if week is None and not days and not times:
            return []
        if week is None or not days or not times:
            self.slot_errors = [*self.slot_errors, _("For a weekly grid, give the date the week starts on, tick "
                                                     "its days and give at least one time.")]
            return []
        dates = [week + dt.timedelta(days=offset) for offset in range(7)]
        return [dt.datetime.combine(date, time) for date in dates if date.weekday() in days for time in times]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        typed = [entry.data for entry in self.slots if entry.data is not None]
        grid = self.grid_slots()
        if not valid or self.slot_errors:
            return False
        self.local_slots = typed + grid
        try:
            polls.slot_moments(self.local_slots, self.timezone.data, weekly=self.weekly.data)
        except polls.PollError as error:
            self.slot_errors = [slot_message(error)]
            return False
        return True


def vote_form(slots, mine, **kwargs):
    """A member's answers for slots (one radio group named "slot-<id>" each), checked as they answered (mine:
    slot id -> answer)."""
    class VoteForm(FlaskForm):
        def answers(self):
            """slot id -> answer for the slots this submission answered."""
            return {slot.id: self[f"slot-{slot.id}"].data for slot in slots
                    if self[f"slot-{slot.id}"].raw_data and self[f"slot-{slot.id}"].data}

    for slot in slots:
        setattr(VoteForm, f"slot-{slot.id}", RadioField(_l("Can you come?"), choices=ANSWERS,
                                                        default=mine.get(slot.id), validators=[Optional()]))
    return VoteForm(**kwargs)
