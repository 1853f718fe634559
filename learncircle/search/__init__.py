"""Search: thread titles and posts, in one circle or in all of one's circles (query.py reads what was typed,
index.py finds and ranks, marks.py marks the words found, views.py serves the pages)."""
