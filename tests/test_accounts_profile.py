"""Profiles: who may see one, what it shows, and editing it."""
from urllib.parse import parse_qs, urlsplit

import pytest

from learncircle import db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, MEMBER, OWNER, PRIVATE, PUBLIC
from tests.helpers import html


def as_viewer(client, auth, viewer):
    auth.logout()
    if viewer is not None:
        auth.login(viewer)
    return client


@pytest.mark.parametrize("visibility", [PUBLIC, PRIVATE])
@pytest.mark.parametrize("viewer, sees", [
    (MEMBER, True), (OWNER, True), (FACILITATOR, True), ("admin", True), ("outsider", False),
])
def test_who_sees_a_profile(client, auth, roles, visibility, viewer, sees):
    people = roles(visibility)
    response = as_viewer(client, auth, people[viewer]).get("/u/member")
    if sees:
        assert response.status_code == 200
        assert html(response).h1.get_text(strip=True) == "Member"
    else:
        assert response.status_code == 404
        assert "Member" not in response.get_data(as_text=True)


def test_an_anonymous_visitor_is_asked_to_log_in(client, roles):
    roles()
    response = client.get("/u/member")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query) == {"next": ["/u/member"]}


def test_an_unknown_and_a_hidden_profile_look_the_same(client, auth, roles):
    people = roles()
    as_viewer(client, auth, people["outsider"])
    hidden, unknown = client.get("/u/member"), client.get("/u/nobody-at-all")
    assert hidden.status_code == unknown.status_code == 404
    assert html(hidden).select_one("main").get_text() == html(unknown).select_one("main").get_text()


def test_a_profile_shows_the_person_and_only_the_circles_shared(client, auth, make_user, make_circle, add_member):
    viewer = make_user("viewer")
    person = make_user("person", timezone="Asia/Kolkata", display_name="Priya")
    with db.database.connection_context():
        User.get_by_id(person.id).update_profile(display_name="Priya", pronouns="she/her", timezone="Asia/Kolkata",
                                                 bio="Learning **Rust** and *Go*.")
    both = make_circle(name="Rust Study Group")
    hers_only = make_circle(name="Knitting Circle", visibility=PRIVATE)
    for circle in (both,):
        add_member(circle, viewer)
    for circle in (both, hers_only):
        add_member(circle, person)

    page = html(as_viewer(client, auth, viewer).get("/u/person"))
    main = page.select_one("main")
    assert page.title.get_text().startswith("Priya")
    assert main.h1.get_text(" ", strip=True) == "Priya (she/her)"
    assert "Asia/Kolkata" in main.select_one(".meta").get_text()
    assert main.select_one(".bio strong").get_text() == "Rust"
    shared = [a.get_text(strip=True) for a in main.select("section .rows a")]
    assert shared == ["Rust Study Group"]
    assert main.select_one("section .rows a")["href"] == f"/c/{both.slug}"
    assert main.find("a", string="Edit profile") is None

    own = html(as_viewer(client, auth, person).get("/u/PERSON")).select_one("main")
    assert [a.get_text(strip=True) for a in own.select("section .rows a")] == ["Knitting Circle", "Rust Study Group"]
    assert own.find("a", string="Edit profile")["href"] == "/settings/profile"


def test_a_profile_page_number_out_of_range_is_not_found(client, auth, make_user):
    auth.login(make_user("solo"))
    assert client.get("/u/solo?page=abc").status_code == 404
    assert client.get("/u/solo?page=2").status_code == 200


# ---- editing ------------------------------------------------------------------------------------

def profile_form(**changes):
    form = {"display_name": "Ada L.", "pronouns": "she/her", "bio": "I like *engines*.", "timezone": "Europe/London"}
    form.update(changes)
    return form


def stored(user):
    with db.database.connection_context():
        return User.get_by_id(user.id)


def test_the_settings_form_shows_the_current_profile(client, auth, make_user):
    auth.login(make_user("ada", timezone="Europe/Paris", display_name="Ada"))
    page = html(client.get("/settings/profile"))
    assert page.title.get_text().startswith("Edit your profile")
    assert page.select_one("#display_name")["value"] == "Ada"
    assert page.select_one("#timezone option[selected]")["value"] == "Europe/Paris"
    # A chosen zone is never replaced by the browser's guess.
    assert not page.select_one("#timezone").has_attr("data-guess-timezone")


def test_saving_the_profile(client, auth, make_user):
    ada = auth.login(make_user("ada"))
    response = client.post("/settings/profile", data=profile_form())
    assert response.status_code == 303 and response.headers["Location"] == "/u/ada"
    saved = stored(ada)
    assert (saved.display_name, saved.pronouns, saved.timezone) == ("Ada L.", "she/her", "Europe/London")
    assert saved.bio == "I like *engines*." and saved.bio_html == "<p>I like <em>engines</em>.</p>\n"
    page = html(client.get("/u/ada"))
    assert "Your profile is saved." in page.select_one("#notices").get_text()
    assert page.select_one(".bio em").get_text() == "engines"


def test_an_empty_display_name_falls_back_to_the_username(client, auth, make_user):
    ada = auth.login(make_user("ada"))
    client.post("/settings/profile", data=profile_form(display_name="   "))
    assert stored(ada).display_name == "ada"


@pytest.mark.parametrize("changes, field, message", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "from the list"),
    ({"timezone": ""}, "timezone", "from the list"),
    ({"bio": "x" * 2001}, "bio", "2000 characters"),
    ({"pronouns": "p" * 41}, "pronouns", "at most 40"),
    ({"bio": "hidden\x00zero"}, "bio", "control characters"),
    ({"display_name": "d" * 81}, "display_name", "at most 80"),
])
def test_invalid_profile_changes_keep_what_was_typed(client, auth, make_user, changes, field, message):
    ada = auth.login(make_user("ada", display_name="Ada"))
    typed = profile_form(**{"display_name": "Ada Lovelace", "bio": "Notes on the *analytical engine*.", **changes})
    response = client.post("/settings/profile", data=typed)
    assert response.status_code == 422
    page = html(response)
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert field in page.select_one(f"#{field}")["aria-describedby"]
    assert page.select_one("#display_name")["value"] == typed["display_name"]
    # A browser drops the one newline that follows <textarea>.
    assert page.select_one("#bio").get_text().removeprefix("\r\n") == typed["bio"]
    assert page.select_one("#pronouns")["value"] == typed["pronouns"]
    assert stored(ada).display_name == "Ada"


def test_a_bio_cannot_carry_script(client, auth, make_user):
    auth.login(make_user("mallory"))
    bio = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) '
           '<iframe src="https://evil.example"></iframe> <svg onload=alert(4)> &lt;script&gt;')
    assert client.post("/settings/profile", data=profile_form(bio=bio)).status_code == 303
    shown = html(client.get("/u/mallory")).select_one(".bio")
    assert shown.find(["script", "iframe", "svg", "img"]) is None
    assert not any(attribute.startswith("on") for tag in shown.find_all(True) for attribute in tag.attrs)
    assert not any("javascript:" in (a.get("href") or "") for a in shown.find_all("a"))
    assert "<script" not in str(shown)


def test_settings_need_a_signed_in_person(client, make_user):
    make_user()
    for response in (client.get("/settings/profile"), client.post("/settings/profile", data=profile_form())):
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
