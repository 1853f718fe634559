"""Your data (accounts/deletion.py): when a member asked for their account to be deleted and whether their posts
go with it, when it was deleted (the row stays, scrubbed, as the "deleted member" their kept posts show), and
each circle's rule for departing members' posts ("choice": theirs; "keep": kept, anonymised)."""
from peewee import DateTimeField, PostgresqlDatabase


def up(migrator, db):
    # In place with the database's own defaults: no table copy on SQLite (the search triggers stay), where a
    # boolean is an integer.
    boolean = 'BOOLEAN' if isinstance(db, PostgresqlDatabase) else 'INTEGER'
    for statement in (
        f'ALTER TABLE "user" ADD COLUMN "deletion_removes_posts" {boolean} NOT NULL DEFAULT FALSE',
        'ALTER TABLE "circle" ADD COLUMN "departed_posts" VARCHAR(10) NOT NULL DEFAULT \'choice\'',
    ):
        db.execute_sql(statement)
    migrator.migrate(  # nullable: in place too
        migrator.add_column('user', 'deletion_requested_at', DateTimeField(null=True)),
        migrator.add_column('user', 'deleted_at', DateTimeField(null=True)),
    )


def down(migrator, db):
    for table, column in (("user", "deletion_requested_at"), ("user", "deletion_removes_posts"),
                          ("user", "deleted_at"), ("circle", "departed_posts")):
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
