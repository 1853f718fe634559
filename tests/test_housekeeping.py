"""Housekeeping: what has outlived its time is deleted, by `learncircle prune` and by the server's hourly thread;
the audit log keeps AUDIT_RETENTION_DAYS and not a day less."""
import datetime as dt
import threading

from click.testing import CliRunner

from learncircle import audit, clock, create_app, db, housekeeping
from learncircle.audit import AuditEvent
from learncircle.cli import main


def subjects():
    with db.database.connection_context():
        return [event.subject for event in AuditEvent.select().order_by(AuditEvent.id)]


def record_over_a_year(app):
    """Three events: 400, 365 and 10 days before now (the clock is frozen)."""
    start = clock.now()
    with app.app_context(), db.database.connection_context():
        for days_ago, subject in ((400, "old"), (365, "a year"), (10, "recent")):
            clock.freeze(start - dt.timedelta(days=days_ago))
            audit.record("admin.lift_suspension", subject=subject)
    clock.freeze(start)


def test_pruning_deletes_only_the_events_past_the_retention(app, frozen_clock):
    record_over_a_year(app)
    with app.app_context(), db.database.connection_context():
        done = housekeeping.run()
    assert done["audit.prune"] == 1
    assert subjects() == ["a year", "recent"]  # exactly 365 days old: still within the retention
    clock.advance(seconds=1)
    with app.app_context(), db.database.connection_context():
        assert housekeeping.run()["audit.prune"] == 1
        assert housekeeping.run()["audit.prune"] == 0  # safe to run again
    assert subjects() == ["recent"]


def test_the_retention_is_a_setting(app, frozen_clock):
    record_over_a_year(app)
    app.config["AUDIT_RETENTION_DAYS"] = 5
    with app.app_context(), db.database.connection_context():
        assert housekeeping.run()["audit.prune"] == 3
    assert subjects() == []


def test_the_servers_housekeeper_runs_at_start_then_stops_cleanly(app, monkeypatch, frozen_clock):
    record_over_a_year(app)
    ran = threading.Event()
    monkeypatch.setitem(housekeeping._jobs, "zz.test", lambda now: ran.set() or 0)
    keeper = housekeeping.housekeeper(app)
    assert keeper.every_seconds == 3600 and not keeper.is_alive()
    keeper.start()
    try:
        assert ran.wait(10), "the housekeeper did not run its jobs at start"
        assert keeper.is_alive()
    finally:
        keeper.stop()
    assert not keeper.is_alive()
    assert subjects() == ["a year", "recent"]


def test_a_failing_run_is_logged_and_the_next_one_tries_again(app, monkeypatch, caplog):
    def broken(now):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(housekeeping._jobs, "zz.broken", broken)
    keeper = housekeeping.Housekeeper(app, every_seconds=60)
    assert keeper.step() is None
    assert "housekeeping failed; it runs again in 60 seconds" in caplog.text
    monkeypatch.delitem(housekeeping._jobs, "zz.broken")
    assert keeper.step()["audit.prune"] == 0


def test_the_prune_command_says_what_each_job_deleted(tmp_path, monkeypatch, frozen_clock):
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("LEARNCIRCLE_AUDIT_RETENTION_DAYS", raising=False)
    app = create_app({"SECRET_KEY": "test-secret"})
    try:
        with app.app_context(), db.database.connection_context():
            db.upgrade()
        record_over_a_year(app)
        result = CliRunner().invoke(main, ["prune"])
        assert result.exit_code == 0, result.output
        assert "audit.prune: 1 row deleted" in result.output.splitlines()
        assert subjects() == ["a year", "recent"]
        assert "AUDIT_RETENTION_DAYS" in CliRunner().invoke(main, ["prune", "--help"]).output
    finally:
        db.close_all()
