"""Who may do what about new members: one function per decision, for views and templates alike (built on
circles.access, whose membership lookups are cached for the request)."""
from ..circles import access as circle_access
from ..circles.models import FACILITATOR, OWNER
from . import rules


def can_review_approvals(user, circle):
    """See the posts waiting for approval, approve and reject them: the circle's moderators (its owner and
    facilitators, and the instance admin as a backstop)."""
    return circle_access.can_moderate(user, circle)


def can_read_newcomer_settings(user, circle):
    """Read the circle's limits for new members: its owner and facilitators."""
    return circle_access.role(user, circle) in (OWNER, FACILITATOR)


def can_change_newcomer_settings(user, circle):
    """Change them: the owner, as for the circle's other settings."""
    return circle_access.can_manage(user, circle)


def can_ask_again(user, post):
    """Put a post that was not approved back among those waiting: its author, while they belong to the circle
    (approvals.ask_again says whether it was not approved)."""
    return (getattr(user, "is_authenticated", False) and post.author_id == user.id
            and circle_access.membership(user, post.thread.circle) is not None)


def newcomer_standing(user, circle):
    """The viewer's rules.Standing in circle when they are a new member there, else None: asked beside every
    composer, and free (no query) for everyone but a new member."""
    membership = circle_access.membership(user, circle)
    if membership is None:
        return None
    return rules.standing(user, circle, membership, counted=False)


def init_app(app):
    app.jinja_env.globals.update(can_review_approvals=can_review_approvals,
                                 can_read_newcomer_settings=can_read_newcomer_settings,
                                 can_change_newcomer_settings=can_change_newcomer_settings,
                                 can_ask_again=can_ask_again, newcomer_standing=newcomer_standing)
