"""Peer review rounds: members submit work, review each other's against a rubric, and rate the
reviews they get; facilitators set the round up and run it.

The web side, by audience (each a blueprint whose routes get their objects loaded and checked once,
by loading.py):
  participant/     views.py: a circle's rounds, the round page, one's own submission, reading a
                   submission and its reviews, the review form; forms.py; queries.py
  facilitator/     views.py: new rounds, settings, phases, deadlines, the board (swaps, added
                   reviewers, nudges, the CSV export), hiding reviews, pairs kept apart;
                   rubric_views.py: the rubric builder; forms.py; queries.py
  loading.py       each object an address names, with its round and circle, refused (404/403) to
                   those who may not reach it
  access.py        every "who may" of peer review

The domain, which never sees a request:
  rules.py         vocabulary, limits and validation (ValidationError, Refused)
  models.py        the tables; a round's settings, phases and manual moves
  rubric.py        changing a round's rubric
  expectations.py  what a round expects of one person now, and whether it still takes their work
  submitting.py    submissions and their versions, revision plans
  reviewing.py     drafts, submitting a review, ratings, flags (moderation's, by the work's author), hiding
  flagged.py       which reviews were flagged (moderation's Flag rows), for the board and the results
  results.py       what authors and reviewers read, anonymity applied
  board.py         the facilitator's board, the CSV export and the nudge
  pending.py       what waits for one person across their circles, in one query
  pairs.py         reviewers kept apart from authors
  solver.py        the allocation algorithm, pure (min-cost flow: no self-review, pairs kept apart,
                   balanced loads, earlier pairs avoided)
  shortfalls.py    what an allocation could not do: kinds and numbers kept on the round, said in
                   the reader's language
  allocation.py    allocation in the database: solved outside the write lock, written once; late
                   arrivals, swaps, added reviewers
  background_allocation.py  the server's thread that allocates each round at its deadline
"""
