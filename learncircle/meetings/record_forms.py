"""The forms a facilitator fills in after a meeting: attendance and notes, and their private reflection."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..i18n import lazy_gettext as _l
from . import records, reflections

BY_NAME, BY_COUNT = "names", "count"


class RecordForm(FlaskForm):
    """Who was there (ticked by name, or a head count when names were not taken) and the notes."""
    mode = RadioField(_l("How attendance was taken"), default=BY_NAME, choices=[
        SelectChoice(BY_NAME, _l("By name")),
        SelectChoice(BY_COUNT, _l("As a head count (names were not taken)")),
    ])
    # The boxes are the circle's members, drawn by the template; an id that is no member's is left out on saving.
    present = SelectMultipleField(_l("Who was there"), coerce=int, validate_choice=False)
    head_count = IntegerField(_l("How many were there"), validators=[
        Optional(), NumberRange(min=0, max=records.HEAD_COUNT_MAX,
                                message=_l("A whole number from 0 to %(max)d.", max=records.HEAD_COUNT_MAX))],
        render_kw={"inputmode": "numeric", "min": 0})
    notes = TextAreaField(_l("Notes"), validators=[Length(max=records.NOTES_MAX, message=_l(
        "Keep the notes to %(max)d characters or fewer.", max=records.NOTES_MAX))], render_kw={"rows": 12})

    def __init__(self, *args, posted=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.posted = posted  # the notes are a thread already: they can be changed, not emptied

    @classmethod
    def for_occurrence(cls, occurrence):
        """The form as last saved, or before anything was, the names of those who said they were going ticked."""
        counted = occurrence.attendance_count is not None
        return cls(data={"mode": BY_COUNT if counted else BY_NAME, "present": sorted(records.ticked(occurrence)),
                         "head_count": occurrence.attendance_count, "notes": occurrence.notes},
                   posted=occurrence.notes_at is not None)

    def validate_mode(self, field):
        if field.data not in (BY_NAME, BY_COUNT):
            raise ValidationError(_l("Choose how attendance was taken: by name or as a head count."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Here, not in a validate_head_count: Optional() ends the field's own checks when it is empty.
        if self.mode.data == BY_COUNT and self.head_count.data is None and not self.head_count.errors:
            self.head_count.errors.append(_l("Say how many were there (0 or more)."))
            valid = False
        return valid

    def validate_notes(self, field):
        if self.posted and not (field.data or "").strip():
            raise ValidationError(_l("The notes are posted as a thread: change them, but do not leave them "
                                     "empty."))

    def values(self):
        """What records.save takes: present or head_count, and notes."""
        if self.mode.data == BY_COUNT:
            return {"present": None, "head_count": self.head_count.data, "notes": self.notes.data or ""}
        return {"present": self.present.data or [], "head_count": None, "notes": self.notes.data or ""}


class ReflectionForm(FlaskForm):
    """A facilitator's look back: how it went, 1 to 5, what went well, what to change."""
    rating = RadioField(_l("How did it go?"), coerce=int, validate_choice=False, choices=[
        SelectChoice(1, _l("1 – badly")), SelectChoice(2, _l("2 – not so well")), SelectChoice(3, _l("3 – fine")),
        SelectChoice(4, _l("4 – well")), SelectChoice(5, _l("5 – very well"))])
    went_well = TextAreaField(_l("What went well"), validators=[Length(max=reflections.TEXT_MAX, message=_l(
        "Keep this to %(max)d characters or fewer.", max=reflections.TEXT_MAX))], render_kw={"rows": 5})
    to_change = TextAreaField(_l("What to change next time"), validators=[Length(max=reflections.TEXT_MAX, message=_l(
        "Keep this to %(max)d characters or fewer.", max=reflections.TEXT_MAX))], render_kw={"rows": 5})

    @classmethod
    def for_reflection(cls, reflection):
        if reflection is None:
            return cls()
        return cls(data={"rating": reflection.rating, "went_well": reflection.went_well,
                         "to_change": reflection.to_change})

    def validate_rating(self, field):
        if field.data not in reflections.RATINGS:
            field.errors[:] = []  # one clear message, not also WTForms' own about a value it could not read
            raise ValidationError(_l("Choose how it went, from 1 to 5."))
