"""Who may do what with a circle's meetings: one function per decision, for views and templates alike (built on
circles.access, whose membership lookups are cached for the request)."""
from ..circles import access as circle_access
from ..circles.models import FACILITATOR, OWNER


def can_see_meetings(user, circle):
    """The rhythm page, a meeting's time and agenda: whoever may read the circle."""
    return circle_access.can_view(user, circle)


def can_see_details(user, circle):
    """A meeting's link or place, who is coming, its calendar file, a poll's votes: the circle's own people
    (and the instance admin, who answers reports). A public circle's visitors see when, not where."""
    return circle_access.can_see_members(user, circle)


def can_answer(user, circle):
    """Say going / maybe / not going, vote in a poll: the circle's members, facilitators and owner."""
    return circle_access.membership(user, circle) is not None


def can_schedule(user, circle):
    """Schedule, move and cancel meetings, run polls, take attendance and post notes: facilitators and the owner."""
    return circle_access.role(user, circle) in (OWNER, FACILITATOR)


def can_reflect(user, circle):
    """Write and read the facilitators' private reflections, and the attendance of each member over time:
    facilitators and the owner, never the members (nor the instance admin)."""
    return circle_access.role(user, circle) in (OWNER, FACILITATOR)


def init_app(app):
    app.jinja_env.globals.update(can_see_meetings=can_see_meetings, can_see_meeting_details=can_see_details,
                                 can_answer_meetings=can_answer, can_schedule_meetings=can_schedule,
                                 can_reflect_on_meetings=can_reflect)
