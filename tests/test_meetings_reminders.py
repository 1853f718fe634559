"""Reminders: a day before and within the hour before, each exactly once (run twice, from two threads at once,
at different times), to the members who did not say no (waiting ones too), none once the meeting has begun or
when it is cancelled; mail as each member prefers; the housekeeper runs the job every few minutes and
`learncircle remind` once."""
import datetime as dt
import threading

import pytest

from learncircle import clock, db, housekeeping
from learncircle.circles.models import FACILITATOR
from learncircle.mail import preferences
from learncircle.mail.models import Outbox
from learncircle.meetings import reminders, rsvp, scheduling
from learncircle.meetings.models import GOING, MAYBE, NOT_GOING, WAITING, Occurrence
from learncircle.notices.models import Notice

START = dt.datetime(2026, 3, 3, 12, 0)  # 27 hours after the frozen clock's 2 March, 09:00


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """A meeting on 3 March at 12:00 UTC with one place: bo is going, cy waits, di said no, ana did not answer."""
    owner = make_user("owner")
    circle = make_circle(owner, name="Reminded")
    facilitator = make_user("fac")
    add_member(circle, facilitator, FACILITATOR)
    people = {name: make_user(name) for name in ("ana", "bo", "cy", "di")}
    for person in people.values():
        add_member(circle, person)
    with app.app_context(), db.database.connection_context():
        meeting = scheduling.schedule(circle=circle, organiser=facilitator, title="Study hall",
                                      local_start=START + dt.timedelta(hours=1),  # 13:00 in Berlin (CET)
                                      zone="Europe/Berlin", duration_minutes=60, capacity=1)
        occurrence = meeting.occurrences.get()
        for user, choice in ((people["bo"], GOING), (people["cy"], GOING), (people["di"], NOT_GOING), (owner, MAYBE)):
            rsvp.answer(occurrence, user, choice)
        assert rsvp.Rsvp.get(rsvp.Rsvp.user == people["cy"].id).answer == WAITING
    return {"app": app, "circle": circle, "meeting": meeting, "occurrence": occurrence, "facilitator": facilitator,
            "owner": owner, **people}


def remind(app, now=None):
    with app.app_context(), db.database.connection_context():
        return reminders.remind(now)


def reminded(soon=None):
    """{username: [soon, …]} of the reminders sent, in order."""
    with db.database.connection_context():
        found = {}
        for notice in Notice.select().where(Notice.kind == "meeting_reminder").order_by(Notice.id):
            found.setdefault(notice.user.username, []).append(notice.text.split(":", 1)[0])
        return found


EVERYONE_BUT_DI = {"owner", "fac", "ana", "bo", "cy"}


def test_a_day_before_then_within_the_hour_each_once_and_none_once_begun(scene):
    app = scene["app"]
    assert remind(app) == 0  # 27 hours ahead: too early
    clock.freeze(START - dt.timedelta(hours=23))
    assert remind(app) == 5
    assert remind(app) == 0  # run again: nothing twice
    clock.freeze(START - dt.timedelta(hours=2))
    assert remind(app) == 0
    clock.freeze(START - dt.timedelta(minutes=50))
    assert remind(app) == 5
    assert remind(app) == 0
    clock.freeze(START + dt.timedelta(minutes=5))
    assert remind(app) == 0
    assert reminded() == {name: ["Tomorrow", "Starting within the hour"] for name in EVERYONE_BUT_DI}
    with db.database.connection_context():
        notice = Notice.select().where(Notice.kind == "meeting_reminder").first()
        occurrence = Occurrence.get_by_id(scene["occurrence"].id)
    # In the reader's zone (UTC here), with the organiser's beside it.
    assert notice.text == "Tomorrow: “Study hall” at Tue 03 Mar 2026, 12:00 UTC (13:00 in Europe/Berlin)."
    assert notice.url == f"/c/{scene['circle'].slug}/meetings/{occurrence.id}"
    assert occurrence.reminded_day_at == START - dt.timedelta(hours=23)
    assert occurrence.reminded_hour_at == START - dt.timedelta(minutes=50)


def test_a_meeting_first_seen_within_the_hour_gets_the_hours_reminder_only(scene):
    app = scene["app"]
    clock.freeze(START - dt.timedelta(minutes=40))
    assert remind(app) == 5
    clock.freeze(START - dt.timedelta(minutes=20))
    assert remind(app) == 0
    assert reminded() == {name: ["Starting within the hour"] for name in EVERYONE_BUT_DI}


def test_a_meeting_already_begun_or_cancelled_gets_none(scene):
    app = scene["app"]
    clock.freeze(START + dt.timedelta(seconds=1))
    assert remind(app) == 0
    clock.freeze(START - dt.timedelta(hours=3))
    with app.app_context(), db.database.connection_context():
        scheduling.cancel(scene["occurrence"], "Snow.")
    assert remind(app) == 0
    assert reminded() == {}


def test_a_moved_meeting_is_reminded_again_for_its_new_time(scene):
    app = scene["app"]
    clock.freeze(START - dt.timedelta(hours=20))
    assert remind(app) == 5
    with app.app_context(), db.database.connection_context():
        scheduling.move(scene["occurrence"], local_start=dt.datetime(2026, 3, 3, 22), zone="Europe/Berlin",
                        reason="Later.")
    assert remind(app) == 0  # 21:00 UTC on 3 March: more than a day ahead now
    clock.freeze(dt.datetime(2026, 3, 2, 22, 0))
    assert remind(app) == 5  # told again, of the new time
    clock.freeze(dt.datetime(2026, 3, 3, 20, 30))
    assert remind(app) == 5
    assert reminded()["ana"] == ["Tomorrow", "Tomorrow", "Starting within the hour"]


def test_two_runs_at_once_send_each_reminder_once(scene):
    app = scene["app"]
    clock.freeze(START - dt.timedelta(hours=10))
    start = threading.Barrier(2)
    sent, failures = [], []

    def run():
        try:
            with app.app_context(), db.database.connection_context():
                start.wait(5)
                sent.append(reminders.remind())
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert failures == []
    assert sorted(sent) == [0, 5]
    assert reminded() == {name: ["Tomorrow"] for name in EVERYONE_BUT_DI}


def test_reminders_are_mailed_as_each_member_prefers(mail_app, scene):
    with db.database.connection_context():
        preferences.choose(scene["ana"].id, "meetings", preferences.NEVER)
        preferences.choose(scene["bo"].id, "meetings", preferences.DAILY)
    clock.freeze(START - dt.timedelta(hours=5))
    assert remind(mail_app) == 5
    with db.database.connection_context():
        mailed = sorted(row.address for row in Outbox.select().where(Outbox.kind == "meeting_reminder"))
        subject = Outbox.select().where(Outbox.address == "cy@example.org").get().subject
    # ana chose never, bo the daily digest; di said no: no mail at once for them.
    assert mailed == ["cy@example.org", "fac@example.org", "owner@example.org"]
    assert subject == "Tomorrow: “Study hall” at Tue 03 Mar 2026, 12:00 UTC (13:00 in Europe/Berlin)."


def test_the_housekeeper_runs_the_reminders_every_five_minutes_and_prune_does_not(scene):
    app = scene["app"]
    assert housekeeping._jobs["meetings.reminders"] is reminders.remind
    keeper = housekeeping.Housekeeper(app)
    assert keeper.every_seconds == 3600 and keeper.wake_seconds() == reminders.EVERY_SECONDS == 300
    clock.freeze(START - dt.timedelta(hours=1, minutes=30))
    with app.app_context(), db.database.connection_context():
        assert "meetings.reminders" not in housekeeping.run()  # `learncircle prune` deletes; it sends nothing
    assert reminded() == {}
    done = keeper.step(due_only=True)
    assert done["meetings.reminders"] == 5 and "audit.prune" in done
    assert keeper.due() == []  # all ran just now
    later = keeper._last_run["meetings.reminders"] + 300
    assert keeper.due(later) == ["meetings.reminders"]  # five minutes on: only the reminders are due again


def test_the_remind_command_sends_what_is_due(scene):
    app = scene["app"]
    clock.freeze(START - dt.timedelta(minutes=30))
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "5 reminders sent."
    assert app.test_cli_runner().invoke(args=["remind"]).output.strip() == "0 reminders sent."
