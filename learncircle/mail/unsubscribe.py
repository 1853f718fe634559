"""One-click unsubscribe: a signed token naming a member and a category of mail, needing no login.

Signed with the app's SECRET_KEY and a salt of its own, so no other signed value of the app (a session)
can pass for one. It never expires: a link in an old mail must still work.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .preferences import CATEGORIES, DIGEST_LABELS

SALT = "learncircle.mail.unsubscribe"
TOKEN_MAX = 200


def _serializer(secret=None):
    return URLSafeSerializer(secret or current_app.config["SECRET_KEY"], salt=SALT)


def make(user_id, category, secret=None):
    return _serializer(secret).dumps([int(user_id), category])


def read(token):
    """(user id, category or digest name) a token names, or None when it is forged, tampered with or not one of ours."""
    if not token or len(token) > TOKEN_MAX:
        return None
    try:
        user_id, category = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or (category not in CATEGORIES and category not in DIGEST_LABELS):
        return None
    return user_id, category
