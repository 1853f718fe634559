"""Privacy: no picture from another site on any page, private circles that cannot be found by trying
addresses, CSV cells a spreadsheet will not run, and links in submitted work that open through the
"you are leaving" page.
"""
import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from learncircle import clock, db
from learncircle.accounts.models import User
from learncircle.circles.models import FACILITATOR, MEMBER, PRIVATE, PRIVATE_SUFFIX_ALPHABET, PUBLIC, Circle, Invitation
from learncircle.discussions.models import Post, Thread
from learncircle.notices import kinds
from learncircle.notices.models import Notice
from learncircle.reviews import rubric
from learncircle.reviews.models import Assignment, ReviewRound, SubmissionVersion
from learncircle.reviews.submitting import save_revision_plan, submit
from tests.helpers import html
from tests.fixtures_reviews import start_reviewing

TRACKER = "https://tracker.example/pixel.png"
PICTURE = f"Look: ![tracker]({TRACKER})"
PRIVATE_ADDRESS = re.compile(rf"(?P<readable>[a-z0-9-]+)-[{PRIVATE_SUFFIX_ALPHABET}]{{8}}")


def remote_pictures(page):
    """Every <img> on the page that would be fetched from another site."""
    return [img for img in page.find_all("img") if not img.get("src", "").startswith("/")
            or img["src"].startswith("//")]


def picture_link(page):
    return page.find("a", string="image: tracker")


# ---- pictures from other sites ------------------------------------------------------------------

def round_settings(**overrides):
    now = clock.now()
    data = dict(title="Essay one", brief=f"Write about a tool. {PICTURE}", submission_format="both",
                reviews_per_submission=1, reviewer_pool="submitters", anonymity="reviewers_hidden",
                submission_deadline=now + dt.timedelta(days=2), review_deadline=now + dt.timedelta(days=5),
                accept_late=True, results_release="as_arrive", min_prompt_length=10)
    data.update(overrides)
    return data


@pytest.fixture
def reviewing(app, frozen_clock, make_user, make_circle, add_member):
    """A round in reviewing: ana's work (a link, a picture and a link in its text) reviewed by ben."""
    owner = make_user("olga")
    circle = make_circle(owner, visibility=PRIVATE)
    fred, ana, ben = make_user("fred"), make_user("ana"), make_user("ben")
    add_member(circle, fred, FACILITATOR)
    for person in (ana, ben):
        add_member(circle, person, MEMBER)
    with db.database.connection_context():
        round = ReviewRound.create_round(circle=circle, created_by=fred, data=round_settings())
        rubric.add_criterion(round, {"name": "Clarity", "kind": "scale", "levels": ["Unclear", "Clear"]})
        round.publish()
        mine = submit(round, ana, body=f"See [my site](https://ana.example/notes?id=7&x=1). {PICTURE}",
                      link="https://ana.example/essay")
        submit(round, ben, body="Ben's work.", link="https://ben.example/")
        start_reviewing(round)
        assignment = Assignment.get((Assignment.submission == mine) & (Assignment.reviewer == ben))
        save_revision_plan(mine, ana, "I will rework [the intro](https://ana.example/intro).")
    return {"round": round, "submission": mine, "assignment": assignment, "owner": owner, "fred": fred,
            "ana": ana, "ben": ben, "circle": circle}


def test_every_kind_of_text_shows_a_picture_from_elsewhere_as_a_link(client, auth, make_user, make_circle,
                                                                     add_member, reviewing):
    ana, ben = reviewing["ana"], reviewing["ben"]
    circle = make_circle(name="Open Circle", visibility=PUBLIC)
    with db.database.connection_context():
        Circle.get_by_id(circle.id).update_settings(name="Open Circle", slug=circle.slug, purpose="Learn.",
                                                    goals=f"Goals. {PICTURE}", conduct=f"Be kind. {PICTURE}",
                                                    visibility=PUBLIC)
        thread = Thread.start(circle=circle, author=ana, title="Hello", kind="discussion", body=PICTURE)
        thread.reply(author=ana, body=f"Again: {PICTURE}")
        ana.update_profile(display_name="Ana", bio=f"About me. {PICTURE}", timezone="UTC", pronouns="")
    add_member(circle, ben)
    auth.login(ben)
    pages = {
        "posts": f"/t/{thread.id}",
        "goals": f"/c/{circle.slug}",
        "bio": "/u/ana",
        "brief": f"/r/{reviewing['round'].id}",
        "submission": f"/a/{reviewing['assignment'].id}",
    }
    for kind, url in pages.items():
        response = client.get(url)
        page = html(response)
        assert response.status_code == 200, kind
        assert remote_pictures(page) == [], kind
        assert picture_link(page) is not None, kind
    auth.login(make_user("visitor"))
    conduct = html(client.get(f"/c/{circle.slug}/join"))
    assert remote_pictures(conduct) == [] and picture_link(conduct)["href"] == TRACKER
    auth.login(reviewing["fred"])
    plan = html(client.get(f"/s/{reviewing['submission'].id}"))
    assert remote_pictures(plan) == [] and plan.find("a", string="the intro") is not None


def test_the_content_security_policy_allows_no_picture_from_another_site(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["img-src"] == "'self' data:"


def test_the_migration_turns_stored_pictures_into_links_and_hides_private_circles(client, auth, make_user,
                                                                                  make_circle, reviewing):
    """Rows written before the change: pictures in their stored HTML, private circles with plain addresses."""
    ana = reviewing["ana"]
    old_html = f'<p>Look: <img src="{TRACKER}" alt="tracker" loading="lazy"></p>\n'
    public = make_circle(name="Open Circle", visibility=PUBLIC)
    private = reviewing["circle"]
    with db.database.connection_context():
        thread = Thread.start(circle=public, author=make_user("poster"), title="Hi", kind="discussion", body=PICTURE)
        post = thread.reply(author=ana, body=PICTURE)
        Post.update(body_html=old_html).where(Post.id == post.id).execute()
        User.update(bio=PICTURE, bio_html=old_html).where(User.id == ana.id).execute()
        Circle.update(goals=PICTURE, goals_html=old_html, conduct=PICTURE, conduct_html=old_html).execute()
        ReviewRound.update(brief=PICTURE, brief_html=old_html).execute()
        SubmissionVersion.update(body=PICTURE, body_html=old_html).execute()
        invitation = Invitation.make(circle=private, created_by=reviewing["owner"])
        Circle.update(slug="secret-club").where(Circle.id == private.id).execute()
        Notice.send([ana], kinds.as_written("See the members"), "/c/secret-club/members", private.id)
        Notice.send([ana], kinds.as_written("Elsewhere"), "/c/secret-club-too", None)
        db.database.execute_sql("DELETE FROM schema_migration WHERE name = '0007_privacy'")
    db.close_all()
    assert db.upgrade() == ["0007_privacy"]

    with db.database.connection_context():
        stored = [Post.get_by_id(post.id).body_html, User.get_by_id(ana.id).bio_html,
                  *[html for c in Circle.select() for html in (c.goals_html, c.conduct_html)],
                  *[r.brief_html for r in ReviewRound.select()], *[v.body_html for v in SubmissionVersion.select()]]
        assert all("<img" not in h and f'href="{TRACKER}"' in h and "image: tracker" in h for h in stored), stored
        moved = Circle.get_by_id(private.id)
        assert PRIVATE_ADDRESS.fullmatch(moved.slug).group("readable") == "secret-club"
        assert Circle.get_by_id(public.id).slug == public.slug
        assert {n.url for n in Notice.select().where(Notice.kind == kinds.TEXT)} == {
            f"/c/{moved.slug}/members", "/c/secret-club-too"}
        assert Invitation.by_token(invitation.token).circle.id == private.id
    auth.login(ana)
    assert client.get(f"/invite/{invitation.token}").status_code in (200, 303)
    assert client.get(f"/c/{moved.slug}").status_code == 200
    assert client.get("/c/secret-club").status_code == 404


# ---- private circles' addresses -----------------------------------------------------------------

CIRCLE_FORM = {"name": "Reading Group", "slug": "", "purpose": "Read together.", "goals": "",
               "conduct": "Be kind.", "visibility": PRIVATE}


def test_a_new_private_circle_gets_an_address_nobody_can_guess(client, auth, make_user):
    auth.login(make_user())
    addresses = []
    for slug in ("", "reading-group"):
        response = client.post("/circles/new", data={**CIRCLE_FORM, "slug": slug})
        assert response.status_code == 303
        address = response.headers["Location"].removeprefix("/c/")
        assert PRIVATE_ADDRESS.fullmatch(address).group("readable") == "reading-group"
        addresses.append(address)
    assert addresses[0] != addresses[1]  # the same name twice is not "taken": each gets its own ending
    public = client.post("/circles/new", data={**CIRCLE_FORM, "visibility": PUBLIC})
    assert public.headers["Location"] == "/c/reading-group"  # public addresses stay readable


def test_trying_addresses_cannot_reveal_a_private_circle(client, auth, make_user, make_circle):
    secret = make_circle(name="Secret Club", slug="secret-club", visibility=PRIVATE)
    assert secret.slug != "secret-club"
    auth.login(make_user("prober"))
    for visibility in (PUBLIC, PRIVATE):
        response = client.post("/circles/new", data={**CIRCLE_FORM, "name": "Probe", "slug": "secret-club",
                                                     "visibility": visibility})
        assert response.status_code == 303, visibility
        assert "taken" not in html(client.get(response.headers["Location"])).get_text()
    assert client.get("/c/secret-club").status_code == 200  # the prober's own public circle
    assert Circle.by_slug(secret.slug).id == secret.id


def test_a_public_circle_made_private_moves_to_an_unguessable_address(client, auth, roles):
    people = roles(PUBLIC)
    circle, owner = people["circle"], people["owner"]
    with db.database.connection_context():
        invitation = Invitation.make(circle=circle, created_by=owner)
    auth.login(owner)
    old = circle.slug
    form = {**CIRCLE_FORM, "name": circle.name, "slug": old}
    response = client.post(f"/c/{old}/settings", data=form)
    moved = Circle.get_by_id(circle.id)
    assert PRIVATE_ADDRESS.fullmatch(moved.slug).group("readable") == old
    assert response.headers["Location"] == f"/c/{moved.slug}"
    page = html(client.get(response.headers["Location"]))
    assert f"/c/{moved.slug}" in page.select_one("#notices").get_text()
    assert client.get(f"/c/{old}").status_code == 404
    # Saving again with the address as shown keeps it; invitation links still lead in.
    client.post(f"/c/{moved.slug}/settings", data={**form, "slug": moved.slug, "name": "Renamed"})
    assert Circle.get_by_id(circle.id).slug == moved.slug
    auth.login(people["outsider"])
    assert client.get(f"/invite/{invitation.token}").status_code == 200
    assert client.get(f"/c/{moved.slug}").status_code == 404


def test_a_private_circle_made_public_gets_a_readable_address_back(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner, name="Reading Group", visibility=PRIVATE)
    auth.login(owner)
    form = {**CIRCLE_FORM, "slug": circle.slug, "visibility": PUBLIC}
    response = client.post(f"/c/{circle.slug}/settings", data=form)
    assert response.headers["Location"] == "/c/reading-group"
    assert Circle.get_by_id(circle.id).slug == "reading-group"


# ---- CSV ----------------------------------------------------------------------------------------

def test_every_csv_cell_is_safe_from_spreadsheet_formulas(client, auth, frozen_clock, make_user, make_circle,
                                                          add_member):
    fred, ana, ben = make_user("fred"), make_user("ana"), make_user("ben")
    circle = make_circle(fred)
    for person in (ana, ben):
        add_member(circle, person)
    formula = "=cmd|' /C calc'!A0"
    with db.database.connection_context():
        round = ReviewRound.create_round(circle=circle, created_by=fred, data=round_settings(submission_format="text"))
        rubric.add_criterion(round, {"name": formula, "kind": "scale", "levels": ["Low", "High"]})
        rubric.add_criterion(round, {"name": "+SUM(1;2)", "kind": "scale", "levels": ["Low", "High"]})
        round.publish()
        for person in (ana, ben):
            submit(round, person, body="Work.")
        start_reviewing(round)
    auth.login(fred)
    response = client.get(f"/r/{round.id}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = rows[0]
    assert f"'{formula} (1-2)" in header and "'+SUM(1;2) (1-2)" in header
    assert len(rows) == 3
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


# ---- links in submitted work --------------------------------------------------------------------

def external_links(page):
    """Links in the page's main part that leave the site directly."""
    main = page.find("main")
    return [a["href"] for a in main.find_all("a", href=True) if not a["href"].startswith(("/", "#", "mailto:"))]


def test_reviewers_and_facilitators_reach_the_work_s_links_only_through_the_leaving_page(client, auth, reviewing):
    pages = {reviewing["ben"]: f"/a/{reviewing['assignment'].id}",
             reviewing["fred"]: f"/s/{reviewing['submission'].id}"}
    for reader, url in pages.items():
        auth.login(reader)
        page = html(client.get(url))
        work = page.find("article", class_="submission")
        assert external_links(page) == [], reader.username
        shown = {a.get_text(): a["href"] for a in work.find_all("a")}
        for label, target in (("https://ana.example/essay", "https://ana.example/essay"),
                              ("my site", "https://ana.example/notes?id=7&x=1"), ("image: tracker", TRACKER)):
            parts = urlsplit(shown[label])
            assert parts.path == "/leaving" and parse_qs(parts.query)["to"] == [target], (reader.username, label)
    # The revision plan, which facilitators read, too.
    plan = html(client.get(f"/s/{reviewing['submission'].id}")).find(string="What I will change").find_parent("section")
    assert urlsplit(plan.find("a", string="the intro")["href"]).path == "/leaving"


def test_the_leaving_page_shows_the_address_and_offers_the_link_without_a_referrer(client, auth, reviewing):
    auth.login(reviewing["ben"])
    work = html(client.get(f"/a/{reviewing['assignment'].id}")).find("article", class_="submission")
    response = client.get(work.find("a", string="my site")["href"])
    assert response.status_code == 200 and "Location" not in response.headers and "Refresh" not in response.headers
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = html(response)
    assert page.find("meta", attrs={"http-equiv": re.compile("refresh", re.I)}) is None
    assert page.select_one("#leaving-address").get_text() == "https://ana.example/notes?id=7&x=1"
    text = " ".join(page.get_text(" ").split())
    assert "Your IP address" in text and "When you visit" in text and "ana.example" in text
    out = page.find("main").find("a", href="https://ana.example/notes?id=7&x=1")
    assert {"noreferrer", "noopener"} <= set(out["rel"]) and out["hx-boost"] == "false"


def test_the_leaving_page_refuses_any_address_it_did_not_sign_for_the_reader(client, auth, reviewing):
    auth.login(reviewing["ben"])
    work = html(client.get(f"/a/{reviewing['assignment'].id}")).find("article", class_="submission")
    signed = work.find("a", string="my site")["href"]
    query = parse_qs(urlsplit(signed).query)
    tampered = [
        "/leaving?to=https://evil.example/",                                   # unsigned
        f"/leaving?to=https://evil.example/&sig={query['sig'][0]}",            # another address's signature
        "/leaving?to=https://ana.example/notes?id%3D7%26x%3D1&sig=forged",    # a forged signature
        "/leaving?to=javascript:alert(1)&sig=x",
        "/leaving",
    ]
    for url in tampered:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "evil.example" not in html(response).find("main").decode()
    # Signed for ben, the page is no use to anyone else (a redirect service for others' links).
    auth.login(reviewing["ana"])
    assert client.get(signed).status_code == 400
    auth.logout()
    response = client.get(signed)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
