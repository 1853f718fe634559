"""One-time form keys are forgotten once too old to be a retry: by a form that is sent anyway, at most
once an hour, and never by a page view.
"""
import datetime as dt

import pytest

from learncircle import clock, db, formkeys
from learncircle.discussions.models import Thread
from learncircle.formkeys import UsedFormKey


@pytest.fixture
def fresh_process(monkeypatch):
    """As in a server just started: old keys were never pruned by it."""
    monkeypatch.setattr(formkeys, "_last_pruned", None)


@pytest.fixture
def thread(roles):
    people = roles()
    with db.database.connection_context():
        found = Thread.start(circle=people["circle"], author=people["owner"], title="Keys", kind="discussion",
                             body="Opening words.")
    return people, found


def keys():
    with db.database.connection_context():
        return {row.key for row in UsedFormKey.select()}


def used_long_ago(key, user, days=3):
    with db.database.connection_context():
        UsedFormKey.create(key=key, user=user, used_at=clock.now() - dt.timedelta(days=days))


def claim(key, user):
    with db.database.connection_context(), db.atomic():
        return formkeys.claim(key, user)


def test_a_claim_forgets_keys_older_than_two_days_at_most_once_an_hour(frozen_clock, fresh_process, make_user):
    person = make_user()
    used_long_ago("from-last-week", person, days=7)
    used_long_ago("from-yesterday", person, days=1)

    claim("first", person)
    assert keys() == {"from-yesterday", "first"}

    used_long_ago("stale-again", person)
    clock.advance(minutes=59)
    claim("second", person)
    assert "stale-again" in keys()  # pruned less than an hour ago

    clock.advance(minutes=1)
    claim("third", person)
    assert keys() == {"from-yesterday", "first", "second", "third"}

    clock.advance(days=1, hours=2)
    claim("fourth", person)
    assert keys() == {"first", "second", "third", "fourth"}  # yesterday's is now three days old


def test_page_views_never_prune_and_a_reply_does(client, auth, frozen_clock, fresh_process, thread):
    people, opened = thread
    auth.login(people["member"])
    claim("recent", people["member"])  # the server's first prune, with nothing to forget yet
    used_long_ago("stale", people["member"])
    clock.advance(hours=3)

    assert client.get(f"/t/{opened.id}").status_code == 200
    assert "stale" in keys()

    answer = client.post(f"/t/{opened.id}/reply", data={"body": "A reply that prunes.", "form_key": "reply-key"})
    assert answer.status_code == 303
    assert keys() == {"recent", "reply-key"}
