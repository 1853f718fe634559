"""Trust and safety in a circle: flags to its facilitators, their review queue, hiding by flags, and the
moderation log every member reads.

  models.py    Flag, LogEntry (the circle's log), Removed (what a moderator deleted, kept for restoring)
  log.py       recording an action in the circle's log and the instance's audit log at once
"""
