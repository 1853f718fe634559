"""Which mail a member gets: per category, immediately, in a daily or weekly digest, or never.

Categories gather notice kinds (notices/kinds.py) a person thinks of as one thing. The defaults mail at
once what is addressed to one person and asks for them (a mention, an accepted answer, review work, a
facilitator's word); replies in watched threads and new threads wait for the daily digest; reactions are
never mailed unless asked for. No row: the default.
"""
from ..db import database
from ..i18n import lazy_gettext as _l
from .models import MailPreference

IMMEDIATELY, DAILY, WEEKLY, NEVER = "immediately", "daily", "weekly", "never"
OFFERED = (IMMEDIATELY, DAILY, WEEKLY, NEVER)
DIGESTS = (DAILY, WEEKLY)
FREQUENCY_LABELS = {IMMEDIATELY: _l("Immediately"), DAILY: _l("Daily digest"), WEEKLY: _l("Weekly digest"),
                    NEVER: _l("Never")}

# category -> (label, notice kinds, default)
CATEGORIES = {
    "mentions": (_l("Someone mentions you"), ("mentioned",), IMMEDIATELY),
    "answers": (_l("Your reply is marked as the answer"), ("reply_accepted",), IMMEDIATELY),
    "replies": (_l("Replies in threads you watch"), ("thread_replied", "thread_replies"), DAILY),
    # Mailed at once: a new thread in a circle one watches; in a digest: the new threads of all one's circles.
    "new_threads": (_l("New threads in your circles"), ("thread_started",), DAILY),
    "reactions": (_l("Helpful and thanks on your posts"), ("post_found_helpful", "post_thanked"), NEVER),
    "reviews": (_l("Peer review: reviews to do, reviews of your work, reminders"),
                ("review_arrived", "review_rated", "review_flagged", "submission_reminder", "review_reminder",
                 "reviewing_started", "late_submission_assigned", "review_assigned"), IMMEDIATELY),
    "facilitators": (_l("Facilitators: a welcome, a check-in, a decision about your posts or a warning"),
                     ("facilitator_welcome", "facilitator_check_in", "post_hidden",
                      # moderators' decisions (moderation/actions.py)
                      "content_hidden", "content_shown", "content_removed", "content_restored", "moderation_warning",
                      "warning_withdrawn", "circle_suspension", "suspension_lifted", "removed_from_circle",
                      "readmitted_to_circle",
                      "post_approved", "post_not_approved",  # a new member's post (newcomers/)
                      "hidden_by_flags"), IMMEDIATELY),
    # For a circle's moderators: gathered while unread, so a wave of flags is one notice, and one mail.
    "moderating": (_l("Moderating: flags, requests for another look, posts waiting for approval"),
                   ("flags_to_review", "another_look_asked", "approval_waiting"), IMMEDIATELY),
    # The receipt of a flag stays on the site; what came of it is worth a line in the digest.
    "flags": (_l("What came of what you flagged"), ("flag_resolved",), DAILY),
    # Live meetings (meetings/): reminders and changes are worth nothing a day late; a missed meeting's notes
    # are reading for the digest.
    "meetings": (_l("Meetings: new ones, reminders, a change of time or a cancellation, a poll to find a time"),
                 ("meeting_scheduled", "meeting_reminder", "meeting_moved", "meeting_cancelled", "meeting_changed",
                  "meeting_place_opened", "poll_opened"), IMMEDIATELY),
    "meeting_notes": (_l("Notes of a meeting you missed"), ("meeting_notes",), DAILY),
}
# What a digest's unsubscribe link stops: every category set to that digest.
DIGEST_NAME = {DAILY: "daily_digest", WEEKLY: "weekly_digest"}
DIGEST_LABELS = {"daily_digest": _l("Your daily digest"), "weekly_digest": _l("Your weekly digest")}
CATEGORY_OF = {kind: category for category, (_, kinds, _) in CATEGORIES.items() for kind in kinds}

def default(category):
    return CATEGORIES[category][2]

def choices(user_id):
    """{category: frequency} of one member, defaults filled in."""
    stored = {row.category: row.frequency
              for row in MailPreference.select().where(MailPreference.user == user_id)}
    return {category: stored.get(category, default(category)) for category in CATEGORIES}

def who_wants(user_ids, category, frequency=IMMEDIATELY):
    """The ids among user_ids whose choice for category is frequency: one query for all of them."""
    chosen = dict(MailPreference.select(MailPreference.user, MailPreference.frequency)
                  .where((MailPreference.user.in_(list(user_ids))) & (MailPreference.category == category))
                  .tuples())
    return [user_id for user_id in user_ids if chosen.get(user_id, default(category)) == frequency]

def choose(user_id, category, frequency):
    """Store one choice (ValueError for an unknown category or frequency)."""
    if category not in CATEGORIES or frequency not in (IMMEDIATELY, DAILY, WEEKLY, NEVER):
        raise ValueError(f"no such choice: {category}={frequency}")
    with database.atomic():
        (MailPreference.insert(user=user_id, category=category, frequency=frequency)
         .on_conflict(conflict_target=[MailPreference.user, MailPreference.category],
                      update={MailPreference.frequency: frequency}).execute())

def choose_all(user_id, frequencies):
    with database.atomic():
        for category, frequency in frequencies.items():
            choose(user_id, category, frequency)



def label(what):
    """What an unsubscribe link names (a category or a digest), as the page says it."""
    return DIGEST_LABELS[what] if what in DIGEST_LABELS else CATEGORIES[what][0]


def stop(user_id, what):
    """Stop one category of mail, or (a digest's name) every category that digest carries."""
    if what in CATEGORIES:
        return choose(user_id, what, NEVER)
    frequency = next(key for key, name in DIGEST_NAME.items() if name == what)
    with database.atomic():
        for category, chosen in choices(user_id).items():
            if chosen == frequency:
                choose(user_id, category, NEVER)
