"""Live meetings ("meetings", since "session" means a signed-in browser): scheduling across time zones, finding a
time that is fair to every zone, answers with capacity and a waiting list, reminders, calendar files and feeds,
attendance, notes that become a thread, and the facilitators' private reflections. docs/meetings.md says how.

  models.py           the tables (a series is written out as one row per occurrence)
  recurrence.py       when a series' occurrences fall: wall time kept in the organiser's zone (pure)
  times.py            a meeting's time in the reader's zone, the organiser's beside it
  access.py           who may see, answer, schedule, reflect
  loading.py          what an address names, loaded once per request by every blueprint
  scheduling.py       scheduling, moving, cancelling, editing, and who is told
  rsvp.py             answers, places, the waiting list
  reminders.py        a day and an hour before (a housekeeping job); commands.py: `learncircle remind`
  fairness.py         how inconvenient a time is for whom, the ranking, taking turns (pure)
  polls.py            finding a time: polls, votes, results, who took the bad hour how often
  records.py          attendance and notes after a meeting, the notes' thread, telling the absent
  reflections.py      the facilitators' private reflections
  rhythm.py           the Meetings page's lists: coming up, the last notes, attendance over time
  calendar.py         .ics files; feeds.py: each member's private calendar address
  notice_kinds.py     what meeting notices say
  views.py, forms.py                 scheduling and a meeting's page (blueprint `meetings`)
  poll_views.py, poll_forms.py       finding a time (blueprint `meeting_polls`)
  record_views.py, record_forms.py   the Meetings page, attendance, notes, reflections (`meeting_records`)
  calendar_views.py                  .ics files, feeds, the calendar settings page (blueprint `calendar`)
"""
