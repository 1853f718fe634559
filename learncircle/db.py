"""The database: one Peewee proxy for every model, opened per request, migrated by numbered scripts.

SQLite is the embedded default (WAL, foreign keys, a busy timeout, write transactions begun
IMMEDIATE so concurrent writers queue instead of failing with "database is locked"); any URL that
playhouse.db_url understands, PostgreSQL included, works the same way.
"""
import inspect
import weakref
from pathlib import Path

import peewee
from playhouse import db_url
from playhouse.migrations import Runner

database = peewee.DatabaseProxy()

MIGRATIONS = Path(__file__).parent / "migrations"

POOL_SIZE = 32  # far more than the server's threads: tools and tests borrow connections too
POOL_RECYCLE = 600

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -2000,  # 2 MB of page cache per connection: connections are per request and per thread
}


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


def open_database(url):
    """Create the Peewee database for a URL with the settings LearnCircle relies on.

    SQLite connections are pooled: opening the file and setting its pragmas costs more than all
    of a page's queries, so each request borrows an open connection and gives it back. A
    connection is replaced after POOL_RECYCLE seconds, which returns the memory its page cache holds.
    """
    if url.startswith("sqlite://"):
        # A pooled connection serves one thread at a time, but not always the thread that opened it.
        return db_url.connect("sqlite+pool://" + url[len("sqlite://"):], pragmas=SQLITE_PRAGMAS, timeout=10,
                              lock_type="IMMEDIATE", max_connections=POOL_SIZE, stale_timeout=POOL_RECYCLE,
                              check_same_thread=False)
    if url.startswith("sqlite"):
        return db_url.connect(url, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    return db_url.connect(url)


class Prepared:
    """A SELECT that Peewee turns into SQL once, then runs with new values each time.

    Peewee builds a query's SQL in Python on every run, and for the small lookups every page makes
    (the person, the thread, the membership) that costs several times what SQLite needs to answer
    them. A Prepared query is written as a function of its changing values; it is built once per
    database with stand-in values, and each call puts the real values in their places and reads the
    rows through the query's own converters, so it returns exactly what the query would.

        @Prepared
        def _by_slug(slug: str):
            return Circle.select().where(Circle.slug == slug)

        circle = _by_slug.first("evening-python")

    Parameters are integers unless annotated `str`, given as the database stores them (an id, not a
    model). A stand-in must reach the SQL unchanged as one parameter, so a value the query computes
    from (`first + 50`) must be a parameter of its own.
    """

    def __init__(self, build):
        self.build = build
        self.__doc__ = build.__doc__
        self._kinds = [str if param.annotation in (str, "str") else int
                       for param in inspect.signature(build).parameters.values()]
        self._compiled = weakref.WeakKeyDictionary()  # per database: tests and tools open several

    def _stand_ins(self):
        return [f"\x00prepared-{index}\x00" if kind is str else -(2**62) - index
                for index, kind in enumerate(self._kinds)]

    def _compile(self, target):
        stand_ins = self._stand_ins()
        query = self.build(*stand_ins)
        sql, params = query.sql()
        slots = []
        for param in params:
            matches = [index for index, stand_in in enumerate(stand_ins)
                       if type(param) is type(stand_in) and param == stand_in]
            slots.append(matches[0] if matches else None)
        missing = set(range(len(stand_ins))) - set(slots)
        if missing:
            raise ValueError(f"{self.build.__qualname__}: parameters {sorted(missing)} do not reach the SQL as given")
        compiled = self._compiled[target] = (query, sql, [(slot, param) for slot, param in zip(slots, params)])
        return compiled

    def __call__(self, *values):
        """Run the query; return its rows, as the query would (models, tuples or dicts)."""
        target = database.obj
        compiled = self._compiled.get(target) or self._compile(target)
        query, sql, slots = compiled
        params = [param if slot is None else values[slot] for slot, param in slots]
        return query._get_cursor_wrapper(database.execute_sql(sql, params))

    def raw(self, *values):
        """Run the query; return its rows as the driver gives them, for callers that convert them themselves."""
        target = database.obj
        query, sql, slots = self._compiled.get(target) or self._compile(target)
        params = [param if slot is None else values[slot] for slot, param in slots]
        return database.execute_sql(sql, params).fetchall()

    def first(self, *values):
        """Return the first row, or None."""
        rows = self(*values)
        try:
            for row in rows:
                return row
            return None
        finally:
            rows.cursor.close()  # an unfinished SQLite statement would keep its read snapshot open


def close_all():
    """Close this thread's connection and every idle pooled one (before the file is replaced or removed)."""
    if not database.is_closed():
        database.close()
    close_idle = getattr(database.obj, "close_idle", None)
    if close_idle is not None:
        close_idle()


def atomic():
    """Begin a write transaction (IMMEDIATE on SQLite, through the database's lock_type)."""
    return database.atomic()


def migrator():
    return Runner(database.obj, directory=str(MIGRATIONS))


def upgrade():
    """Apply pending migrations; return their names."""
    with database.connection_context():
        return migrator().up()


def status():
    """Return (name, applied_at or None) for every migration."""
    with database.connection_context():
        return [(m.name, m.applied) for m in migrator().status()]


def pending():
    return [name for name, applied in status() if applied is None]


def init_app(app):
    database.initialize(open_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()
