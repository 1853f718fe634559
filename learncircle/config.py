"""Settings: defaults here, then instance/config.py, then LEARNCIRCLE_* environment variables.

Every setting a deployer may change is listed in SETTINGS with its default and meaning; the README's
table is checked against this list by the test suite, so a new setting cannot go undocumented.
"""
import os
from pathlib import Path

from limits import parse_many

REGISTRATION_MODES = ("open", "invite", "closed")
RATE_LIMITS = ("LOGIN_LIMIT", "LOGIN_ACCOUNT_LIMIT", "LOGIN_ADDRESS_LIMIT", "REGISTRATION_LIMIT", "POSTING_LIMIT",
               "PREVIEW_LIMIT", "INVITATION_LIMIT", "FLAG_LIMIT")

# name -> (default, what it means). A default of None is computed at start-up.
SETTINGS = {
    "DATABASE_URL": (None, "Database URL; default: a SQLite file `learncircle.sqlite3` in the instance folder. "
                           "`postgresql://user:pass@host/db` works too (install the `postgres` extra)."),
    "SECRET_KEY": (None, "Signs sessions and CSRF tokens (at least 32 characters); default: generated once "
                         "into `instance/secret_key` (mode 600)."),
    "REGISTRATION": ("invite", "Who may create an account: `open`, `invite` (only through a circle's invitation "
                               "link) or `closed`."),
    "SITE_NAME": ("LearnCircle", "Name shown in the header and page titles."),
    "DEFAULT_LANGUAGE": ("en", "Language of pages for people who chose none and whose browser asks for none that "
                               "LearnCircle speaks: `en`, `de` or `es` (one of `learncircle/translations/`)."),
    "BASE_URL": (None, "Public address, used in links that leave the page (invitations, what the CLI prints); "
                       "default: not set, so links use the address confirmed on the setup page, or the one the "
                       "browser used. An `https://` address also marks cookies Secure; unset, cookies are Secure "
                       "on requests that came over https."),
    "LOGIN_LIMIT": ("10 per 15 minutes", "Failed logins for one account (or unknown name) from one client address, "
                                          "and from one browser that has signed in to that account before."),
    "LOGIN_ACCOUNT_LIMIT": ("30 per hour", "Failed logins for one account from browsers that never signed in to it, "
                                           "from any address; once spent, only such browsers are refused."),
    "LOGIN_ADDRESS_LIMIT": ("300 per hour", "Failed logins from one client address over all accounts (large: a "
                                            "school or café shares one address)."),
    "REMEMBER_DAYS": (30, "How long \"remember me\" keeps a browser signed in; no session lasts longer."),
    "SESSION_IDLE_DAYS": (14, "A session not used for this many days ends."),
    "REGISTRATION_LIMIT": ("60 per hour", "New accounts from one client address."),
    "POSTING_LIMIT": ("60 per hour", "New threads and replies, together, from one account."),
    "PREVIEW_LIMIT": ("300 per hour", "Markdown previews from one account."),
    "INVITATION_LIMIT": ("30 per hour", "Invitation links made by one account."),
    "FLAG_LIMIT": ("20 per hour", "Flags (reports to a circle's facilitators) sent by one account."),
    "RATELIMIT_STORAGE_URI": ("memory://", "Where rate-limit counters live (Flask-Limiter storage URI); several "
                                           "processes share one budget through `redis://host:port` (the `redis` "
                                           "extra)."),
    "NEW_MEMBER_DAYS": (3, "Days a member stays new in a circle after joining (0: nobody is new); each circle may "
                           "set its own."),
    "NEW_MEMBER_POSTS": (3, "Accepted posts (shown, not deleted) after which a member is no longer new there, "
                            "however soon (0: nobody is new)."),
    "NEW_MEMBER_THREADS_PER_DAY": (2, "New threads a new member may start in a circle in 24 hours."),
    "NEW_MEMBER_LINKS": (2, "Links a new member's post may hold."),
    "NEW_MEMBER_IMAGES": (0, "Markdown images a new member's post may hold."),
    "NEW_MEMBER_APPROVAL": (False, "Whether a new member's first post in a circle waits for a facilitator's "
                                   "approval (`true` or `false`)."),
    "PROXY_COUNT": (0, "How many reverse proxies stand in front of LearnCircle and set `X-Forwarded-For` and "
                       "`X-Forwarded-Proto`; with 0 those headers are ignored, as anyone could forge them."),
    "CONNECTION_LIMIT": (1000, "Most client connections `learncircle serve` holds open at once (the open-file "
                               "limit is raised to match when the system allows)."),
    "CONNECTION_TIMEOUT": (30, "Seconds a connection may stay idle, or take to send one whole request, before "
                               "`learncircle serve` closes it."),
    "NOTICE_POLL_SECONDS": (60, "How often an open page asks whether new notices arrived, in seconds (never while "
                                "the tab is hidden); the answer is a few bytes, or none when nothing changed."),
    "AUDIT_RETENTION_DAYS": (365, "Days the audit log of admin and moderation actions (who, what, when, from "
                                  "which address) is kept; older entries are deleted."),
    "REMOVED_RETENTION_DAYS": (90, "Days a post, thread or review a moderator deleted is kept for the circle's "
                                    "owner and the instance admins to restore; then it is deleted for good."),
    "ACCOUNT_DELETION_DAYS": (14, "Days between a member asking to delete their account and its deletion; "
                                  "signing in meanwhile can cancel it."),
    "SMTP_HOST": (None, "Mail server that sends LearnCircle's email; empty: no email at all (notices stay on the "
                      "site, forgotten passwords go through the organiser)."),
    "SMTP_PORT": (587, "Port of the mail server (587 for STARTTLS, 465 for TLS, 25 for neither)."),
    "SMTP_SECURITY": ("starttls", "How the connection to the mail server is protected: `starttls`, `tls` or "
                                  "`none` (only for a server on the same machine)."),
    "SMTP_USER": (None, "User name to log in to the mail server with; empty: no login."),
    "SMTP_PASSWORD": (None, "Password to log in to the mail server with."),
    "MAIL_SENDER": (None, "The From address of every email, e.g. `LearnCircle <circles@example.org>`; required "
                        "when SMTP_HOST is set."),
}
SMTP_SECURITY = ("starttls", "tls", "none")
NEW_MEMBER_NUMBERS = ("NEW_MEMBER_DAYS", "NEW_MEMBER_POSTS", "NEW_MEMBER_THREADS_PER_DAY", "NEW_MEMBER_LINKS",
                      "NEW_MEMBER_IMAGES")
_YES, _NO = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")


def is_on(value):
    """A yes-or-no setting as True or False: a bool from instance/config.py, or a word from the environment."""
    return value if isinstance(value, bool) else str(value).strip().lower() in _YES


def defaults(instance_path):
    config = {name: default for name, (default, _) in SETTINGS.items()}
    config["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "learncircle.sqlite3")
    return config


def from_environment(prefix="LEARNCIRCLE_"):
    """Read LEARNCIRCLE_<SETTING> variables as plain strings."""
    return {name: os.environ[prefix + name] for name in SETTINGS if prefix + name in os.environ}


def check(config):
    """Refuse to start with a setting that cannot work, naming it."""
    if config["REGISTRATION"] not in REGISTRATION_MODES:
        raise ValueError(f"REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}, not {config['REGISTRATION']!r}")
    if config.get("BASE_URL"):
        from .site import normalised
        if normalised(config["BASE_URL"]) is None:
            raise ValueError(f"BASE_URL must be an http:// or https:// address such as https://learn.example.org, "
                             f"not {config['BASE_URL']!r}")
    for name in ("REMEMBER_DAYS", "SESSION_IDLE_DAYS"):
        if not str(config[name]).isdigit() or int(config[name]) < 1:
            raise ValueError(f"{name} must be a whole number of days, 1 or more, not {config[name]!r}")
    for name in RATE_LIMITS:
        try:
            parse_many(str(config[name]))
        except ValueError:
            raise ValueError(f"{name} must be a rate such as \"10 per hour\", not {config[name]!r}") from None
    for name in ("CONNECTION_LIMIT", "CONNECTION_TIMEOUT", "NOTICE_POLL_SECONDS", "AUDIT_RETENTION_DAYS",
                 "REMOVED_RETENTION_DAYS", "ACCOUNT_DELETION_DAYS"):
        if not str(config[name]).isdigit() or int(config[name]) < 1:
            raise ValueError(f"{name} must be a whole number, 1 or more, not {config[name]!r}")
    if config.get("SMTP_HOST"):
        if config["SMTP_SECURITY"] not in SMTP_SECURITY:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, "
                             f"not {config['SMTP_SECURITY']!r}")
        if not str(config["SMTP_PORT"]).isdigit() or not 0 < int(config["SMTP_PORT"]) < 65536:
            raise ValueError(f"SMTP_PORT must be a port number, not {config['SMTP_PORT']!r}")
        if "@" not in str(config.get("MAIL_SENDER") or ""):
            raise ValueError("MAIL_SENDER must be an address such as circles@example.org when SMTP_HOST is set")
    for name in NEW_MEMBER_NUMBERS:
        if not str(config[name]).isdigit():
            raise ValueError(f"{name} must be a whole number, 0 or more, not {config[name]!r}")
    approval = config["NEW_MEMBER_APPROVAL"]
    if not isinstance(approval, bool) and str(approval).strip().lower() not in _YES + _NO:
        raise ValueError(f"NEW_MEMBER_APPROVAL must be true or false, not {approval!r}")
    if not str(config["PROXY_COUNT"]).isdigit():
        raise ValueError("PROXY_COUNT must be a whole number of proxies (0 without one), "
                         f"not {config['PROXY_COUNT']!r}")
