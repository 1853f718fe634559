"""Answers to a meeting: going, maybe or not going with a note, one row each; a capacity and its waiting list,
first come first admitted, with the notice; refusals once cancelled or over; the htmx fragment; two members
taking the last place at once. And a facilitator moving, cancelling and editing: those going, maybe and
waiting are told, not those who said no."""
import datetime as dt
import threading

import pytest

from learncircle import clock, db
from learncircle.circles.models import FACILITATOR
from learncircle.meetings import rsvp, scheduling
from learncircle.meetings.models import GOING, MAYBE, NOT_GOING, WAITING, WEEKLY, Meeting, Occurrence, Rsvp
from learncircle.notices.models import Notice
from tests.helpers import html


@pytest.fixture
def scene(app, make_user, make_circle, add_member, frozen_clock):
    """A weekly meeting of three next week (from Tue 10 Mar 2026, 18:00 UTC), two places, and four members."""
    owner = make_user("owner")
    circle = make_circle(owner, name="Readers")
    facilitator = make_user("fac")
    add_member(circle, facilitator, FACILITATOR)
    members = {name: make_user(name, display_name=name.title()) for name in ("ana", "bo", "cy", "di")}
    for member in members.values():
        add_member(circle, member)
    with db.database.connection_context():
        meeting = scheduling.schedule(circle=circle, organiser=facilitator, title="Reading group",
                                      local_start=dt.datetime(2026, 3, 10, 18), zone="UTC", duration_minutes=60,
                                      link="https://meet.example.org/read", capacity=2, repeat=WEEKLY, times=3)
        occurrences = list(meeting.occurrences.order_by(Occurrence.number))
    return {"circle": circle, "facilitator": facilitator, "owner": owner, "meeting": meeting,
            "occurrences": occurrences, "occurrence": occurrences[0], **members}


def url(scene, action="", occurrence=None):
    occurrence = occurrence or scene["occurrence"]
    return f"/c/{scene['circle'].slug}/meetings/{occurrence.id}" + (f"/{action}" if action else "")


def answer(client, auth, scene, who, choice, note="", **headers):
    auth.login(scene[who])
    return client.post(url(scene, "rsvp"), data={"answer": choice, "note": note}, headers=headers)


def answers(occurrence):
    with db.database.connection_context():
        return {row.user.username: row.answer for row in Rsvp.select().where(Rsvp.occurrence == occurrence.id)}


def notices(kind):
    with db.database.connection_context():
        return sorted(notice.user.username for notice in Notice.select().where(Notice.kind == kind))


def test_an_answer_is_one_row_written_over_with_its_note(client, auth, scene):
    response = answer(client, auth, scene, "ana", "maybe", "If the train is on time.")
    assert response.status_code == 303 and response.headers["Location"].endswith(url(scene))
    assert answer(client, auth, scene, "ana", "going", "On my way.").status_code == 303
    with db.database.connection_context():
        [row] = Rsvp.select()
    assert (row.answer, row.note) == (GOING, "On my way.")
    page = html(client.get(url(scene)))
    assert page.find(id=f"rsvp-{scene['occurrence'].id}-mine").get_text(" ", strip=True) == \
        "You are going. Your note: “On my way.”"
    assert page.find("input", {"name": "answer", "value": "going"}).has_attr("checked")
    assert "1 of 2 places taken" in page.find(class_="places").get_text()


def test_past_the_capacity_a_member_waits_and_is_admitted_when_someone_drops_out(client, auth, scene):
    for who in ("ana", "bo", "cy", "di"):
        clock.advance(minutes=1)  # first come, first admitted
        answer(client, auth, scene, who, "going")
    assert answers(scene["occurrence"]) == {"ana": GOING, "bo": GOING, "cy": WAITING, "di": WAITING}
    page = html(client.get(url(scene)))  # as di
    assert "number 2 on the waiting list" in page.find(id=f"rsvp-{scene['occurrence'].id}-mine").get_text()
    section = page.find(id=f"rsvp-{scene['occurrence'].id}")
    assert "2 of 2 places taken" in section.get_text()
    assert [li.a.get_text() for li in section.find("ol", class_="plain").find_all("li")] == ["Cy", "Di"]
    # A new note while waiting keeps one's place in the queue.
    answer(client, auth, scene, "cy", "going", "Still keen.")
    answer(client, auth, scene, "bo", "not")
    assert answers(scene["occurrence"]) == {"ana": GOING, "bo": NOT_GOING, "cy": GOING, "di": WAITING}
    assert notices("meeting_place_opened") == ["cy"]
    with db.database.connection_context():
        [opened] = Notice.select().where(Notice.kind == "meeting_place_opened")
    assert opened.url == url(scene) and "A place opened for you" in opened.text


def test_more_places_admit_those_waiting(client, auth, scene):
    for who in ("ana", "bo", "cy", "di"):
        clock.advance(minutes=1)
        answer(client, auth, scene, who, "going")
    auth.login(scene["facilitator"])
    response = client.post(f"/c/{scene['circle'].slug}/meetings/series/{scene['meeting'].id}/edit",
                           data={"title": "Reading group", "agenda": "", "link": "https://meet.example.org/read",
                                 "place": "", "capacity": "3"})
    assert response.status_code == 303
    assert answers(scene["occurrence"]) == {"ana": GOING, "bo": GOING, "cy": GOING, "di": WAITING}
    assert notices("meeting_place_opened") == ["cy"]
    assert notices("meeting_changed") == []  # nothing people read changed: no notice of a change


def test_two_members_taking_the_last_place_at_once_do_not_both_get_it(app, scene):
    with db.database.connection_context():
        rsvp.answer(scene["occurrence"], scene["ana"], GOING)
    start = threading.Barrier(2)
    failures = []

    def take(user):
        try:
            with app.app_context(), db.database.connection_context():
                start.wait(5)
                rsvp.answer(scene["occurrence"], user, GOING)
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=take, args=(scene[who],)) for who in ("bo", "cy")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert failures == []
    result = answers(scene["occurrence"])
    assert sorted(result.values()) == [GOING, GOING, WAITING]


def test_htmx_gets_the_fragment_and_a_bad_answer_the_fragment_with_its_message(client, auth, scene):
    response = answer(client, auth, scene, "ana", "going", **{"HX-Request": "true"})
    assert response.status_code == 200
    fragment = html(response)
    assert fragment.find("html") is None
    section = fragment.find(id=f"rsvp-{scene['occurrence'].id}")
    assert "You are going." in section.get_text()
    announced = fragment.find(id="notices")  # the page's live region, swapped out of band: read aloud
    assert announced["hx-swap-oob"] == "innerHTML" and announced.get_text(strip=True) == "You are going."
    assert [li.a.get_text() for li in section.find("ul", class_="plain").find_all("li")] == ["Ana"]
    refused = answer(client, auth, scene, "ana", "perhaps", "x" * 301, **{"HX-Request": "true"})
    assert refused.status_code == 422
    text = html(refused).get_text(" ", strip=True)
    assert "Choose going, maybe or not going." in text and "Keep the note to 300 characters." in text
    assert html(refused).find("input", {"name": "note"})["value"] == "x" * 301
    assert answers(scene["occurrence"]) == {"ana": GOING}


def test_a_cancelled_or_ended_meeting_takes_no_answer(app, client, auth, scene):
    first, second = scene["occurrences"][:2]
    with app.app_context(), db.database.connection_context():
        scheduling.cancel(second, "The library is closed.")
    auth.login(scene["ana"])
    refused = client.post(url(scene, "rsvp", second), data={"answer": "going"})
    assert refused.status_code == 422
    assert html(refused).find(id=f"rsvp-{second.id}-error").get_text() == "This meeting is cancelled."
    page = html(client.get(url(scene, occurrence=second)))
    assert page.find(id="cancelled").get_text() == "Cancelled: The library is closed."
    assert page.find("form", action=url(scene, "rsvp", second)) is None
    clock.freeze(first.ends_at)
    refused = client.post(url(scene, "rsvp", first), data={"answer": "maybe"})
    assert refused.status_code == 422
    assert "This meeting is over" in html(refused).get_text()
    assert answers(first) == {} and answers(second) == {}


def test_visitors_of_a_public_circle_see_when_but_not_where_nor_who(client, auth, scene, make_user):
    answer(client, auth, scene, "ana", "going")
    auth.login(make_user("visitor"))
    page = html(client.get(url(scene)))
    assert page.find(id="when") is not None
    assert page.find(id="link") is None and "meet.example.org" not in page.get_text()
    assert page.find(id=f"rsvp-{scene['occurrence'].id}") is not None
    assert page.find(id=f"rsvp-{scene['occurrence'].id}-going") is None  # nor who is going
    assert page.find("form", action=url(scene, "rsvp")) is None
    assert client.post(url(scene, "rsvp"), data={"answer": "going"}).status_code == 403


def test_the_page_links_the_series_neighbours(client, auth, scene):
    auth.login(scene["ana"])
    page = html(client.get(url(scene, occurrence=scene["occurrences"][1])))
    assert page.find(id="series").get_text(strip=True) == "Every week, 2 of 3"
    links = [a["href"] for a in page.find("nav", class_="series-nav").find_all("a")]
    assert links == [url(scene, occurrence=scene["occurrences"][0]), url(scene, occurrence=scene["occurrences"][2])]
    assert page.find(id="facilitate") is None  # a member has no facilitator's controls


# ---- a facilitator's changes, and who is told ---------------------------------------------------------

@pytest.fixture
def answered(client, auth, scene):
    """ana going, bo maybe, cy waiting (two places: the facilitator takes one), di not going."""
    auth.login(scene["facilitator"])
    client.post(url(scene, "rsvp"), data={"answer": "going"})
    for who, choice in (("ana", "going"), ("bo", "maybe"), ("cy", "going"), ("di", "not")):
        clock.advance(minutes=1)
        answer(client, auth, scene, who, choice)
    assert answers(scene["occurrence"]) == {"fac": GOING, "ana": GOING, "bo": MAYBE, "cy": WAITING, "di": NOT_GOING}
    auth.login(scene["facilitator"])
    return scene


def test_moving_one_tells_those_coming_and_keeps_where_the_series_put_it(client, answered):
    scene = answered
    response = client.post(url(scene, "move"), data={"start": "2026-03-11T20:30", "timezone": "Europe/Berlin",
                                                      "duration": "90", "reason": "The room is taken."})
    assert response.status_code == 303
    with db.database.connection_context():
        moved = Occurrence.get_by_id(scene["occurrence"].id)
        [notice] = Notice.select().where((Notice.kind == "meeting_moved") & (Notice.user == scene["ana"].id))
        text = notice.text
    assert (moved.starts_at, moved.ends_at) == (dt.datetime(2026, 3, 11, 19, 30), dt.datetime(2026, 3, 11, 21))
    assert moved.slot_start == dt.datetime(2026, 3, 10, 18) and moved.moved_at == clock.now()
    assert notices("meeting_moved") == ["ana", "bo", "cy"]  # not di, who said no, nor the facilitator
    assert text.startswith("“Reading group” moved from") and text.endswith(": The room is taken.")
    assert notice.url == url(scene)
    # Without a length it keeps its own.
    assert client.post(url(scene, "move"), data={"start": "2026-03-12T08:00", "timezone": "UTC", "duration": "",
                                                  "reason": "Earlier after all."}).status_code == 303
    with db.database.connection_context():
        again = Occurrence.get_by_id(scene["occurrence"].id)
    assert (again.starts_at, again.ends_at) == (dt.datetime(2026, 3, 12, 8), dt.datetime(2026, 3, 12, 9, 30))


def test_a_move_to_the_past_is_refused_with_the_form_kept(client, answered):
    scene = answered
    page = client.get(url(scene, "move"))
    form = html(page)
    assert form.find("input", {"name": "start"})["value"] == "2026-03-10T18:00"
    assert form.find("select", {"name": "timezone"}).find("option", selected=True)["value"] == "UTC"
    response = client.post(url(scene, "move"), data={"start": "2026-03-01T10:00", "timezone": "UTC",
                                                      "duration": "60", "reason": "Earlier."})
    assert response.status_code == 422
    page = html(response)
    assert "That time has passed" in page.find(class_="field-error").get_text()
    assert page.find("input", {"name": "reason"})["value"] == "Earlier."
    missing = client.post(url(scene, "move"), data={"start": "2026-03-12T10:00", "timezone": "UTC",
                                                     "duration": "60", "reason": " "})
    assert missing.status_code == 422 and "why it moves" in html(missing).get_text()
    assert notices("meeting_moved") == []


def test_cancelling_one_tells_those_coming_and_needs_a_reason(client, answered):
    scene = answered
    refused = client.post(url(scene, "cancel"), data={"reason": ""})
    assert refused.status_code == 422
    assert "why it is cancelled" in html(refused).find(id="cancel-reason-error").get_text()
    assert client.post(url(scene, "cancel"), data={"reason": "I am ill."}).status_code == 303
    assert notices("meeting_cancelled") == ["ana", "bo", "cy"]
    with db.database.connection_context():
        cancelled = Occurrence.get_by_id(scene["occurrence"].id)
    assert cancelled.cancel_reason == "I am ill." and cancelled.cancelled_at == clock.now()
    assert scene["occurrences"][1].id != cancelled.id
    with db.database.connection_context():
        assert Occurrence.get_by_id(scene["occurrences"][1].id).cancelled_at is None


def test_cancelling_the_series_cancels_what_is_to_come_only(client, answered):
    scene = answered
    clock.freeze(dt.datetime(2026, 3, 10, 18, 30))  # the first is under way
    series = f"/c/{scene['circle'].slug}/meetings/series/{scene['meeting'].id}/cancel"
    response = client.post(series, data={"reason": "We meet in the forum now."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(scene, occurrence=scene["occurrences"][1]))
    with db.database.connection_context():
        meeting = Meeting.get_by_id(scene["meeting"].id)
        cancelled = [o.cancelled_at is not None for o in meeting.occurrences.order_by(Occurrence.number)]
    assert meeting.cancelled_at is not None and meeting.cancel_reason == "We meet in the forum now."
    assert cancelled == [False, True, True]
    # Those coming to the first, which goes ahead, are not told: it is not cancelled.
    assert notices("meeting_cancelled") == []


def test_cancelling_the_series_tells_those_coming_to_a_later_one_once(client, answered):
    scene = answered
    clock.freeze(dt.datetime(2026, 3, 10, 18, 30))  # the first is under way: its people are not told
    second, third = scene["occurrences"][1:]
    with client.application.app_context(), db.database.connection_context():
        rsvp.answer(second, scene["ana"], GOING)
        rsvp.answer(third, scene["ana"], MAYBE)
        rsvp.answer(second, scene["di"], NOT_GOING)
        rsvp.answer(third, scene["bo"], MAYBE)
    series = f"/c/{scene['circle'].slug}/meetings/series/{scene['meeting'].id}/cancel"
    assert client.post(series, data={"reason": "Summer break."}).status_code == 303
    assert notices("meeting_cancelled") == ["ana", "bo"]
    with db.database.connection_context():
        [told] = Notice.select().where((Notice.kind == "meeting_cancelled") & (Notice.user == scene["bo"].id))
    assert told.url == url(scene, occurrence=second)  # of the next one, though bo answered the last
    page = html(client.get(url(scene, occurrence=third)))
    assert page.find(id="cancelled").get_text() == "Cancelled: Summer break."


def test_editing_the_details_tells_those_coming(client, answered):
    scene = answered
    edit = f"/c/{scene['circle'].slug}/meetings/series/{scene['meeting'].id}/edit"
    form = html(client.get(edit))
    assert form.find("input", {"name": "capacity"})["value"] == "2"
    refused = client.post(edit, data={"title": "Reading group", "agenda": "", "link": "ftp://x", "place": "",
                                      "capacity": "2"})
    assert refused.status_code == 422 and "starting with https://" in html(refused).get_text()
    response = client.post(edit, data={"title": "Reading group", "agenda": "Chapter *two*.", "place": "",
                                       "link": "https://meet.example.org/new-room", "capacity": "2"})
    assert response.status_code == 303
    assert notices("meeting_changed") == ["ana", "bo", "cy"]
    with db.database.connection_context():
        meeting = Meeting.get_by_id(scene["meeting"].id)
    assert meeting.link == "https://meet.example.org/new-room" and "<em>two</em>" in meeting.agenda_html
    page = html(client.get(url(scene)))
    assert page.find(id="link").a["href"] == "https://meet.example.org/new-room"


def test_members_may_not_move_cancel_or_edit(client, auth, scene):
    auth.login(scene["ana"])
    assert client.get(url(scene, "move")).status_code == 403
    assert client.post(url(scene, "cancel"), data={"reason": "No."}).status_code == 403
    series = f"/c/{scene['circle'].slug}/meetings/series/{scene['meeting'].id}"
    assert client.post(series + "/cancel", data={"reason": "No."}).status_code == 403
    assert client.get(series + "/edit").status_code == 403
    with db.database.connection_context():
        assert Occurrence.select().where(Occurrence.cancelled_at.is_null(False)).count() == 0
