"""New members (newcomers/): each circle's own limits for its new members, NULL where it takes the instance's
setting (NEW_MEMBER_*); each membership's count of accepted posts (so pages need not count them), counted now
for the members there are; an index for the facilitators' list of posts waiting for approval, oldest first."""
from peewee import *


def up(migrator, db):
    class Post(Model):
        hidden_kind = CharField(max_length=10, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'post'

    # Nullable columns: added in place on SQLite too (no table copy).
    migrator.migrate(*(migrator.add_column('circle', name, IntegerField(null=True)) for name in (
        'newcomer_days', 'newcomer_posts', 'newcomer_threads', 'newcomer_links', 'newcomer_images')))
    migrator.migrate(migrator.add_column('circle', 'newcomer_approval', BooleanField(null=True)))
    db.execute(Post.index(Post.hidden_kind, Post.created_at))
    db.execute_sql('ALTER TABLE "membership" ADD COLUMN "accepted_posts" INTEGER NOT NULL DEFAULT 0')
    db.execute_sql(
        'UPDATE "membership" SET "accepted_posts" = (SELECT COUNT(*) FROM "post" AS "p" '
        'JOIN "thread" AS "t" ON "p"."thread_id" = "t"."id" WHERE "p"."author_id" = "membership"."user_id" '
        'AND "t"."circle_id" = "membership"."circle_id" AND "p"."hidden_at" IS NULL AND "p"."deleted_at" IS NULL)')


def down(migrator, db):
    migrator.migrate(migrator.drop_index('post', 'post_hidden_kind_created_at'))
    db.execute_sql('ALTER TABLE "membership" DROP COLUMN "accepted_posts"')
    for name in ('newcomer_days', 'newcomer_posts', 'newcomer_threads', 'newcomer_links', 'newcomer_images',
                 'newcomer_approval'):
        db.execute_sql(f'ALTER TABLE "circle" DROP COLUMN "{name}"')
