"""Changing a round's rubric: adding, editing, moving and removing criteria, and copying another
round's rubric. Reviewers work against the rubric once they are allocated, so every change is
refused from then on (`ReviewRound.rubric_locked`).
"""
from ..db import database
from ..i18n import gettext as _
from ..i18n import ngettext
from . import rules
from .models import Criterion, ReviewRound
from .rules import CRITERIA_MAX, SCALE, Refused, ValidationError


def _check_editable(round):
    if round.rubric_locked:
        raise Refused(_("The rubric is fixed once reviewing has started."))


def _stored(clean):
    """Column values for a validated criterion dict."""
    levels = clean["levels"] if clean["kind"] == SCALE else []
    return {"name": clean["name"], "description": clean["description"], "kind": clean["kind"],
            "levels": rules.levels_to_json(levels)}


def add_criterion(round, data):
    """Append a criterion ({name, description, kind, levels}); raises ValidationError or Refused."""
    _check_editable(round)
    clean = rules.validate_criterion(data)
    with database.atomic():
        existing = Criterion.select().where(Criterion.round == round).count()
        if existing >= CRITERIA_MAX:
            raise ValidationError({"criteria": ngettext("A rubric holds at most %(num)d criterion.",
                                                        "A rubric holds at most %(num)d criteria.", CRITERIA_MAX)})
        return Criterion.create(round=round, position=existing + 1, **_stored(clean))


def edit_criterion(criterion, data):
    """Change a criterion ({name, description, kind, levels}); raises ValidationError or Refused."""
    _check_editable(criterion.round)
    for name, value in _stored(rules.validate_criterion(data)).items():
        setattr(criterion, name, value)
    with database.atomic():
        criterion.save()


def remove_criterion(criterion):
    """Delete a criterion and close the gap in positions."""
    _check_editable(criterion.round)
    with database.atomic():
        criterion.delete_instance()
        (Criterion.update(position=Criterion.position - 1)
         .where((Criterion.round == criterion.round_id) & (Criterion.position > criterion.position)).execute())


def move_criterion(criterion, offset):
    """Move up (offset -1) or down (+1) in the rubric; at either end nothing happens."""
    round = criterion.round
    ids = [c.id for c in round.rubric()]
    index = ids.index(criterion.id)
    target = index + offset
    if 0 <= target < len(ids):
        _check_editable(round)
        ids[index], ids[target] = ids[target], ids[index]
        with database.atomic():
            for position, criterion_id in enumerate(ids, start=1):
                Criterion.update(position=position).where(Criterion.id == criterion_id).execute()


def copy_rubric(from_round, to_round):
    """Replace to_round's rubric with copies of from_round's criteria; raises Refused once locked."""
    _check_editable(to_round)
    source = from_round.rubric()
    if not source:
        raise Refused(_("That round has no rubric to copy."))
    with database.atomic():
        Criterion.delete().where(Criterion.round == to_round).execute()
        for criterion in source:
            Criterion.create(round=to_round, position=criterion.position, name=criterion.name,
                             description=criterion.description, kind=criterion.kind, levels=criterion.levels)
        ReviewRound.update(copied_rubric_from=from_round).where(ReviewRound.id == to_round.id).execute()
    to_round.copied_rubric_from = from_round
