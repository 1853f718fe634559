"""Every route × every role × every method, in a public and a private circle.

Each (endpoint, method) has a policy saying what each role gets. A route added to the app without a
policy here fails `test_every_route_has_a_policy`, so access can never be left to chance.
Outcomes: ALLOW (the action runs: 2xx, or a redirect that is not to the login page), LOGIN (sent to
log in), 403, 404, and HIDDEN: exactly what the same URL answers for an object that does not exist,
so a private circle's existence never leaks.

ALLOW means the access check passed and the action succeeded, never "the form was refused": a view
that validated the form before checking access would answer 422 to everyone. So every POST is sent
with the body in FORMS (keys and values may name the world's objects, e.g. "level-{criterion_id}"),
which an allowed role gets through with a 2xx or a redirect; a route without an entry is sent an
empty body, which suits buttons. Any other status is compared as itself: where a role passes the
access check but the action is refused on purpose (work that can no longer change), its policy says
422 for that role, in plain sight.
"""
import os
import shutil
from pathlib import Path

import pytest
from flask import url_for

from learncircle import audit, create_app, db
from learncircle.accounts import resets, sessions
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, MEMBER, PRIVATE, PUBLIC, Circle, Invitation, Membership
from learncircle.discussions.models import Thread
from learncircle.mail import account_mail, unsubscribe
from learncircle.mail.models import PendingAccount
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from learncircle.people import models as muting
from learncircle.reviews import reviewing
from learncircle.reviews.models import Assignment, Submission
from learncircle.reviews.submitting import submit
from tests.fixtures_reviews import make_round, start_reviewing

ROLES = ("anonymous", "outsider", "member", "facilitator", "owner", "admin")
ALLOW, LOGIN, HIDDEN = "allow", "login", "hidden"
SIGNED_IN = ROLES[1:]
MEMBERS = ("member", "facilitator", "owner")


def policy(default=ALLOW, **by_role):
    """Build role -> outcome (or (public outcome, private outcome))."""
    return {role: by_role.get(role, default) for role in ROLES}


def per_visibility(public, private):
    return (public, private)


# Shapes that recur: who may read a circle, who may act as a member, and so on. Signed-out visitors
# of a private circle get exactly what they would get for a circle that does not exist.
VISITOR = per_visibility(LOGIN, HIDDEN)
READERS = policy(anonymous=VISITOR, outsider=per_visibility(ALLOW, HIDDEN))
POSTERS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), admin=403)
MODERATORS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), member=403)
INVITERS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), member=403, admin=403)
OWNER_ONLY = policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), owner=ALLOW)
AUTHOR_ONLY = policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), member=ALLOW)
SIGNED_IN_ONLY = policy(anonymous=LOGIN)
ROUND_MEMBERS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), admin=403)
ROUND_MANAGERS = INVITERS  # the circle's facilitators and owner
AUTHOR_AND_MANAGERS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), admin=403)
DRAFT_MANAGERS = policy(404, anonymous=VISITOR, facilitator=ALLOW, owner=ALLOW)
# A question's accepted answer: its asker (the world's member) and the circle's facilitators and owner.
ASKER_AND_FACILITATORS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), admin=403)
ANYONE = policy()
INSTANCE_ADMINS = policy(403, anonymous=LOGIN, admin=ALLOW)

POLICIES = {
    ("static", "GET"): ANYONE,
    ("vendor.static", "GET"): ANYONE,
    ("accounts.setup", "GET"): policy(404),  # gone once the instance has an account
    ("accounts.setup", "POST"): policy(404),
    ("accounts.login", "GET"): ANYONE,
    ("accounts.login", "POST"): ANYONE,
    ("accounts.logout", "POST"): ANYONE,
    ("accounts.register", "GET"): policy(anonymous=403),  # by invitation only; signed in: sent on
    ("accounts.register", "POST"): policy(anonymous=403),
    ("accounts.profile", "GET"): policy(anonymous=LOGIN, outsider=404),  # only people sharing a circle
    # Muting and blocking (people/): whoever sees the profile (the world's username is the member's own: refused);
    # twice is once, so the world's own mute and block are done again. One's own list of them.
    **{("people." + endpoint, "POST"): policy(anonymous=LOGIN, outsider=404, member=403)
       for endpoint in ("mute", "unmute", "block", "unblock")},
    ("people.settings", "GET"): SIGNED_IN_ONLY,
    ("accounts.settings_profile", "GET"): SIGNED_IN_ONLY,
    ("accounts.settings_profile", "POST"): SIGNED_IN_ONLY,
    ("accounts.settings_password", "GET"): SIGNED_IN_ONLY,
    ("accounts.settings_password", "POST"): SIGNED_IN_ONLY,
    ("accounts.settings_sessions", "POST"): SIGNED_IN_ONLY,
    # Anyone may ask to end a session id: only one of their own ends (here the member's own).
    ("accounts.end_session", "POST"): SIGNED_IN_ONLY,
    # Whoever holds a reset link may use it; once the password is set, everyone is sent to log in with it.
    ("accounts.reset_password", "GET"): ANYONE,
    ("accounts.reset_password", "POST"): policy(LOGIN),
    # Your data: one's own. The owner of the world's circle is refused deletion until they hand it over; a
    # deletion's cancel button needs the token the sign-in page gives, which the matrix has not: back to log in.
    ("yourdata.page", "GET"): SIGNED_IN_ONLY,
    ("yourdata.download", "GET"): SIGNED_IN_ONLY,
    ("yourdata.delete", "POST"): policy(anonymous=LOGIN, owner=422),
    ("accounts.cancel_deletion", "POST"): policy(LOGIN),
    # Email (learncircle/mail): the world's instance sends none, so the pages say so and change nothing.
    ("mail.settings", "GET"): SIGNED_IN_ONLY,
    ("mail.settings", "POST"): SIGNED_IN_ONLY,
    ("mail.change_address", "GET"): SIGNED_IN_ONLY,
    ("mail.change_address", "POST"): SIGNED_IN_ONLY,
    ("mail.forgot_password", "GET"): ANYONE,
    ("mail.forgot_password", "POST"): ANYONE,
    # The signed token is the authority: anyone holding the link (the member's own unsubscribe link).
    ("mail.unsubscribe_page", "GET"): ANYONE,
    ("mail.unsubscribe_page", "POST"): ANYONE,
    # A confirmed new address: signed-in people go to their email settings, others to log in.
    ("mail.confirm_address", "GET"): ANYONE,
    ("mail.confirm_address", "POST"): policy(anonymous=LOGIN),
    # A confirmed new account: everyone is sent to log in with it.
    ("mail.confirm_account", "GET"): ANYONE,
    ("mail.confirm_account", "POST"): policy(LOGIN),
    ("circles.home", "GET"): ANYONE,
    ("circles.new", "GET"): SIGNED_IN_ONLY,
    ("circles.new", "POST"): SIGNED_IN_ONLY,
    ("circles.circle", "GET"): READERS,
    ("circles.members", "GET"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN)),
    ("circles.settings", "GET"): OWNER_ONLY,
    ("circles.settings", "POST"): OWNER_ONLY,
    ("circles.change_role", "POST"): OWNER_ONLY,
    ("circles.transfer", "POST"): OWNER_ONLY,
    ("circles.remove_member", "POST"): MODERATORS,
    ("circles.invitations", "GET"): INVITERS,
    ("circles.invitations", "POST"): INVITERS,
    ("circles.revoke_invitation", "POST"): INVITERS,
    # Joining without a link: public circles only; members are sent back to the circle.
    ("circles.join", "GET"): policy(anonymous=VISITOR, outsider=per_visibility(ALLOW, HIDDEN),
                                    admin=per_visibility(ALLOW, 403)),
    ("circles.join", "POST"): policy(anonymous=VISITOR, outsider=per_visibility(ALLOW, HIDDEN),
                                     admin=per_visibility(ALLOW, 403)),
    ("circles.leave", "POST"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), owner=403, admin=403),
    ("circles.leave", "GET"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), owner=403, admin=403),
    # The site's public address (links start with it): the instance admin's alone.
    ("circles.site_address", "POST"): policy(403, anonymous=LOGIN, admin=ALLOW),
    # The instance admin's pages (admin/): instance admins alone. The account they act on is the target's.
    **{("admin." + endpoint, method): INSTANCE_ADMINS for endpoint, method in (
        ("overview", "GET"), ("accounts_list", "GET"), ("account", "GET"), ("suspend", "POST"),
        ("lift_suspension", "POST"), ("delete_account", "POST"), ("audit", "GET"))},
    # An invitation link shows its circle to whoever holds it, private or not.
    ("circles.invitation", "GET"): ANYONE,
    ("circles.invitation", "POST"): policy(anonymous=LOGIN),
    ("discussions.thread", "GET"): READERS,
    # Search: in all one's circles (those one belongs to), and in a circle for whoever reads it.
    ("search.search", "GET"): SIGNED_IN_ONLY,
    ("search.circle_search", "GET"): READERS,
    ("discussions.permalink", "GET"): READERS,
    ("discussions.new_thread", "GET"): POSTERS,
    ("discussions.new_thread", "POST"): POSTERS,
    ("discussions.reply", "POST"): POSTERS,
    ("discussions.pin", "POST"): MODERATORS,
    ("discussions.lock", "POST"): MODERATORS,
    ("discussions.edit_post", "GET"): AUTHOR_ONLY,
    ("discussions.edit_post", "POST"): AUTHOR_ONLY,
    ("discussions.delete_post", "POST"): AUTHOR_ONLY,
    ("discussions.hide_post", "GET"): MODERATORS,
    ("discussions.hide_post", "POST"): MODERATORS,
    ("discussions.unhide_post", "GET"): MODERATORS,
    ("discussions.unhide_post", "POST"): MODERATORS,
    ("discussions.preview", "POST"): SIGNED_IN_ONLY,
    # @name suggestions while typing a post: only to those who can post in the circle.
    ("mentions.suggestions", "GET"): POSTERS,
    ("discussions.accept_answer", "POST"): ASKER_AND_FACILITATORS,
    # "Every voice", and its welcomes and check-ins (to the target, a member): the circle's facilitators and owner.
    ("voices.page", "GET"): INVITERS,
    ("voices.welcome", "POST"): INVITERS,
    ("voices.check_in", "POST"): INVITERS,
    # New members (newcomers/): the circle's limits, read by its facilitators and changed by its owner; the posts
    # waiting for approval, for its moderators; asking again, for the held post's author (the world's member).
    ("newcomers.settings", "GET"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                          facilitator=ALLOW, owner=ALLOW),
    ("newcomers.settings", "POST"): OWNER_ONLY,
    ("approvals.page", "GET"): MODERATORS,
    ("approvals.decide", "POST"): MODERATORS,
    ("approvals.ask_again", "POST"): AUTHOR_ONLY,
    ("discussions.clear_answer", "POST"): ASKER_AND_FACILITATORS,
    # The review queue and its actions (moderation/views.py): the circle's facilitators and owner, and the instance
    # admin; the log, whoever reads the circle; what moderators deleted, the owner and the admin; the moderation
    # settings, read by its moderators and changed by its owner. The world's flagged post is the target's.
    ("moderation.queue", "GET"): MODERATORS,
    ("moderation.item", "GET"): MODERATORS,
    ("moderation.item", "POST"): MODERATORS,
    ("moderation.undo", "GET"): MODERATORS,
    ("moderation.undo", "POST"): MODERATORS,
    ("moderation.log_page", "GET"): READERS,
    ("moderation.removed", "GET"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), owner=ALLOW,
                                          admin=ALLOW),
    ("moderation.settings", "GET"): MODERATORS,
    ("moderation.settings", "POST"): OWNER_ONLY,
    # Reactions: the circle's members, to others' posts (the world's post is the member's own); who reacted:
    # whoever reads the circle.
    ("reactions.react", "POST"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), admin=403,
                                        member=403),
    ("reactions.who", "GET"): READERS,
    # Flags (moderation/): the circle's members and the instance admin, never of their own (the world's post and
    # thread are the member's: refused, saying so); a member is flagged by anyone who may flag in the circle. The
    # author of a hidden post or thread asks for another look: the world's are shown, so the member is told so.
    **{("flags." + endpoint, method): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), member=403)
       for endpoint in ("flag_post", "flag_thread") for method in ("GET", "POST")},
    ("flags.flag_member", "GET"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN)),
    ("flags.flag_member", "POST"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN)),
    ("flags.another_look_post", "POST"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                                member=409),
    ("flags.another_look_thread", "POST"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                                  member=409),
    # Unread posts: jumping to the first is reading; marking a circle read is its members' own business.
    ("reading.first_unread", "GET"): READERS,
    ("reading.mark_circle_read", "POST"): POSTERS,
    # A scheduled prompt's publishing and cancelling: the circle's facilitators and owner (on the world's
    # published thread they are told it is published already).
    ("prompts.publish", "POST"): INVITERS,
    ("prompts.cancel", "POST"): INVITERS,
    # The leaving page shows only an address signed for its reader; the matrix sends none.
    ("leaving.page", "GET"): policy(400, anonymous=LOGIN),
    ("notices.notices", "GET"): SIGNED_IN_ONLY,
    ("notices.mark_read", "POST"): SIGNED_IN_ONLY,
    ("notices.count", "GET"): SIGNED_IN_ONLY,
    # One notice, the member's: nobody else has a notice by that number.
    ("notices.mark_one_read", "POST"): policy(404, anonymous=LOGIN, member=ALLOW),
    # Notification levels: a member's own, for a thread or the whole circle.
    ("watching.thread_level", "GET"): POSTERS,
    ("watching.thread_level", "POST"): POSTERS,
    ("watching.circle_level", "POST"): POSTERS,
    # Peer review. The member of the world submitted, was allocated one review to write, and has a
    # submitted review of their own work to read; "peer" wrote that review.
    ("reviews_participant.rounds", "GET"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN)),
    ("reviews_participant.round", "GET"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN)),
    # Polled while reviewers are being allocated: whoever sees the round page.
    ("reviews_participant.allocation_status", "GET"): policy(anonymous=VISITOR,
                                                             outsider=per_visibility(403, HIDDEN)),
    ("reviews_participant.my_submission", "GET"): ROUND_MEMBERS,
    # Reviewing has begun, so the member's own work can no longer change: refused after access passed.
    ("reviews_participant.my_submission", "POST"): policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                                          admin=403, member=422),
    ("reviews_participant.submission", "GET"): AUTHOR_AND_MANAGERS,
    ("reviews_participant.review", "GET"): AUTHOR_AND_MANAGERS,  # the reviewer; managers read it
    ("reviews_participant.save_draft", "POST"): AUTHOR_ONLY,  # the reviewer alone
    ("reviews_participant.submit_review", "POST"): AUTHOR_ONLY,
    ("reviews_participant.rate_review", "POST"): AUTHOR_ONLY,  # the reviewed author alone
    ("reviews_participant.flag_review", "POST"): AUTHOR_ONLY,
    ("reviews_participant.revision_plan", "POST"): AUTHOR_ONLY,
    **{("reviews_facilitator." + endpoint, method): ROUND_MANAGERS for endpoint, method in (
        ("new_round", "GET"), ("new_round", "POST"), ("round_settings", "GET"), ("round_settings", "POST"),
        ("start_reviewing", "POST"), ("close_round", "POST"), ("extend_deadlines", "GET"),
        ("extend_deadlines", "POST"), ("board", "GET"), ("swap_reviewer", "GET"), ("swap_reviewer", "POST"),
        ("add_reviewer", "GET"), ("add_reviewer", "POST"), ("nudge", "POST"), ("export_csv", "GET"),
        ("hide_review", "POST"), ("unhide_review", "POST"), ("kept_apart", "GET"), ("kept_apart", "POST"),
        ("release_pair", "POST"))},
    # A draft round exists only for the people who manage it.
    **{(endpoint, method): DRAFT_MANAGERS for endpoint, method in (
        ("reviews_rubric.builder", "GET"), ("reviews_rubric.add_criterion", "POST"),
        ("reviews_rubric.criterion", "GET"), ("reviews_rubric.criterion_editor", "GET"),
        ("reviews_rubric.edit_criterion", "POST"), ("reviews_rubric.move_criterion", "POST"),
        ("reviews_rubric.remove_criterion", "POST"), ("reviews_rubric.copy_rubric", "POST"),
        ("reviews_facilitator.publish", "POST"), ("reviews_facilitator.discard_round", "POST"))},
}
# Live meetings (meetings/). Seeing when: the circle's readers; where, who comes, a poll's votes, calendar files:
# its own people (and the admin); answering and voting: its members; everything a facilitator does: its
# facilitators and owner. A circle's visitor and the admin never answer for a circle they are not in.
MEETING_READERS = READERS
MEETING_PEOPLE = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN))
MEETING_MEMBERS = policy(anonymous=VISITOR, outsider=per_visibility(403, HIDDEN), admin=403)
MEETING_FACILITATORS = INVITERS
POLICIES.update({
    ("meeting_records.rhythm", "GET"): MEETING_READERS,
    ("meetings.occurrence", "GET"): MEETING_READERS,
    ("meetings.rsvp", "POST"): MEETING_MEMBERS,
    ("meeting_polls.poll", "GET"): MEETING_PEOPLE,
    ("meeting_polls.vote", "POST"): MEETING_MEMBERS,
    ("calendar.occurrence_ics", "GET"): MEETING_PEOPLE,
    ("calendar.series_ics", "GET"): MEETING_PEOPLE,
    # The secret address is the authority: whoever holds it reads its member's calendar (the member's own here).
    ("calendar.feed", "GET"): ANYONE,
    ("calendar.settings", "GET"): SIGNED_IN_ONLY,
    ("calendar.settings", "POST"): SIGNED_IN_ONLY,
    **{(endpoint, method): MEETING_FACILITATORS for endpoint, method in (
        ("meetings.new", "GET"), ("meetings.new", "POST"), ("meetings.move", "GET"), ("meetings.move", "POST"),
        ("meetings.cancel", "POST"), ("meetings.edit", "GET"), ("meetings.edit", "POST"),
        ("meetings.cancel_series", "POST"), ("meeting_polls.new", "GET"), ("meeting_polls.new", "POST"),
        ("meeting_polls.close", "POST"), ("meeting_records.attendance", "GET"),
        ("meeting_records.record", "GET"), ("meeting_records.record", "POST"),
        ("meeting_records.reflection", "GET"), ("meeting_records.reflection", "POST"))},
})
# Attendance, notes and reflections are taken once a meeting has begun: these are tried on one a week ago.
PAST_MEETING_ROUTES = {"meeting_records.record", "meeting_records.reflection"}
DRAFT_ROUTES = {endpoint for (endpoint, method), rule in POLICIES.items() if rule is DRAFT_MANAGERS}

# A form that would pass validation, so an allowed role really performs the action.
FORMS = {
    "accounts.login": {"login": "member", "password": "password123"},
    "accounts.settings_password": {"current_password": "password123", "new_password": "a new long passphrase",
                                   "confirm": "a new long passphrase"},
    "accounts.settings_profile": {"display_name": "Member", "bio": "", "timezone": "UTC", "pronouns": ""},
    "yourdata.delete": {"posts": "keep", "password": "password123"},
    "accounts.reset_password": {"new_password": "a reset passphrase", "confirm": "a reset passphrase"},
    "mail.settings": {"mentions": "never", "answers": "immediately", "replies": "never", "new_threads": "never",
                      "reactions": "never", "reviews": "immediately", "facilitators": "immediately",
                      "moderating": "immediately", "flags": "daily", "meetings": "immediately",
                      "meeting_notes": "daily"},
    "mail.forgot_password": {"email": "member@example.org"},
    "meeting_records.record": {"mode": "count", "head_count": "4", "notes": "We covered lifetimes."},
    "meeting_records.reflection": {"rating": "4", "went_well": "Everyone spoke.", "to_change": "Start on time."},
    "mail.change_address": {"email": "member-new@example.org", "current_password": "password123"},
    "circles.new": {"name": "Another circle", "slug": "", "purpose": "Practise together.", "conduct": "Be kind.",
                    "visibility": "private"},
    "circles.settings": {"name": "Renamed", "slug": "{slug}", "purpose": "Still learning.", "goals": "",
                         "conduct": "Be kind.", "visibility": "{visibility}"},
    "circles.change_role": {"role": FACILITATOR},
    "newcomers.settings": {"days": "", "posts": "", "threads": "", "links": "5", "images": "", "approval": "on"},
    "approvals.decide": {"decision": "approve", "reason": ""},
    "moderation.item": {"action": "kept", "reason": "Not spam after all."},
    "moderation.undo": {"reason": "The warning was meant for someone else."},
    "moderation.settings": {"auto_hide_threshold": "3", "log_names_moderators": "y"},
    "admin.suspend": {"suspend-reason": "Spam links in every circle.", "suspend-length": "indefinitely"},
    "admin.delete_account": {"delete-confirm": "target", "delete-posts": "keep", "delete-reason": "A spam account."},
    "circles.transfer": {"membership_id": "{target_membership}"},
    "circles.invitations": {"role": MEMBER, "expires_in_days": "7", "max_uses": "5"},
    "circles.join": {"accept": "y"},
    "circles.invitation": {"accept": "y"},
    "discussions.new_thread": {"title": "A new thread", "kind": "discussion", "body": "Hello all.", "form_key": ""},
    "discussions.reply": {"body": "A reply.", "form_key": ""},
    "discussions.edit_post": {"body": "Edited."},
    "discussions.hide_post": {"reason": "Off topic: see the code of conduct."},
    "discussions.unhide_post": {"reason": "Edited: it keeps to the code of conduct now."},
    "circles.remove_member": {"reason": "Spam in every thread."},
    "reviews_facilitator.hide_review": {"reason": "Unkind."},
    "reviews_facilitator.unhide_review": {"reason": "Rewritten."},
    "watching.thread_level": {"level": "muted"},
    "watching.circle_level": {"level": "watching"},
    "circles.site_address": {"public_url": "https://learn.example.org", "next": "/"},
    "discussions.preview": {"body": "*preview*"},
    "reactions.react": {"kind": "helpful"},
    "reviews_facilitator.new_round": {"title": "Round two", "brief": "Write.", "submission_format": "text",
                                      "reviews_per_submission": "1", "reviewer_pool": "submitters",
                                      "anonymity": "reviewers_hidden", "submission_deadline": "2031-01-01T10:00",
                                      "review_deadline": "2031-01-08T10:00", "results_release": "as_arrive",
                                      "min_prompt_length": "10", "copy_from": "0"},
    "reviews_facilitator.round_settings": {"title": "Essays, revised", "brief": "Write more.",
                                           "review_deadline": "2031-01-08T10:00", "results_release": "as_arrive",
                                           "min_prompt_length": "10"},
    "reviews_facilitator.swap_reviewer": {"reviewer": "{reviewer}"},
    "reviews_facilitator.add_reviewer": {"reviewer": "{reviewer}"},
    "reviews_facilitator.kept_apart": {"reviewer": "{reviewer}", "author": "{author}"},
    "reviews_facilitator.release_pair": {"reviewer": "{reviewer}", "author": "{author}"},
    "reviews_rubric.add_criterion": {"new-criterion-name": "Evidence", "new-criterion-kind": "comments"},
    "reviews_rubric.move_criterion": {"direction": "down"},
    "reviews_rubric.copy_rubric": {"source": "{round_id}"},
    "reviews_participant.my_submission": {"body": "A better version."},
    "reviews_participant.save_draft": {"what_works": "Draft words."},
    "reviews_participant.submit_review": {"what_works": "Clear and well argued.",
                                          "could_be_better": "One more example.",
                                          "level-{criterion_id}": "1", "comment-{criterion_id}": ""},
    "reviews_participant.rate_review": {"helpfulness": "4"},
    "reviews_participant.flag_review": {"review-{review_id}-flag-reason": "unkind",
                                        "review-{review_id}-flag-note": "It mocks the work instead of helping."},
    "flags.flag_post": {"reason": "spam"},
    "flags.flag_thread": {"reason": "off_topic"},
    "flags.flag_member": {"reason": "other", "note": "Insults in every thread."},
    "meeting_polls.new": {"title": "Pick a time", "timezone": "UTC", "duration_minutes": "60",
                          "slots-0": "2031-01-06T18:00", "slots-1": "2031-01-07T18:00"},
    "meeting_polls.vote": {"slot-{slot_id}": "yes"},
    "meetings.new": {"title": "A new call", "agenda": "We read chapter two.", "start": "2031-01-06T18:00",
                     "timezone": "UTC", "duration": "60", "link": "https://meet.example.org/new", "place": "",
                     "capacity": "", "repeat": "once", "until": "", "times": ""},
    "meetings.rsvp": {"answer": "going", "note": "A little late."},
    "meetings.move": {"start": "2031-01-08T18:00", "timezone": "UTC", "duration": "60", "reason": "The room is taken."},
    "meetings.cancel": {"reason": "The facilitator is ill."},
    "meetings.edit": {"title": "Weekly call", "agenda": "Chapter three.", "link": "https://meet.example.org/matrix",
                      "place": "", "capacity": "8"},
    "meetings.cancel_series": {"reason": "The circle meets in the forum instead."},
    "calendar.settings": {"action": "new"},
    "reviews_participant.revision_plan": {"body": "I will add an example to every claim."},
}


class World:
    """The people and things every route is tried against, built once per visibility."""

    def __init__(self, visibility):
        people = {name: User.register(username=name, email=f"{name}@example.org", password="password123",
                                      is_admin=(name == "admin"))
                  for name in ("owner", "facilitator", "member", "target", "peer", "bystander", "outsider",
                               "admin")}
        circle = Circle.found(owner=people["owner"], name="Matrix Circle", slug="matrix", purpose="Test access.",
                              visibility=visibility)
        for name, role in (("facilitator", FACILITATOR), ("member", MEMBER), ("target", MEMBER), ("peer", MEMBER),
                           ("bystander", MEMBER)):
            joined = Membership.join(user=people[name], circle=circle)
            if role != MEMBER:
                joined.set_role(role)
        thread = Thread.start(circle=circle, author=people["member"], title="A thread", kind="question", body="Hi")
        reply = thread.reply(author=people["member"], body="My own reply")
        held = thread.reply(author=people["member"], body="Waiting for approval", held=True)  # newcomers/
        flagged, warned = self.moderated(circle, thread, people)  # moderation/
        self.ids = {name: sessions.start(people[name]) for name in people}  # real sign-ins, one per role
        self.args = {
            "slug": circle.slug, "thread_id": thread.id, "post_id": reply.id, "username": "member",
            "membership_id": Membership.of(people["target"], circle).id,
            "invitation_id": Invitation.make(circle=circle, created_by=people["owner"]).id,
            "token": Invitation.make(circle=circle, created_by=people["owner"]).token,
            "filename": "app.css", "visibility": visibility, "held_post_id": held.id, "user_id": people["target"].id,
            "kind": "post", "target_id": flagged.id, "entry_id": warned.id,
            "session_id": people["member"].login_session.id, "reset_token": resets.make(people["target"]),
            "unsubscribe_token": unsubscribe.make(people["member"].id, "mentions", secret="matrix"),
            "address_token": account_mail.make_token(account_mail.NEW_ADDRESS, {
                "user": people["member"].id, "old": "member@example.org", "new": "member-new@example.org"},
                secret="matrix"),
        }
        pending = PendingAccount.create(nonce="matrix-nonce", username="newcomer", email="newcomer@example.org",
                                        password_hash=people["member"].password_hash, invite=self.args["token"])
        self.args["account_token"] = account_mail.make_token(account_mail.NEW_ACCOUNT, {
            "pending": pending.id, "nonce": pending.nonce}, secret="matrix")
        self.args["target_membership"] = self.args["membership_id"]
        Notice.send([people["member"]], kinds.reply_accepted(thread="A thread"))
        # The audit log has a line to show (admin.audit).
        audit.record("admin.lift_suspension", actor=people["admin"], circle=circle, subject="@target",
                     reason="They apologised.")
        # Whom they muted and blocked (people/): /settings/people lists them, the member's profile says so.
        muting.choose(people["facilitator"], people["member"], muting.MUTE)
        muting.choose(people["owner"], people["member"], muting.BLOCK)
        self.args["notice_id"] = Notice.select(Notice.id).where(Notice.user == people["member"].id).order_by(
            Notice.id.desc()).scalar()
        self.args.update(self.review_round(circle, people))
        self.args.update(self.meetings(circle, people))
        self.ghost_args = {**self.args, "slug": "no-such-circle", "thread_id": 999_999, "post_id": 999_999,
                           "membership_id": 999_999, "invitation_id": 999_999, "round_id": 999_999,
                           "draft_round_id": 999_999, "criterion_id": 999_999, "draft_criterion_id": 999_999,
                           "assignment_id": 999_999, "submission_id": 999_999, "review_id": 999_999,
                           "session_id": 999_999, "reset_token": "no-such-link", "notice_id": 999_999,
                           "unsubscribe_token": "forged", "address_token": "forged", "account_token": "forged",
                           "user_id": 999_999, "held_post_id": 999_999, "username": "no-such-person",
                           "target_id": 999_999, "entry_id": 999_999, "occurrence_id": 999_999,
                           "past_occurrence_id": 999_999, "meeting_id": 999_999, "poll_id": 999_999,
                           "slot_id": 999_999, "feed_token": "no-such-calendar"}

    @staticmethod
    def moderated(circle, thread, people):
        """moderation/: the target's post that the peer flagged, and a warning to the target (to undo)."""
        from learncircle.moderation import log
        from learncircle.moderation.models import Flag

        flagged = thread.reply(author=people["target"], body="Essays for sale, cheap.")
        Flag.create(circle=circle, target_kind="post", target_id=flagged.id, flagger=people["peer"], reason="spam")
        warned = log.record(circle, people["facilitator"], "warned", target_kind="member",
                            target_id=Membership.of(people["target"], circle).id, target_user=people["target"],
                            reason="Selling essays: see the code of conduct.")
        return flagged, warned

    @staticmethod
    def meetings(circle, people):
        """meetings/: a weekly series of three (last week's, next week's, the week after's), a poll of three
        slots, and the member's calendar address."""
        import datetime as dt

        from learncircle import clock
        from learncircle.meetings import feeds
        from learncircle.meetings.models import WEEKLY, Meeting, Occurrence, Poll, Slot

        # Six days ago at 18:00, so "next week's" is tomorrow's whatever the hour the tests run: one that has
        # ended can no longer be answered, moved or cancelled.
        start = (clock.now() - dt.timedelta(days=6)).replace(hour=18, minute=0, second=0, microsecond=0)
        meeting = Meeting.create(circle=circle, organiser=people["facilitator"], title="Weekly call", zone="UTC",
                                 local_start=start, duration_minutes=60, link="https://meet.example.org/matrix",
                                 repeat=WEEKLY, times=3)
        occurrences = [Occurrence.create(meeting=meeting, circle=circle, number=number, slot_start=at, starts_at=at,
                                         ends_at=at + dt.timedelta(hours=1))
                       for number, at in enumerate(start + dt.timedelta(days=7 * n) for n in range(3))]
        poll = Poll.create(circle=circle, author=people["facilitator"], title="Our weekly slot", zone="UTC",
                           duration_minutes=60)
        slots = [Slot.create(poll=poll, starts_at=start + dt.timedelta(days=14, hours=hours)) for hours in (0, 12, 15)]
        return {"meeting_id": meeting.id, "occurrence_id": occurrences[1].id, "past_occurrence_id": occurrences[0].id,
                "poll_id": poll.id, "slot_id": slots[0].id, "feed_token": feeds.make(people["member"])}

    @staticmethod
    def review_round(circle, people):
        """A round in reviewing (the member submitted, reviews someone, and has a review to read) and a draft.

        The bystander, a member too, took no part in it."""
        round = dict(criteria=({"name": "Clarity", "kind": "scale", "levels": ["Unclear", "Clear"]},), title="Essays",
                     brief="Write.", reviews_per_submission=1, min_prompt_length=10)
        draft = make_round(circle, people["facilitator"], publish=False, **round)
        live = make_round(circle, people["facilitator"], **round)
        for name in ("member", "target", "peer"):
            submit(live, people[name], body=f"Work by {name}")
        start_reviewing(live)
        own = Submission.get((Submission.round == live) & (Submission.author == people["member"]))
        of_own = Assignment.get(Assignment.submission == own)
        criterion = live.rubric()[0]
        review = reviewing.submit_review(of_own, {"what_works": "Clear and well argued.",
                                                  "could_be_better": "Add one more example.",
                                                  "levels": {criterion.id: 1}, "comments": {}})
        return {"round_id": live.id, "criterion_id": criterion.id, "submission_id": own.id,
                "assignment_id": Assignment.get((Assignment.round == live)
                                                & (Assignment.reviewer == people["member"])).id,
                "review_id": review.id, "draft_round_id": draft.id, "draft_criterion_id": draft.rubric()[0].id,
                # Neither wrote nor reviews any work, whichever way the allocation went: one more reviewer.
                "reviewer": people["facilitator"].id, "author": people["member"].id}


@pytest.fixture(scope="module", params=[PUBLIC, PRIVATE])
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    template, live = folder / "template.sqlite3", folder / "live.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{live}", "SECRET_KEY": "matrix",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    db.upgrade()
    with db.database.connection_context():
        built = World(request.param)
        db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(live, template)
    built.app, built.template, built.live, built.visibility = app, template, live, request.param
    return built


def restore(world):
    """Put the database back as it was built, so one case's changes never reach the next.

    A database nothing wrote to since (after a GET: LearnCircle writes nothing on a GET) is left as it is, with
    its open connections: copying it back and connecting again was most of the cost of each case that reads."""
    if not _written(world):
        return
    db.close_all()
    for suffix in ("-wal", "-shm"):
        Path(str(world.live) + suffix).unlink(missing_ok=True)
    # A new file renamed into place, never the old one overwritten: a connection some other thread still
    # holds keeps the old file, and cannot write its pages into the new one.
    fresh = Path(str(world.live) + ".fresh")
    shutil.copy(world.template, fresh)
    os.replace(fresh, world.live)
    world.stamp = _stamp(world)


def _stamp(world):
    state = os.stat(world.live)
    return state.st_mtime_ns, state.st_size


def _written(world):
    """Whether anything was written since the database was last restored: the write-ahead log holds a
    transaction (a reader leaves it empty), or one was checkpointed into the file itself."""
    wal = Path(str(world.live) + "-wal")
    return (wal.exists() and wal.stat().st_size > 0) or _stamp(world) != getattr(world, "stamp", None)


def url_of(world, endpoint, ghost=False, live=False):
    """The endpoint's URL for the world's objects (or for objects that do not exist); live: the round under
    review even for a route tried on the draft."""
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
    args = world.ghost_args if ghost else world.args
    values = {name: args[name] for name in rule.arguments}
    if endpoint == "vendor.static":
        values["filename"] = "htmx.min.js"
    if endpoint == "calendar.feed":
        values["token"] = args["feed_token"]
    if endpoint in PAST_MEETING_ROUTES:
        values["occurrence_id"] = args["past_occurrence_id"]
    if endpoint in DRAFT_ROUTES and not live:  # the rubric is edited, and the round published, while a draft
        values = {**values, "round_id": args["draft_round_id"]}
        if "criterion_id" in values:
            values["criterion_id"] = args["draft_criterion_id"]
    with world.app.test_request_context():
        return url_for(endpoint, **values)


def request_as(world, role, endpoint, method, ghost=False, form=None, live=False):
    restore(world)
    client = world.app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.ids[role]
    if form is None:
        form = {key.format(**world.args): str(value).format(**world.args)
                for key, value in FORMS.get(endpoint, {}).items()}
    return client.open(url_of(world, endpoint, ghost, live), method=method, data=form if method == "POST" else None)


def outcome(response):
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and "/login" in location:
        return LOGIN
    if 200 <= status < 300 or status in (301, 302, 303):
        return ALLOW
    return status  # 422 included: a refused form proves nothing about access


def route_cases():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "x"})
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method


def test_every_route_has_a_policy():
    missing = sorted(set(route_cases()) - set(POLICIES))
    assert missing == [], f"routes with no access policy: {missing}"
    assert not set(POLICIES) - set(route_cases()), "policies for routes that no longer exist"
    assert not set(FORMS) - {endpoint for endpoint, method in POLICIES}, "forms for routes that no longer exist"


def policy_failures(world, endpoint, method, rules, live=False):
    """Each role whose answer differs from the policy's, said in one line; empty when all agree."""
    failures = []
    for role in ROLES:
        expected = rules[role]
        if isinstance(expected, tuple):
            expected = expected[0] if world.visibility == PUBLIC else expected[1]
        got = outcome(request_as(world, role, endpoint, method, live=live))
        if expected == HIDDEN:
            expected = outcome(request_as(world, role, endpoint, method, ghost=True, live=live))
            assert expected in (404, LOGIN), f"{endpoint} {method}: a missing object answers {expected}"
        if got != expected:
            hint = " (the form was refused: give the route a valid body in FORMS)" if got == 422 else ""
            failures.append(f"{role}: expected {expected}, got {got}{hint}")
    return failures


@pytest.mark.parametrize("endpoint, method", sorted(POLICIES))
def test_access(world, endpoint, method):
    failures = policy_failures(world, endpoint, method, POLICIES[(endpoint, method)])
    assert failures == [], f"{endpoint} {method} ({world.visibility}): " + "; ".join(failures)


# The routes tried on the draft, tried on the round under review: its people are refused, not told it does
# not exist; those who run it get the page, or are told why nothing changed (a rubric fixed once
# reviewers are allocated answers 422; publishing or deleting a published round, a message and 303).
RUN_THE_ROUND = policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN))
FIXED = {**RUN_THE_ROUND, "facilitator": 422, "owner": 422}
LIVE_ROUND = {
    ("reviews_rubric.builder", "GET"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                              facilitator=ALLOW, owner=ALLOW),
    ("reviews_rubric.criterion", "GET"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                                facilitator=ALLOW, owner=ALLOW),
    ("reviews_rubric.add_criterion", "POST"): FIXED,
    ("reviews_rubric.criterion_editor", "GET"): FIXED,
    ("reviews_rubric.edit_criterion", "POST"): FIXED,
    ("reviews_rubric.remove_criterion", "POST"): FIXED,
    ("reviews_rubric.copy_rubric", "POST"): FIXED,  # no earlier round to copy from, and fixed anyway
    # The only criterion, moved down: nothing to move, so nothing is refused.
    ("reviews_rubric.move_criterion", "POST"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                                      facilitator=ALLOW, owner=ALLOW),
    ("reviews_facilitator.publish", "POST"): policy(403, anonymous=VISITOR, outsider=per_visibility(403, HIDDEN),
                                                    facilitator=ALLOW, owner=ALLOW),
    ("reviews_facilitator.discard_round", "POST"): policy(403, anonymous=VISITOR,
                                                          outsider=per_visibility(403, HIDDEN),
                                                          facilitator=ALLOW, owner=ALLOW),
}


def test_every_route_tried_on_the_draft_is_tried_on_the_round_under_review():
    assert set(LIVE_ROUND) == {(endpoint, method) for (endpoint, method), rule in POLICIES.items()
                               if rule is DRAFT_MANAGERS}


@pytest.mark.parametrize("endpoint, method", sorted(LIVE_ROUND))
def test_access_to_the_round_under_review(world, endpoint, method):
    failures = policy_failures(world, endpoint, method, LIVE_ROUND[(endpoint, method)], live=True)
    assert failures == [], f"{endpoint} {method} ({world.visibility}, under review): " + "; ".join(failures)


# A member of the circle who neither wrote the work nor reviews it: the round is open to them, the work is not.
BYSTANDER = {
    ("reviews_participant.round", "GET"): ALLOW,
    ("reviews_participant.my_submission", "GET"): ALLOW,
    ("reviews_participant.my_submission", "POST"): ALLOW,  # late work is still taken, marked late
    ("reviews_participant.submission", "GET"): 403,
    ("reviews_participant.review", "GET"): 403,
    ("reviews_participant.save_draft", "POST"): 403,
    ("reviews_participant.submit_review", "POST"): 403,
    ("reviews_participant.rate_review", "POST"): 403,
    ("reviews_participant.flag_review", "POST"): 403,
    ("reviews_participant.revision_plan", "POST"): 403,
}


@pytest.mark.parametrize("endpoint, method", sorted(BYSTANDER))
def test_the_work_is_closed_to_members_it_does_not_concern(world, endpoint, method):
    assert outcome(request_as(world, "bystander", endpoint, method)) == BYSTANDER[(endpoint, method)]


def test_numbers_that_name_nothing_are_not_found(world):
    """An id of nothing, or larger than a database holds (a 404, never a crash), to the person whose work it is."""
    restore(world)
    client = world.app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world.ids["member"]
    huge = 10**25
    for url in ("/r/999999", "/s/999999", "/a/999999", "/r/999999/submission", f"/s/{huge}", f"/a/{huge}",
                f"/r/{huge}", f"/r/{world.args['round_id']}/submission?version={huge}", "/r/999999/board"):
        assert client.get(url).status_code == 404, url
    for url in ("/reviews/999999/rate", "/reviews/999999/flag", "/s/999999/plan", "/a/999999/draft",
                "/a/999999/submit", f"/reviews/{huge}/rate", "/reviews/999999/hide"):
        assert client.post(url).status_code == 404, url


# RFC 8058's one-click unsubscribe is POSTed by a mail program, which has no CSRF token: its signed token is
# its authority (tests/test_mail_accounts.py checks it refuses a forged one).
CSRF_EXEMPT = {"mail.unsubscribe_page"}


@pytest.mark.parametrize("endpoint", sorted({endpoint for endpoint, method in POLICIES if method == "POST"}
                                            - CSRF_EXEMPT))
def test_every_post_needs_the_csrf_token(world, endpoint):
    world.app.config["WTF_CSRF_ENABLED"] = True
    try:
        for role in ("anonymous", "owner"):
            response = request_as(world, role, endpoint, "POST")
            assert response.status_code == 400, f"{endpoint} as {role} answered {response.status_code} without a token"
            assert "expired" in response.get_data(as_text=True)
    finally:
        world.app.config["WTF_CSRF_ENABLED"] = False



JUNK = ["", "x" * 60_000, "-1", "99999999999999999999999", "2031-13-45T99:99", "\x00\ufffd<script>", "NaN"]


@pytest.mark.parametrize("endpoint", sorted({endpoint for endpoint, method in POLICIES if method == "POST"}))
def test_junk_in_any_form_is_refused_without_a_server_error(world, endpoint):
    fields = {key.format(**world.args) for key in FORMS.get(endpoint, {})} | {"body", "title", "name", "role",
                                                                               "page", "next", "form_key"}
    for role in ("member", "owner"):
        for junk in JUNK:
            response = request_as(world, role, endpoint, "POST", form={field: junk for field in fields})
            assert response.status_code < 500, f"{endpoint} as {role} with {junk[:20]!r}: {response.status_code}"
