"""Search: an index of every post the circle can read, kept in step by the database itself.

One row per shown post (neither deleted nor hidden): its words, with the thread's title beside the opening
post's, and its circle. Triggers on `post` and `thread` keep it in step with every create, edit, delete,
hide, unhide and title change, so no code path can forget it; this migration fills it for the posts there
are. (search/index.py reads it.)

SQLite: an FTS5 table `post_search` (title, body, circle), rowid = post id. The circle is one token, "c42",
so a search is limited to the searcher's circles inside the full-text index. Words are folded by unicode61:
lower case, diacritics removed ("Lösung" is found by "losung"). The table keeps its own copy of the text:
with external content, removing a post's words needs the very values it was indexed with, which a post
deleted along with its thread no longer has (the thread row is gone first). A later migration that changes
post or thread by copying the table keeps these triggers (db._SqliteMigrator).

PostgreSQL: a table `post_search` (post_id, circle_id, document tsvector) with a GIN index. The document is
the title (weight A) and the body (weight D) through the 'simple' configuration, after
`learncircle_fold`, which lowers case and removes the diacritics of Latin letters as SQLite does.

Neither is a model: tests/test_schema.py leaves these tables out of its comparison.
"""
import unicodedata

from peewee import PostgresqlDatabase


def _shown(post):
    """Posts the circle reads: neither deleted nor hidden (`post` names the row: new, p)."""
    return f"{post}.deleted_at IS NULL AND {post}.hidden_at IS NULL"


def _fold_table():
    """The two strings of translate(): each Latin letter with diacritics, upper and lower case, and the plain
    lower-case letter it folds to. Upper case too, as lower() follows the database's locale ("C" knows ASCII
    only)."""
    source, target = [], []
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        letter = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base.isascii() and base.isalpha() and base != letter:
            source.append(letter)
            target.append(base)
    return "".join(source), "".join(target)


SQLITE = [
    """CREATE VIRTUAL TABLE post_search USING fts5(
         title, body, circle, tokenize = 'unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER post_search_insert AFTER INSERT ON post WHEN {_shown('new')}
        BEGIN
          INSERT INTO post_search (rowid, title, body, circle)
          SELECT new.id, CASE WHEN new.number = 1 THEN t.title ELSE '' END, new.body, 'c' || t.circle_id
          FROM thread t WHERE t.id = new.thread_id;
        END""",
    f"""CREATE TRIGGER post_search_update AFTER UPDATE OF body, number, thread_id, deleted_at, hidden_at ON post
        WHEN old.body IS NOT new.body OR old.number IS NOT new.number OR old.thread_id IS NOT new.thread_id
          OR old.deleted_at IS NOT new.deleted_at OR old.hidden_at IS NOT new.hidden_at
        BEGIN
          DELETE FROM post_search WHERE rowid = old.id;
          INSERT INTO post_search (rowid, title, body, circle)
          SELECT new.id, CASE WHEN new.number = 1 THEN t.title ELSE '' END, new.body, 'c' || t.circle_id
          FROM thread t WHERE t.id = new.thread_id AND {_shown('new')};
        END""",
    # Also when a thread, circle or person goes: their posts go by ON DELETE CASCADE, which fires this.
    """CREATE TRIGGER post_search_delete AFTER DELETE ON post
        BEGIN
          DELETE FROM post_search WHERE rowid = old.id;
        END""",
    # A new title is the opening post's; a thread moved to another circle takes all its posts along.
    f"""CREATE TRIGGER post_search_thread AFTER UPDATE OF title, circle_id ON thread
        WHEN old.title IS NOT new.title OR old.circle_id IS NOT new.circle_id
        BEGIN
          DELETE FROM post_search WHERE rowid IN (
            SELECT id FROM post WHERE thread_id = new.id AND (number = 1 OR old.circle_id IS NOT new.circle_id));
          INSERT INTO post_search (rowid, title, body, circle)
          SELECT p.id, CASE WHEN p.number = 1 THEN new.title ELSE '' END, p.body, 'c' || new.circle_id
          FROM post p WHERE p.thread_id = new.id AND {_shown('p')}
            AND (p.number = 1 OR old.circle_id IS NOT new.circle_id);
        END""",
    f"""INSERT INTO post_search (rowid, title, body, circle)
        SELECT p.id, CASE WHEN p.number = 1 THEN t.title ELSE '' END, p.body, 'c' || t.circle_id
        FROM post p JOIN thread t ON t.id = p.thread_id WHERE {_shown('p')}""",
]

SQLITE_DOWN = ["DROP TRIGGER post_search_insert", "DROP TRIGGER post_search_update",
               "DROP TRIGGER post_search_delete", "DROP TRIGGER post_search_thread", "DROP TABLE post_search"]


def _postgresql():
    source, target = _fold_table()
    return [
        f"""CREATE FUNCTION learncircle_fold(words text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT translate(lower(words), '{source}', '{target}') $$""",
        """CREATE FUNCTION post_search_document(title text, body text) RETURNS tsvector LANGUAGE sql
            IMMUTABLE PARALLEL SAFE
            AS $$ SELECT setweight(to_tsvector('simple'::regconfig, learncircle_fold(coalesce(title, ''))), 'A')
                      || setweight(to_tsvector('simple'::regconfig, learncircle_fold(body)), 'D') $$""",
        """CREATE TABLE post_search (
             post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE,
             circle_id INTEGER NOT NULL,
             document TSVECTOR NOT NULL)""",
        "CREATE INDEX post_search_document ON post_search USING GIN (document)",
        f"""CREATE FUNCTION post_search_post() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              DELETE FROM post_search WHERE post_id = NEW.id;
              IF {_shown('NEW')} THEN
                INSERT INTO post_search (post_id, circle_id, document)
                SELECT NEW.id, t.circle_id,
                       post_search_document(CASE WHEN NEW.number = 1 THEN t.title END, NEW.body)
                FROM thread t WHERE t.id = NEW.thread_id;
              END IF;
              RETURN NULL;
            END $$""",
        "CREATE TRIGGER post_search_insert AFTER INSERT ON post FOR EACH ROW EXECUTE FUNCTION post_search_post()",
        """CREATE TRIGGER post_search_update AFTER UPDATE OF body, number, thread_id, deleted_at, hidden_at ON post
            FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.number IS DISTINCT FROM NEW.number
              OR OLD.thread_id IS DISTINCT FROM NEW.thread_id OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
              OR OLD.hidden_at IS DISTINCT FROM NEW.hidden_at)
            EXECUTE FUNCTION post_search_post()""",
        # A deleted post's row goes by its foreign key (ON DELETE CASCADE).
        f"""CREATE FUNCTION post_search_thread() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              moved boolean := OLD.circle_id IS DISTINCT FROM NEW.circle_id;
            BEGIN
              DELETE FROM post_search WHERE post_id IN (
                SELECT id FROM post WHERE thread_id = NEW.id AND (number = 1 OR moved));
              INSERT INTO post_search (post_id, circle_id, document)
              SELECT p.id, NEW.circle_id,
                     post_search_document(CASE WHEN p.number = 1 THEN NEW.title END, p.body)
              FROM post p WHERE p.thread_id = NEW.id AND {_shown('p')}
                AND (p.number = 1 OR moved);
              RETURN NULL;
            END $$""",
        """CREATE TRIGGER post_search_thread AFTER UPDATE OF title, circle_id ON thread
            FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.circle_id IS DISTINCT FROM NEW.circle_id)
            EXECUTE FUNCTION post_search_thread()""",
        f"""INSERT INTO post_search (post_id, circle_id, document)
            SELECT p.id, t.circle_id, post_search_document(CASE WHEN p.number = 1 THEN t.title END, p.body)
            FROM post p JOIN thread t ON t.id = p.thread_id WHERE {_shown('p')}""",
    ]


POSTGRESQL_DOWN = ["DROP TRIGGER post_search_thread ON thread", "DROP FUNCTION post_search_thread()",
                   "DROP TRIGGER post_search_update ON post", "DROP TRIGGER post_search_insert ON post",
                   "DROP FUNCTION post_search_post()", "DROP TABLE post_search",
                   "DROP FUNCTION post_search_document(text, text)", "DROP FUNCTION learncircle_fold(text)"]


def up(migrator, db):
    for sql in (_postgresql() if isinstance(db, PostgresqlDatabase) else SQLITE):
        db.execute_sql(sql)


def down(migrator, db):
    for sql in (POSTGRESQL_DOWN if isinstance(db, PostgresqlDatabase) else SQLITE_DOWN):
        db.execute_sql(sql)
