"""Sign-ins as rows (one per signed-in browser) and one-time password reset links.

The user table's old `session_token` column stays: nothing reads it any more, and dropping a column
rewrites the whole table on SQLite older than 3.35.
"""
from peewee import *

# Python-side defaults (clock.now) live in the models; the schema needs none.

def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class LoginSession(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        secret_hash = CharField(max_length=64)
        remembered = BooleanField(default=False)
        browser = CharField(max_length=80, default='')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'login_session'
            indexes = ((('user', 'last_seen_at'), False),)
    db.create_tables([LoginSession])

    class PasswordReset(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        token_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'password_reset'
    db.create_tables([PasswordReset])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('password_reset'))
    migrator.migrate(migrator.drop_table('login_session'))
