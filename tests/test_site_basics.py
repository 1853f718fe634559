"""What a new teacher meets first beyond their circles: the footer, and names kept for the demo."""
import pytest

from tests.helpers import html


def test_the_footer_does_not_say_learncircle_twice(app, client):
    footer = html(client.get("/setup")).select_one("footer").get_text(" ", strip=True)
    assert footer.count("LearnCircle") == 1
    app.config["SITE_NAME"] = "Ms Okafor's Year 12 Statistics"
    footer = html(client.get("/setup")).select_one("footer").get_text(" ", strip=True)
    assert footer == "Ms Okafor's Year 12 Statistics · powered by LearnCircle"


@pytest.mark.parametrize("username", ["demo-lukas", "Demo-Amara", "demo-anything"])
def test_nobody_registers_a_name_kept_for_the_demo(app, client, username):
    form = {"username": username, "email": "someone@example.org", "display_name": "", "timezone": "UTC",
            "password": "a long passphrase", "confirm": "a long passphrase"}
    response = client.post("/setup", data=form)
    assert response.status_code == 422
    assert "kept for the demo circle" in html(response).select_one("#username-error").get_text()
    form["username"] = "demonstrator"  # only the prefix is kept
    assert client.post("/setup", data=form).status_code == 303
