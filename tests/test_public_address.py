"""The address links start with: BASE_URL when set; else the one confirmed at setup; else the one the
browser used. Served on another port or host (make run HOST=0.0.0.0 PORT=8080), invitation links
must lead there, not to 127.0.0.1:5000.
"""
import pytest

from learncircle import create_app, db, site
from learncircle.circles.models import PRIVATE, Invitation
from tests.helpers import html

LAN = "http://192.168.1.20:8080"


def setup_form(**extra):
    form = {"username": "founder", "email": "founder@example.org", "display_name": "", "timezone": "UTC",
            "password": "a long passphrase", "confirm": "a long passphrase"}
    form.update(extra)
    return form


def invitation_urls(client, circle, base_url=LAN):
    """The links on the invitations page, asked for at base_url."""
    page = html(client.get(f"/c/{circle.slug}/invitations", base_url=base_url))
    return [field["value"] for field in page.select("#invitations input[readonly]")], page


def sign_in_on_the_lan(client, auth, user):
    """Sign in, with the session cookie sent to the LAN address as a browser there would have it."""
    auth.login(user)
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value, domain="192.168.1.20")


def make_link(circle):
    with db.database.connection_context():
        return Invitation.make(circle=circle, created_by=circle.owner())


def stored():
    with db.database.connection_context():
        return site.stored_url()


def test_base_url_is_not_set_by_default(app):
    assert app.config["BASE_URL"] is None


def test_without_settings_links_follow_the_address_the_browser_used(client, auth, roles):
    people = roles(PRIVATE)
    link = make_link(people["circle"])
    sign_in_on_the_lan(client, auth, people["owner"])
    urls, page = invitation_urls(client, people["circle"])
    assert urls == [f"{LAN}/invite/{link.token}"]
    assert page.select_one("#address-mismatch") is None  # nothing stored: nothing to disagree with


def test_setup_confirms_the_address_prefilled_from_the_request_and_links_use_it(app, client):
    page = html(client.get("/setup", base_url=LAN))
    assert page.select_one("input#public_url")["value"] == LAN

    response = client.post("/setup", base_url=LAN, data=setup_form(public_url="https://learn.example.org/"))
    assert response.status_code == 303
    assert stored() == "https://learn.example.org"

    client.post("/circles/new", base_url=LAN, data={"name": "Year 12 Statistics", "slug": "",
                                                    "purpose": "Statistics together.", "conduct": "Be kind.",
                                                    "visibility": "private"})
    with db.database.connection_context():
        from learncircle.circles.models import Circle
        circle = Circle.select().get()
    link = make_link(circle)
    # The teacher is still on the LAN address; the links lead where the pupils will go.
    urls, page = invitation_urls(client, circle)
    assert urls == [f"https://learn.example.org/invite/{link.token}"]
    warning = page.select_one("#address-mismatch")
    assert warning is not None
    assert "https://learn.example.org" in warning.get_text() and LAN in warning.get_text()

    # The admin may make links follow the address in use now; then the two agree.
    form = warning.find("form")
    assert form["action"] == "/site/address" and form.find("input", {"name": "public_url"})["value"] == LAN
    response = client.post(form["action"], base_url=LAN,
                           data={field["name"]: field.get("value", "") for field in form.find_all("input")})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/c/{circle.slug}/invitations")
    assert stored() == LAN
    urls, page = invitation_urls(client, circle)
    assert urls == [f"{LAN}/invite/{link.token}"] and page.select_one("#address-mismatch") is None


@pytest.mark.parametrize("address", ["", "learn.example.org", "ftp://learn.example.org", "https://",
                                     "https://learn.example.org/?x=1", "javascript:alert(1)",
                                     "https://bad host.org", "https://learn.example.org:99999"])
def test_setup_refuses_an_address_that_is_no_web_address_and_keeps_the_form(client, address):
    response = client.post("/setup", base_url=LAN, data=setup_form(public_url=address, display_name="Ada"))
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("#public_url")["aria-invalid"] == "true"
    assert page.select_one("#public_url-error") is not None
    assert page.select_one("#display_name")["value"] == "Ada"
    assert stored() is None
    assert client.get("/setup").status_code == 200  # no account was made


def test_a_configured_base_url_wins_and_the_setup_page_only_names_it(app, client, auth, roles):
    app.config["BASE_URL"] = "https://learn.example.org/"
    page = html(client.get("/setup", base_url=LAN))
    assert page.select_one("#public_url") is None and "https://learn.example.org" in page.get_text()
    assert client.post("/setup", base_url=LAN, data=setup_form()).status_code == 303
    assert stored() is None

    people = roles(PRIVATE)
    link = make_link(people["circle"])
    sign_in_on_the_lan(client, auth, people["owner"])
    urls, page = invitation_urls(client, people["circle"])
    assert urls == [f"https://learn.example.org/invite/{link.token}"]
    assert page.select_one("#address-mismatch") is None  # the deployer chose it


def test_only_the_instance_admin_may_change_the_stored_address(app, client, auth, roles):
    people = roles(PRIVATE)
    with db.database.connection_context():
        site.store_url("https://learn.example.org")
    sign_in_on_the_lan(client, auth, people["owner"])
    urls, page = invitation_urls(client, people["circle"])
    assert page.select_one("#address-mismatch form") is None  # told, not offered
    assert client.post("/site/address", base_url=LAN, data={"public_url": LAN}).status_code == 403
    sign_in_on_the_lan(client, auth, people["admin"])
    assert client.post("/site/address", base_url=LAN, data={"public_url": "not an address"}).status_code == 400
    assert stored() == "https://learn.example.org"


@pytest.mark.parametrize("given, expected", [
    ("http://192.168.1.20:8080/", "http://192.168.1.20:8080"),
    ("HTTPS://Learn.Example.org:443/", "https://learn.example.org"),
    ("http://learn.example.org:80/circles", "http://learn.example.org/circles"),
    ("http://[::1]:5000", "http://[::1]:5000"),
    ("https://user:pw@learn.example.org", None),
    ("https://learn.example.org/<script>", None),
])
def test_addresses_are_compared_in_one_shape(given, expected):
    assert site.normalised(given) == expected


def test_a_malformed_base_url_refuses_to_start(tmp_path):
    with pytest.raises(ValueError, match="BASE_URL"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x",
                    "BASE_URL": "learn.example.org"})


def test_cookies_are_secure_over_https_when_base_url_does_not_say(client, make_user):
    make_user("ada")
    form = {"login": "ada", "password": "correct horse battery", "remember": "y"}
    plain = client.post("/login", data=form)
    assert plain.status_code == 303
    cookies = plain.headers.getlist("Set-Cookie")
    assert cookies and not any("Secure" in cookie for cookie in cookies)

    secure = client.application.test_client().post("/login", data=form, base_url="https://localhost")
    assert secure.status_code == 303
    cookies = secure.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
    assert all(cookie.count("Secure") == 1 for cookie in cookies)
