"""Email: a durable outbox sent by a background thread or `learncircle send-mail`, per-member preferences,
one-click unsubscribe, and the account mails (password reset, address checks). Off without SMTP_HOST."""
from flask import current_app


def enabled(app=None):
    """Whether this instance sends email at all (SMTP_HOST is set)."""
    return bool((app or current_app).config.get("SMTP_HOST"))
