"""Flags of peer reviews join the circle's one system of flags (moderation.Flag): each review flagged so far
becomes a Flag row of its work's author (reason "unkind", their words as its note; resolved when a facilitator
has hidden the review since), and the review's own flag columns are emptied (no longer read or written). A
review also says why it is hidden, as a post does: `hidden_kind` ("" a facilitator, "flags") and `hidden_reason`.
"""


def up(migrator, db):
    # In place with the database's own defaults (no table copy: review's rows have children that a copy's
    # DROP TABLE would take with them).
    for statement in (
        'ALTER TABLE "review" ADD COLUMN "hidden_kind" VARCHAR(10) NOT NULL DEFAULT \'\'',
        'ALTER TABLE "review" ADD COLUMN "hidden_reason" VARCHAR(300) NOT NULL DEFAULT \'\'',
    ):
        db.execute_sql(statement)
    flagged = db.execute_sql(
        'SELECT r.id, rr.circle_id, COALESCE(r.flagged_by_id, s.author_id), r.flag_reason, r.flagged_at, '
        'r.hidden_at FROM "review" r JOIN "assignment" a ON a.id = r.assignment_id '
        'JOIN "submission" s ON s.id = a.submission_id JOIN "review_round" rr ON rr.id = a.round_id '
        'WHERE r.flagged_at IS NOT NULL').fetchall()
    for review_id, circle_id, flagger_id, reason, flagged_at, hidden_at in flagged:
        resolved = hidden_at if hidden_at is not None and str(hidden_at) >= str(flagged_at) else None
        db.execute_sql(
            'INSERT INTO "flag" (circle_id, target_kind, target_id, flagger_id, reason, conduct_point, note, '
            'created_at, resolved_at, resolution) VALUES (%s)' % ", ".join([db.param] * 10),
            (circle_id, "review", review_id, flagger_id, "unkind", None, " ".join((reason or "").split())[:500],
             flagged_at, resolved, "hidden" if resolved is not None else ""))
    db.execute_sql('UPDATE "review" SET flagged_at = NULL, flag_reason = \'\', flagged_by_id = NULL '
                   'WHERE flagged_at IS NOT NULL')


def down(migrator, db):
    rows = db.execute_sql(
        'SELECT target_id, flagger_id, note, created_at FROM "flag" WHERE target_kind = \'review\' '
        'ORDER BY created_at').fetchall()
    for review_id, flagger_id, note, created_at in rows:
        db.execute_sql(f'UPDATE "review" SET flagged_at = {db.param}, flag_reason = {db.param}, '
                       f'flagged_by_id = {db.param} WHERE id = {db.param}', (created_at, note, flagger_id, review_id))
    db.execute_sql('DELETE FROM "flag" WHERE target_kind = \'review\'')
    for column in ("hidden_kind", "hidden_reason"):
        db.execute_sql(f'ALTER TABLE "review" DROP COLUMN "{column}"')
