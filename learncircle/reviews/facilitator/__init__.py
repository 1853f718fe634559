"""Peer review for the people who run it: creating and setting up a round, its rubric, moving it
through its phases, the board with swaps, added reviewers, nudges and the export, hiding reviews,
and the pairs kept apart (views.py, with its forms in forms.py and its queries in queries.py)."""
