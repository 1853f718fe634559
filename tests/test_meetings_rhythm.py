"""The circle's rhythm page: the meetings coming up in each reader's zone with their answers, the open polls, the
last notes; for facilitators only, attendance over time per member, who missed several in a row, who took the bad
hour how often; and the whole attendance history, a page at a time. In the same few queries however big the circle."""
import datetime as dt

import pytest

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR, Membership
from learncircle.meetings import records, rhythm, scheduling
from learncircle.meetings.models import GOING, MAYBE, Occurrence, Poll, Rsvp
from tests.helpers import html
from tests.test_discussions_threads import recorded_sql

EARLY = dt.datetime(2026, 1, 1)


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """Monday 2 March 2026, 09:00 UTC. Olga's circle meets on Sundays at 18:00 in Berlin (Fay's zone): five
    meetings since 1 February, the sixth on 8 March. Its members are in Los Angeles, Kolkata and Sydney; all joined
    in January but Dan, who joined today."""
    olga = make_user("olga")
    fay = make_user("fay", timezone="Europe/Berlin")
    ann = make_user("ann", timezone="America/Los_Angeles")
    bea = make_user("bea", timezone="Asia/Kolkata")
    cy = make_user("cy", timezone="Australia/Sydney")
    circle = make_circle(olga, name="Rust")
    add_member(circle, fay, FACILITATOR)
    for person in (ann, bea, cy):
        add_member(circle, person)
    with db.database.connection_context():
        Membership.update(joined_at=EARLY).where(Membership.circle == circle.id).execute()
    add_member(circle, make_user("dan"))
    with db.database.connection_context():
        meeting = scheduling.schedule(circle=circle, organiser=fay, title="Sunday call", zone="Europe/Berlin",
                                      local_start=dt.datetime(2026, 2, 1, 18, 0), duration_minutes=60,
                                      repeat="weekly", times=6)
        occurrences = list(Occurrence.select().where(Occurrence.meeting == meeting).order_by(Occurrence.number))
    return {"circle": circle, "meeting": meeting, "occurrences": occurrences, "olga": olga, "fay": fay, "ann": ann,
            "bea": bea, "cy": cy}


def record(app, scene, number, present=(), head_count=None, notes=""):
    """What a facilitator's form saves for the meeting of that number (records.save)."""
    with app.test_request_context(), db.database.connection_context():
        occurrence = Occurrence.get_by_id(scene["occurrences"][number].id)
        records.save(occurrence, recorder=scene["fay"], notes=notes, head_count=head_count,
                     present=None if head_count is not None else [scene[name].id for name in present])


@pytest.fixture
def recorded(app, scene):
    """All there on 1 Feb; a head count on 8 Feb; Cy missing since, Bea for the last two; notes for four."""
    everyone = ("olga", "fay", "ann", "bea", "cy")
    record(app, scene, 0, everyone, notes="We met for the first time.")
    record(app, scene, 1, head_count=4)
    record(app, scene, 2, ("olga", "fay", "ann", "bea"), notes="Ownership, with **examples**.")
    record(app, scene, 3, ("olga", "fay", "ann"), notes="Borrowing.")
    record(app, scene, 4, ("olga", "fay", "ann"), notes="Lifetimes, and a recording: https://video.example.org/4")
    return scene


def words(element):
    return " ".join(element.get_text(" ").split())


def rhythm_page(client, auth, scene, viewer):
    auth.login(scene[viewer])
    response = client.get(f"/c/{scene['circle'].slug}/meetings")
    assert response.status_code == 200
    return html(response)


def test_upcoming_meetings_are_in_each_readers_zone_with_the_organisers_beside(client, auth, scene):
    with db.database.connection_context():
        cancelled = scheduling.schedule(circle=scene["circle"], organiser=scene["fay"], title="Cancelled one",
                                        zone="UTC", local_start=dt.datetime(2026, 3, 4, 12), duration_minutes=30)
        Occurrence.update(cancelled_at=clock.now()).where(Occurrence.meeting == cancelled.id).execute()
        scheduling.schedule(circle=scene["circle"], organiser=scene["olga"], title="Book club", zone="UTC",
                            local_start=dt.datetime(2026, 3, 5, 12), duration_minutes=30)
    seen = {}
    for viewer in ("ann", "bea", "cy", "fay"):
        section = rhythm_page(client, auth, scene, viewer).find(id="upcoming")
        assert [a.get_text() for a in section.select("a.title")] == ["Book club", "Sunday call"]
        seen[viewer] = section.find(id=f"upcoming-{scene['occurrences'][5].id}").find("p", class_="meta").get_text(
            " ", strip=True)
    # 8 March: Los Angeles has just begun summer time, Berlin not yet; Sydney is already on Monday.
    assert seen["ann"] == "Sun 08 Mar 2026, 10:00 PDT (18:00 in Europe/Berlin)"
    assert seen["bea"] == "Sun 08 Mar 2026, 22:30 IST (18:00 in Europe/Berlin)"
    assert seen["cy"] == "Mon 09 Mar 2026, 04:00 AEDT (Sun 08 Mar 2026, 18:00 in Europe/Berlin)"
    assert seen["fay"] == "Sun 08 Mar 2026, 18:00 CET"


def test_answers_are_counted_for_the_circles_own_people_and_open_polls_listed(client, auth, scene, make_user,
                                                                                add_member):
    coming = scene["occurrences"][5]
    eve = make_user("eve")
    add_member(scene["circle"], eve)
    with db.database.connection_context():
        for person, answer in ((scene["ann"], GOING), (scene["bea"], GOING), (scene["cy"], MAYBE), (eve, GOING)):
            Rsvp.create(occurrence=coming, user=person, answer=answer)
        Membership.of(eve, scene["circle"]).leave()  # her answer no longer counts
        open_poll = Poll.create(circle=scene["circle"], author=scene["fay"], title="A new slot", zone="UTC",
                                duration_minutes=60)
        Poll.create(circle=scene["circle"], author=scene["fay"], title="Last year's poll", zone="UTC",
                    duration_minutes=60, closed_at=clock.now())
    page = rhythm_page(client, auth, scene, "bea")
    assert words(page.find(id=f"upcoming-{coming.id}").find(class_="answers")) == "2 going · 1 maybe"
    polls = page.find(id="open-polls")
    assert [(a.get_text(), a["href"]) for a in polls.select("a.title")] == [
        ("A new slot", f"/c/{scene['circle'].slug}/meetings/polls/{open_poll.id}")]
    # A member schedules nothing and sees nobody's attendance.
    assert page.find("a", string="Schedule a meeting") is None and page.find(id="attendance") is None
    facilitator = rhythm_page(client, auth, scene, "fay")
    assert facilitator.find("a", string="Schedule a meeting")["href"] == f"/c/{scene['circle'].slug}/meetings/new"
    assert facilitator.find("a", string="Find a time")["href"] == f"/c/{scene['circle'].slug}/meetings/polls/new"


def test_a_public_circles_visitor_sees_when_but_not_who_nor_the_polls(client, auth, scene, make_user):
    with db.database.connection_context():
        Rsvp.create(occurrence=scene["occurrences"][5], user=scene["ann"], answer=GOING)
        Poll.create(circle=scene["circle"], author=scene["fay"], title="A new slot", zone="UTC", duration_minutes=60)
    auth.login(make_user("visitor"))
    page = html(client.get(f"/c/{scene['circle'].slug}/meetings"))
    assert page.find(id="upcoming").find("a", string="Sunday call")
    assert page.find(class_="answers") is None and page.find(id="open-polls") is None
    assert page.find(id="attendance") is None


def test_the_last_three_notes_with_an_excerpt_and_their_thread(client, auth, recorded):
    section = rhythm_page(client, auth, recorded, "cy").find(id="last-notes")
    items = section.select("li")
    assert [item.find("a", class_="title").get_text() for item in items] == ["Sunday call"] * 3
    texts = [item.get_text(" ", strip=True) for item in items]
    assert "Lifetimes, and a recording" in texts[0] and "Borrowing." in texts[1]
    assert "Ownership, with examples." in texts[2]  # the excerpt is plain text
    assert not any("first time" in text for text in texts)  # the fourth notes back are not shown
    with db.database.connection_context():
        thread_id = Occurrence.get_by_id(recorded["occurrences"][4].id).notes_thread_id
    link = items[0].select_one("a[href^='/t/']")
    assert link["href"] == f"/t/{thread_id}"
    assert words(link) == "Read the notes and join the discussion of “Sunday call”"


def test_attendance_over_time_and_missed_in_a_row_are_for_facilitators_only(client, auth, recorded):
    for viewer in ("ann", "cy"):
        page = rhythm_page(client, auth, recorded, viewer)
        assert page.find(id="attendance") is None and page.find(id="missed-in-a-row") is None
        assert "missed" not in page.get_text().lower()
    page = rhythm_page(client, auth, recorded, "fay")
    table = page.find(id="attendance").find("table", class_="attendance-grid")
    assert table.caption and [th["scope"] for th in table.thead.find_all("th")] == ["col"] * 7
    rows = {row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.find_all("td")]
            for row in table.tbody.find_all("tr")}
    assert rows["Cy"] == ["present", "head count only", "absent", "absent", "absent", "1"]
    assert rows["Bea"] == ["present", "head count only", "present", "absent", "absent", "2"]
    assert rows["Dan"] == ["not yet a member"] * 5 + ["0"]
    assert list(rows) == ["Olga", "Fay", "Ann", "Bea", "Cy", "Dan"]
    missed = page.find(id="missed-in-a-row")
    assert [(a.get_text(), a["href"]) for a in missed.find_all("a")] == [("Cy", "/u/cy")]
    assert "missed 3 in a row" in missed.get_text()


def test_attendance_not_taken_yet_says_so(client, auth, scene):
    page = rhythm_page(client, auth, scene, "olga")
    rows = page.find("table", class_="attendance-grid").tbody.find_all("tr")
    assert [cell.get_text(strip=True) for cell in rows[0].find_all("td")] == ["not taken"] * 5 + ["0"]
    assert page.find(id="missed-in-a-row").get_text(strip=True) == "Nobody missed the last 3 meetings in a row."


def test_who_took_the_bad_hour_how_often(client, auth, recorded):
    page = rhythm_page(client, auth, recorded, "fay")
    rows = [(row.th.get_text(strip=True), *(td.get_text() for td in row.find_all("td")))
            for row in page.find(id="bad-slot-tally").tbody.find_all("tr")]
    # 18:00 in Berlin is 22:30 in Kolkata and 04:00 in Sydney: Bea and Cy took all five, the worst first; 09:00 in
    # Los Angeles is no bad hour; Dan joined after them all.
    assert rows[:2] == [("Bea", "5", "5"), ("Cy", "5", "5")]
    assert ("Ann", "0", "5") in rows and ("Dan", "0", "0") in rows
    assert rhythm_page(client, auth, recorded, "cy").find(id="bad-slot-tally") is None


def test_the_whole_history_a_page_at_a_time(client, auth, recorded, monkeypatch):
    monkeypatch.setattr(rhythm, "HISTORY_PAGE", 2)
    auth.login(recorded["fay"])
    url = f"/c/{recorded['circle'].slug}/meetings/attendance"
    assert html(client.get(f"/c/{recorded['circle'].slug}/meetings")).find(
        "a", string="The whole attendance history")["href"] == url
    first = html(client.get(url))
    dates = [th.find("span", class_="meta").get_text() for th in first.find("table").thead.find_all("th")[1:-1]]
    assert dates == ["Sun 22 Feb 2026, 18:00 CET", "Sun 01 Mar 2026, 18:00 CET"]  # in the order they happened
    assert first.find("a", rel="next")["href"] == f"{url}?page=2"
    last = html(client.get(f"{url}?page=3"))
    assert len(last.find("table").thead.find_all("th")) == 3 and last.find("a", rel="next") is None
    auth.login(recorded["ann"])
    assert client.get(url).status_code == 403


def test_the_page_runs_the_same_queries_however_many_members_and_meetings(app, client, auth, recorded, make_user,
                                                                         add_member):
    auth.login(recorded["fay"])
    url = f"/c/{recorded['circle'].slug}/meetings"
    client.get(url)
    with recorded_sql() as few:
        client.get(url)
    for number in range(6):
        add_member(recorded["circle"], make_user(f"more{number}"))
    with db.database.connection_context():
        more = scheduling.schedule(circle=recorded["circle"], organiser=recorded["fay"], title="Extra", zone="UTC",
                                   local_start=dt.datetime(2026, 2, 2, 12), duration_minutes=30, repeat="weekly",
                                   times=8)
        for occurrence in Occurrence.select().where(Occurrence.meeting == more.id):
            Rsvp.create(occurrence=occurrence, user=recorded["ann"], answer=GOING)
    with app.test_request_context(), db.database.connection_context():
        for occurrence in Occurrence.select().where((Occurrence.meeting == more.id)
                                                    & (Occurrence.starts_at < clock.now())):
            records.save(occurrence, recorder=recorded["fay"], notes="More notes.", present=[recorded["ann"].id])
    with recorded_sql() as many:
        page = html(client.get(url))
    assert len(page.find("table", class_="attendance-grid").tbody.find_all("tr")) == 12
    assert len(many) == len(few) <= 16, "\n".join(many)


def test_the_circles_page_links_to_its_meetings(client, auth, scene, make_user):
    for viewer in (scene["cy"], make_user("visitor")):
        auth.login(viewer)
        link = html(client.get(f"/c/{scene['circle'].slug}")).find("a", string="Meetings")
        assert link["href"] == f"/c/{scene['circle'].slug}/meetings"
