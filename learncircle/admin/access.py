"""Who may use the instance admin's pages, and on whom each action may fall.

Used by the admin blueprint (which refuses everyone else before any view runs) and by its templates alike.
"""
from ..accounts.models import User
from .. import clock


def is_instance_admin(user):
    """The admin pages and their actions: instance admins alone."""
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.is_admin)


def is_last_admin(target):
    """Whether target is the one admin who can still sign in: without them nobody could run the instance."""
    if not target.is_admin:
        return False
    moment = clock.now()
    others = User.select(User.id).where(
        User.is_admin & (User.id != target.id) & User.deleted_at.is_null()
        & (User.suspended_until.is_null() | (User.suspended_until <= moment)))
    return not others.exists()


def can_act_on(actor, target):
    """Suspend or delete target: an admin may, never on themselves, nor on the last admin."""
    return is_instance_admin(actor) and actor.id != target.id and not is_last_admin(target)


def init_app(app):
    app.jinja_env.globals.update(is_instance_admin=is_instance_admin, can_act_on_account=can_act_on)
