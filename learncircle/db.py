"""The database: one Peewee proxy for every model, opened per request, migrated by numbered scripts.

SQLite is the embedded default (WAL, foreign keys, a busy timeout, write transactions begun
IMMEDIATE so concurrent writers queue instead of failing with "database is locked"); any URL that
playhouse.db_url understands, PostgreSQL included, works the same way.
"""
from pathlib import Path

import peewee
from playhouse import db_url
from playhouse.migrations import Runner

database = peewee.DatabaseProxy()

MIGRATIONS = Path(__file__).parent / "migrations"

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
    """Create the Peewee database for a URL with the settings LearnCircle relies on."""
    if url.startswith("sqlite"):
        return db_url.connect(url, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    return db_url.connect(url)


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
