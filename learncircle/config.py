"""Settings: defaults here, then instance/config.py, then LEARNCIRCLE_* environment variables.

Every setting a deployer may change is listed in SETTINGS with its default and meaning; the README's
table is checked against this list by the test suite, so a new setting cannot go undocumented.
"""
import os
import secrets
from pathlib import Path

REGISTRATION_MODES = ("open", "invite", "closed")

# name -> (default, what it means). A default of None is computed at start-up.
SETTINGS = {
    "DATABASE_URL": (None, "Database URL; default: a SQLite file `learncircle.sqlite3` in the instance folder. "
                           "`postgresql://user:pass@host/db` works too (install the `postgres` extra)."),
    "SECRET_KEY": (None, "Signs sessions and CSRF tokens; default: generated once into `instance/secret_key` (mode 600)."),
    "REGISTRATION": ("invite", "Who may create an account: `open`, `invite` (only through a circle's invitation link) or `closed`."),
    "SITE_NAME": ("LearnCircle", "Name shown in the header and page titles."),
    "BASE_URL": ("http://127.0.0.1:5000", "Public address, used in links; an `https://` address also marks cookies Secure."),
    "LOGIN_LIMIT": ("10 per 15 minutes", "Failed-login budget, both per account and per client address."),
    "RATELIMIT_STORAGE_URI": ("memory://", "Where rate-limit counters live (Flask-Limiter storage URI)."),
    "PROXY_COUNT": (0, "How many reverse proxies stand in front of LearnCircle and set `X-Forwarded-For` and "
                       "`X-Forwarded-Proto`; with 0 those headers are ignored, as anyone could forge them."),
}


def defaults(instance_path):
    config = {name: default for name, (default, _) in SETTINGS.items()}
    config["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "learncircle.sqlite3")
    return config


def from_environment(prefix="LEARNCIRCLE_"):
    """Read LEARNCIRCLE_<SETTING> variables as plain strings."""
    return {name: os.environ[prefix + name] for name in SETTINGS if prefix + name in os.environ}


def ensure_secret_key(instance_path):
    """Return the instance's secret key, creating it (readable by the owner only) on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def check(config):
    """Refuse to start with a setting that cannot work, naming it."""
    if config["REGISTRATION"] not in REGISTRATION_MODES:
        raise ValueError(f"REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}, not {config['REGISTRATION']!r}")
    if not str(config["PROXY_COUNT"]).isdigit():
        raise ValueError(f"PROXY_COUNT must be a whole number of proxies (0 without one), not {config['PROXY_COUNT']!r}")
