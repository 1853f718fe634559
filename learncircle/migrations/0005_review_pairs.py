"""Pairs kept apart in peer review (a reviewer never given an author's work again in a circle), and an
index for finding the rounds whose reviewers are due to be allocated."""
from peewee import *

# Python-side defaults (clock.now) live in the models; the schema needs none.

def up(migrator, db):
    class Circle(Model):
        class Meta:
            database = db
            table_name = 'circle'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class KeptApart(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        reviewer = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        author = ForeignKeyField(User, backref='+', on_delete='CASCADE')
        created_by = ForeignKeyField(User, backref='+', null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'kept_apart'
            indexes = ((('circle', 'reviewer', 'author'), True), (('circle', 'created_at'), False))
    db.create_tables([KeptApart])

    migrator.migrate(migrator.add_index('review_round', ('allocated_at', 'submission_deadline'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('review_round', 'review_round_allocated_at_submission_deadline'))
    migrator.migrate(migrator.drop_table('kept_apart'))
