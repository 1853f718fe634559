from learncircle import db


def test_migrations_create_the_schema(app):
    with db.database.connection_context():
        tables = set(db.database.get_tables())
    assert {"user", "circle", "membership", "invitation", "thread", "post", "used_form_key"} <= tables
    assert db.pending() == []
