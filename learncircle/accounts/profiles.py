"""What a profile shows of the circles two people have in common."""
from ..circles.models import Circle, Membership


def _circle_ids_of(user):
    return Membership.select(Membership.circle).where(Membership.user == user)


def shares_a_circle(user, other):
    """True when both people belong to at least one same circle."""
    return (Membership.select().where((Membership.user == other) & Membership.circle.in_(_circle_ids_of(user)))
            .limit(1).exists())


def shared_circles(user, viewer):
    """Circles that user belongs to and viewer belongs to too, by name (all of them for oneself)."""
    query = Circle.select().join(Membership).where(Membership.user == user)
    if viewer.id != user.id:
        query = query.where(Circle.id.in_(_circle_ids_of(viewer)))
    return query.order_by(Circle.name, Circle.id)
