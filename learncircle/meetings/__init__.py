"""Live meetings ("meetings", since "session" means a signed-in browser): scheduling across time zones, finding a
time that is fair to every zone, answers with capacity and a waiting list, reminders, calendar files and feeds,
attendance, notes that become a thread, and the facilitators' private reflections.

  models.py          the tables (a series is written out as one row per occurrence)
  recurrence.py      when a series' occurrences fall: wall time kept in the organiser's zone
  access.py          who may see, answer, schedule, reflect
  loading.py         what an address names, loaded once per request by every blueprint
  views.py           scheduling, a meeting's page, answers, moving and cancelling (blueprint `meetings`)
  poll_views.py      finding a time (blueprint `meeting_polls`)
  record_views.py    the rhythm page, attendance, notes and reflections (blueprint `meeting_records`)
  calendar_views.py  .ics files and each member's private feed (blueprint `calendar`)
"""
