"""Peer review rounds.

rules (vocabulary, limits, validation, errors) · models (tables, phases, manual moves, rubric) ·
allocation (pure reviewer allocation) · allocating (allocation in the database, swaps) · worker
(the background allocation) · pairs (reviewers kept apart from authors) ·
submitting · reviewing (drafts, submit, ratings, flags, hiding) · results (what authors and
reviewers read, anonymity applied) · board (facilitator board, CSV export, nudge) · access (who may).
"""
