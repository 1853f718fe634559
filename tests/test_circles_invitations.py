"""Circles: invitation links, from making and listing them to the landing page and joining through one."""
import base64
import datetime as dt

import pytest

from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Invitation, Membership
from tests.helpers import html


def make_link(circle, creator, **options):
    return Invitation.make(circle=circle, created_by=creator, **options)


def link_rows(client, circle):
    return html(client.get(f"/c/{circle.slug}/invitations")).select("#invitations li")


# ---- making and listing links -------------------------------------------------------------------

@pytest.mark.parametrize("visibility, expected", [
    (PRIVATE, {OWNER: 200, FACILITATOR: 200, MEMBER: 403, "admin": 403, "outsider": 404}),
    (PUBLIC, {OWNER: 200, FACILITATOR: 200, MEMBER: 403, "admin": 403, "outsider": 403}),
])
def test_who_may_make_invitation_links(client, auth, roles, visibility, expected):
    people = roles(visibility)
    circle = people["circle"]
    for who, status in expected.items():
        auth.login(people[who])
        assert client.get(f"/c/{circle.slug}/invitations").status_code == status, who
        response = client.post(f"/c/{circle.slug}/invitations", data={"role": MEMBER})
        assert response.status_code == (303 if status == 200 else status), who
    assert sorted(link.created_by_id for link in Invitation.select()) == [people[OWNER].id, people[FACILITATOR].id]


def test_owner_makes_a_link_with_expiry_and_uses_and_sees_it_listed(app, client, auth, roles, frozen_clock):
    people = roles(PRIVATE)
    circle = people["circle"]
    app.config["BASE_URL"] = "https://learn.example.org"
    auth.login(people[OWNER])
    response = client.post(f"/c/{circle.slug}/invitations",
                           data={"expires_in_days": "7", "max_uses": "5", "role": MEMBER})
    assert response.status_code == 303
    link = Invitation.get()
    assert (link.circle_id, link.created_by_id, link.role, link.max_uses, link.uses) == \
        (circle.id, people[OWNER].id, MEMBER, 5, 0)
    assert link.expires_at == frozen_clock.now() + dt.timedelta(days=7)
    [row] = link_rows(client, circle)
    assert row.find("input")["value"] == f"https://learn.example.org/invite/{link.token}"
    text = row.get_text(" ", strip=True)
    assert "Uses: 0 of 5" in text and "made by Owner" in text
    assert row.find("time")["datetime"].startswith("2026-03-09T09:00")


def test_a_link_without_limits_is_listed_as_such(client, auth, roles):
    people = roles(PRIVATE)
    auth.login(people[FACILITATOR])
    assert client.post(f"/c/{people['circle'].slug}/invitations", data={"role": MEMBER}).status_code == 303
    link = Invitation.get()
    assert link.expires_at is None and link.max_uses is None
    assert "does not expire" in link_rows(client, people["circle"])[0].get_text()


def test_tokens_carry_at_least_128_random_bits(client, auth, roles):
    people = roles(PRIVATE)
    auth.login(people[OWNER])
    for _ in range(2):
        client.post(f"/c/{people['circle'].slug}/invitations", data={"role": MEMBER})
    tokens = [link.token for link in Invitation.select()]
    assert len(set(tokens)) == 2
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128


@pytest.mark.parametrize("data, field", [
    ({"expires_in_days": "0"}, "expires_in_days"), ({"expires_in_days": "366"}, "expires_in_days"),
    ({"expires_in_days": "soon"}, "expires_in_days"), ({"max_uses": "0"}, "max_uses"),
    ({"max_uses": "1001"}, "max_uses"),
])
def test_bad_link_options_are_refused_with_the_values_kept(client, auth, roles, data, field):
    people = roles(PRIVATE)
    auth.login(people[OWNER])
    response = client.post(f"/c/{people['circle'].slug}/invitations", data={"role": MEMBER, **data})
    assert response.status_code == 422
    page = html(response)
    assert page.find(id=f"{field}-error") is not None
    assert page.find("input", id=field)["value"] == data[field]
    assert Invitation.select().count() == 0


def test_only_the_owner_is_offered_and_may_make_facilitator_links(client, auth, roles):
    people = roles(PRIVATE)
    slug = people["circle"].slug
    auth.login(people[FACILITATOR])
    assert html(client.get(f"/c/{slug}/invitations")).find("option", {"value": FACILITATOR}) is None
    assert client.post(f"/c/{slug}/invitations", data={"role": FACILITATOR}).status_code == 403
    assert Invitation.select().count() == 0
    auth.login(people[OWNER])
    assert html(client.get(f"/c/{slug}/invitations")).find("option", {"value": FACILITATOR}) is not None
    assert client.post(f"/c/{slug}/invitations", data={"role": FACILITATOR}).status_code == 303
    assert Invitation.get().role == FACILITATOR


def test_revoked_expired_and_used_up_links_leave_the_list(client, auth, roles, frozen_clock):
    people = roles(PRIVATE)
    circle = people["circle"]
    keep = make_link(circle, people[OWNER])
    make_link(circle, people[OWNER], expires_at=frozen_clock.now() + dt.timedelta(days=1))
    used_up = make_link(circle, people[OWNER], max_uses=1)
    Invitation.update(uses=1).where(Invitation.id == used_up.id).execute()
    revoked = make_link(circle, people[OWNER])
    revoked.revoke()
    auth.login(people[OWNER])
    assert len(link_rows(client, circle)) == 2
    frozen_clock.advance(days=1)
    assert [row["id"] for row in link_rows(client, circle)] == [f"invitation-{keep.id}"]


# ---- revoking -----------------------------------------------------------------------------------

def test_who_may_revoke(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    for who, status in ((MEMBER, 403), ("admin", 403), ("outsider", 404), (FACILITATOR, 303), (OWNER, 303)):
        link = make_link(circle, people[OWNER])
        auth.login(people[who])
        assert client.post(f"/c/{circle.slug}/invitations/{link.id}/revoke").status_code == status, who
        assert (Invitation.get_by_id(link.id).revoked_at is not None) == (status == 303), who


def test_revoking_a_link_of_another_circle_is_not_found(client, auth, roles, make_circle):
    people = roles(PRIVATE)
    other = make_circle(people[OWNER], name="Other circle")
    foreign = make_link(other, people[OWNER])
    auth.login(people[OWNER])
    assert client.post(f"/c/{people['circle'].slug}/invitations/{foreign.id}/revoke").status_code == 404
    assert Invitation.get_by_id(foreign.id).revoked_at is None


def test_a_revoked_link_no_longer_lets_anyone_in(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    link = make_link(circle, people[OWNER])
    auth.login(people[OWNER])
    client.post(f"/c/{circle.slug}/invitations/{link.id}/revoke")
    auth.login(people["outsider"])
    response = client.post(f"/invite/{link.token}", data={"accept": "y"})
    assert response.status_code == 410
    assert "no longer valid" in html(response).find("h1").get_text()
    assert Membership.of(people["outsider"], circle) is None


# ---- the landing page ---------------------------------------------------------------------------

def test_unknown_token_is_not_found(client, make_user):
    make_user()
    assert client.get("/invite/not-a-real-token").status_code == 404


def test_landing_shows_name_and_purpose_to_a_signed_out_visitor(client, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    link = make_link(circle, people[OWNER])
    response = client.get(f"/invite/{link.token}")
    assert response.status_code == 200
    page = html(response)
    assert page.find("h1").find(string=True).strip() == circle.name
    assert page.find(class_="purpose").get_text() == circle.purpose
    links = {a.get_text(strip=True): a["href"] for a in page.find("main").find_all("a")}
    assert links["Create an account"] == f"/register?invite={link.token}"
    assert links["Log in"] == f"/login?next=/invite/{link.token}"
    assert page.find("input", {"name": "accept"}) is None


def test_a_signed_out_visitor_cannot_join_by_posting(client, roles):
    people = roles(PRIVATE)
    link = make_link(people["circle"], people[OWNER])
    response = client.post(f"/invite/{link.token}", data={"accept": "y"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Invitation.get_by_id(link.id).uses == 0


def test_joining_a_private_circle_through_a_link(client, auth, roles, frozen_clock):
    people = roles(PRIVATE)
    circle = people["circle"]
    link = make_link(circle, people[FACILITATOR])
    auth.login(people["outsider"])
    page = html(client.get(f"/invite/{link.token}"))
    assert "Be kind and assume good intent." in page.find(id="conduct-heading").parent.get_text()
    refused = client.post(f"/invite/{link.token}", data={})
    assert refused.status_code == 422 and Membership.of(people["outsider"], circle) is None
    response = client.post(f"/invite/{link.token}", data={"accept": "y"})
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{circle.slug}"
    joined = Membership.of(people["outsider"], circle)
    assert (joined.role, joined.invitation_id, joined.conduct_accepted_at) == (MEMBER, link.id, frozen_clock.now())
    assert Invitation.get_by_id(link.id).uses == 1
    assert client.get(f"/c/{circle.slug}").status_code == 200


def test_a_facilitator_link_makes_a_facilitator(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    link = make_link(circle, people[OWNER], role=FACILITATOR)
    auth.login(people["outsider"])
    assert "as a facilitator" in html(client.get(f"/invite/{link.token}")).find("main").get_text()
    client.post(f"/invite/{link.token}", data={"accept": "y"})
    assert Membership.of(people["outsider"], circle).role == FACILITATOR


def test_a_member_following_a_link_goes_to_the_circle(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    link = make_link(circle, people[OWNER])
    auth.login(people[MEMBER])
    for response in (client.get(f"/invite/{link.token}"), client.post(f"/invite/{link.token}", data={"accept": "y"})):
        assert response.status_code == 303 and response.headers["Location"] == f"/c/{circle.slug}"
    assert Invitation.get_by_id(link.id).uses == 0


def test_a_one_use_link_lets_one_person_in(client, auth, roles, make_user):
    people = roles(PRIVATE)
    circle = people["circle"]
    link = make_link(circle, people[OWNER], max_uses=1)
    auth.login(people["outsider"])
    assert client.post(f"/invite/{link.token}", data={"accept": "y"}).status_code == 303
    latecomer = auth.login(make_user("latecomer"))
    response = client.get(f"/invite/{link.token}")
    assert response.status_code == 410
    assert "no longer valid" in html(response).get_text()
    assert client.post(f"/invite/{link.token}", data={"accept": "y"}).status_code == 410
    assert Membership.of(latecomer, circle) is None
    assert Invitation.get_by_id(link.id).uses == 1


def test_an_expired_link_is_refused(client, auth, roles, frozen_clock):
    people = roles(PRIVATE)
    circle = people["circle"]
    auth.login(people[OWNER])
    client.post(f"/c/{circle.slug}/invitations", data={"expires_in_days": "2", "role": MEMBER})
    link = Invitation.get()
    auth.login(people["outsider"])
    frozen_clock.advance(days=1, hours=23)
    assert client.get(f"/invite/{link.token}").status_code == 200
    frozen_clock.advance(hours=1)
    assert client.get(f"/invite/{link.token}").status_code == 410
    assert client.post(f"/invite/{link.token}", data={"accept": "y"}).status_code == 410
    assert Membership.of(people["outsider"], circle) is None


def test_joining_checks_the_link_again_as_it_counts_the_use(roles, frozen_clock):
    people = roles(PRIVATE)
    circle = people["circle"]
    revoked = make_link(circle, people[OWNER])
    expiring = make_link(circle, people[OWNER], expires_at=frozen_clock.now() + dt.timedelta(hours=1))
    revoked.revoke()
    frozen_clock.advance(hours=1)
    for link in (revoked, expiring):  # as if the link changed between the check and the join
        with pytest.raises(ValueError):
            Membership.join(user=people["outsider"], circle=circle, invitation=link)
    assert Membership.of(people["outsider"], circle) is None
    assert [link.uses for link in Invitation.select()] == [0, 0]
