"""The database layer's own promises: pooled connections and prepared lookups that return what Peewee would."""
import threading

import peewee
import pytest
from playhouse.pool import PooledSqliteDatabase

from learncircle import create_app, db
from learncircle.accounts import sessions
from learncircle.accounts.models import User
from learncircle.circles.models import Circle, Membership
from learncircle.db import Prepared
from learncircle.discussions.models import Post, PostLine, Thread
from learncircle.notices import kinds
from learncircle.notices.models import Notice


@pytest.fixture
def thread(app, make_user, make_circle):
    author = make_user("ada", display_name="Ada L.")
    circle = make_circle(author, slug="analysis")
    with db.database.connection_context():
        started = Thread.start(circle=circle, author=author, title="Limits", kind="discussion", body="First *post*")
        started.reply(author=author, body="A reply")
    return started


def test_sqlite_connections_are_pooled_and_serve_any_thread(app):
    assert isinstance(db.database.obj, PooledSqliteDatabase)
    with db.database.connection_context():
        first = db.database.connection()
    errors = []

    def borrow():
        try:
            with db.database.connection_context():
                db.database.execute_sql("SELECT 1").fetchone()
                assert db.database.connection() is first  # the idle one, opened by another thread
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    worker = threading.Thread(target=borrow)
    worker.start()
    worker.join()
    assert errors == []


def test_a_prepared_lookup_returns_the_model_with_its_joined_model(thread):
    with db.database.connection_context():
        prepared = Thread.with_circle(thread.id)
        plain = Thread.select(Thread, Circle).join(Circle).where(Thread.id == thread.id).get()
        assert prepared.__data__ == plain.__data__
        assert prepared.circle.__data__ == plain.circle.__data__
        assert not prepared.is_dirty() and not prepared.circle.is_dirty()
        assert Thread.with_circle(thread.id + 1000) is None
        prepared.set_pinned(True)  # a prepared model writes like any other
        assert Thread.get_by_id(thread.id).pinned is True


def test_prepared_lookups_take_text_parameters_and_answer_none_when_nothing_matches(thread, make_user):
    with db.database.connection_context():
        assert Circle.by_slug("analysis").id == thread.circle_id
        assert Circle.by_slug("' OR 1=1 --") is None
        ada = User.get(User.username == "ada")
        assert Membership.of(ada, thread.circle).role == "owner"
        assert Membership.of(make_user(), thread.circle) is None
        cookie_id = sessions.start(ada)
        assert User.from_session_id(cookie_id).username == "ada"
        assert User.from_session_id(cookie_id.partition(":")[0] + ":wrong-secret") is None
        assert User.from_session_id("9" * 40 + ":secret") is None  # larger than any id: no overflow error
        assert Notice.unread_count(ada) == 0
        Notice.send([ada], kinds.as_written("Reviewing has started."))
        assert Notice.unread_count(ada) == 1


def test_a_page_of_posts_comes_as_postlines_with_names_and_datetimes(thread):
    with db.database.connection_context():
        lines = Post.page_of(thread, 1)
        models = list(Post.select().where(Post.thread == thread.id).order_by(Post.number))
    assert [type(line) for line in lines] == [PostLine, PostLine]
    assert [line.id for line in lines] == [post.id for post in models]
    assert [line.created_at for line in lines] == [post.created_at for post in models]
    assert lines[0].author_name == "Ada L." and lines[0].body_html == "<p>First <em>post</em></p>\n"
    assert not lines[0].is_deleted and lines[1].page == 1


def test_the_sql_is_built_once_per_database(tmp_path, make_user):
    builds = []

    @Prepared
    def by_name(name: str):
        builds.append(name)
        return User.select().where(User.username == name).limit(1)

    make_user("grace")
    with db.database.connection_context():
        assert by_name.first("grace").username == "grace"
        assert by_name.first("nobody") is None
        assert [row.username for row in by_name("grace")] == ["grace"]
    assert len(builds) == 1
    other = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}"})
    with other.app_context():
        db.upgrade()
        with db.database.connection_context():
            assert by_name.first("grace") is None  # another database: its own SQL, its own rows
    assert len(builds) == 2
    db.close_all()


def test_a_value_that_never_reaches_the_sql_is_refused_when_built(app):
    @Prepared
    def computed(first):
        return Post.select().where(Post.number < first + 50)

    with db.database.connection_context(), pytest.raises(ValueError, match="do not reach the SQL"):
        computed.first(1)


def test_queries_of_other_shapes_keep_peewees_own_rows(thread):
    @Prepared
    def titles(circle_id):
        return Thread.select(Thread.title, peewee.fn.UPPER(Thread.title).alias("shout")).where(
            Thread.circle == circle_id)

    @Prepared
    def counts(thread_id):
        return Post.select(peewee.fn.COUNT(Post.id)).where(Post.thread == thread_id).tuples()

    with db.database.connection_context():
        assert titles.first(thread.circle_id).shout == "LIMITS"
        assert counts.first(thread.id) == (2,)
        assert counts.raw(thread.id) == [(2,)]
