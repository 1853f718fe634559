"""In-app notices: short messages for one person, with a link to where they should look.

models.py (Notice: sent by the features, counted, listed, marked read) · views.py (the notices
page) · badge.py (the unread count in the site header).
"""
