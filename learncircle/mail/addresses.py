"""Addresses proven by mail: a new account's, and a member's new one. Neither is used until its owner follows
the link mailed to it; an address that already has an account is never revealed, its owner is mailed instead."""
import datetime as dt
import secrets

import peewee

from .. import clock
from ..accounts.models import User, hash_password, taken_field
from ..db import database
from ..i18n import lazy_gettext as _l
from . import account_mail
from .account_mail import NEW_ACCOUNT, NEW_ADDRESS
from .models import PendingAccount


class LinkUsed(Exception):
    """The link was used already, or what it would change has changed since."""


class Taken(Exception):
    """The username or address was taken since the link was mailed; .field names which."""

    def __init__(self, field):
        super().__init__(field)
        self.field = field


def request_change(user, new_address, language):
    """Mail new_address a link that makes it user's address (or, if it is someone's, mail that someone)."""
    new_address = new_address.strip().lower()
    owner = User.get_or_none(User.email == new_address)
    if owner is not None:
        if owner.id != user.id:
            account_mail.send_address_taken(owner)
        return
    account_mail.send_confirmation(
        new_address, purpose=NEW_ADDRESS, payload={"user": user.id, "old": user.email, "new": new_address},
        endpoint="mail.confirm_address", argument="address_token", language=language, zone=user.timezone,
        user_id=user.id,
        intro=_l("Follow this link to make this your email address on your account %(username)s. Until then "
                 "your old address stays in use.", username=user.username),
        action=_l("Confirm your new email address"))


def confirm_change(payload):
    """Make the address a change link names the account's (LinkUsed, Taken); the account."""
    with database.atomic():
        user = User.get_or_none(User.id == payload.get("user"))
        if user is None or user.email != payload.get("old"):
            raise LinkUsed()
        try:
            with database.atomic():
                User.update(email=payload["new"]).where(User.id == user.id).execute()
        except peewee.IntegrityError:
            raise Taken("email") from None
    user.email = payload["new"]
    return user


def request_account(*, username, email, password, display_name, timezone, language, invite=""):
    """Mail email a link that creates the account; if the address has an account already, mail its owner.
    What was chosen waits in a PendingAccount, the link naming it by id and nonce."""
    email = email.strip().lower()
    owner = User.get_or_none(User.email == email)
    if owner is not None:
        account_mail.send_address_taken(owner)
        return
    now = clock.now()
    with database.atomic():
        # Links live CONFIRM_HOURS: what they named after that can go.
        PendingAccount.delete().where(
            PendingAccount.created_at < now - dt.timedelta(hours=account_mail.CONFIRM_HOURS)).execute()
        pending = PendingAccount.create(nonce=secrets.token_urlsafe(24), username=username.strip().lower(),
                                        email=email, display_name=display_name or "", timezone=timezone or "UTC",
                                        password_hash=hash_password(password), invite=invite or "", created_at=now)
        account_mail.send_confirmation(
            email, purpose=NEW_ACCOUNT, payload={"pending": pending.id, "nonce": pending.nonce},
            endpoint="mail.confirm_account", argument="account_token", language=language, zone=pending.timezone,
            intro=_l("Follow this link to finish creating your account %(username)s.", username=pending.username),
            action=_l("Confirm your email address"))


def pending_account(payload):
    """The registration a link names (a read_token payload), or None when it was used or never existed."""
    if not isinstance(payload.get("pending"), int) or not isinstance(payload.get("nonce"), str):
        return None
    return PendingAccount.get_or_none((PendingAccount.id == payload["pending"])
                                      & (PendingAccount.nonce == payload["nonce"]))


def create_account(pending):
    """The account of a pending registration, created now and the registration gone (Taken when its username
    or address was taken since; LinkUsed when another request used the same link first)."""
    with database.atomic():
        if not PendingAccount.delete().where(PendingAccount.id == pending.id).execute():
            raise LinkUsed()
        try:
            with database.atomic():
                return User.register(username=pending.username, email=pending.email, password=None,
                                     password_hash=pending.password_hash, display_name=pending.display_name or None,
                                     timezone=pending.timezone)
        except peewee.IntegrityError as error:
            address_taken = User.select().where(User.email == pending.email).exists()
            raise Taken("email" if address_taken else taken_field(error)) from None
