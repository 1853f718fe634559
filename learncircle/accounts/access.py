"""Who may see a person's profile."""
from .profiles import shares_a_circle


def can_view_profile(viewer, user):
    """The person themself, the instance admin, and anyone who shares a circle with them."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if user.deleted_at is not None:  # a deleted account has no profile left: "deleted member" links nowhere
        return False
    return viewer.id == user.id or viewer.is_admin or shares_a_circle(viewer, user)


def init_app(app):
    app.jinja_env.globals["can_view_profile"] = can_view_profile
