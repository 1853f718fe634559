"""Hiding, for moderation: why a post is hidden (`hidden_kind`: "" by a moderator, "flags" by members' flags until
reviewed, "approval" a new member's post waiting for a facilitator), and threads hidden whole the same ways."""
from peewee import DateTimeField


def up(migrator, db):
    # In place with the database's own defaults: no table copy on SQLite (the search triggers stay).
    for statement in (
        'ALTER TABLE "post" ADD COLUMN "hidden_kind" VARCHAR(10) NOT NULL DEFAULT \'\'',
        'ALTER TABLE "thread" ADD COLUMN "hidden_kind" VARCHAR(10) NOT NULL DEFAULT \'\'',
        'ALTER TABLE "thread" ADD COLUMN "hidden_reason" VARCHAR(300) NOT NULL DEFAULT \'\'',
    ):
        db.execute_sql(statement)
    migrator.migrate(migrator.add_column('thread', 'hidden_at', DateTimeField(null=True)))  # nullable: in place too


def down(migrator, db):
    for table, column in (("post", "hidden_kind"), ("thread", "hidden_at"), ("thread", "hidden_kind"),
                          ("thread", "hidden_reason")):
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
