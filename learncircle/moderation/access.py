"""Who may do what in a circle's moderation: one function per decision, used by views and templates alike.
Built on circles.access (membership and role, cached per request): a facilitator moderates their own circle
only; the instance admin moderates every circle, as the backstop.
"""
from ..circles import access as circle_access
from ..circles.models import OWNER


def _is_admin(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_admin


def can_review_flags(user, circle):
    """The review queue and the moderators' actions (keep, hide, delete, warn, suspend, remove, and undoing
    them): the circle's facilitators and owner, and the instance admin."""
    return circle_access.can_moderate(user, circle)


def can_read_log(user, circle):
    """The circle's moderation log: whoever may read the circle (its members; for a public circle, whoever is
    signed in), and the instance admin."""
    return circle_access.can_view(user, circle)


def can_see_removed(user, circle):
    """What moderators deleted, kept for a while, and restoring it: the circle's owner and the instance admin."""
    return circle_access.role(user, circle) == OWNER or _is_admin(user)


def can_read_moderation_settings(user, circle):
    """The circle's moderation settings (auto-hide threshold, naming moderators in the log): its moderators."""
    return circle_access.can_moderate(user, circle)


def can_change_moderation_settings(user, circle):
    """Changing them: the owner alone, as for the circle's other settings."""
    return circle_access.can_manage(user, circle)


def can_act_on_member(user, circle, target):
    """Warn, suspend or remove a member (target: their Membership): moderators may, never against the owner,
    and never themselves."""
    return (can_review_flags(user, circle) and target is not None and target.role != OWNER
            and target.user_id != user.id)


def can_flag(user, circle):
    """Flag what is in a circle (a post, thread, review or member) to its facilitators: its members, unless
    suspended from it, and the instance admin. (Never one's own, nor what is deleted or already hidden: the
    domain refuses those, moderation.flags.Refused; a review only its work's author: reviews.access.can_flag.)"""
    if _is_admin(user):
        return True
    return circle_access.membership(user, circle) is not None and not circle_access.is_suspended(user, circle)


def can_ask_another_look(user, item):
    """Ask the circle's facilitators to look again at a hidden post or thread (item: anything with author_id and
    hidden_at): its author (once per hiding: the domain refuses a second request)."""
    return (user is not None and getattr(user, "is_authenticated", False) and item.author_id == user.id
            and item.hidden_at is not None)


def init_app(app):
    app.jinja_env.globals.update(
        can_flag_in=can_flag, can_ask_another_look=can_ask_another_look,
        can_review_flags=can_review_flags, can_read_log=can_read_log, can_see_removed=can_see_removed,
        can_read_moderation_settings=can_read_moderation_settings,
        can_change_moderation_settings=can_change_moderation_settings, can_act_on_member=can_act_on_member)
