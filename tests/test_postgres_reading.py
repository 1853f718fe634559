"""Unread posts, notification levels and scheduled prompts on PostgreSQL: their upserts (ON CONFLICT … WHERE),
the circle-wide INSERT … SELECT, the counts, and the notices dated at a prompt's time, each test of their
SQLite modules run again on a scene made in PostgreSQL."""
import peewee
import pytest

from learncircle import db

from tests import test_discussions_prompts as prompts
from tests import test_discussions_unread as unread
from tests import test_discussions_watching as watching
from tests.test_discussions_prompts import circle as prompt_circle  # noqa: F401 (fixtures, by these names)
from tests.test_discussions_unread import scene as unread_scene  # noqa: F401
from tests.test_discussions_watching import scene as watching_scene  # noqa: F401
from tests.test_postgres import URL, app  # noqa: F401

pytestmark = pytest.mark.skipif(not URL, reason="set LEARNCIRCLE_TEST_POSTGRES_URL to an empty PostgreSQL "
                                                "database to run the PostgreSQL tests")


def on_postgresql():
    """The test really ran on PostgreSQL (the fixtures' app), not on a SQLite file."""
    return isinstance(db.database.obj, peewee.PostgresqlDatabase)


@pytest.mark.parametrize("test", [
    unread.test_threads_active_since_joining_are_new_and_ones_own_posts_never_are,
    unread.test_reading_a_thread_leaves_nothing_new_and_a_later_reply_is_one_new_post,
    unread.test_jumping_to_the_first_unread_post_lands_on_its_page_and_place,
    unread.test_what_was_read_never_moves_backwards,
    unread.test_mark_all_read_clears_the_circle_and_only_for_that_member,
    unread.test_my_circles_counts_each_circles_new_posts,
], ids=lambda test: test.__name__.removeprefix("test_"))
def test_unread_on_postgresql(client, auth, unread_scene, make_circle, add_member, make_user, test):  # noqa: F811
    given = {"client": client, "auth": auth, "scene": unread_scene, "make_circle": make_circle,
             "add_member": add_member, "make_user": make_user}
    test(**{name: given[name] for name in test.__code__.co_varnames[:test.__code__.co_argcount]})
    assert on_postgresql()


@pytest.mark.parametrize("test", [
    watching.test_replies_gather_in_one_notice_until_it_is_read,
    watching.test_a_muted_thread_is_silent_and_a_watched_one_speaks_to_a_reader,
    watching.test_watching_a_circle_hears_of_every_new_thread_and_reply,
    watching.test_the_header_count_answers_304_while_nothing_changes,
    watching.test_a_scheduled_prompts_notices_wait_for_its_time,
], ids=lambda test: test.__name__.removeprefix("test_"))
def test_notices_on_postgresql(app, client, auth, watching_scene, frozen_clock, test):  # noqa: F811
    given = {"app": app, "client": client, "auth": auth, "scene": watching_scene, "frozen_clock": frozen_clock}
    test(**{name: given[name] for name in test.__code__.co_varnames[:test.__code__.co_argcount]})
    assert on_postgresql()


@pytest.mark.parametrize("test", [
    prompts.test_until_its_time_only_facilitators_see_it,
    prompts.test_it_publishes_itself_when_the_clock_passes_its_time,
    prompts.test_publishing_now_or_cancelling_moves_or_drops_the_notices_waiting_for_it,
    prompts.test_a_scheduled_prompt_is_found_by_search_only_once_published,
], ids=lambda test: test.__name__.removeprefix("test_"))
def test_prompts_on_postgresql(client, auth, prompt_circle, frozen_clock, test):  # noqa: F811
    given = {"client": client, "auth": auth, "circle": prompt_circle, "frozen_clock": frozen_clock}
    test(**{name: given[name] for name in test.__code__.co_varnames[:test.__code__.co_argcount]})
    assert on_postgresql()
