"""Finding a time (meetings/polls.py, poll_views.py): proposing slots, voting, the ranked result in each
reader's zone, scheduling links, closing, and who took the bad hour how often."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR, PUBLIC
from learncircle.meetings import polls, scheduling
from learncircle.meetings.models import WEEKLY, Occurrence, Poll, Slot, Vote
from learncircle.notices.models import Notice
from tests.fixtures_reviews import counted_queries
from tests.helpers import html

MONDAY = dt.datetime(2026, 3, 9)  # a week after the frozen clock's 2026-03-02 09:00 UTC; Los Angeles is on PDT


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """A circle spread across zones: its owner in UTC, a facilitator in Berlin, two members in Kolkata and one in
    Los Angeles, all in it since January; an outsider and the instance admin."""
    clock.freeze(dt.datetime(2026, 1, 5, 9, 0))
    olive = make_user("olive")
    circle = make_circle(olive, name="Across Zones", visibility=PUBLIC)
    people = {"olive": olive, "circle": circle}
    for name, zone in (("fran", "Europe/Berlin"), ("kiran", "Asia/Kolkata"), ("ravi", "Asia/Kolkata"),
                       ("lee", "America/Los_Angeles")):
        people[name] = make_user(name, timezone=zone)
        add_member(circle, people[name], FACILITATOR if name == "fran" else "member")
    people["outsider"] = make_user("outsider")
    people["admin"] = make_user("admin", is_admin=True)
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0))
    return people


def url(circle, poll=None, action=""):
    if poll is None:
        return f"/c/{circle.slug}/meetings/polls/new"
    return f"/c/{circle.slug}/meetings/polls/{poll.id}" + (f"/{action}" if action else "")


def make_poll(app, scene, local_slots, zone="Europe/Berlin", weekly=False, title="Our weekly call"):
    with app.test_request_context(), db.database.connection_context():
        return polls.create(circle=scene["circle"], author=scene["fran"], title=title, zone=zone,
                            duration_minutes=60, weekly=weekly, local_slots=local_slots)


def slots_of(poll):
    with db.database.connection_context():
        return list(Slot.select().where(Slot.poll == poll.id).order_by(Slot.starts_at))


def votes_of(poll):
    with db.database.connection_context():
        return {(vote.slot_id, vote.user_id): vote.answer
                for vote in Vote.select().join(Slot).where(Slot.poll == poll.id)}


def text(response):
    return " ".join(html(response).get_text(" ").split())


FORM = {"title": "Our weekly call", "timezone": "Europe/Berlin", "duration_minutes": "60",
        "slots-0": "2026-03-09T18:00", "slots-1": "2026-03-10T09:00"}


# ---- proposing times -------------------------------------------------------------------------------------------

def test_the_form_starts_in_the_facilitators_zone(client, auth, scene):
    auth.login(scene["fran"])
    page = html(client.get(url(scene["circle"])))
    assert page.find("select", attrs={"name": "timezone"}).find("option", selected=True)["value"] == "Europe/Berlin"
    assert len(page.find_all("input", attrs={"type": "datetime-local"})) == 6
    assert page.find("legend", string="Candidate times") is not None


def test_a_poll_is_opened_in_its_zone_and_the_others_are_told(client, auth, scene):
    auth.login(scene["fran"])
    response = client.post(url(scene["circle"]), data=FORM)
    assert response.status_code == 303
    with db.database.connection_context():
        poll = Poll.get()
        notices = list(Notice.select().where(Notice.kind == "poll_opened"))
    assert response.headers["Location"].endswith(url(scene["circle"], poll))
    assert (poll.title, poll.zone, poll.duration_minutes, poll.weekly) == ("Our weekly call", "Europe/Berlin", 60,
                                                                            False)
    # 18:00 and 09:00 in Berlin, an hour ahead of UTC in March.
    assert [slot.starts_at for slot in slots_of(poll)] == [dt.datetime(2026, 3, 9, 17), dt.datetime(2026, 3, 10, 8)]
    told = {notice.user_id for notice in notices}
    assert told == {scene[name].id for name in ("olive", "kiran", "ravi", "lee")}
    assert {notice.url for notice in notices} == {url(scene["circle"], poll)}
    auth.login(scene["kiran"])
    listed = text(client.get("/notices"))
    assert "Help Across Zones find a time for “Our weekly call”" in listed


def test_a_weekly_grid_makes_the_slots(client, auth, scene):
    auth.login(scene["fran"])
    response = client.post(url(scene["circle"]), data={
        "title": "Weekly", "timezone": "America/Los_Angeles", "duration_minutes": "45", "weekly": "y",
        "grid_week": "2026-03-09", "grid_days": ["0", "2"], "grid_times-0": "18:00", "grid_times-1": "07:30"})
    assert response.status_code == 303
    with db.database.connection_context():
        poll = Poll.get()
    assert poll.weekly
    # Monday and Wednesday at 07:30 and 18:00 in Los Angeles (UTC-7 from 8 March).
    assert [slot.starts_at for slot in slots_of(poll)] == [
        dt.datetime(2026, 3, 9, 14, 30), dt.datetime(2026, 3, 10, 1), dt.datetime(2026, 3, 11, 14, 30),
        dt.datetime(2026, 3, 12, 1)]


BAD_INPUT = [
    ({"title": ""}, "Give the poll a title"),
    ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is an unknown time zone"),
    ({"slots-1": "", "slots-2": ""}, "Propose at least 2 times"),
    ({"slots-1": "2026-03-09T18:00"}, "2026-03-09 18:00 is proposed twice"),
    ({"slots-1": "2026-03-01T18:00"}, "2026-03-01 18:00 has already passed"),
    ({"slots-1": "next tuesday"}, "Give a date and a time"),
    ({"weekly": "y", "slots-1": "2026-03-16T19:00"}, "For a weekly meeting, propose times within one week"),
    ({"duration_minutes": "0"}, "From 15 to 480 minutes"),
    ({"grid_week": "2026-03-16", "grid_days": ["0", "1", "2", "3", "4", "5", "6"], "grid_times-0": "10:00",
      "grid_times-1": "11:00"},
     "Propose at most 12 times"),
    ({"grid_days": ["1"], "grid_times-0": "10:00"}, "For a weekly grid, give the date the week starts on"),
]


@pytest.mark.parametrize("change, message", BAD_INPUT, ids=[message for _, message in BAD_INPUT])
def test_bad_input_is_refused_with_the_form_kept(client, auth, scene, change, message):
    auth.login(scene["fran"])
    sent = {**FORM, "title": "Kept title", "slots-2": "2026-03-12T07:15", **change}
    response = client.post(url(scene["circle"]), data=sent)
    assert response.status_code == 422
    assert message in text(response)
    page = html(response)
    assert page.find("input", attrs={"name": "title"})["value"] == sent["title"]
    assert page.find("input", attrs={"name": "slots-2"}).get("value", "") == sent["slots-2"]
    if "grid_week" in change:
        assert page.find("input", attrs={"name": "grid_week"})["value"] == change["grid_week"]
    with db.database.connection_context():
        assert Poll.select().count() == 0


def test_only_facilitators_propose_times(client, auth, scene):
    auth.login(scene["kiran"])
    assert client.get(url(scene["circle"])).status_code == 403
    assert client.post(url(scene["circle"]), data=FORM).status_code == 403
    with db.database.connection_context():
        assert Poll.select().count() == 0


# ---- voting ----------------------------------------------------------------------------------------------------

def test_votes_are_saved_and_can_change_until_the_poll_closes(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    first, second = slots_of(poll)
    auth.login(scene["kiran"])
    response = client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "yes",
                                                                       f"slot-{second.id}": "no"})
    assert response.status_code == 303 and response.headers["Location"].endswith(url(scene["circle"], poll))
    kiran = scene["kiran"].id
    assert votes_of(poll) == {(first.id, kiran): "yes", (second.id, kiran): "no"}
    client.post(url(scene["circle"], poll, "vote"), data={f"slot-{second.id}": "if_needed"})
    assert votes_of(poll) == {(first.id, kiran): "yes", (second.id, kiran): "if_needed"}
    other = make_poll(app, scene, [MONDAY.replace(hour=20), MONDAY.replace(day=11, hour=9)], title="Another")
    foreign = slots_of(other)[0]
    with db.database.connection_context():  # another poll's slot, named in this poll's form: left alone
        assert polls.vote(poll, scene["kiran"], {foreign.id: "yes", first.id: "maybe"}) == 0
    assert votes_of(other) == {}
    page = html(client.get(url(scene["circle"], poll)))
    checked = {radio["name"]: radio["value"] for radio in page.select(".poll-vote input[type=radio][checked]")}
    assert checked == {f"slot-{first.id}": "yes", f"slot-{second.id}": "if_needed"}
    fieldsets = page.select(".poll-vote fieldset")
    assert len(fieldsets) == 2 and all(fieldset.find("legend") for fieldset in fieldsets)


def test_a_nonsense_answer_is_refused(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    first, _ = slots_of(poll)
    auth.login(scene["kiran"])
    response = client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "perhaps"})
    assert response.status_code == 422
    assert "Choose yes, if needed or no for each time." in text(response)
    empty = client.post(url(scene["circle"], poll, "vote"), data={})
    assert empty.status_code == 422 and "Choose yes, if needed or no for at least one time." in text(empty)
    assert votes_of(poll) == {}


def test_an_htmx_vote_is_answered_with_the_result(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    first, _ = slots_of(poll)
    auth.login(scene["kiran"])
    response = client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "yes"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    part = html(response)
    assert part.find("section")["id"] == f"poll-{poll.id}-result"
    assert "Your answers are saved." in part.find("section").get_text()
    announced = part.find(id="notices")  # the page's live region, swapped out of band: read aloud
    assert announced["hx-swap-oob"] == "innerHTML" and announced.get_text(strip=True) == "Your answers are saved."
    assert "1 can come" in part.find("tr", id=f"slot-{first.id}-result").get_text()


def test_a_vote_on_a_closed_poll_is_refused(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    first, _ = slots_of(poll)
    with db.database.connection_context():
        assert polls.close(poll)
    auth.login(scene["kiran"])
    response = client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "yes"})
    assert response.status_code == 422
    assert "This poll is closed: answers can no longer change." in text(response)
    fragment = client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "yes"},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "This poll is closed" in text(fragment)
    assert votes_of(poll) == {}


def test_who_may_vote_and_see(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    first, _ = slots_of(poll)
    auth.login(scene["admin"])  # reads every circle's page, answers for none
    page = html(client.get(url(scene["circle"], poll)))
    assert page.find("form", class_="poll-vote") is None and page.find(id=f"poll-{poll.id}-result")
    assert client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "yes"}).status_code == 403
    auth.login(scene["outsider"])
    assert client.get(url(scene["circle"], poll)).status_code == 403
    assert client.post(url(scene["circle"], poll, "vote"), data={f"slot-{first.id}": "yes"}).status_code == 403
    assert votes_of(poll) == {}


# ---- the result, each in their own zone ---------------------------------------------------------------------------

def legends(response):
    return [" ".join(legend.find("time").get_text().split()) for legend in html(response).select(".poll-vote legend")]


def test_each_member_reads_the_slots_in_their_own_zone(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    auth.login(scene["kiran"])
    kolkata = client.get(url(scene["circle"], poll))
    assert legends(kolkata) == ["Mon 09 Mar 2026, 22:30 IST", "Tue 10 Mar 2026, 13:30 IST"]
    assert "(18:00 in Europe/Berlin)" in text(kolkata)  # the organiser's time beside it
    auth.login(scene["lee"])
    los_angeles = client.get(url(scene["circle"], poll))
    assert legends(los_angeles) == ["Mon 09 Mar 2026, 10:00 PDT", "Tue 10 Mar 2026, 01:00 PDT"]
    assert "Every time here is in your time zone, America/Los Angeles." in text(los_angeles)


def vote(client, auth, scene, poll, name, answers):
    auth.login(scene[name])
    response = client.post(url(scene["circle"], poll, "vote"), data={f"slot-{slot.id}": answer
                                                                       for slot, answer in answers})
    assert response.status_code == 303


def test_the_result_ranks_the_slots_and_says_how_late_they_are_for_whom(app, client, auth, scene):
    # 18:30 in Berlin is 23:00 in Kolkata and 10:30 in Los Angeles; 09:00 in Berlin is 01:00 in Los Angeles.
    poll = make_poll(app, scene, [MONDAY.replace(day=10, hour=9), MONDAY.replace(hour=18, minute=30)])
    morning, evening = sorted(slots_of(poll), key=lambda slot: -slot.starts_at.timestamp())
    vote(client, auth, scene, poll, "kiran", [(evening, "yes"), (morning, "yes")])
    vote(client, auth, scene, poll, "ravi", [(evening, "yes"), (morning, "if_needed")])
    vote(client, auth, scene, poll, "lee", [(evening, "yes"), (morning, "no")])
    response = client.get(url(scene["circle"], poll))
    rows = html(response).select(".poll-table tbody tr")
    assert [row["id"] for row in rows] == [f"slot-{evening.id}-result", f"slot-{morning.id}-result"]
    first = " ".join(rows[0].get_text(" ").split())
    assert "3 can come" in first and "Yes: Kiran, Lee, Ravi" in first
    assert "23:00 for 2 members (late): Kiran, Ravi" in first
    assert "More can come than at the next." in first
    second = " ".join(rows[1].get_text(" ").split())
    assert "2 can come" in second and "If needed: Ravi" in second and "Cannot: Lee" in second
    assert "3 members have answered." in text(response)


def schedule_links(response):
    return [parse_qs(urlsplit(link["href"]).query) for link in html(response).find_all("a")
            if link.get_text(strip=True) in ("Schedule this time", "Take turns between the best two")]


def test_facilitators_alone_get_the_scheduling_links(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    first, second = slots_of(poll)
    auth.login(scene["fran"])
    page = client.get(url(scene["circle"], poll))
    assert sorted(link["slot"][0] for link in schedule_links(page)) == sorted([str(first.id), str(second.id)])
    assert all(link["poll"] == [str(poll.id)] for link in schedule_links(page))
    assert html(page).find("button", string="Close the poll") is not None
    assert "Take turns between the best two" not in text(page)  # not a weekly poll
    auth.login(scene["kiran"])
    page = client.get(url(scene["circle"], poll))
    assert schedule_links(page) == [] and html(page).find("button", string="Close the poll") is None


def test_a_weekly_poll_offers_to_take_turns_in_the_rotations_order(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18, minute=30), MONDAY.replace(day=10, hour=9),
                                  MONDAY.replace(day=11, hour=12)], weekly=True)
    late, morning, noon = slots_of(poll)
    vote(client, auth, scene, poll, "kiran", [(late, "yes"), (morning, "yes"), (noon, "no")])
    vote(client, auth, scene, poll, "lee", [(late, "yes"), (morning, "yes"), (noon, "no")])
    auth.login(scene["fran"])
    page = client.get(url(scene["circle"], poll))
    (turns,) = [link for link in html(page).find_all("a") if link.get_text(strip=True) == "Take turns between the "
                "best two"]
    taken = parse_qs(urlsplit(turns["href"]).query)["slot"]
    with app.test_request_context(), db.database.connection_context():
        expected = polls.results(polls.Poll.get_by_id(poll.id)).rotation
    assert sorted(taken) == sorted([str(late.id), str(morning.id)])
    assert taken == [str(slot_id) for slot_id in expected]
    # 23:00 for two in Kolkata against 01:00 for one in Los Angeles: the lighter on the circle comes first.
    assert taken == [str(morning.id), str(late.id)]


def test_closing_keeps_the_result_and_ends_the_voting(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    auth.login(scene["kiran"])
    assert client.post(url(scene["circle"], poll, "close")).status_code == 403
    auth.login(scene["fran"])
    response = client.post(url(scene["circle"], poll, "close"))
    assert response.status_code == 303
    with db.database.connection_context():
        assert Poll.get_by_id(poll.id).closed_at == clock.now()
    again = client.post(url(scene["circle"], poll, "close"), follow_redirects=True)
    assert "This poll was already closed." in text(again)
    auth.login(scene["kiran"])
    page = client.get(url(scene["circle"], poll))
    assert html(page).find("form", class_="poll-vote") is None
    assert html(page).find(id=f"poll-{poll.id}-result") is not None
    assert "This poll is closed: answers can no longer change." in text(page)


def test_the_meeting_scheduled_from_a_poll_is_shown_on_it(app, client, auth, scene):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    with app.test_request_context(), db.database.connection_context():
        meeting = scheduling.schedule(circle=scene["circle"], organiser=scene["fran"], title="Our weekly call",
                                      local_start=MONDAY.replace(hour=18), zone="Europe/Berlin", duration_minutes=60)
        polls.mark_scheduled(poll, meeting)
        first = Occurrence.get(Occurrence.meeting == meeting.id)
        stored = Poll.get_by_id(poll.id)
    assert stored.meeting_id == meeting.id and stored.closed_at == clock.now()
    auth.login(scene["fran"])
    page = client.get(url(scene["circle"], poll))
    link = html(page).find("a", href=f"/c/{scene['circle'].slug}/meetings/{first.id}")
    assert link is not None and link.get_text() == "Our weekly call"
    assert schedule_links(page) == [] and html(page).find("form", class_="poll-vote") is None


# ---- who took the bad hour how often ---------------------------------------------------------------------------

def test_the_tally_counts_each_members_bad_hours_worst_first(app, client, auth, scene, make_user, add_member):
    # Four Mondays at 17:30 UTC: 23:00 in Kolkata, 18:30 in Berlin, 09:30 in Los Angeles. One is cancelled, and
    # one comes after today.
    with app.test_request_context(), db.database.connection_context():
        meeting = scheduling.schedule(circle=scene["circle"], organiser=scene["fran"], title="Call", zone="UTC",
                                      local_start=dt.datetime(2026, 2, 9, 17, 30), duration_minutes=60,
                                      repeat=WEEKLY, times=4)
        Occurrence.update(cancelled_at=clock.now()).where((Occurrence.meeting == meeting.id)
                                                          & (Occurrence.number == 1)).execute()
    clock.freeze(dt.datetime(2026, 2, 20))
    late = make_user("late", timezone="Asia/Kolkata")
    add_member(scene["circle"], late)  # joined after two of them
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0))
    with db.database.connection_context():
        rows = [(user.username, bad, total) for user, bad, total in polls.tally(scene["circle"])]
    assert rows[:3] == [("kiran", 2, 2), ("ravi", 2, 2), ("late", 1, 1)]
    assert sorted(rows[3:]) == [("fran", 0, 2), ("lee", 0, 2), ("olive", 0, 2)]
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    auth.login(scene["lee"])
    tally = html(client.get(url(scene["circle"], poll))).find("table", class_="poll-tally")
    cells = {row.th.get_text(): row.td.get_text() for row in tally.select("tbody tr")}
    assert cells["Kiran"] == "2 of 2" and cells["Late"] == "1 of 1" and cells["Lee"] == "0 of 2"


def test_the_result_takes_a_fixed_number_of_queries(app, scene, make_user, add_member):
    poll = make_poll(app, scene, [MONDAY.replace(hour=18), MONDAY.replace(day=10, hour=9)])
    slots = slots_of(poll)
    with app.test_request_context(), db.database.connection_context():
        for number in range(8):
            voter = make_user(f"voter{number}", timezone=("Asia/Kolkata", "Europe/Berlin")[number % 2])
            add_member(scene["circle"], voter)
            polls.vote(poll, voter, {slot.id: "yes" for slot in slots})
        with counted_queries() as seen:
            results = polls.results(poll, viewer=scene["kiran"])
    assert results.voters == 8 and len(results.ranked) == 2
    assert len(seen) <= 4, seen
