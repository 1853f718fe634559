"""Circles: the roster, roles, removing members, handing a circle over, joining and leaving."""
import pytest

from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC, Circle, Membership
from tests.helpers import html

WHY = {"reason": "Posted spam in every thread."}  # removing someone says why, in the moderation log


def membership(user, circle):
    return Membership.of(user, circle)


def member_count(circle):
    return Circle.get_by_id(circle.id).member_count


# ---- roster -------------------------------------------------------------------------------------

@pytest.mark.parametrize("visibility, expected", [
    (PUBLIC, {OWNER: 200, FACILITATOR: 200, MEMBER: 200, "admin": 200, "outsider": 403}),
    (PRIVATE, {OWNER: 200, FACILITATOR: 200, MEMBER: 200, "admin": 200, "outsider": 404}),
])
def test_who_may_see_the_roster(client, auth, roles, visibility, expected):
    people = roles(visibility)
    seen = {}
    for who in expected:
        auth.login(people[who])
        seen[who] = client.get(f"/c/{people['circle'].slug}/members").status_code
    assert seen == expected


def test_anonymous_visitors_cannot_see_the_roster(client, roles, make_circle):
    public = roles(PUBLIC)["circle"]
    private = make_circle(name="Hidden", visibility=PRIVATE)
    assert "/login" in client.get(f"/c/{public.slug}/members").headers["Location"]
    assert client.get(f"/c/{private.slug}/members").status_code == 404


def test_roster_lists_owner_then_facilitators_then_members(client, auth, roles):
    people = roles(PUBLIC)
    auth.login(people[MEMBER])
    rows = html(client.get(f"/c/{people['circle'].slug}/members")).select("#roster li")
    assert [(row.find("a").get_text(), row.find(class_="badge").get_text()) for row in rows] == [
        ("Owner", OWNER), ("Facilitator", FACILITATOR), ("Member", MEMBER)]
    assert not rows[2].find("button")  # a member manages nobody


def test_owner_sees_role_remove_and_transfer_buttons_but_none_on_their_own_row(client, auth, roles):
    people = roles(PUBLIC)
    auth.login(people[OWNER])
    rows = html(client.get(f"/c/{people['circle'].slug}/members")).select("#roster li")
    buttons = [[b.get_text() for b in row.find_all("button")] for row in rows]
    assert buttons == [[], ["Make member", "Make owner", "Remove"], ["Make facilitator", "Make owner", "Remove"]]


def test_roster_is_paginated(client, auth, roles, make_user, add_member):
    people = roles(PUBLIC)
    circle = people["circle"]
    for n in range(48):
        add_member(circle, make_user(f"zz{n:02d}"))
    auth.login(people[MEMBER])
    page = html(client.get(f"/c/{circle.slug}/members"))
    assert len(page.select("#roster li")) == 50
    assert len(html(client.get(f"/c/{circle.slug}/members?page=2")).select("#roster li")) == 1


# ---- roles --------------------------------------------------------------------------------------

def test_only_the_owner_changes_roles(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    target = membership(people[MEMBER], circle)
    for who in (FACILITATOR, MEMBER, "outsider", "admin"):
        auth.login(people[who])
        response = client.post(f"/c/{circle.slug}/members/{target.id}/role", data={"role": FACILITATOR})
        assert response.status_code == 403, who
    assert membership(people[MEMBER], circle).role == MEMBER


def test_owner_promotes_and_demotes(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    target = membership(people[MEMBER], circle)
    response = client.post(f"/c/{circle.slug}/members/{target.id}/role", data={"role": FACILITATOR})
    assert response.status_code == 303
    assert membership(people[MEMBER], circle).role == FACILITATOR
    # With htmx the answer is the member's row, ready to swap in.
    response = client.post(f"/c/{circle.slug}/members/{target.id}/role", data={"role": MEMBER},
                           headers={"HX-Request": "true"})
    row = html(response).find("li")
    assert row["id"] == f"member-{target.id}" and row.find(class_="badge").get_text() == MEMBER
    assert membership(people[MEMBER], circle).role == MEMBER


def test_roles_cannot_make_owners_or_touch_the_owner(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    target = membership(people[MEMBER], circle)
    assert client.post(f"/c/{circle.slug}/members/{target.id}/role", data={"role": OWNER}).status_code == 400
    own = membership(people[OWNER], circle)
    assert client.post(f"/c/{circle.slug}/members/{own.id}/role", data={"role": MEMBER}).status_code == 403
    assert membership(people[OWNER], circle).role == OWNER
    assert membership(people[MEMBER], circle).role == MEMBER


def test_a_membership_of_another_circle_is_not_found(client, auth, roles, make_circle, make_user, add_member):
    people = roles(PUBLIC)
    other = make_circle(name="Other")
    stranger = add_member(other, make_user())
    auth.login(people[OWNER])
    slug = people["circle"].slug
    assert client.post(f"/c/{slug}/members/{stranger.id}/role", data={"role": FACILITATOR}).status_code == 404
    assert client.post(f"/c/{slug}/members/{stranger.id}/remove", data=WHY).status_code == 404
    assert client.post(f"/c/{slug}/transfer", data={"membership_id": stranger.id}).status_code == 404
    assert Membership.get_by_id(stranger.id).role == MEMBER


# ---- removing members ---------------------------------------------------------------------------

def test_facilitator_removes_a_member(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[FACILITATOR])
    target = membership(people[MEMBER], circle)
    response = client.post(f"/c/{circle.slug}/members/{target.id}/remove", data=WHY)
    assert response.status_code == 303
    assert membership(people[MEMBER], circle) is None
    assert member_count(circle) == 2


def test_removal_with_htmx_answers_an_empty_row(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    target = membership(people[FACILITATOR], circle)
    response = client.post(f"/c/{circle.slug}/members/{target.id}/remove", data=WHY,
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert membership(people[FACILITATOR], circle) is None


def test_removal_is_refused_for_the_owner_for_oneself_and_for_members(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    for who, target in ((FACILITATOR, OWNER), (FACILITATOR, FACILITATOR), (OWNER, OWNER), (MEMBER, FACILITATOR),
                        ("outsider", MEMBER)):
        auth.login(people[who])
        found = membership(people[target], circle)
        assert client.post(f"/c/{circle.slug}/members/{found.id}/remove", data=WHY).status_code == 403, (who, target)
    assert member_count(circle) == 3 and Membership.select().count() == 3


def test_admin_may_remove_a_member_as_a_backstop(client, auth, roles):
    people = roles(PRIVATE)
    circle = people["circle"]
    auth.login(people["admin"])
    target = membership(people[MEMBER], circle)
    assert client.post(f"/c/{circle.slug}/members/{target.id}/remove", data=WHY).status_code == 303
    assert membership(people[MEMBER], circle) is None


# ---- transferring ownership ---------------------------------------------------------------------

def test_owner_transfers_ownership_and_stays_as_facilitator(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    target = membership(people[MEMBER], circle)
    response = client.post(f"/c/{circle.slug}/transfer", data={"membership_id": target.id})
    assert response.status_code == 303
    assert membership(people[MEMBER], circle).role == OWNER
    assert membership(people[OWNER], circle).role == FACILITATOR
    assert circle.owner().id == people[MEMBER].id
    # The new owner has the settings; the old one no longer does.
    assert client.get(f"/c/{circle.slug}/settings").status_code == 403
    auth.login(people[MEMBER])
    assert client.get(f"/c/{circle.slug}/settings").status_code == 200


def test_only_the_owner_transfers(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    target = membership(people[MEMBER], circle)
    for who in (FACILITATOR, MEMBER, "admin", "outsider"):
        auth.login(people[who])
        assert client.post(f"/c/{circle.slug}/transfer", data={"membership_id": target.id}).status_code == 403, who
    assert circle.owner().id == people[OWNER].id


def test_transfer_to_oneself_or_to_nothing_is_a_bad_request(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    own = membership(people[OWNER], circle)
    assert client.post(f"/c/{circle.slug}/transfer", data={"membership_id": own.id}).status_code == 400
    assert client.post(f"/c/{circle.slug}/transfer", data={"membership_id": "x"}).status_code == 400
    assert membership(people[OWNER], circle).role == OWNER


def test_a_stale_second_hand_over_changes_nothing(roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    old_owner = membership(people[OWNER], circle)
    old_owner.transfer_ownership(membership(people[MEMBER], circle))
    with pytest.raises(ValueError):
        old_owner.transfer_ownership(membership(people[FACILITATOR], circle))
    assert [m.role for m in Membership.roster(circle)] == [OWNER, FACILITATOR, FACILITATOR]
    assert circle.owner().id == people[MEMBER].id


# ---- joining ------------------------------------------------------------------------------------

def test_join_page_shows_purpose_and_conduct_with_a_checkbox(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people["outsider"])
    page = html(client.get(f"/c/{circle.slug}/join"))
    assert page.find(class_="purpose").get_text() == circle.purpose
    assert "Be kind and assume good intent." in page.find(id="conduct-heading").parent.get_text()
    checkbox = page.find("input", {"type": "checkbox", "name": "accept"})
    label = checkbox.find_parent("label")
    assert "I accept the code of conduct" in label.get_text()


def test_joining_without_accepting_is_refused(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people["outsider"])
    response = client.post(f"/c/{circle.slug}/join", data={})
    assert response.status_code == 422
    assert "Accept the code of conduct" in html(response).find(class_="field-error").get_text()
    assert membership(people["outsider"], circle) is None


def test_joining_records_when_the_conduct_was_accepted(client, auth, roles, frozen_clock):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people["outsider"])
    frozen_clock.advance(hours=1)
    response = client.post(f"/c/{circle.slug}/join", data={"accept": "y"})
    assert response.status_code == 303 and response.headers["Location"] == f"/c/{circle.slug}"
    joined = membership(people["outsider"], circle)
    assert joined.role == MEMBER and joined.conduct_accepted_at == frozen_clock.now()
    assert member_count(circle) == 4
    assert "Welcome to Rust Study Group" in html(client.get(f"/c/{circle.slug}")).find(id="notices").get_text()


def test_joining_again_redirects_home_with_a_notice(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[MEMBER])
    for response in (client.get(f"/c/{circle.slug}/join"), client.post(f"/c/{circle.slug}/join", data={"accept": "y"})):
        assert response.status_code == 303 and response.headers["Location"] == f"/c/{circle.slug}"
    assert "already a member" in html(client.get(f"/c/{circle.slug}")).find(id="notices").get_text()
    assert member_count(circle) == 3


def test_private_circles_cannot_be_joined_without_an_invitation(client, auth, roles):
    people = roles(PRIVATE)
    slug = people["circle"].slug
    auth.login(people["outsider"])
    assert client.post(f"/c/{slug}/join", data={"accept": "y"}).status_code == 404
    auth.login(people["admin"])
    assert client.post(f"/c/{slug}/join", data={"accept": "y"}).status_code == 403
    assert membership(people["admin"], people["circle"]) is None


# ---- leaving ------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [MEMBER, FACILITATOR])
def test_posting_the_leave_form_takes_one_out(client, auth, roles, who):
    people = roles(PRIVATE)
    circle = people["circle"]
    auth.login(people[who])
    response = client.post(f"/c/{circle.slug}/leave")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert membership(people[who], circle) is None
    assert member_count(circle) == 2
    assert client.get(f"/c/{circle.slug}").status_code == 404  # private: gone from view


def test_the_owner_cannot_leave_before_handing_over(client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    response = client.post(f"/c/{circle.slug}/leave")
    assert response.status_code == 403
    assert "Transfer ownership first" in html(response).find("h1").get_text()
    assert membership(people[OWNER], circle).role == OWNER


def test_leaving_a_circle_one_is_not_in_is_refused(client, auth, roles):
    people = roles(PUBLIC)
    auth.login(people["outsider"])
    assert client.post(f"/c/{people['circle'].slug}/leave").status_code == 403


# ---- with CSRF protection on, as in production --------------------------------------------------

def csrf_token_of(form):
    return form.find("input", {"name": "csrf_token"})["value"]


def test_button_forms_carry_their_csrf_token(csrf_app, client, auth, roles):
    people = roles(PUBLIC)
    circle = people["circle"]
    auth.login(people[OWNER])
    roster = html(client.get(f"/c/{circle.slug}/members"))
    target = membership(people[MEMBER], circle)
    promote = roster.find("form", action=f"/c/{circle.slug}/members/{target.id}/role")
    assert client.post(promote["action"], data={"role": FACILITATOR}).status_code == 400  # no token: refused
    response = client.post(promote["action"], data={"role": FACILITATOR, "csrf_token": csrf_token_of(promote)})
    assert response.status_code == 303 and membership(people[MEMBER], circle).role == FACILITATOR

    auth.login(people[MEMBER])
    leave = html(client.get(f"/c/{circle.slug}/leave")).find("form", action=f"/c/{circle.slug}/leave")
    assert client.post(leave["action"], data={"csrf_token": csrf_token_of(leave)}).status_code == 303
    assert membership(people[MEMBER], circle) is None

    auth.login(people["outsider"])
    join = html(client.get(f"/c/{circle.slug}/join")).find("form", action=f"/c/{circle.slug}/join")
    response = client.post(join["action"], data={"accept": "y", "csrf_token": csrf_token_of(join)})
    assert response.status_code == 303 and membership(people["outsider"], circle) is not None

