"""Trust and safety in a circle: flags to its facilitators, their review queue, hiding by flags, and the
moderation log every member reads.

  models.py    Flag, LogEntry (the circle's log), Removed (what a moderator deleted, kept for restoring)
  log.py       recording an action in the circle's log and the instance's audit log at once
  hiding.py    hiding an item and showing it again (a moderator's, members' flags', an approval's)
  flags.py     members' flags, their receipts and notices, auto-hide, asking for another look
  queue.py     the review queue: items with open flags or a request for another look, the authors' history
  actions.py   keep, hide, delete, warn, suspend, remove, and undoing each (hooks.py: other pages' buttons)
  logbook.py   the moderation log as one reader reads it; retention.py: what moderators deleted, then purged
  (the rest: DEVELOPERS.md)
"""
