"""Which reviews were flagged, read from moderation's one system of flags (a Flag of kind "review", which only
the work's author makes): for the board's count and badges, and the review cards of the results."""
import peewee

from ..moderation.models import REVIEW, Flag
from .models import Review


def column(review=Review):
    """A column of a query that joins Review (or an alias of it): whether that review was flagged (an EXISTS the
    flags' (kind, target) index answers)."""
    return peewee.fn.EXISTS(Flag.select(Flag.id).where((Flag.target_kind == REVIEW) & (Flag.target_id == review.id)))


def is_flagged(review_id):
    return Flag.select().where((Flag.target_kind == REVIEW) & (Flag.target_id == review_id)).exists()


def reasons(review_ids):
    """{review id: (reason, conduct point, note)} of the latest flag of each of review_ids (one query)."""
    if not review_ids:
        return {}
    rows = (Flag.select(Flag.id, Flag.target_id, Flag.reason, Flag.conduct_point, Flag.note)
            .where((Flag.target_kind == REVIEW) & Flag.target_id.in_(list(review_ids))).tuples())
    return {review_id: (reason, point, note) for _, review_id, reason, point, note in sorted(rows)}
