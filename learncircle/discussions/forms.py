"""Forms for discussions: a new thread, a reply, an edit, and the moderators' switches."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from .. import clock, timefmt
from ..formkeys import OneTimeForm
from ..timefields import LocalTimeField
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext, lazy_number
from . import watching
from .models import BODY_MAX, DISCUSSION, HIDE_REASON_MAX, QUESTION, TITLE_MAX



PROMPT_YEARS_AHEAD = 1  # a prompt is for this circle's coming weeks, not for years ahead
BODY_TOO_LONG = lazy_ngettext("Keep it under %(count)s character; split a longer text over several posts.",
                              "Keep it under %(count)s characters; split a longer text over several posts.",
                              BODY_MAX, count=lazy_number(BODY_MAX))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _unix_newlines(value):
    # Browsers send line breaks as CRLF but count them as one character against maxlength.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _body_field(label, empty_message, description=""):
    return TextAreaField(label, description=description, filters=[_unix_newlines], validators=[
        DataRequired(empty_message), Length(max=BODY_MAX, message=BODY_TOO_LONG),
    ])


class ThreadForm(OneTimeForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give the thread a title.")),
        Length(max=TITLE_MAX, message=lazy_ngettext("Keep the title to %(num)d character or fewer.",
                                                    "Keep the title to %(num)d characters or fewer.", TITLE_MAX)),
    ])
    kind = RadioField(_l("Kind"), default=DISCUSSION, choices=[
        SelectChoice(DISCUSSION, _l("Discussion: share, plan or talk something through")),
        SelectChoice(QUESTION, _l("Question: you or a facilitator can mark one reply as its answer")),
    ], validators=[InputRequired(_l("Choose a discussion or a question."))])
    body = _body_field(_l("Message"), _l("Write the opening message."), description=lazy_ngettext(
        "Markdown: **bold**, _italic_, `code`, ``` fenced code ```, lists, links and tables. "
        "Up to %(count)s character.",
        "Markdown: **bold**, _italic_, `code`, ``` fenced code ```, lists, links and tables. "
        "Up to %(count)s characters.", BODY_MAX, count=lazy_number(BODY_MAX)))
    # Facilitators only (the page offers it to them; the view refuses it from anyone else).
    publish_at = LocalTimeField(_l("Publish later (optional)"), years_ahead=PROMPT_YEARS_AHEAD, validators=[Optional()])

    def validate_publish_at(self, field):
        if field.data is not None and timefmt.from_local(field.data) <= clock.now():
            raise ValidationError(_l("Choose a time in the future, or leave it empty to publish now."))

    def publishing_time(self):
        """The UTC moment a scheduled prompt publishes itself, or None to publish now."""
        return timefmt.from_local(self.publish_at.data) if self.publish_at.data is not None else None


class ReplyForm(OneTimeForm):
    body = _body_field(_l("Your reply"), _l("Write something before sending the reply."))


class EditPostForm(FlaskForm):
    body = _body_field(_l("Edit your post"), _l("A post cannot be empty; delete it instead."))


class PreviewForm(FlaskForm):
    body = TextAreaField(filters=[_unix_newlines], validators=[Length(max=BODY_MAX, message=BODY_TOO_LONG)])


def _one_line(value):
    """Line breaks and runs of spaces become one space, invisible characters go: a reason is one line."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(c for c in value if c.isprintable() or c.isspace()).split())


class HidePostForm(FlaskForm):
    reason = StringField(_l("Why hide it?"), filters=[_one_line], validators=[
        DataRequired(_l("Say in a few words why the post is hidden: its author will read it.")),
        Length(max=HIDE_REASON_MAX, message=lazy_ngettext("Keep the reason to %(num)d character or fewer.",
                                                          "Keep the reason to %(num)d characters or fewer.",
                                                          HIDE_REASON_MAX)),
    ])


class UnhideForm(FlaskForm):
    """Showing a hidden post again is a moderation action too: its one-line reason goes in the circle's log."""
    reason = StringField(_l("Why show it again?"), filters=[_one_line], validators=[
        DataRequired(_l("Say in a few words why the post is shown again: it is written in the moderation log.")),
        Length(max=HIDE_REASON_MAX, message=lazy_ngettext("Keep the reason to %(num)d character or fewer.",
                                                          "Keep the reason to %(num)d characters or fewer.",
                                                          HIDE_REASON_MAX)),
    ])


class AnswerForm(FlaskForm):
    """Mark a reply as the answer, or clear it: no fields, the form exists for its CSRF token."""


class GreetForm(FlaskForm):
    """Welcome a member, or check in with one ("Every voice"): no fields, the form exists for its CSRF token."""


def _switch(value, current):
    """'1' turns a setting on, '0' off; anything else flips it."""
    return {"1": True, "0": False}.get(value, not current)


class PinForm(FlaskForm):
    pinned = HiddenField()

    def wanted(self, thread):
        return _switch(self.pinned.data, thread.pinned)


class LockForm(FlaskForm):
    locked = HiddenField()

    def wanted(self, thread):
        return _switch(self.locked.data, thread.locked)


def _level_field(label, labels):
    choose = _l("Choose how much you want to hear.")
    return RadioField(label, choices=[SelectChoice(level, labels[level]) for level in watching.LEVELS],
                      validate_choice=False, validators=[InputRequired(choose), AnyOf(watching.LEVELS, choose)])


class ThreadNotifyForm(FlaskForm):
    level = _level_field(_l("Notices about this thread"), watching.THREAD_LEVEL_LABELS)


class CircleNotifyForm(FlaskForm):
    level = _level_field(_l("Notices about this circle's discussions"), watching.CIRCLE_LEVEL_LABELS)
