"""Peer review's words for the people who run a round: what the allocation could not do is stored as
kinds and numbers and said in the language of whoever reads the board (rounds allocated before keep
their sentences), and counts take real plural forms.
"""
import json

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from learncircle import create_app, db
from learncircle.reviews import shortfalls
from learncircle.reviews.models import ReviewRound
from learncircle.reviews.rules import ValidationError, validate_criterion, validate_review
from learncircle.reviews.solver import allocate
from learncircle.reviews.submitting import submit
from tests.fixtures_reviews import everyone_submits, fresh, make_round, start_reviewing
from tests.helpers import html

ONLY_EACH = ("Only %(num)d reviewer was available for each submission instead of %(wanted)d.",
             "Only %(num)d reviewers were available for each submission instead of %(wanted)d.")
ONLY_EACH_DE = ("Nur %(num)d Person war für jede Einreichung frei statt %(wanted)d.",
                "Nur %(num)d Personen waren für jede Einreichung frei statt %(wanted)d.")


@pytest.fixture
def app(tmp_path):
    """The usual test app, speaking English and a German that knows one shortfall's sentence."""
    messages = tmp_path / "translations" / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    catalogue = Catalog(locale="de", domain="messages")
    catalogue.add(ONLY_EACH, ONLY_EACH_DE, flags=["python-format"])
    with (messages / "messages.po").open("wb") as po:
        write_po(po, catalogue)
    with (messages / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "_TRANSLATIONS_DIR": str(tmp_path / "translations"),
    })
    db.upgrade()
    yield app
    db.close_all()


def board_notes(client, round, language):
    page = html(client.get(f"/r/{round.id}/board", headers={"Accept-Language": language}))
    return [" ".join(li.get_text().split()) for li in page.select(".allocation-notes li")]


def test_shortfalls_are_stored_as_kinds_and_said_in_the_readers_language(client, auth, world):
    with db.database.connection_context():
        round = make_round(world["circle"], world["facilitator"], reviews_per_submission=3)
        everyone_submits(round, world["members"][:2])
        start_reviewing(round)  # as the background allocation does: no request, no reader's language
        stored = fresh(round).allocation_notes
    # No sentence in anyone's language is stored: the kind and its numbers.
    assert json.loads(stored) == [["only_for_each_submission", {"reviewers": 1, "wanted": 3}]]

    auth.login(world["facilitator"])
    assert board_notes(client, round, "en") == ["Only 1 reviewer was available for each submission instead of 3."]
    assert board_notes(client, round, "de") == ["Nur 1 Person war für jede Einreichung frei statt 3."]


def test_a_round_allocated_before_keeps_its_sentences_and_adds_kinds_after_them(client, auth, world):
    ana, ben, cai, _ = world["members"]
    with db.database.connection_context():
        round = make_round(world["circle"], world["facilitator"], reviews_per_submission=3)
        everyone_submits(round, [ana, ben])
        start_reviewing(round)
        old = "Only 1 reviewer was available for each submission instead of 3.\nA sentence from before."
        ReviewRound.update(allocation_notes=old).where(ReviewRound.id == round.id).execute()
        assert fresh(round).shortfalls == ["Only 1 reviewer was available for each submission instead of 3.",
                                           "A sentence from before."]
        # A late submission that falls short too adds its own note, kept as a kind after the old lines.
        submit(fresh(round), cai, body="Late work")
        notes = fresh(round).allocation_notes
    assert [kind for kind, _ in shortfalls.read(notes)] == ["text", "text", "late_short"]
    auth.login(world["facilitator"])
    assert board_notes(client, round, "de") == [
        "Only 1 reviewer was available for each submission instead of 3.", "A sentence from before.",
        "A late submission got 2 reviewers instead of 3: there were not enough other people."]


def test_unreadable_or_unknown_notes_still_say_something():
    assert shortfalls.said("") == []
    assert shortfalls.said("[not json") == ["[not json"]
    assert shortfalls.said('[["a_kind_from_the_future", {}]]') == [
        "The allocation could not give every submission all the reviewers it asks for."]
    assert shortfalls.said('[["got_none", {"wrong": 1}]]') == [
        "The allocation could not give every submission all the reviewers it asks for."]
    assert shortfalls.stored([]) == ""


def test_uneven_loads_say_one_review_not_one_reviews():
    # Ana is kept apart from Ben and Cai, who are kept apart from everyone but each other.
    submissions = [(1, "ana"), (2, "ben"), (3, "cai"), (4, "dee")]
    apart = {("ana", "ben"), ("ana", "cai"), ("ben", "ana"), ("ben", "dee"), ("cai", "ana"), ("cai", "dee")}
    result = allocate(submissions, ["ana", "ben", "cai", "dee"], 2, apart=apart, seed=0)
    assert result.notes and all(isinstance(kind, str) and isinstance(params, dict) for kind, params in result.notes)
    assert result.shortfalls == [shortfalls.say(note) for note in result.notes]
    assert shortfalls.say(("loads_uneven", {"fewest": 1, "most": 3})) == (
        "Reviewer loads could not be balanced: some have 1 review to do, others 3.")
    assert shortfalls.say(("loads_uneven", {"fewest": 2, "most": 4})) == (
        "Reviewer loads could not be balanced: some have 2 reviews to do, others 4.")


def test_counts_in_messages_take_plural_forms():
    with pytest.raises(ValidationError) as one:
        validate_criterion({"name": "Clarity", "kind": "scale", "levels": ["Low", "", "High"]})
    assert one.value.errors["levels"] == "Describe every level (level 2 is empty)."
    with pytest.raises(ValidationError) as two:
        validate_criterion({"name": "Clarity", "kind": "scale", "levels": ["Low", "", "", "High"]})
    assert two.value.errors["levels"] == "Describe every level (levels 2, 3 are empty)."
    with pytest.raises(ValidationError) as short:
        validate_review([], {"what_works": "", "could_be_better": "Fine"}, 1, submitting=True)
    assert short.value.errors["what_works"] == ("“What works” needs at least 1 character (it has 0): "
                                                "say specifically what and why.")


def test_the_add_reviewer_page_counts_reviewers_in_words_that_agree(client, auth, world):
    ana, ben, cai, _ = world["members"]
    with db.database.connection_context():
        round = make_round(world["circle"], world["facilitator"], reviews_per_submission=1)
        work, _, _ = everyone_submits(round, [ana, ben, cai])
        start_reviewing(round)
    auth.login(world["facilitator"])
    page = html(client.get(f"/r/{round.id}/submissions/{work.id}/add-reviewer"))
    assert "Ana Learner’s work has 1 reviewer; the round asks for 1." in " ".join(page.get_text().split())
