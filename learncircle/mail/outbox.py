"""The outbox: every mail is a row first, written in the transaction of what caused it; a sender sends it later.

A request never waits on the mail server. A sender claims due rows (claimed_at, claimed_by) in a short
transaction, so two senders never take the same row; it marks a row sent as soon as the server has accepted
it. A sender killed between claiming and sending leaves a claim that another takes over after CLAIM_TIMEOUT.
A failure puts the row back with a growing pause (back-off); after MAX_ATTEMPTS it is given up, kept with
its last error. Rows are kept KEPT_DAYS once sent or given up (what was mailed, to whom and when), then pruned.
"""
import datetime as dt
import json
import logging
import secrets
import smtplib
import socket
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from flask import current_app, has_app_context

from .. import clock
from ..db import database
from . import enabled
from .models import Outbox

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # far longer than one SMTP conversation (SMTP_TIMEOUT per step)
SMTP_TIMEOUT = 30
BATCH = 20
MAX_ATTEMPTS = 20  # with the back-off below: about three days of trying
BACKOFF_MAX_MINUTES = 360
KEPT_DAYS = 30  # sent or given-up mail is kept this long (what went out, to whom), then deleted


def backoff(attempts):
    """The pause after the attempts-th failure: 1, 2, 4 … minutes, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), BACKOFF_MAX_MINUTES))


def _message_id(sender):
    domain = parseaddr(sender)[1].rpartition("@")[2] or "learncircle.invalid"
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(address, kind, subject, text, html, *, user_id=None, headers=None, not_before=None):
    """Queue one mail (in the caller's transaction, if any); None when this instance sends no mail."""
    if not has_app_context() or not enabled():
        return None
    now = clock.now()
    with database.atomic():
        return Outbox.create(user=user_id, address=address, kind=kind, subject=subject[:300], text=text, html=html,
                             headers=json.dumps(headers or {}), created_at=now,
                             message_id=_message_id(current_app.config["MAIL_SENDER"]),
                             next_attempt_at=max(now, not_before or now))


# ---- sending --------------------------------------------------------------------------------------

def _free(now):
    return (Outbox.sent_at.is_null() & (Outbox.next_attempt_at <= now) & (Outbox.attempts < MAX_ATTEMPTS)
            & (Outbox.claimed_at.is_null() | (Outbox.claimed_at < now - CLAIM_TIMEOUT)))


def claim(worker, limit=BATCH):
    """Take up to limit due rows for worker (a name unique to this sender); the rows taken, oldest first.

    Each row is taken by an UPDATE that only succeeds while it is still free: on SQLite the transaction
    already runs alone (IMMEDIATE), on PostgreSQL a row another sender took in between is not matched.
    """
    now = clock.now()
    with database.atomic():
        candidates = [row_id for (row_id,) in Outbox.select(Outbox.id).where(_free(now))
                      .order_by(Outbox.next_attempt_at, Outbox.id).limit(limit).tuples()]
        taken = [row_id for row_id in candidates
                 if Outbox.update(claimed_at=now, claimed_by=worker)
                 .where(_free(now) & (Outbox.id == row_id)).execute()]
    return list(Outbox.select().where(Outbox.id.in_(taken)).order_by(Outbox.id)) if taken else []


def _sent(row, worker):
    with database.atomic():
        Outbox.update(sent_at=clock.now(), claimed_at=None, last_error="").where(
            (Outbox.id == row.id) & (Outbox.claimed_by == worker)).execute()


def _failed(row, worker, error, permanent=False):
    attempts = MAX_ATTEMPTS if permanent else row.attempts + 1
    with database.atomic():
        Outbox.update(attempts=attempts, next_attempt_at=clock.now() + backoff(attempts), claimed_at=None,
                      last_error=str(error)[:2000]).where(
            (Outbox.id == row.id) & (Outbox.claimed_by == worker)).execute()


def as_email(row, sender):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.address
    message["Subject"] = row.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in json.loads(row.headers or "{}").items():
        message[name] = value
    message.set_content(row.text)
    message.add_alternative(row.html, subtype="html")
    return message


def connect(config):
    host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
    if config["SMTP_SECURITY"] == "tls":
        server = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT)
    else:
        server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if config["SMTP_SECURITY"] == "starttls":
            server.starttls()
    if config.get("SMTP_USER"):
        server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    return server


def send_due(config, worker):
    """Claim due rows and send them over one connection; (sent, failed) counts. Nothing due: (0, 0)."""
    rows = claim(worker)
    if not rows:
        return 0, 0
    sent = failed = 0
    try:
        server = connect(config)
    except (OSError, smtplib.SMTPException) as error:  # the server is away: every row waits and tries again
        log.warning("cannot reach the mail server %s: %s; %d mails wait", config["SMTP_HOST"], error, len(rows))
        for row in rows:
            _failed(row, worker, error)
        return 0, len(rows)
    try:
        for index, row in enumerate(rows):
            try:
                server.send_message(as_email(row, config["MAIL_SENDER"]))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                codes = [code for code, _ in getattr(error, "recipients", {}).values()]
                code = min(codes) if codes else getattr(error, "smtp_code", 500)
                _failed(row, worker, error, permanent=500 <= code < 600)  # a 5xx will never pass: give up
                failed += 1
            except (OSError, smtplib.SMTPException) as error:  # the connection broke: the rest wait
                for left in rows[index:]:
                    _failed(left, worker, error)
                failed += len(rows) - index
                break
            else:
                _sent(row, worker)
                sent += 1
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException, socket.timeout):
            pass
    return sent, failed


def prune():
    """Delete mail sent, or given up, more than KEPT_DAYS ago: an email's text is personal; how many went."""
    before = clock.now() - dt.timedelta(days=KEPT_DAYS)
    with database.atomic():
        return Outbox.delete().where((Outbox.sent_at < before)
                                     | ((Outbox.attempts >= MAX_ATTEMPTS) & (Outbox.created_at < before))).execute()


def new_worker_name():
    return f"{socket.gethostname()[:20]}-{secrets.token_hex(6)}"
