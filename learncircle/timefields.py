"""A form field for a moment typed in the viewer's own zone (a deadline, a prompt's publishing time)."""
import datetime as dt

from wtforms import DateTimeLocalField

from . import clock, timefmt
from .i18n import gettext as _
from .i18n import lazy_gettext as _l

# What a datetime-local input sends and shows: minutes, no zone. Typed by hand (no date picker), the others.
INPUT_FORMAT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = [INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
NOT_A_TIME = _l("Give a date and a time, like 2026-03-20 18:00.")
EARLIEST_INPUT = dt.datetime(2000, 1, 1)


def years_after(now, years):
    """The moment `years` calendar years (leap days counted roughly) after now."""
    return now + dt.timedelta(days=365 * years + years // 4)


class LocalTimeField(DateTimeLocalField):
    """A datetime-local input, naive in the viewer's zone, that says how to write a time it cannot read.

    A date far from today is refused here, before it is converted: year 9999 typed east of UTC has
    no UTC moment to store. `years_ahead` bounds how far ahead a time may be.
    """

    def __init__(self, label, years_ahead=5, **kwargs):
        super().__init__(label, format=INPUT_FORMATS, **kwargs)
        self.years_ahead = years_ahead

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(NOT_A_TIME)) from None
        if self.data is None:
            return
        latest = timefmt.to_local(years_after(clock.now(), self.years_ahead)).replace(tzinfo=None)
        if self.data < EARLIEST_INPUT:
            self.data = None
            raise ValueError(_("That date is long past: give one from this century, like 2026-03-20 18:00."))
        if self.data > latest:
            self.data = None
            raise ValueError(_("Choose a date within %(years)d years from now (before %(date)s).",
                               years=self.years_ahead, date=latest.date().isoformat()))
