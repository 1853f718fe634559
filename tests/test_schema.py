"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL.

A model changed without a migration fails here: a field added, dropped or retyped (length included:
PostgreSQL enforces it), NOT NULL, a default the database holds, a primary key, a foreign key's target
or ON DELETE, an index (its columns, their order and direction, uniqueness, a WHERE), whether from
`Meta.indexes`, `add_index` or a field's `index=True`/`unique=True`. So does a table, column or
index the migrations make that no model declares. What the models declare is what `create_tables`
builds from them in an empty database, with their deferred foreign keys (a cycle: a thread's accepted
answer is a post of the thread) added as Peewee adds them once both tables exist; both schemas are read
back with Peewee's introspection and compared by meaning, not by index name or column order.
"""
import collections
import os
import re

import peewee
import pytest
from playhouse import db_url

from learncircle import create_app, db
from tests.conftest import in_schema

POSTGRES_URL = os.environ.get("LEARNCIRCLE_TEST_POSTGRES_URL")

Schema = collections.namedtuple("Schema", "columns foreign_keys indexes")
SEARCH_INDEX = {"post_search", *(f"post_search_{part}" for part in ("data", "idx", "content", "docsize", "config"))}


def app_models():
    """Every model of LearnCircle, found after create_app has imported each feature through its blueprint."""
    found, todo = set(), [db.BaseModel]
    while todo:
        for model in todo.pop().__subclasses__():
            if model not in found:
                found.add(model)
                todo.append(model)
    return sorted((model for model in found if model.__module__.partition(".")[0] == "learncircle"),
                  key=lambda model: model._meta.table_name)


def describe(database, skip=()):
    """{table: Schema} of every table in the database's current schema, in words that do not depend on
    names the database chose (index names) or on column order."""
    tables = {}
    for table in database.get_tables():
        if table in skip:
            continue
        columns = {column.name: _column(column) for column in database.get_columns(table)}
        primary_key = database.get_primary_keys(table)
        foreign_keys = collections.defaultdict(list)
        for key in database.get_foreign_keys(table):
            foreign_keys[key.column].append(_foreign_key(key))
        indexes = collections.Counter(_index(index) for index in database.get_indexes(table)
                                      if not (index.unique and list(index.columns) == primary_key))
        tables[table] = Schema(columns, {column: " and ".join(sorted(keys)) for column, keys in foreign_keys.items()},
                               indexes)
    return tables


def _column(column):
    words = [" ".join(column.full_type.upper().split()), "NULL" if column.null else "NOT NULL"]
    if column.default is not None and not column.identity:  # an identity's default is its sequence
        words.append(f"DEFAULT {column.default}")
    if column.primary_key:
        words.append("PRIMARY KEY")
    if column.identity:
        words.append("AUTO")
    return " ".join(words)


def _foreign_key(key):
    words = f"-> {key.dest_table}.{key.dest_column} ON DELETE {key.on_delete or 'NO ACTION'}"
    if (key.on_update or "NO ACTION") != "NO ACTION":
        words += f" ON UPDATE {key.on_update}"
    return words


def _index(index):
    """The index in words, `UNIQUE INDEX (a, b DESC) WHERE …`, read from its SQL (Peewee's `columns` lose DESC)."""
    if index.sql is None:  # SQLite's own index for a UNIQUE constraint
        terms, where = list(index.columns), ""
    else:
        terms, where = _index_terms(index.sql)
    words = f"{'UNIQUE ' if index.unique else ''}INDEX ({', '.join(terms)})"
    return f"{words} WHERE {where}" if where else words


def _index_terms(sql):
    """The terms between the parentheses after ON (as SQLite and PostgreSQL write them), and the WHERE."""
    opening = re.search(r"\sON\s[^(]*\(", sql, re.IGNORECASE)
    if opening is None:
        raise AssertionError(f"cannot read the columns of {sql!r}")
    terms, depth, start = [], 1, opening.end()
    for position in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[position], 0)
        if depth == 0 or (depth == 1 and sql[position] == ","):
            terms.append(_plain(re.sub(r"\s+ASC$", "", sql[start:position].strip(), flags=re.IGNORECASE)))
            start = position + 1
        if depth == 0:
            break
    where = re.search(r"\bWHERE\b(.*)", sql[start:], re.IGNORECASE | re.DOTALL)
    return terms, _plain(where.group(1)) if where else ""


def _plain(sql):
    return " ".join(sql.replace('"', "").split())


def drift(migrated, declared):
    """What differs between the schema the migrations made and the one the models declare, table and
    column named, one line each."""
    problems = []
    for table in sorted(declared.keys() - migrated.keys()):
        problems.append(f"table {table}: a model declares it, the migrations do not make it")
    for table in sorted(migrated.keys() - declared.keys()):
        problems.append(f"table {table}: the migrations make it, no model declares it "
                        "(or create_app does not import the model's module)")
    for table in sorted(declared.keys() & migrated.keys()):
        made, wanted = migrated[table], declared[table]
        for column in sorted(wanted.columns.keys() | made.columns.keys()):
            got, want = made.columns.get(column), wanted.columns.get(column)
            if got is None:
                problems.append(f"{table}.{column}: the model declares {want}, the migrations do not make it")
            elif want is None:
                problems.append(f"{table}.{column}: the migrations make {got}, no field of the model declares it")
            elif got != want:
                problems.append(f"{table}.{column}: the migrations make {got}, the model declares {want}")
        for column in sorted(wanted.foreign_keys.keys() | made.foreign_keys.keys()):
            got, want = made.foreign_keys.get(column), wanted.foreign_keys.get(column)
            if got != want:
                problems.append(f"{table}.{column}: foreign key {got or '(none)'} in the migrations, "
                                f"{want or '(none)'} in the model")
        for index in sorted((wanted.indexes - made.indexes).elements()):
            problems.append(f"{table}: the model declares {index}, the migrations do not make it")
        for index in sorted((made.indexes - wanted.indexes).elements()):
            problems.append(f"{table}: the migrations make {index}, the model does not declare it")
    return problems


def assert_no_drift(migrated, declared):
    problems = drift(migrated, declared)
    if problems:
        pytest.fail("The migrations do not build the schema the models declare (a model changed without "
                    "a migration?):\n  " + "\n  ".join(problems), pytrace=False)


def deferred_keys(models):
    """The models' deferred foreign keys (DeferredForeignKey): CREATE TABLE leaves their constraints out."""
    return [(model, field) for model in models for field in model._meta.sorted_fields
            if isinstance(field, peewee.ForeignKeyField) and field.deferred]


def declared_on_sqlite(models):
    """The schema `create_tables` makes from the models in an empty SQLite database, deferred keys included
    (SQLite cannot add a constraint to a table, but takes one that names a table not made yet)."""
    database = peewee.SqliteDatabase(":memory:")
    deferred = [field for _, field in deferred_keys(models)]
    with database.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        for field in deferred:
            field.deferred = False
        try:
            database.create_tables(models)
        finally:
            for field in deferred:
                field.deferred = True
    try:
        return describe(database)
    finally:
        database.close()


def bookkeeping():
    """The migrations' own record of what ran, and search's index (migration 0011: an FTS5 table and the tables
    SQLite keeps it in, a table kept by triggers on PostgreSQL): in the migrated database, declared by no model."""
    return {db.migrator().table_name, *SEARCH_INDEX}


def test_the_migrations_build_the_models_schema_on_sqlite(app):
    models = app_models()
    assert {"user", "circle", "thread", "review_round", "notice"} <= {model._meta.table_name for model in models}
    with db.database.connection_context():
        migrated = describe(db.database, skip=bookkeeping())
    assert_no_drift(migrated, declared_on_sqlite(models))


def test_the_comparison_names_the_table_and_column_that_drifted(app):
    with db.database.connection_context():
        db.database.execute_sql('ALTER TABLE "notice" RENAME COLUMN "url" TO "link"')  # a field renamed, no migration
        db.database.execute_sql('DROP INDEX "notice_user_id_created_at"')  # an index the migrations lost
        problems = drift(describe(db.database, skip=bookkeeping()), declared_on_sqlite(app_models()))
    assert problems == [
        "notice.link: the migrations make VARCHAR(500) NOT NULL, no field of the model declares it",
        "notice.url: the model declares VARCHAR(500) NOT NULL, the migrations do not make it",
        "notice: the model declares INDEX (user_id, created_at), the migrations do not make it",
    ]


# ---- PostgreSQL ---------------------------------------------------------------------------------

@pytest.fixture
def pg_schemas():
    """Two empty schemas of the test database, for the migrations and for the models; the public schema
    the other PostgreSQL tests reset (conftest.POSTGRESQL_SCHEMA) is left alone."""
    names = (f"schema_check_{os.getpid()}_migrated", f"schema_check_{os.getpid()}_declared")
    admin = db_url.connect(POSTGRES_URL)

    def reset(create):
        with admin.connection_context():
            for name in names:
                admin.execute_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
                if create:
                    admin.execute_sql(f'CREATE SCHEMA "{name}"')

    reset(create=True)
    yield names
    if not db.database.is_closed():
        db.database.close()
    reset(create=False)


@pytest.mark.skipif(not POSTGRES_URL, reason="set LEARNCIRCLE_TEST_POSTGRES_URL to a PostgreSQL database "
                                             "to compare the migrations with the models there")
def test_the_migrations_build_the_models_schema_on_postgresql(pg_schemas):
    in_migrated, in_declared = pg_schemas
    create_app({"TESTING": True, "DATABASE_URL": in_schema(POSTGRES_URL, in_migrated), "SECRET_KEY": "pg",
                "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    db.upgrade()
    with db.database.connection_context():
        migrated = describe(db.database, skip=bookkeeping())

    models = app_models()
    declared_db = db_url.connect(in_schema(POSTGRES_URL, in_declared))
    with declared_db.connection_context():
        with declared_db.bind_ctx(models, bind_refs=False, bind_backrefs=False):
            declared_db.create_tables(models)
            for model, field in deferred_keys(models):
                model._schema.create_foreign_key(field)
        declared = describe(declared_db)
    assert_no_drift(migrated, declared)
