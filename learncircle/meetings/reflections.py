"""The facilitators' private look back at a meeting: how it went (1–5), what went well, what to change.

One per facilitator per occurrence, written again in place. Only the circle's facilitators and owner read them
(access.can_reflect): no page a member reaches, no notice and no thread ever carries them.
"""
from .. import clock
from ..accounts.models import User
from ..db import database
from .models import Reflection

RATINGS = (1, 2, 3, 4, 5)
TEXT_MAX = 5_000


def save(occurrence, author, *, rating, went_well="", to_change=""):
    """Write author's reflection on occurrence, replacing their earlier one; return it. Raises ValueError for a
    rating outside 1–5 (the form says so first)."""
    if rating not in RATINGS:
        raise ValueError(f"a rating is 1 to 5, not {rating!r}")
    now = clock.now()
    values = {"rating": rating, "went_well": (went_well or "").strip()[:TEXT_MAX],
              "to_change": (to_change or "").strip()[:TEXT_MAX]}
    with database.atomic():
        (Reflection.insert(occurrence=occurrence.id, author=author.id, created_at=now, updated_at=now, **values)
         .on_conflict(conflict_target=[Reflection.occurrence, Reflection.author],
                      update={**{getattr(Reflection, name): value for name, value in values.items()},
                              Reflection.updated_at: now})
         .execute())
    return own(occurrence, author)


def own(occurrence, author):
    """author's reflection on occurrence, or None."""
    return Reflection.get_or_none((Reflection.occurrence == occurrence.id) & (Reflection.author == author.id))


def of(occurrence):
    """Every facilitator's reflection on occurrence with its author's name, the first written first."""
    return list(Reflection.select(Reflection, User.id, User.username, User.display_name)
                .join(User, on=(Reflection.author == User.id))
                .where(Reflection.occurrence == occurrence.id)
                .order_by(Reflection.created_at, Reflection.id))
