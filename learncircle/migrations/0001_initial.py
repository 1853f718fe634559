"""Accounts, circles, memberships, invitations, threads, posts and one-time form keys."""
from peewee import *

# Python-side defaults (clock.now) live in the models; the schema needs none.

def up(migrator, db):
    class Circle(Model):
        name = CharField(max_length=100)
        slug = CharField(unique=True, max_length=60)
        purpose = CharField(max_length=300)
        goals = TextField(default='')
        goals_html = TextField(default='')
        conduct = TextField(default='')
        conduct_html = TextField(default='')
        visibility = CharField(max_length=10, default='private')
        member_count = IntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'circle'
    db.create_tables([Circle])

    class User(Model):
        username = CharField(unique=True, max_length=30)
        email = CharField(unique=True, max_length=254)
        display_name = CharField(max_length=80)
        pronouns = CharField(max_length=40, default='')
        bio = TextField(default='')
        bio_html = TextField(default='')
        timezone = CharField(max_length=64, default='UTC')
        password_hash = CharField()
        session_token = CharField(max_length=64)
        is_admin = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Invitation(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        created_by = ForeignKeyField(User, on_delete='CASCADE')
        token = CharField(unique=True, max_length=64)
        role = CharField(max_length=20, default='member')
        expires_at = DateTimeField(null=True)
        max_uses = IntegerField(null=True)
        uses = IntegerField(default=0)
        revoked_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'invitation'
    db.create_tables([Invitation])

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        role = CharField(max_length=20, default='member')
        joined_at = DateTimeField()
        conduct_accepted_at = DateTimeField()
        invitation = ForeignKeyField(Invitation, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'membership'
            indexes = ((('circle', 'user'), True), (('user', 'circle'), False))
    db.create_tables([Membership])

    class Thread(Model):
        circle = ForeignKeyField(Circle, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        title = CharField(max_length=200)
        kind = CharField(max_length=20, default='discussion')
        pinned = BooleanField(default=False)
        locked = BooleanField(default=False)
        created_at = DateTimeField()
        post_count = IntegerField(default=0)
        last_activity_at = DateTimeField()
        last_author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        answered_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'thread'
            indexes = ((('circle', 'pinned', 'last_activity_at'), False),)
    db.create_tables([Thread])

    class Post(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        number = IntegerField()
        body = TextField()
        body_html = TextField()
        created_at = DateTimeField()
        edited_at = DateTimeField(null=True)
        deleted_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'post'
            indexes = ((('thread', 'number'), True),)
    db.create_tables([Post])

    class UsedFormKey(Model):
        key = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        result_url = CharField(max_length=500, default='')
        used_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'used_form_key'
    db.create_tables([UsedFormKey])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('used_form_key'))
    migrator.migrate(migrator.drop_table('post'))
    migrator.migrate(migrator.drop_table('thread'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('invitation'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('circle'))
