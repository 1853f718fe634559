"""Who may mute or block whom."""
from ..accounts.access import can_view_profile


def can_name(viewer, person, held=frozenset()):
    """Whether viewer may name person in a mute or block address at all (else 404, as for no such person):
    someone whose profile they may see, or someone they muted or blocked before (held: the kinds), so that
    they can undo it after the two no longer share a circle."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return bool(held) or can_view_profile(viewer, person)


def can_mute(viewer, person):
    """Mute or block: another person whose profile viewer sees (the buttons on that profile)."""
    return can_view_profile(viewer, person) and viewer.id != person.id


def init_app(app):
    app.jinja_env.globals["can_mute"] = can_mute
