"""People one chooses not to hear from: muting and blocking another member (docs/moderation.md).

  models.py    Block (one row per person, other person and kind), choosing and undoing, and the columns and
               conditions that the thread page, the thread list, notices and the digest ask
  access.py    who may mute or block whom
  views.py     the profile's Mute and Block buttons, and /settings/people (whom one muted and blocked)
"""
