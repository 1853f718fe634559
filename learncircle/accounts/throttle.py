"""Failed-login budgets that slow guessing down without locking a classroom out.

OWASP's "device cookie" scheme, with budgets counted in Flask-Limiter's storage:

- A browser that has signed in to an account before holds a signed device cookie naming that
  account. Its attempts on that account are judged only by that browser's own budget (LOGIN_LIMIT),
  so no one elsewhere can lock the owner out of their own laptop or phone.
- Any other attempt on a real account spends, and is refused when any is spent: the budget of the
  account from that address (LOGIN_LIMIT), of the account from browsers it has never used
  (LOGIN_ACCOUNT_LIMIT), and of the address over all accounts (LOGIN_ADDRESS_LIMIT, large, as a
  school or a café shares one address).
- A name that is no account spends only its own budget from that address and the address's: typing
  made-up names cannot lock anybody out.

Only failures spend. Nothing here reads the request; the view says who is asking from where.
"""
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse

from ..limits import limiter

DEVICE_COOKIE = "device"
DEVICE_COOKIE_DAYS = 365
# Enough for a family or a classroom computer shared by a few people; the oldest is dropped first.
DEVICES_KEPT = 10
_SCOPE = "login"


@dataclass
class Attempt:
    """One login attempt: the account the typed name is (or None), the name, the address, the device."""

    account_id: int | None
    typed: str
    address: str
    device: str | None  # this browser's device nonce for the account, when it has one

    def budgets(self):
        """(setting, key) of every budget this attempt is judged by and spends."""
        if self.device is not None:
            return [("LOGIN_LIMIT", f"device:{self.device}")]
        # No account has a longer name or email: a longer one is cut, so nobody can make huge counters.
        who = f"account:{self.account_id}" if self.account_id is not None else f"name:{self.typed[:254]}"
        budgets = [("LOGIN_LIMIT", f"{who}@{self.address}"), ("LOGIN_ADDRESS_LIMIT", f"address:{self.address}")]
        if self.account_id is not None:
            budgets.append(("LOGIN_ACCOUNT_LIMIT", f"untrusted:{self.account_id}"))
        return budgets


def _counting():
    return current_app.config.get("RATELIMIT_ENABLED", True) and limiter.enabled and limiter.initialized


def refused(attempt):
    """True when a budget this attempt is judged by is spent: refuse it without checking the password."""
    if not _counting():
        return False
    return any(not limiter.limiter.test(parse(current_app.config[setting]), _SCOPE, key)
               for setting, key in attempt.budgets())


def failed(attempt):
    """Count a wrong password (or an unknown name) against every budget of the attempt."""
    if _counting():
        for setting, key in attempt.budgets():
            limiter.limiter.hit(parse(current_app.config[setting]), _SCOPE, key)


# ---- device cookies -----------------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="learncircle-device")


def devices(cookie_value):
    """[(account id, nonce), …] from a device cookie; empty when it is missing, forged or damaged."""
    if not cookie_value:
        return []
    try:
        entries = _serializer().loads(cookie_value)
    except (BadSignature, ValueError, TypeError):
        return []
    if not isinstance(entries, list):
        return []
    return [(entry[0], entry[1]) for entry in entries
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int) and isinstance(entry[1], str)]


def device_for(cookie_value, account_id):
    """This browser's device nonce for the account, or None when it has never signed in to it."""
    return next((nonce for owner, nonce in devices(cookie_value) if owner == account_id), None)


def after_sign_in(cookie_value, account_id):
    """The device cookie's new value once this browser signed in to the account.

    A fresh nonce each time, so the failures a device's budget counts are those since its last sign-in.
    """
    kept = [[owner, nonce] for owner, nonce in devices(cookie_value) if owner != account_id]
    entries = [[account_id, secrets.token_urlsafe(12)], *kept][:DEVICES_KEPT]
    return _serializer().dumps(entries)
