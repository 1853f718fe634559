"""Who may do what in a circle: one function per decision, used by views and templates alike.
(What members may do in its discussions is in discussions/access.py, in peer review reviews/access.py.)

Every function takes the acting user (possibly anonymous) and the circle; membership lookups are
cached for the request so a template may ask as often as it likes.
"""
from flask import abort, g
from flask_login import current_user

from .. import clock

from .models import FACILITATOR, OWNER, ROLE_LABELS, Circle, Membership


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False)


def _is_admin(user):
    return _signed_in(user) and user.is_admin


def membership(user, circle):
    """The user's membership of circle, or None (cached per request)."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_memberships", {})
    key = (user.id, circle.id)
    if key not in cache:
        cache[key] = Membership.of(user, circle)
    return cache[key]


def role(user, circle):
    found = membership(user, circle)
    return found.role if found else None


def is_suspended(user, circle):
    """Suspended from the circle by its moderators (moderation/): reads it, but cannot post, react or flag."""
    found = membership(user, circle)
    return found is not None and found.suspended_until is not None and found.suspended_until > clock.now()


def suspension(user, circle):
    """The user's membership while they are suspended from circle (until when, why: for their own pages)."""
    return membership(user, circle) if is_suspended(user, circle) else None


def can_view(user, circle):
    """Read a circle's pages. The instance admin sees every circle, to answer reports."""
    return circle.is_public and _signed_in(user) or membership(user, circle) is not None or _is_admin(user)


def can_see_members(user, circle):
    """The roster is for the circle's own people (and the admin); others see the count only."""
    return membership(user, circle) is not None or _is_admin(user)


def can_join(user, circle):
    return _signed_in(user) and circle.is_public and membership(user, circle) is None


def can_moderate(user, circle):
    """Pin, lock, remove members: facilitators and the owner, and the instance admin as a backstop."""
    return role(user, circle) in (OWNER, FACILITATOR) or _is_admin(user)


def can_manage(user, circle):
    """Edit settings, change roles, transfer ownership: the owner alone."""
    return role(user, circle) == OWNER


def can_invite(user, circle):
    return role(user, circle) in (OWNER, FACILITATOR)


def can_invite_facilitators(user, circle):
    return role(user, circle) == OWNER


def can_remove(user, circle, target):
    """Remove a member: moderators may, never the owner, and not themselves (that is leaving)."""
    return can_moderate(user, circle) and target.role != OWNER and target.user_id != user.id


def can_leave(user, circle):
    found = membership(user, circle)
    return found is not None and found.role != OWNER


def circle_or_404(slug):
    """Load a circle the current user may see; to anyone else a private circle does not exist."""
    circle = Circle.by_slug(slug)
    if circle is None:
        abort(404)
    if not can_view(current_user, circle):
        if circle.is_public:
            abort(401)  # signed-out visitor: the login manager sends them to log in
        abort(404)
    return circle


def init_app(app):
    app.jinja_env.globals.update(can_view=can_view, can_see_members=can_see_members, can_join=can_join,
                                 can_moderate=can_moderate, can_manage=can_manage, can_invite=can_invite,
                                 can_invite_facilitators=can_invite_facilitators, can_remove=can_remove,
                                 can_leave=can_leave, circle_role=role, ROLE_LABELS=ROLE_LABELS,
                                 suspension=suspension)
