"""The database: one Peewee proxy for every model, opened per request, migrated by numbered scripts.

SQLite is the embedded default (WAL, foreign keys, a busy timeout, write transactions begun
IMMEDIATE so concurrent writers queue instead of failing with "database is locked"); any URL that
playhouse.db_url understands, PostgreSQL included, works the same way.
"""
import inspect
import weakref
from pathlib import Path

import peewee
from playhouse import db_url, pool
from playhouse.migrate import SqliteMigrator, operation
from playhouse.migrations import Runner

database = peewee.DatabaseProxy()

MIGRATIONS = Path(__file__).parent / "migrations"

POOL_SIZE = 32  # far more than the server's threads: tools and tests borrow connections too
POOL_RECYCLE = 600
# Seconds a writer waits for another's transaction before giving up with "database is locked".
BUSY_TIMEOUT = 10

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -2000,  # 2 MB of page cache per connection
}


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class _RollbackWhatIsOpen:
    """ROLLBACK only while SQLite still holds the transaction.

    After "database or disk is full" (and some I/O errors) SQLite has already rolled back; Peewee's
    ROLLBACK would then fail with "cannot rollback - no transaction is active", and that error would
    take the real one's place in the log and in the choice of error page.
    """

    def rollback(self):
        if self.is_closed() or self.connection().in_transaction:
            super().rollback()


class PooledSqliteDatabase(_RollbackWhatIsOpen, pool.PooledSqliteDatabase):
    pass


def open_database(url):
    """Create the Peewee database for a URL with the settings LearnCircle relies on.

    SQLite connections are pooled: opening the file and setting its pragmas costs more than all
    of a page's queries, so each request borrows an open connection and gives it back. A
    connection is replaced after POOL_RECYCLE seconds, which returns the memory its page cache holds.
    Every SQLite connection sets its busy timeout itself: the pool's `timeout` is how long to wait
    for a free connection, not for a lock, and sqlite3's own default is 5 seconds.
    """
    pragmas = {"busy_timeout": round(BUSY_TIMEOUT * 1000), **SQLITE_PRAGMAS}  # first: the others may wait
    if url.startswith("sqlite://"):
        # A pooled connection serves one thread at a time, but not always the thread that opened it.
        return _sqlite(url, PooledSqliteDatabase, pragmas=pragmas, timeout=BUSY_TIMEOUT, lock_type="IMMEDIATE",
                       max_connections=POOL_SIZE, stale_timeout=POOL_RECYCLE, check_same_thread=False)
    if url.startswith("sqlite"):
        return db_url.connect(url, pragmas=pragmas, timeout=BUSY_TIMEOUT, lock_type="IMMEDIATE")
    return db_url.connect(url)


def _sqlite(url, database_class, **params):
    """What playhouse.db_url.connect does for a sqlite:// URL, with LearnCircle's own class."""
    kwargs = db_url.parse(url)
    if not kwargs.get("database"):
        raise ValueError(f'"{url}" has no database file. A SQLite URL takes three slashes: sqlite:///path/to/file')
    return database_class(**{**kwargs, **params})


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
            slots.append((matches[0], None) if matches else (None, param))
        missing = set(range(len(stand_ins))) - {slot for slot, _ in slots}
        if missing:
            raise ValueError(f"{self.build.__qualname__}: parameters {sorted(missing)} do not reach the SQL as given")
        compiled = self._compiled[target] = (query, sql, slots, _model_builder(query))
        return compiled

    def _execute(self, values):
        target = database.obj
        compiled = self._compiled.get(target) or self._compile(target)
        query, sql, slots, build_model = compiled
        params = [fixed if slot is None else values[slot] for slot, fixed in slots]
        return query, database.execute_sql(sql, params), build_model

    def __call__(self, *values):
        """Run the query; return a list of its rows, as the query would give them (models, tuples or dicts)."""
        query, cursor, build_model = self._execute(values)
        if build_model is not None:
            return [build_model(row) for row in cursor.fetchall()]
        return list(query._get_cursor_wrapper(cursor))

    def raw(self, *values):
        """Run the query; return its rows as the driver gives them, for callers that convert them themselves."""
        return self._execute(values)[1].fetchall()

    def first(self, *values):
        """Return the first row, or None."""
        query, cursor, build_model = self._execute(values)
        if build_model is not None:
            row = cursor.fetchone()
            cursor.close()  # an unfinished SQLite statement would keep its read snapshot open
            return None if row is None else build_model(row)
        rows = query._get_cursor_wrapper(cursor)
        try:
            for row in rows:
                return row
            return None
        finally:
            cursor.close()


def _model_builder(query):
    """A function that makes a row into the query's model (with its inner-joined models), or None.

    Peewee's own row reader works out the query's shape again for every cursor; for a lookup run on
    every page that costs more than the lookup. This covers the shape prepared lookups have: real
    columns of one model, plus models reached by its foreign keys through inner joins, plus computed
    columns with an alias (set on the main model as they come). Any other query (aliased fields,
    outer joins, tuples) keeps Peewee's reader.
    """
    main = getattr(query, "model", None)
    if main is None or getattr(query, "_row_type", None) not in (None, peewee.ROW.MODEL):
        return None
    columns, extras = {}, []
    for index, node in enumerate(query._returning):
        if isinstance(node, peewee.Alias) and not isinstance(node.node, peewee.Field):
            extras.append((index, node._alias))  # a computed column (a subquery): an attribute of the root
            continue
        if not isinstance(node, peewee.Field) or not isinstance(node.model, type):
            return None
        columns.setdefault(node.model, []).append((index, node.name, node.python_value))
    links = []
    for joins in query._joins.values():
        for dest, attr, _constructor, join_type in joins:
            foreign_key = main._meta.fields.get(attr)
            if (join_type != peewee.JOIN.INNER or not isinstance(foreign_key, peewee.ForeignKeyField)
                    or foreign_key.rel_model is not dest or dest not in columns):
                return None
            links.append((attr, dest))
    if set(columns) != {main, *(dest for _, dest in links)}:
        return None

    def build(row):
        made = {}
        for model, fields in columns.items():
            instance = model(__no_default__=True)
            data = instance.__data__
            for index, name, to_python in fields:
                value = row[index]
                data[name] = None if value is None else to_python(value)
            made[model] = instance
        root = made[main]
        for attr, dest in links:
            setattr(root, attr, made[dest])  # the foreign key's own setter: the id is already there
        for index, name in extras:
            setattr(root, name, row[index])
        root._dirty.clear()
        return root

    return build


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


class _SqliteMigrator(SqliteMigrator):
    """Changes a column as playhouse does on SQLite, by copying the table, but keeps the table's triggers.

    The copy replaces the table, and SQLite drops a table's triggers with it (search keeps its index in step
    by triggers, migration 0011); they are made again on the copy. Its rename runs in SQLite's legacy mode,
    which does not check other tables' triggers: one that names the table (thread's names post) would fail
    while the table is gone. (A migration that drops or renames a column a trigger names drops that trigger
    first, and makes it anew after.)
    """

    @operation
    def _update_column(self, table, column_to_update, fn):
        triggers = [sql for (sql,) in self.database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))]
        copy = SqliteMigrator._update_column.__wrapped__(self, table, column_to_update, fn)
        return [peewee.SQL("PRAGMA legacy_alter_table = ON"), *copy, peewee.SQL("PRAGMA legacy_alter_table = OFF"),
                *(peewee.SQL(sql) for sql in triggers)]


def migrator():
    runner = Runner(database.obj, directory=str(MIGRATIONS))
    if isinstance(database.obj, peewee.SqliteDatabase):
        runner.migrator = _SqliteMigrator(database.obj)
    return runner


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
