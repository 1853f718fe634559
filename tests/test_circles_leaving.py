"""Leaving a circle asks first: a page that says what leaving means (no JavaScript needed), or the same
box in place with htmx; only its form takes the member out."""
import pytest

from learncircle import db
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Membership
from tests.helpers import html


def membership(user, circle):
    with db.database.connection_context():
        return Membership.of(user, circle)


def test_the_leave_link_opens_a_confirmation_that_changes_nothing(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    auth.login(people[MEMBER])
    link = html(client.get(f"/c/{circle.slug}")).find("a", string="Leave circle")
    response = client.get(link["href"])
    assert response.status_code == 200
    assert membership(people[MEMBER], circle) is not None  # asking is not leaving
    box = html(response).select_one("#leave-confirm")
    text = box.get_text(" ", strip=True)
    assert "private" in text and "new invitation link" in text
    form = box.find("form")
    assert form["method"] == "post" and form["action"] == f"/c/{circle.slug}/leave"
    assert form.find("button", string=f"Leave {circle.name}")["class"] == ["danger"]
    assert box.find("a", string="Stay in the circle")["href"] == f"/c/{circle.slug}"

    assert client.post(form["action"]).status_code == 303
    assert membership(people[MEMBER], circle) is None


def test_a_public_circle_says_one_can_join_again_and_a_facilitator_hears_the_role_goes(client, auth, roles):
    people = roles(PUBLIC)
    auth.login(people[FACILITATOR])
    text = html(client.get(f"/c/{people['circle'].slug}/leave")).select_one("#leave-confirm").get_text(" ", strip=True)
    assert "join again" in text and "new invitation" not in text
    assert "no longer be one of its facilitators" in text


def test_with_htmx_the_confirmation_comes_in_place(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    auth.login(people[MEMBER])
    home = html(client.get(f"/c/{circle.slug}"))
    link = home.find("a", string="Leave circle")
    assert link["hx-get"] == link["href"] and link["hx-target"] == "#leave-confirm"
    assert home.select_one("div#leave-confirm") is not None  # where the box goes
    response = client.get(link["hx-get"], headers={"HX-Request": "true"})
    fragment = html(response)
    assert response.status_code == 200 and fragment.find("html") is None and fragment.find("h1") is None
    assert fragment.select_one("section#leave-confirm form[action$='/leave'] button.danger") is not None
    assert membership(people[MEMBER], circle) is not None


@pytest.mark.parametrize("who, status", [(OWNER, 403), ("outsider", 404), ("admin", 403)])
def test_only_members_who_may_leave_get_the_confirmation(client, auth, roles, who, status):
    people = roles(PRIVATE)
    auth.login(people[who])
    response = client.get(f"/c/{people['circle'].slug}/leave")
    assert response.status_code == status
    if who == OWNER:
        assert "Transfer ownership first" in html(response).find("h1").get_text()
