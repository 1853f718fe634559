"""Scheduling a meeting: the form's every refusal with its message and the values kept, a meeting once and a
series (its rows, across daylight saving), scheduling from a poll's slots (taking turns between them), the
circle told; and each reader seeing the time in their own zone, the organiser's beside it."""
import datetime as dt

import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR
from learncircle.meetings import scheduling
from learncircle.meetings.models import WEEKLY, Meeting, Occurrence, Poll, Slot
from learncircle.notices.models import Notice
from tests.helpers import html

ZONES = ("UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney")


@pytest.fixture
def people(app, make_user, make_circle, add_member, frozen_clock):
    """A circle whose facilitator is in Berlin, with a member in each zone of ZONES (named by the city)."""
    owner = make_user("owner", timezone="UTC")
    circle = make_circle(owner, name="Across zones")
    facilitator = make_user("fac", timezone="Europe/Berlin")
    add_member(circle, facilitator, FACILITATOR)
    readers = {}
    for zone in ZONES:
        readers[zone] = make_user("in-" + zone.rsplit("/", 1)[-1].lower().replace("_", "-"), timezone=zone)
        add_member(circle, readers[zone])
    return {"circle": circle, "owner": owner, "facilitator": facilitator, "readers": readers}


def new_url(circle, **query):
    suffix = "&".join(f"{name}={value}" for name, values in query.items()
                      for value in (values if isinstance(values, list) else [values]))
    return f"/c/{circle.slug}/meetings/new" + (f"?{suffix}" if suffix else "")


FORM = {"title": "Ownership, chapter 4", "agenda": "Read *chapter 4* first.", "start": "2026-03-10T18:00",
        "timezone": "Europe/Berlin", "duration": "90", "link": "https://meet.example.org/rust", "place": "",
        "capacity": "", "repeat": "once", "until": "", "times": ""}


def post(client, circle, url=None, **changes):
    return client.post(url or new_url(circle), data={**FORM, **changes})


def errors(page):
    return " ".join(error.get_text(" ", strip=True) for error in page.select(".field-error"))


def rows(model):
    with db.database.connection_context():
        return list(model.select().order_by(model.id))


# ---- refusals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, message", [
    ({"start": "2026-03-01T18:00"}, "That time has passed"),
    ({"repeat": "weekly"}, "Say when the series ends"),
    ({"repeat": "weekly", "until": "2026-03-05"}, "The last date is before the first meeting"),
    ({"repeat": "fortnightly", "times": "61"}, "more than 60 meetings"),
    ({"repeat": "weekly", "until": "2026-30-30"}, "Give a date like 2027-06-30"),
    ({"timezone": "Mars/Olympus_Mons"}, "“Mars/Olympus_Mons” is an unknown time zone"),
    ({"link": "meet.example.org/rust"}, "starting with https://"),
    ({"link": "javascript:alert(1)"}, "starting with https://"),
    ({"duration": "5"}, "A meeting lasts from 15 to 480 minutes"),
    ({"duration": ""}, "Say how long the meeting is"),
    ({"capacity": "0"}, "Give a number of places from 1"),
    ({"title": "  "}, "Give the meeting a title"),
    ({"start": "next tuesday"}, "Give a date and a time"),
    ({"repeat": "daily"}, "Choose once, every week or every other week"),
])
def test_bad_input_is_refused_with_a_message_and_the_values_kept(client, auth, people, changes, message):
    auth.login(people["facilitator"])
    response = post(client, people["circle"], **changes)
    assert response.status_code == 422
    page = html(response)
    assert message in errors(page)
    # What was typed is still there to correct.
    title = changes.get("title", FORM["title"])
    assert page.find("input", {"name": "title"})["value"] == title.strip() or not title.strip()
    assert page.find("textarea", {"name": "agenda"}).get_text().strip() == FORM["agenda"]
    assert page.find("input", {"name": "link"})["value"] == changes.get("link", FORM["link"])
    assert page.find("input", {"name": "start"})["value"] in (changes.get("start", FORM["start"]), "")
    assert rows(Meeting) == [] and rows(Occurrence) == []


def test_neither_link_nor_place_is_fine(client, auth, people):
    auth.login(people["facilitator"])
    assert post(client, people["circle"], link="", place="").status_code == 303
    [meeting] = rows(Meeting)
    assert meeting.link == "" and meeting.place == ""


def test_members_may_not_schedule(client, auth, people):
    auth.login(people["readers"]["UTC"])
    assert client.get(new_url(people["circle"])).status_code == 403
    assert post(client, people["circle"]).status_code == 403
    assert rows(Meeting) == []


# ---- scheduling once and a series -------------------------------------------------------------------

def test_the_form_starts_in_the_facilitators_own_zone(client, auth, people):
    auth.login(people["facilitator"])
    page = html(client.get(new_url(people["circle"])))
    assert page.find("select", {"name": "timezone"}).find("option", selected=True)["value"] == "Europe/Berlin"
    assert page.find("input", {"name": "repeat", "value": "once"}).has_attr("checked")


def test_scheduling_once_writes_one_occurrence_tells_the_circle_and_shows_its_page(client, auth, people):
    auth.login(people["facilitator"])
    response = post(client, people["circle"])
    [meeting] = rows(Meeting)
    [occurrence] = rows(Occurrence)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{people['circle'].slug}/meetings/{occurrence.id}")
    # 18:00 in Berlin in March (CET, UTC+1) is 17:00 UTC.
    assert occurrence.starts_at == dt.datetime(2026, 3, 10, 17, 0)
    assert occurrence.ends_at == dt.datetime(2026, 3, 10, 18, 30)
    assert occurrence.slot_start == occurrence.starts_at
    assert (meeting.zone, meeting.local_start, meeting.repeat) == ("Europe/Berlin", dt.datetime(2026, 3, 10, 18),
                                                                   "once")
    assert "<em>chapter 4</em>" in meeting.agenda_html
    with db.database.connection_context():
        told = {notice.user_id: notice for notice in Notice.select().where(Notice.kind == "meeting_scheduled")}
    everyone_else = {people["owner"].id, *(reader.id for reader in people["readers"].values())}
    assert set(told) == everyone_else  # the facilitator is not told of their own meeting
    assert {notice.url for notice in told.values()} == {f"/c/{people['circle'].slug}/meetings/{occurrence.id}"}
    page = html(client.get(response.headers["Location"]))
    assert page.find("h1").get_text() == "Ownership, chapter 4"
    assert "18:00 CET" in page.find(id="when").get_text()
    assert page.find(id="link").a["href"] == "https://meet.example.org/rust"


def test_a_weekly_series_keeps_berlins_wall_time_across_the_spring_change(client, auth, people):
    auth.login(people["facilitator"])
    assert post(client, people["circle"], start="2027-03-15T18:00", repeat="weekly", times="4").status_code == 303
    starts = [occurrence.starts_at for occurrence in rows(Occurrence)]
    # Berlin moves to summer time on 28 March 2027: 18:00 is 17:00 UTC before, 16:00 after.
    assert starts == [dt.datetime(2027, 3, 15, 17), dt.datetime(2027, 3, 22, 17), dt.datetime(2027, 3, 29, 16),
                      dt.datetime(2027, 4, 5, 16)]
    assert [occurrence.number for occurrence in rows(Occurrence)] == [0, 1, 2, 3]
    [meeting] = rows(Meeting)
    assert (meeting.repeat, meeting.times, meeting.until) == (WEEKLY, 4, None)


def test_a_fortnightly_series_until_a_date(client, auth, people):
    auth.login(people["facilitator"])
    response = post(client, people["circle"], start="2026-04-01T09:30", repeat="fortnightly", until="2026-05-13")
    assert response.status_code == 303
    # Wednesdays 1 and 15 and 29 April, 13 May (the last date itself counts); CEST is UTC+2.
    assert [occurrence.starts_at for occurrence in rows(Occurrence)] == [
        dt.datetime(2026, 4, 1, 7, 30), dt.datetime(2026, 4, 15, 7, 30), dt.datetime(2026, 4, 29, 7, 30),
        dt.datetime(2026, 5, 13, 7, 30)]
    page = html(client.get(response.headers["Location"]))
    assert page.find(id="series").get_text(" ", strip=True) == "Every other week until 13 May 2026, 1 of 4"


def test_a_place_and_a_capacity(client, auth, people):
    auth.login(people["facilitator"])
    assert post(client, people["circle"], link="", place="Room 4, the library", capacity="8").status_code == 303
    [meeting] = rows(Meeting)
    assert (meeting.place, meeting.capacity) == ("Room 4, the library", 8)


# ---- from a poll --------------------------------------------------------------------------------------

@pytest.fixture
def poll(people):
    """A weekly poll in Sydney's zone with three slots: Tue 19:00, Thu 07:30 and Sat 10:00 local."""
    with db.database.connection_context():
        poll = Poll.create(circle=people["circle"], author=people["facilitator"], title="Our weekly call",
                           zone="Australia/Sydney", duration_minutes=45, weekly=True)
        # Sydney is UTC+11 in March (AEDT): these are Tue 17 Mar 19:00, Thu 19 Mar 07:30, Sat 21 Mar 10:00.
        slots = [Slot.create(poll=poll, starts_at=moment) for moment in (
            dt.datetime(2026, 3, 17, 8, 0), dt.datetime(2026, 3, 18, 20, 30), dt.datetime(2026, 3, 20, 23, 0))]
    return poll, slots


def test_a_poll_fills_in_the_form(client, auth, people, poll):
    poll, slots = poll
    auth.login(people["facilitator"])
    page = html(client.get(new_url(people["circle"], poll=poll.id, slot=[slots[0].id, slots[1].id])))
    assert page.find("input", {"name": "title"})["value"] == "Our weekly call"
    assert page.find("input", {"name": "start"})["value"] == "2026-03-17T19:00"
    assert page.find("select", {"name": "timezone"}).find("option", selected=True)["value"] == "Australia/Sydney"
    assert page.find("input", {"name": "duration"})["value"] == "45"
    assert page.find("input", {"name": "repeat", "value": "weekly"}).has_attr("checked")
    assert page.find("input", {"name": "rotate"}).has_attr("checked")  # two slots: take turns between them
    assert page.find("input", {"type": "hidden", "name": "poll"})["value"] == str(poll.id)
    assert [tag["value"] for tag in page.find_all("input", {"type": "hidden", "name": "slot"})] == [
        str(slots[0].id), str(slots[1].id)]
    # The facilitator (in Berlin) is told what the typed time is for them.
    assert "09:00 CET" in page.find(id="start-for-you").get_text()


def test_a_poll_of_another_circle_or_a_slot_not_of_the_poll_is_not_found(client, auth, people, poll, make_circle,
                                                                          add_member):
    poll, slots = poll
    other = make_circle(people["facilitator"], name="Elsewhere")
    with db.database.connection_context():
        stranger = Poll.create(circle=other, author=people["facilitator"], title="Theirs", zone="UTC",
                               duration_minutes=60)
        their_slot = Slot.create(poll=stranger, starts_at=dt.datetime(2026, 4, 1, 10))
    auth.login(people["facilitator"])
    circle = people["circle"]
    assert client.get(new_url(circle, poll=stranger.id, slot=their_slot.id)).status_code == 404
    assert client.get(new_url(circle, poll=poll.id, slot=their_slot.id)).status_code == 404
    assert client.get(new_url(circle, poll="x1", slot=slots[0].id)).status_code == 404
    assert client.get(new_url(circle, poll=poll.id)).status_code == 404


def test_scheduling_from_a_poll_takes_turns_and_closes_the_poll(client, auth, people, poll):
    poll, slots = poll
    auth.login(people["facilitator"])
    data = {**FORM, "title": "Our weekly call", "start": "2026-03-17T19:00", "timezone": "Australia/Sydney",
            "duration": "45", "repeat": "weekly", "times": "4", "rotate": "y", "poll": str(poll.id),
            "slot": [str(slots[0].id), str(slots[2].id)]}
    assert client.post(new_url(people["circle"]), data=data).status_code == 303
    [meeting] = rows(Meeting)
    # Saturday 10:00 is 3 days, 15 hours (5220 minutes) after Tuesday 19:00.
    assert meeting.rotation == "5220"
    local = [scheduling.local_wall_time(occurrence.starts_at, "Australia/Sydney") for occurrence in rows(Occurrence)]
    assert local == [dt.datetime(2026, 3, 17, 19), dt.datetime(2026, 3, 28, 10), dt.datetime(2026, 3, 31, 19),
                     dt.datetime(2026, 4, 11, 10)]
    [poll] = rows(Poll)
    assert poll.meeting_id == meeting.id and poll.closed_at is not None


def test_without_taking_turns_a_poll_schedules_the_first_slot_every_week(client, auth, people, poll):
    poll, slots = poll
    auth.login(people["facilitator"])
    data = {**FORM, "start": "2026-03-17T19:00", "timezone": "Australia/Sydney", "repeat": "weekly", "times": "2",
            "poll": str(poll.id), "slot": [str(slots[0].id), str(slots[1].id)]}
    assert client.post(new_url(people["circle"]), data=data).status_code == 303
    assert rows(Meeting)[0].rotation == ""
    assert [o.starts_at for o in rows(Occurrence)] == [dt.datetime(2026, 3, 17, 8), dt.datetime(2026, 3, 24, 8)]


# ---- every reader's zone --------------------------------------------------------------------------------

def when_for(client, auth, user, circle, occurrence):
    auth.login(user)
    page = html(client.get(f"/c/{circle.slug}/meetings/{occurrence.id}"))
    return page.find(id="when").get_text(" ", strip=True)


def test_each_reader_sees_a_berlin_series_in_their_zone_across_the_spring_change(client, auth, people):
    circle = people["circle"]
    with db.database.connection_context():
        meeting = scheduling.schedule(circle=circle, organiser=people["facilitator"], title="Weekly",
                                      local_start=dt.datetime(2027, 3, 22, 18), zone="Europe/Berlin",
                                      duration_minutes=60, repeat=WEEKLY, times=2)
        before, after = list(meeting.occurrences.order_by(Occurrence.number))
    expected = {  # 22 March (CET, 17:00 UTC), then 29 March (CEST, 16:00 UTC)
        "UTC": ("Mon 22 Mar 2027, 17:00 UTC (18:00 in Europe/Berlin)",
                "Mon 29 Mar 2027, 16:00 UTC (18:00 in Europe/Berlin)"),
        # Los Angeles is already on summer time (since 14 March): its hour moves when Berlin's clocks change.
        "America/Los_Angeles": ("Mon 22 Mar 2027, 10:00 PDT (18:00 in Europe/Berlin)",
                                "Mon 29 Mar 2027, 09:00 PDT (18:00 in Europe/Berlin)"),
        "Europe/Berlin": ("Mon 22 Mar 2027, 18:00 CET", "Mon 29 Mar 2027, 18:00 CEST"),
        "Asia/Kolkata": ("Mon 22 Mar 2027, 22:30 IST (18:00 in Europe/Berlin)",
                         "Mon 29 Mar 2027, 21:30 IST (18:00 in Europe/Berlin)"),
        # Sydney's day is already the next one: the organiser's date is said too.
        "Australia/Sydney": ("Tue 23 Mar 2027, 04:00 AEDT (Mon 22 Mar 2027, 18:00 in Europe/Berlin)",
                             "Tue 30 Mar 2027, 03:00 AEDT (Mon 29 Mar 2027, 18:00 in Europe/Berlin)"),
    }
    for zone, (first, second) in expected.items():
        reader = people["readers"][zone]
        assert when_for(client, auth, reader, circle, before) == first, zone
        assert when_for(client, auth, reader, circle, after) == second, zone


def test_a_sydney_series_across_its_autumn_change_moves_for_berlin(client, auth, people):
    circle = people["circle"]
    with db.database.connection_context():
        meeting = scheduling.schedule(circle=circle, organiser=people["readers"]["Australia/Sydney"], title="Weekly",
                                      local_start=dt.datetime(2027, 3, 30, 19), zone="Australia/Sydney",
                                      duration_minutes=60, repeat=WEEKLY, times=2)
        before, after = list(meeting.occurrences.order_by(Occurrence.number))
    # Sydney leaves summer time on 4 April 2027: 19:00 there is 08:00 UTC, then 09:00 UTC.
    assert (before.starts_at, after.starts_at) == (dt.datetime(2027, 3, 30, 8), dt.datetime(2027, 4, 6, 9))
    assert when_for(client, auth, people["readers"]["Australia/Sydney"], circle, after) == "Tue 06 Apr 2027, 19:00 AEST"
    berlin = people["readers"]["Europe/Berlin"]
    assert when_for(client, auth, berlin, circle, before) == "Tue 30 Mar 2027, 10:00 CEST (19:00 in Australia/Sydney)"
    assert when_for(client, auth, berlin, circle, after) == "Tue 06 Apr 2027, 11:00 CEST (19:00 in Australia/Sydney)"
    kolkata = people["readers"]["Asia/Kolkata"]
    assert when_for(client, auth, kolkata, circle, after) == "Tue 06 Apr 2027, 14:30 IST (19:00 in Australia/Sydney)"
