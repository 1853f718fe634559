"""Site settings (the public address confirmed at setup) and facilitators hiding a post, with a reason."""
from peewee import *

# Python-side defaults (clock.now) live in the models; the schema needs none.

def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class SiteSetting(Model):
        name = CharField(max_length=50, primary_key=True)
        value = TextField(default='')
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'site_setting'
    db.create_tables([SiteSetting])

    migrator.migrate(
        migrator.add_column('post', 'hidden_at', DateTimeField(null=True)),
        migrator.add_column('post', 'hidden_by_id',
                            ForeignKeyField(User, field=User.id, null=True, on_delete='SET NULL')),
        migrator.add_column('post', 'hidden_reason', CharField(max_length=300, default='')),
    )
