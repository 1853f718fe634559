"""Instance admins' suspensions (admin/): until when an account may not sign in (a far date: indefinitely) and
why, as the sign-in page tells its owner. The suspension lifts by itself when the clock passes the date."""
from peewee import DateTimeField


def up(migrator, db):
    # In place with the database's own default: no table copy on SQLite; nullable: in place too.
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "suspended_reason" VARCHAR(300) NOT NULL DEFAULT \'\'')
    migrator.migrate(migrator.add_column('user', 'suspended_until', DateTimeField(null=True)))


def down(migrator, db):
    for column in ("suspended_until", "suspended_reason"):
        db.execute_sql(f'ALTER TABLE "user" DROP COLUMN "{column}"')
