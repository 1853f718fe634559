"""Peer review's vocabulary, limits and validation rules, shared by the domain and the forms.

Validators take plain values (already converted to int, bool or naive UTC datetime by the form)
and raise ValidationError with a message per field, in the language of the request; they return the
cleaned values. The stored codes are named for people by the *_LABELS mappings (lazy: said in the
language of the page that shows them), which init_app makes template globals.
"""
import datetime as dt
import json
from urllib.parse import urlsplit


from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..i18n import format_number, ngettext

# Phases
DRAFT, OPEN, REVIEWING, CLOSED = "draft", "open", "reviewing", "closed"
PHASES = (DRAFT, OPEN, REVIEWING, CLOSED)
PHASE_LABELS = {DRAFT: _l("Draft"), OPEN: _l("Open for submissions"), REVIEWING: _l("Reviewing"),
                CLOSED: _l("Closed")}

# Round settings
TEXT, LINK, BOTH = "text", "link", "both"
SUBMISSION_FORMATS = (TEXT, LINK, BOTH)
SUBMITTERS, MEMBERS = "submitters", "members"
REVIEWER_POOLS = (SUBMITTERS, MEMBERS)
REVIEWERS_HIDDEN, BOTH_HIDDEN, OPEN_IDENTITIES = "reviewers_hidden", "both_hidden", "open"
ANONYMITY = (REVIEWERS_HIDDEN, BOTH_HIDDEN, OPEN_IDENTITIES)
AS_ARRIVE, AFTER_CLOSE = "as_arrive", "after_close"
RESULTS_RELEASE = (AS_ARRIVE, AFTER_CLOSE)
# A setting fixed by then is shown as text with these labels (the forms' choices say more).
SUBMISSION_FORMAT_LABELS = {TEXT: _l("Text (Markdown)"), LINK: _l("A link"), BOTH: _l("Text and a link")}
REVIEWER_POOL_LABELS = {SUBMITTERS: _l("Those who submitted"), MEMBERS: _l("Every member")}
ANONYMITY_LABELS = {REVIEWERS_HIDDEN: _l("Reviewers are hidden from authors"), BOTH_HIDDEN: _l("Both hidden"),
                    OPEN_IDENTITIES: _l("Open: everyone sees names")}

# Rubric
SCALE, COMMENTS = "scale", "comments"
CRITERION_KINDS = (SCALE, COMMENTS)

# Review status
REVIEW_DRAFT, REVIEW_SUBMITTED = "draft", "submitted"

TITLE_MAX = 200
BRIEF_MAX = 50_000
REVIEWS_PER_SUBMISSION = (1, 10)
DEFAULT_REVIEWS_PER_SUBMISSION = 3
DEFAULT_MIN_PROMPT_LENGTH = 40
MIN_PROMPT_LENGTH_MAX = 2_000
CRITERIA_MAX = 20
CRITERION_NAME_MAX = 100
CRITERION_DESCRIPTION_MAX = 2_000
LEVELS = (2, 6)
# How far ahead a deadline may lie: years enough to plan a course, and every zone can show the date.
DEADLINE_YEARS_AHEAD = 5
LEVEL_MAX = 200
BODY_MAX = 50_000
LINK_MAX = 2_000
COMMENT_MAX = 10_000
NOTE_MAX = 2_000
REVISION_PLAN_MAX = 10_000
HELPFULNESS = (1, 5)


class ReviewError(ValueError):
    """A peer-review rule said no; str(error) is a sentence to show the person."""


class ValidationError(ReviewError):
    """Input that breaks a rule: errors maps a field name to the message shown beside it."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class Refused(ReviewError):
    """An action that is not possible now (wrong phase, wrong person, already final)."""


class DraftWouldBeLost(Refused):
    """A swap would discard a reviewer's unsent draft; repeat with discard_draft=True to confirm."""


def _raise_if(errors):
    if errors:
        raise ValidationError(errors)


def latest_deadline(now):
    """The latest deadline a round accepts (DEADLINE_YEARS_AHEAD years after now)."""
    return now + dt.timedelta(days=365 * DEADLINE_YEARS_AHEAD + DEADLINE_YEARS_AHEAD // 4)


def number(n):
    """A number as the current language writes it (50,000 or 50.000)."""
    return format_number(n)


def too_far_ahead(name):
    """The message for a deadline (submission_deadline or review_deadline) beyond latest_deadline."""
    if name == "submission_deadline":
        return _("The submission deadline is more than %(years)d years away: choose an earlier date.",
                 years=DEADLINE_YEARS_AHEAD)
    return _("The review deadline is more than %(years)d years away: choose an earlier date.",
             years=DEADLINE_YEARS_AHEAD)


def _deadline_missing(name):
    if name == "submission_deadline":
        return _("Give a submission deadline (date and time).")
    return _("Give a review deadline (date and time).")


def _deadline_past(name):
    if name == "submission_deadline":
        return _("The submission deadline is in the past: choose a later time.")
    return _("The review deadline is in the past: choose a later time.")


def _text(data, name):
    value = data.get(name)
    return "" if value is None else str(value)


def validate_round_settings(data, now, current=None):
    """Check a round's settings; deadlines that change must lie in the future. Return them cleaned.

    current: the round being edited (unchanged deadlines may be in the past), or None when creating.
    """
    errors, clean = {}, {}
    title = _text(data, "title").strip()
    if not title:
        errors["title"] = _("Give the round a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(max)s characters.", max=number(TITLE_MAX))
    clean["title"] = title

    brief = _text(data, "brief")
    if len(brief) > BRIEF_MAX:
        errors["brief"] = _("Keep the brief under %(max)s characters.", max=number(BRIEF_MAX))
    clean["brief"] = brief

    for name, allowed, message in (
        ("submission_format", SUBMISSION_FORMATS, _("Choose what members submit.")),
        ("reviewer_pool", REVIEWER_POOLS, _("Choose who reviews.")),
        ("anonymity", ANONYMITY, _("Choose who sees whose name.")),
        ("results_release", RESULTS_RELEASE, _("Choose when authors see their reviews.")),
    ):
        value = data.get(name)
        if value not in allowed:
            errors[name] = message
        clean[name] = value

    low, high = REVIEWS_PER_SUBMISSION
    k = data.get("reviews_per_submission")
    if not isinstance(k, int) or isinstance(k, bool) or not low <= k <= high:
        errors["reviews_per_submission"] = _("Choose between %(low)d and %(high)d reviews per submission.",
                                             low=low, high=high)
    clean["reviews_per_submission"] = k

    minimum = data.get("min_prompt_length")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 0 <= minimum <= MIN_PROMPT_LENGTH_MAX:
        errors["min_prompt_length"] = _("Choose a minimum between 0 and %(max)s characters.",
                                        max=number(MIN_PROMPT_LENGTH_MAX))
    clean["min_prompt_length"] = minimum

    clean["accept_late"] = bool(data.get("accept_late"))

    for name in ("submission_deadline", "review_deadline"):
        value = data.get(name)
        clean[name] = value
        if not isinstance(value, dt.datetime):
            errors[name] = _deadline_missing(name)
        elif current is not None and value == getattr(current, name):
            pass  # an unchanged deadline stays, even one that has passed
        elif value <= now:
            errors[name] = _deadline_past(name)
        elif value > latest_deadline(now):
            errors[name] = too_far_ahead(name)
    if "submission_deadline" not in errors and "review_deadline" not in errors:
        if clean["review_deadline"] <= clean["submission_deadline"]:
            errors["review_deadline"] = _("The review deadline must come after the submission deadline.")
    _raise_if(errors)
    return clean


def validate_criterion(data):
    """Check one rubric criterion (name, description, kind, levels); return it cleaned."""
    errors = {}
    name = _text(data, "name").strip()
    if not name:
        errors["name"] = _("Give the criterion a name.")
    elif len(name) > CRITERION_NAME_MAX:
        errors["name"] = _("Keep the name under %(max)s characters.", max=number(CRITERION_NAME_MAX))
    description = _text(data, "description").strip()
    if len(description) > CRITERION_DESCRIPTION_MAX:
        errors["description"] = _("Keep the description under %(max)s characters.",
                                  max=number(CRITERION_DESCRIPTION_MAX))
    kind = data.get("kind")
    levels = []
    if kind not in CRITERION_KINDS:
        errors["kind"] = _("Choose a scale or comments only.")
    elif kind == SCALE:
        levels = [str(level or "").strip() for level in (data.get("levels") or [])]
        # Trailing empty boxes are unused slots of the form, not levels.
        while levels and not levels[-1]:
            levels.pop()
        low, high = LEVELS
        missing = [i + 1 for i, level in enumerate(levels) if not level]
        if missing:
            errors["levels"] = ngettext("Describe every level (level %(levels)s is empty).",
                                        "Describe every level (levels %(levels)s are empty).",
                                        len(missing), levels=", ".join(str(level) for level in missing))
        elif not low <= len(levels) <= high:
            errors["levels"] = _("A scale needs %(low)d to %(high)d levels, each with a descriptor.",
                                 low=low, high=high)
        elif any(len(level) > LEVEL_MAX for level in levels):
            errors["levels"] = _("Keep each level under %(max)s characters.", max=number(LEVEL_MAX))
    _raise_if(errors)
    return {"name": name, "description": description, "kind": kind, "levels": levels}


def is_web_link(link):
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in link)


def validate_submission(submission_format, body, link):
    """Check a submission for the round's format; return (body, link) cleaned."""
    errors = {}
    body, link = body or "", (link or "").strip()
    if submission_format == LINK and not link:
        errors["link"] = _("Give the link to your work.")
    if submission_format in (TEXT, BOTH) and not body.strip():
        errors["body"] = _("Write your submission.")
    if submission_format == BOTH and not link:
        errors["link"] = _("Give the link to your work as well.")
    if len(body) > BODY_MAX:
        errors["body"] = _("Keep your submission under %(max)s characters (it has %(length)s).",
                           max=number(BODY_MAX), length=number(len(body)))
    if link and "link" not in errors:
        if len(link) > LINK_MAX:
            errors["link"] = _("Keep the link under %(max)s characters.", max=number(LINK_MAX))
        elif not is_web_link(link):
            errors["link"] = _("Give a web address starting with https:// or http://.")
    _raise_if(errors)
    if submission_format == TEXT:
        link = ""
    return body, link


def validate_review(criteria, data, min_prompt_length, submitting):
    """Check review input: limits always, required parts and minimum lengths only when submitting.

    data: {"what_works": str, "could_be_better": str, "levels": {criterion_id: index or None},
    "comments": {criterion_id: str}}; keys that are absent mean "unchanged" and are not checked.
    Errors are keyed what_works, could_be_better, level-<criterion id>, comment-<criterion id>.
    """
    errors = {}
    for name in ("what_works", "could_be_better"):
        value = data.get(name)
        if value is None:
            continue
        if len(value) > COMMENT_MAX:
            errors[name] = _("Keep this under %(max)s characters (it has %(length)s).",
                             max=number(COMMENT_MAX), length=number(len(value)))
        elif submitting and len(value.strip()) < min_prompt_length:
            errors[name] = _too_short(name, min_prompt_length, len(value.strip()))
    levels, comments = data.get("levels") or {}, data.get("comments") or {}
    for criterion in criteria:
        level = levels.get(criterion.id)
        if criterion.kind == SCALE:
            if level is not None and not (isinstance(level, int) and 0 <= level < len(criterion.level_names)):
                errors[f"level-{criterion.id}"] = _("Choose one of the levels.")
            elif submitting and level is None:
                errors[f"level-{criterion.id}"] = _("Choose a level for “%(criterion)s”.", criterion=criterion.name)
        comment = comments.get(criterion.id)
        if comment is not None and len(comment) > COMMENT_MAX:
            errors[f"comment-{criterion.id}"] = _("Keep this comment under %(max)s characters.",
                                                  max=number(COMMENT_MAX))
    _raise_if(errors)


def _too_short(name, minimum, length):
    """A prompt's answer shorter than the round asks, said of that prompt."""
    if name == "what_works":
        return ngettext("“What works” needs at least %(num)d character (it has %(length)d): "
                        "say specifically what and why.",
                        "“What works” needs at least %(num)d characters (it has %(length)d): "
                        "say specifically what and why.", minimum, length=length)
    return ngettext("“What would make it better” needs at least %(num)d character (it has %(length)d): "
                    "say specifically what and why.",
                    "“What would make it better” needs at least %(num)d characters (it has %(length)d): "
                    "say specifically what and why.", minimum, length=length)


def validate_helpfulness(score, note):
    """Check a helpfulness rating (1–5) and its optional note; return them cleaned."""
    errors = {}
    low, high = HELPFULNESS
    if not isinstance(score, int) or isinstance(score, bool) or not low <= score <= high:
        errors["helpfulness"] = _("Rate helpfulness from %(low)d to %(high)d.", low=low, high=high)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["helpfulness_note"] = _("Keep the note under %(max)s characters.", max=number(NOTE_MAX))
    _raise_if(errors)
    return score, note


def validate_revision_plan(body):
    body = body or ""
    if len(body) > REVISION_PLAN_MAX:
        raise ValidationError({"body": _("Keep the plan under %(max)s characters.", max=number(REVISION_PLAN_MAX))})
    return body


def levels_to_json(levels):
    return json.dumps(list(levels), ensure_ascii=False)


def levels_from_json(raw):
    try:
        levels = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(level) for level in levels] if isinstance(levels, list) else []


def init_app(app):
    # The stored codes' labels, for templates: REVIEW_PHASE_LABELS[round.phase()] and so on.
    app.jinja_env.globals.update(
        REVIEW_PHASE_LABELS=PHASE_LABELS, SUBMISSION_FORMAT_LABELS=SUBMISSION_FORMAT_LABELS,
        REVIEWER_POOL_LABELS=REVIEWER_POOL_LABELS, ANONYMITY_LABELS=ANONYMITY_LABELS)
