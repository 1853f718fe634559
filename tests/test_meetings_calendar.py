"""Calendar files and feeds (meetings/calendar.py, calendar_views.py): every .ics parsed back with icalendar, its
RRULE expanded in the meeting's zone and compared with the occurrences stored, and the private feed's rules."""
import datetime as dt
import logging
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from flask import render_template_string
from flask_login import login_user

from learncircle import clock, db, timefmt
from learncircle.accounts import sessions
from learncircle.accounts.models import User
from learncircle.circles.models import PRIVATE, PUBLIC, Circle, Membership
from learncircle.meetings import calendar, feeds, recurrence, scheduling
from learncircle.meetings.models import FORTNIGHTLY, ONCE, WEEKLY, CalendarFeed, Meeting, Occurrence
from tests.helpers import html

UTC = dt.timezone.utc


# ---- reading a calendar back -------------------------------------------------------------------

def parse(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params.get("charset") == "utf-8"
    cal = icalendar.Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == calendar.PRODID
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    # A VTIMEZONE for every TZID a time names (UTC needs none: it is written with Z).
    defined = {str(zone["TZID"]) for zone in cal.walk("VTIMEZONE")}
    assert cal.get_used_tzids() - {"UTC"} <= defined
    for event in cal.walk("VEVENT"):
        assert event.get("UID") and event.get("DTSTAMP") and event.get("SUMMARY")
        assert event.decoded("DTEND") > event.decoded("DTSTART")
    return cal


def utc(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def held_starts(cal):
    """Every start a calendar program shows as held (naive UTC, sorted): each RRULE expanded from its DTSTART in
    its zone, less EXDATEs, overrides by RECURRENCE-ID put in their place, cancelled ones left out."""
    masters, overrides, singles = [], {}, []
    for event in cal.walk("VEVENT"):
        if event.get("RRULE"):
            masters.append(event)
        elif event.get("RECURRENCE-ID"):
            overrides[(str(event["UID"]), utc(event.decoded("RECURRENCE-ID")))] = event
        else:
            singles.append(event)
    shown = []
    for master in masters:
        start = master.decoded("DTSTART")
        excluded = {utc(moment) for moment in master.exdates}
        for instance in rrulestr(master["RRULE"].to_ical().decode(), dtstart=start):
            assert instance.tzinfo is not None and str(instance.tzinfo) == str(start.tzinfo)
            key = (str(master["UID"]), utc(instance))
            if key[1] in excluded:
                continue
            event = overrides.pop(key, master)
            if str(event.get("STATUS")) != "CANCELLED":
                shown.append(utc(event.decoded("DTSTART")) if event is not master else key[1])
    assert not overrides, f"overrides of no instance: {list(overrides)}"
    shown += [utc(event.decoded("DTSTART")) for event in singles if str(event.get("STATUS")) != "CANCELLED"]
    return sorted(shown)


def stored(meeting):
    occurrences = Occurrence.select().where(Occurrence.meeting == meeting.id).order_by(Occurrence.number)
    return list(occurrences)


def held_stored(meeting):
    return sorted(o.starts_at for o in stored(meeting) if not o.is_cancelled)


# ---- the world ------------------------------------------------------------------------------------

@pytest.fixture
def people(app, make_user, make_circle, add_member, frozen_clock):
    """A public circle (its owner and a member in Berlin, a member in Sydney), another circle the member is not
    in, an outsider and the admin."""
    owner = make_user("organiser", timezone="Europe/Berlin")
    member = make_user("member", timezone="Australia/Sydney")
    circle = make_circle(owner, name="Across Zones", slug="zones", visibility=PUBLIC)
    add_member(circle, member)
    other = make_circle(make_user("elsewhere"), name="Other Circle", slug="other", visibility=PRIVATE)
    return {"owner": owner, "member": member, "circle": circle, "other": other,
            "outsider": make_user("outsider"), "admin": make_user("admin", is_admin=True)}


def schedule(circle, organiser, **values):
    values = {"title": "Reading group", "local_start": dt.datetime(2026, 3, 12, 18, 0), "zone": "Europe/Berlin",
              "duration_minutes": 60, "agenda": "Chapter *three*", "link": "https://meet.example.org/room",
              "place": "", **values}
    with db.database.connection_context():
        return scheduling.schedule(circle=circle, organiser=organiser, **values)


def move(occurrence, hours):
    """What moving an occurrence does to its row (meetings.move): new times, its slot kept."""
    Occurrence.update(starts_at=occurrence.starts_at + dt.timedelta(hours=hours),
                      ends_at=occurrence.ends_at + dt.timedelta(hours=hours),
                      moved_at=clock.now()).where(Occurrence.id == occurrence.id).execute()


def cancel(occurrence, reason=""):
    Occurrence.update(cancelled_at=clock.now(), cancel_reason=reason).where(Occurrence.id == occurrence.id).execute()


def series_url(circle, meeting):
    return f"/c/{circle.slug}/meetings/series/{meeting.id}.ics"


def occurrence_url(circle, occurrence):
    return f"/c/{circle.slug}/meetings/{occurrence.id}.ics"


# ---- a series' file ----------------------------------------------------------------------------

def test_a_weekly_series_across_berlins_spring_change_keeps_18_00(client, auth, people):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=6)  # 12 Mar – 16 Apr: DST on 29 Mar
    auth.login(people["member"])
    response = client.get(series_url(people["circle"], meeting))
    cal = parse(response)
    assert response.headers["Content-Disposition"] == f'attachment; filename=zones-series-{meeting.id}.ics'
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.id}@localhost"
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [1] and rule["COUNT"] == [6]
    start = event.decoded("DTSTART")
    assert start == dt.datetime(2026, 3, 12, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTEND") - start == dt.timedelta(hours=1)
    assert "Europe/Berlin" in {str(zone["TZID"]) for zone in cal.walk("VTIMEZONE")}
    # Every instance a calendar program computes is the moment stored, 17:00 UTC before the change, 16:00 after.
    with db.database.connection_context():
        assert held_starts(cal) == held_stored(meeting)
        hours = [o.starts_at.hour for o in stored(meeting)]
    assert hours == [17, 17, 17, 16, 16, 16]
    assert str(event["SUMMARY"]) == "Reading group"
    assert "Chapter *three*" in str(event["DESCRIPTION"])  # the agenda's Markdown source
    assert "http://localhost/c/zones/meetings" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "https://meet.example.org/room"  # the circle's own people get the link
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0


def test_a_fortnightly_series_across_sydneys_autumn_change(client, auth, people):
    """Southern DST: Sydney's clocks go back on 5 April 2026 and forward on 4 October."""
    meeting = schedule(people["circle"], people["member"], zone="Australia/Sydney", repeat=FORTNIGHTLY,
                       local_start=dt.datetime(2026, 3, 16, 7, 30), until=dt.date(2026, 10, 31))
    auth.login(people["owner"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    (event,) = cal.walk("VEVENT")
    assert event["RRULE"]["INTERVAL"] == [2]
    assert event["DTSTART"].params["TZID"] == "Australia/Sydney"
    assert "Australia/Sydney" in {str(zone["TZID"]) for zone in cal.walk("VTIMEZONE")}
    with db.database.connection_context():
        occurrences = stored(meeting)
        assert held_starts(cal) == held_stored(meeting)
    assert event["RRULE"]["COUNT"] == [len(occurrences)]
    # 07:30 in Sydney each time: 20:30 UTC the day before in summer time, 21:30 in winter, 20:30 again in October.
    sydney = ZoneInfo("Australia/Sydney")
    assert {o.starts_at.replace(tzinfo=UTC).astimezone(sydney).strftime("%a %H:%M") for o in occurrences} == \
        {"Mon 07:30"}
    assert {o.starts_at.strftime("%H:%M") for o in occurrences} == {"20:30", "21:30"}


def test_a_cancelled_occurrence_is_an_exdate_and_a_moved_one_an_override(client, auth, people, frozen_clock):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=5)
    with db.database.connection_context():
        occurrences = stored(meeting)
        frozen_clock.advance(hours=2)
        cancel(occurrences[1], reason="Public holiday")
        move(occurrences[3], hours=1)  # 2 April: 19:00 in Berlin instead of 18:00
        cancel(occurrences[0])  # the first one too: the rule then starts at the second slot still held
    auth.login(people["member"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    masters = [e for e in cal.walk("VEVENT") if e.get("RRULE")]
    overrides = [e for e in cal.walk("VEVENT") if e.get("RECURRENCE-ID")]
    assert len(masters) == 1 and len(overrides) == 1
    master, override = masters[0], overrides[0]
    berlin = ZoneInfo("Europe/Berlin")
    assert master.decoded("DTSTART") == dt.datetime(2026, 3, 26, 18, 0, tzinfo=berlin)  # the third slot
    assert master["RRULE"]["COUNT"] == [3]
    assert master.exdates == []  # 12 and 19 March lie before the rule: nothing to exclude
    assert str(override["UID"]) == str(master["UID"])
    assert override.decoded("RECURRENCE-ID") == dt.datetime(2026, 4, 2, 18, 0, tzinfo=berlin)
    assert override.decoded("DTSTART") == dt.datetime(2026, 4, 2, 19, 0, tzinfo=berlin)
    assert int(override["SEQUENCE"]) > 0 and int(master["SEQUENCE"]) > 0
    with db.database.connection_context():
        assert held_starts(cal) == held_stored(meeting)
        assert len(held_stored(meeting)) == 3


def test_a_cancelled_occurrence_inside_the_rule_is_excluded(client, auth, people):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=4)
    with db.database.connection_context():
        cancel(stored(meeting)[2])
    auth.login(people["member"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    (master,) = cal.walk("VEVENT")
    assert master.exdates == [dt.datetime(2026, 3, 26, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))]
    assert master["RRULE"]["COUNT"] == [4]
    with db.database.connection_context():
        assert held_starts(cal) == held_stored(meeting)


def test_sequence_grows_with_each_change(people, frozen_clock, app):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=3)
    sequences = []
    with app.test_request_context(), db.database.connection_context():
        for hours in (0, 1, 1):
            frozen_clock.advance(hours=hours)
            if hours:
                move(stored(meeting)[1], hours=1)
            cal = icalendar.Calendar.from_ical(calendar.occurrence_calendar(stored(meeting)[1], meeting, True))
            sequences.append(int(cal.events[0]["SEQUENCE"]))
    assert sequences[0] == 0 and sequences[0] < sequences[1] < sequences[2]


def test_a_rotating_series_is_one_rule_per_slot(client, auth, people):
    """Turns between 18:00 and 08:00 the next morning (+840 minutes): two rules, every other week each."""
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=7, rotation=(840,))
    auth.login(people["member"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    masters = sorted((e for e in cal.walk("VEVENT") if e.get("RRULE")), key=lambda e: e.decoded("DTSTART"))
    assert [m["RRULE"]["INTERVAL"] for m in masters] == [[2], [2]]
    assert [m["RRULE"]["COUNT"] for m in masters] == [[4], [3]]
    assert [str(m["UID"]) for m in masters] == [f"meeting-{meeting.id}@localhost",
                                                f"meeting-{meeting.id}-slot1@localhost"]
    berlin = ZoneInfo("Europe/Berlin")
    assert masters[1].decoded("DTSTART") == dt.datetime(2026, 3, 20, 8, 0, tzinfo=berlin)
    with db.database.connection_context():
        assert held_starts(cal) == held_stored(meeting)
        assert len(held_stored(meeting)) == 7


def test_an_occurrence_not_where_the_rule_puts_it_stands_alone(client, auth, people):
    """A slot stored elsewhere than the meeting's rule says (the zone's rules changed since, say): its own
    VEVENT with the moment stored, and excluded from the rule."""
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=3)
    with db.database.connection_context():
        odd = stored(meeting)[1]
        later = odd.slot_start + dt.timedelta(minutes=30)
        Occurrence.update(slot_start=later, starts_at=later, ends_at=later + dt.timedelta(hours=1)).where(
            Occurrence.id == odd.id).execute()
    auth.login(people["member"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    (master,) = [e for e in cal.walk("VEVENT") if e.get("RRULE")]
    (alone,) = [e for e in cal.walk("VEVENT") if not e.get("RRULE")]
    assert str(alone["UID"]) == f"meeting-{meeting.id}-1@localhost" and not alone.get("RECURRENCE-ID")
    assert len(master.exdates) == 1
    with db.database.connection_context():
        assert held_starts(cal) == held_stored(meeting)


def test_a_cancelled_series_says_so(client, auth, people, app):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=3)
    with app.test_request_context(), db.database.connection_context():
        scheduling.cancel_series(meeting, "The course ended")
    auth.login(people["member"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    (master,) = cal.walk("VEVENT")
    assert str(master["STATUS"]) == "CANCELLED" and master["RRULE"]["COUNT"] == [3]
    assert int(master["SEQUENCE"]) > 0 and "The course ended" in str(master["DESCRIPTION"])
    assert held_starts(cal) == []


def test_a_series_cancelled_midway_keeps_what_happened(client, auth, people, app, frozen_clock):
    """Cancelling a series ends what is still to come; the week that was held stays in calendars."""
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=3,
                       local_start=dt.datetime(2026, 2, 23, 18))  # a week before the clock's 2 March
    with app.test_request_context(), db.database.connection_context():
        scheduling.cancel_series(meeting, "The course ended")
        assert [o.is_cancelled for o in stored(meeting)] == [False, True, True]
    auth.login(people["member"])
    cal = parse(client.get(series_url(people["circle"], meeting)))
    (master,) = cal.walk("VEVENT")
    assert str(master["STATUS"]) == "CONFIRMED" and master["RRULE"]["COUNT"] == [1]
    assert held_starts(cal) == [dt.datetime(2026, 2, 23, 17)]
    with db.database.connection_context():
        later = stored(meeting)[2]
    (event,) = parse(client.get(occurrence_url(people["circle"], later))).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and "The course ended" in str(event["DESCRIPTION"])


FIVE = ["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.one_of(st.sampled_from(FIVE), st.sampled_from(timefmt.timezone_names())),
       local_start=st.builds(lambda day, minutes: dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes),
                             st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
                             st.integers(0, 24 * 4 - 1).map(lambda quarter: quarter * 15)),
       repeat=st.sampled_from([WEEKLY, FORTNIGHTLY]), count=st.integers(1, 30),
       rotation=st.sampled_from([(), (120,), (-600, 900)]), cancelled=st.sets(st.integers(0, 29), max_size=4))
@example(zone="Europe/Berlin", local_start=dt.datetime(2026, 3, 22, 2, 30), repeat=WEEKLY, count=3, rotation=(),
         cancelled=set())  # its second wall time is in the hour the clocks skip
@example(zone="Australia/Sydney", local_start=dt.datetime(2026, 3, 29, 2, 30), repeat=WEEKLY, count=3,
         rotation=(), cancelled={0})  # its second happens twice
@example(zone="America/Los_Angeles", local_start=dt.datetime(2026, 3, 8, 2, 30), repeat=FORTNIGHTLY, count=2,
         rotation=(120,), cancelled=set())  # its first (the rule's DTSTART) is in the skipped hour
def test_a_series_file_says_every_stored_moment(app, zone, local_start, repeat, count, rotation, cancelled):
    """Whatever the zone, date, rotation and cancellations: a calendar program expanding the file gets the moments
    recurrence.py stored, in the hour the clocks skip and the one they repeat too."""
    circle = Circle(id=1, slug="zones", name="Across Zones")
    meeting = Meeting(id=7, circle=circle, title="Call", zone=zone, local_start=local_start, duration_minutes=50,
                      repeat=repeat, times=count, rotation=" ".join(map(str, rotation)),
                      created_at=dt.datetime(2025, 12, 1))
    starts = recurrence.utc_starts(local_start, zone, repeat, times=count, rotation=rotation)
    occurrences = [Occurrence(id=number + 1, meeting=meeting, circle=circle, number=number, starts_at=start,
                              slot_start=start, ends_at=start + dt.timedelta(minutes=50),
                              cancelled_at=dt.datetime(2025, 12, 2) if number in cancelled else None)
                   for number, start in enumerate(starts)]
    with app.test_request_context(), db.database.connection_context():
        cal = icalendar.Calendar.from_ical(calendar.series_calendar(meeting, occurrences, True, circle=circle))
    assert held_starts(cal) == [o.starts_at for o in occurrences if not o.is_cancelled]
    assert cal.get_used_tzids() - {"UTC"} <= {str(zone["TZID"]) for zone in cal.walk("VTIMEZONE")}


# ---- one occurrence's file ------------------------------------------------------------------------

def test_one_occurrence_of_a_series_is_that_instance_by_recurrence_id(client, auth, people):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=4)
    with db.database.connection_context():
        third = stored(meeting)[2]
    auth.login(people["member"])
    response = client.get(occurrence_url(people["circle"], third))
    cal = parse(response)
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=zones-2026-03-26-{third.id}.ics"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.id}@localhost"  # the series': importing both is one event
    berlin = ZoneInfo("Europe/Berlin")
    assert event.decoded("RECURRENCE-ID") == dt.datetime(2026, 3, 26, 18, 0, tzinfo=berlin)
    assert utc(event.decoded("DTSTART")) == third.starts_at
    assert utc(event.decoded("DTEND")) == third.ends_at
    assert not event.get("RRULE")
    assert f"http://localhost/c/zones/meetings/{third.id}" in str(event["DESCRIPTION"])


def test_a_cancelled_occurrence_file_says_cancelled(client, auth, people, frozen_clock):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=2)
    with db.database.connection_context():
        frozen_clock.advance(hours=1)
        cancel(stored(meeting)[0], reason="Snow")
        first = stored(meeting)[0]
    auth.login(people["member"])
    (event,) = parse(client.get(occurrence_url(people["circle"], first))).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) > 0
    assert "Snow" in str(event["DESCRIPTION"])


def test_a_meeting_held_once_has_no_rule(client, auth, people):
    meeting = schedule(people["circle"], people["owner"], repeat=ONCE, zone="Asia/Kolkata",
                       local_start=dt.datetime(2026, 4, 1, 19, 30), link="", place="Room 4, Library")
    with db.database.connection_context():
        (only,) = stored(meeting)
    auth.login(people["member"])
    for url in (occurrence_url(people["circle"], only), series_url(people["circle"], meeting)):
        cal = parse(client.get(url))
        (event,) = cal.walk("VEVENT")
        assert not event.get("RRULE") and not event.get("RECURRENCE-ID")
        assert str(event["UID"]) == f"meeting-{meeting.id}@localhost"
        assert event["DTSTART"].params["TZID"] == "Asia/Kolkata"
        assert event.decoded("DTSTART") == dt.datetime(2026, 4, 1, 19, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
        assert utc(event.decoded("DTSTART")) == only.starts_at == dt.datetime(2026, 4, 1, 14, 0)
        assert str(event["LOCATION"]) == "Room 4, Library"
        assert "Asia/Kolkata" in {str(zone["TZID"]) for zone in cal.walk("VTIMEZONE")}


def test_without_details_a_file_has_no_link_or_place(people, app):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=2, place="Room 4")
    with app.test_request_context(), db.database.connection_context():
        body = calendar.occurrence_calendar(stored(meeting)[0], meeting, False)
        series = calendar.series_calendar(meeting, stored(meeting), False)
    for text in (body, series):
        assert b"meet.example.org" not in text and b"Room 4" not in text
        (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert not event.get("LOCATION") and str(event["URL"]).startswith("http://localhost/c/zones/meetings")


@pytest.mark.parametrize("who, status", [("outsider", 403), ("admin", 200), ("owner", 200)])
def test_who_may_download(client, auth, people, who, status):
    """A public circle's visitor sees when, not where: no file for them at all (the matrix has the rest)."""
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=2)
    with db.database.connection_context():
        first = stored(meeting)[0]
    auth.login(people[who])
    for url in (occurrence_url(people["circle"], first), series_url(people["circle"], meeting)):
        response = client.get(url)
        assert response.status_code == status
        assert (b"meet.example.org" in response.data) == (status == 200)


def test_a_signed_out_visitor_is_sent_to_log_in_and_another_circles_meeting_is_404(client, auth, people):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=2)
    elsewhere = schedule(people["other"], people["owner"], repeat=ONCE)
    with db.database.connection_context():
        first, theirs = stored(meeting)[0], stored(elsewhere)[0]
    response = client.get(occurrence_url(people["circle"], first))
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    auth.login(people["member"])
    assert client.get(f"/c/zones/meetings/{theirs.id}.ics").status_code == 404
    assert client.get(f"/c/zones/meetings/series/{elsewhere.id}.ics").status_code == 404


def test_the_links_partial_shows_for_the_circles_own_people(app, people):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=2)
    source = '{% include "meetings/_calendar_links.html" %}'
    once = schedule(people["circle"], people["owner"], repeat=ONCE)
    with db.database.connection_context():
        first, only = stored(meeting)[0], stored(once)[0]
    seen = {}
    for who in ("member", "outsider"):
        with app.test_request_context(), db.database.connection_context():
            person = User.get_by_id(people[who].id)
            sessions.start(person)
            login_user(person)
            seen[who] = render_template_string(source, circle=people["circle"], occurrence=first, meeting=meeting)
            seen[f"{who}-once"] = render_template_string(source, circle=people["circle"], occurrence=only,
                                                         meeting=once)
    links = [a["href"] for a in html_of(seen["member"]).find_all("a")]
    assert f"/c/zones/meetings/{first.id}.ics" in links and f"/c/zones/meetings/series/{meeting.id}.ics" in links
    assert "Add to calendar (.ics)" in seen["member"]
    assert f"/c/zones/meetings/series/{once.id}.ics" not in seen["member-once"]
    assert f"/c/zones/meetings/{only.id}.ics" in seen["member-once"]
    assert ".ics" not in seen["outsider"] and ".ics" not in seen["outsider-once"]


def html_of(text):
    from bs4 import BeautifulSoup
    return BeautifulSoup(text, "html.parser")


# ---- the private feed -------------------------------------------------------------------------------

def make_address(client, auth, user):
    """The address the settings page shows once, as a path on this site."""
    auth.login(user)
    response = client.post("/settings/calendar", data={"action": "new"})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    field = html(response).find("input", id="calendar-address")
    assert field.has_attr("readonly")
    address = field["value"]
    assert address.startswith("http://localhost/calendar/") and address.endswith(".ics")
    auth.logout()
    return address.removeprefix("http://localhost")


def uids(response):
    return {str(event["UID"]) for event in parse(response).walk("VEVENT")}


def test_the_settings_page_shows_the_address_once(client, auth, people):
    auth.login(people["member"])
    page = html(client.get("/settings/calendar"))
    assert page.find(id="calendar-status").get_text(" ", strip=True) == "You have no calendar address."
    assert page.find("a", attrs={"aria-current": "page"}, href="/settings/calendar")  # in the settings' menu
    response = client.post("/settings/calendar", data={"action": "new"})
    shown = html(response).find("input", id="calendar-address")["value"]
    assert "only this once" in response.get_data(as_text=True)
    assert html(response).find("a", href=shown.replace("http://", "webcal://"))
    with db.database.connection_context():
        row = CalendarFeed.get(CalendarFeed.user == people["member"].id)
        assert row.token_hash not in shown and feeds.owner(shown.rsplit("/", 1)[1][:-4]) == people["member"]
    again = client.get("/settings/calendar")
    assert shown not in again.get_data(as_text=True) and not html(again).find("input", id="calendar-address")
    assert "You have a calendar address, made" in html(again).find(id="calendar-status").get_text(" ", strip=True)
    assert client.post("/settings/calendar", data={"action": "whatever"}).status_code == 400


def test_the_feed_lists_the_members_circles_meetings_only(client, auth, people, add_member, frozen_clock):
    ours = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=3)
    sydney = schedule(people["circle"], people["member"], zone="Australia/Sydney", repeat=ONCE,
                      local_start=dt.datetime(2026, 5, 4, 7, 30))
    theirs = schedule(people["other"], people["owner"], repeat=ONCE, title="Not yours")
    long_ago = schedule(people["circle"], people["owner"], repeat=ONCE, local_start=dt.datetime(2025, 12, 1, 18))
    address = make_address(client, auth, people["member"])
    response = client.get(address)
    cal = parse(response)
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Content-Disposition" not in response.headers and "Set-Cookie" not in response.headers
    assert str(cal["X-WR-CALNAME"]) == "LearnCircle meetings"
    assert {str(event["UID"]) for event in cal.walk("VEVENT")} == {
        f"meeting-{ours.id}@localhost", f"meeting-{sydney.id}@localhost"}
    assert b"Not yours" not in response.data  # nor the meeting of December, long before the feed's window
    assert f"meeting-{theirs.id}@" not in response.get_data(as_text=True)
    assert f"meeting-{long_ago.id}@" not in response.get_data(as_text=True)
    assert {str(zone["TZID"]) for zone in cal.walk("VTIMEZONE")} == {"Europe/Berlin", "Australia/Sydney"}
    with db.database.connection_context():
        assert held_starts(cal) == sorted(held_stored(ours) + held_stored(sydney))
    assert b"meet.example.org" in response.data  # the member's own circles: the links are theirs to see


def test_the_feed_reads_in_few_queries_and_writes_nothing(client, auth, people, caplog):
    for number in range(6):
        schedule(people["circle"], people["owner"], repeat=WEEKLY, times=4, title=f"Series {number}")
    address = make_address(client, auth, people["member"])
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        response = client.get(address)
    assert response.status_code == 200 and len(parse(response).walk("VEVENT")) == 6
    statements = [record.getMessage() for record in caplog.records if record.name == "peewee"]
    assert not [s for s in statements if s.lstrip("('\"").split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert len([s for s in statements if "SELECT" in s]) <= 3, statements


def test_wrong_malformed_and_revoked_addresses_are_404(client, auth, people):
    schedule(people["circle"], people["owner"], repeat=ONCE)
    first = make_address(client, auth, people["member"])
    assert client.get(first).status_code == 200
    token = first.rsplit("/", 1)[1][:-4]
    nowhere = html(client.get("/no-such-page")).find("main").get_text(" ", strip=True)
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "a" * 300, "..%2F..%2Fetc", token.upper()):
        response = client.get(f"/calendar/{wrong}.ics")
        assert response.status_code == 404
        assert html(response).find("main").get_text(" ", strip=True) == nowhere  # no hint of why
    second = make_address(client, auth, people["member"])  # a new address ends the old one
    assert second != first
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    auth.login(people["member"])
    response = client.post("/settings/calendar", data={"action": "revoke"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings/calendar")
    assert client.get(second).status_code == 404
    assert "You have no calendar address." in client.get("/settings/calendar").get_data(as_text=True)
    with db.database.connection_context():
        assert CalendarFeed.select().where(CalendarFeed.user == people["member"].id).count() == 0


def test_a_circle_left_drops_out_of_the_feed(client, auth, people):
    meeting = schedule(people["circle"], people["owner"], repeat=WEEKLY, times=3)
    address = make_address(client, auth, people["member"])
    assert uids(client.get(address)) == {f"meeting-{meeting.id}@localhost"}
    with db.database.connection_context():
        Membership.of(people["member"], people["circle"]).leave()
    response = client.get(address)
    assert response.status_code == 200 and uids(response) == set()
    assert b"Reading group" not in response.data


def test_a_suspended_or_deleted_accounts_feed_is_404(client, auth, people):
    from learncircle.accounts import deletion
    from learncircle.admin import accounts as admin_accounts

    schedule(people["circle"], people["owner"], repeat=ONCE)
    address = make_address(client, auth, people["member"])
    with db.database.connection_context():
        admin_accounts.suspend(User.get_by_id(people["member"].id), by=people["admin"], reason="Spam everywhere.")
    assert client.get(address).status_code == 404
    with db.database.connection_context():
        admin_accounts.lift(User.get_by_id(people["member"].id), by=people["admin"])
    assert client.get(address).status_code == 200
    with db.database.connection_context():
        deletion.delete_now(User.get_by_id(people["member"].id), remove_posts=False)
    assert client.get(address).status_code == 404


def test_settings_need_a_sign_in(client, people):
    response = client.get("/settings/calendar")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
