"""Peer review for the people taking part: a circle's rounds, the round page, one's own submission,
reading a submission and its reviews, writing a review, feedback on feedback (views.py, with its
forms in forms.py and its few queries in queries.py)."""
