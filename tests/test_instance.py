"""The instance folder, as an operator meets it: a folder or key that cannot work stops every command
with one line saying what to do, and what LearnCircle writes there is readable by its owner only.
"""
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from learncircle import config, create_app, db
from learncircle.cli import main
from learncircle.instance import MIN_KEY_LENGTH, InstanceError

LEARNCIRCLE = str(Path(sys.executable).parent / "learncircle")


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder that does not exist yet; only LEARNCIRCLE_INSTANCE_PATH points the command at it."""
    for name in config.SETTINGS:
        monkeypatch.delenv(f"LEARNCIRCLE_{name}", raising=False)
    folder = tmp_path / "instance"
    monkeypatch.setenv("LEARNCIRCLE_INSTANCE_PATH", str(folder))
    yield folder
    if db.database.obj is not None:
        db.close_all()


def run(*args):
    return CliRunner().invoke(main, list(args))


def assert_refused_in_one_line(result, *words):
    """Exit non-zero with a single line of output that contains every word, and no traceback."""
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an exception escaping the command
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def environment(folder):
    env = {name: value for name, value in os.environ.items() if not name.startswith("LEARNCIRCLE_")}
    env["LEARNCIRCLE_INSTANCE_PATH"] = str(folder)
    return env


def command(folder, *args, timeout=120):
    """`learncircle ARGS` in a process of its own, started with the umask a login shell usually has."""
    return subprocess.run([LEARNCIRCLE, *args], env=environment(folder), capture_output=True, text=True,
                          timeout=timeout, umask=0o022)


# ---- the secret key -----------------------------------------------------------------------------

@pytest.mark.parametrize("content, words", [
    (b"", ["is empty", "delete it"]),
    (b"\n  \n", ["is empty", "delete it"]),
    (b"\xff\xfe\x00k\x00e\x00y" * 10, ["is not UTF-8 text", "delete it"]),
    (b"abc", ["3 characters", f"at least {MIN_KEY_LENGTH}", "delete it"]),
    (b"x" * (MIN_KEY_LENGTH - 1), [f"{MIN_KEY_LENGTH - 1} characters", "delete it"]),
], ids=["empty", "blank", "utf-16", "3-characters", "one-short"])
@pytest.mark.parametrize("args", [["db", "status"], ["create-admin", "root", "--email", "r@example.org"],
                                  ["--help"]], ids=["db-status", "create-admin", "help"])
def test_a_broken_key_file_stops_every_command_with_one_line(instance, content, words, args):
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_bytes(content)
    line = assert_refused_in_one_line(run(*args), str(instance / "secret_key"), *words)
    assert line.startswith("Error: ")
    assert not (instance / "learncircle.sqlite3").exists()  # refused before anything was opened


def test_serve_refuses_an_empty_key_instead_of_serving_500s(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o700)
    (folder / "secret_key").write_text("")
    try:
        result = command(folder, "serve", "--port", "0", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("serve started with an empty secret key")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: {folder / 'secret_key'} is empty: delete it and start again, "
                                          "and LearnCircle writes a new key (everyone has to sign in again)."]


def test_a_key_of_the_minimum_length_is_used(instance):
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_text("k" * MIN_KEY_LENGTH + "\n")
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output


def test_a_short_secret_key_setting_stops_the_start(instance, monkeypatch):
    monkeypatch.setenv("LEARNCIRCLE_SECRET_KEY", "abc")
    assert_refused_in_one_line(run("db", "status"), "SECRET_KEY", "3 characters", "secrets.token_hex(32)")


def test_create_app_raises_a_clear_error_for_wsgi_servers(instance):
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_text("")
    with pytest.raises(InstanceError, match=r"secret_key is empty: delete it"):
        create_app()


def test_an_unreadable_key_is_named(instance):
    if os.geteuid() == 0:
        pytest.skip("root reads every file whatever its mode")
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_text("k" * 64)
    (instance / "secret_key").chmod(0)
    assert_refused_in_one_line(run("db", "status"), "cannot read", "secret_key")


# ---- a read-only folder -------------------------------------------------------------------------

def read_only_command(folder, *args):
    """Run `learncircle ARGS` with `folder` read-only: by its mode for an ordinary user; root ignores modes,
    so for root the folder is mounted read-only in a mount namespace of the command's own.
    """
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return command(folder, *args)
        finally:
            folder.chmod(0o700)
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare(1) with user namespaces to make a folder read-only for root")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
    return subprocess.run([unshare, "-rm", "sh", "-c", script, "sh", str(folder), LEARNCIRCLE, *args],
                          env=environment(folder), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [["db", "status"], ["serve", "--port", "0"]])
def test_a_read_only_instance_folder_stops_the_start_with_one_line(tmp_path, args):
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o700)
    result = read_only_command(folder, *args)
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    assert output.splitlines() == [output]
    assert str(folder) in output and "read-only" in output and "writable" in output


# ---- file modes ---------------------------------------------------------------------------------

def test_a_fresh_instance_its_database_and_backups_are_private(tmp_path):
    folder = tmp_path / "instance"
    result = command(folder, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert mode(folder) == 0o700
    assert {path.name: mode(path) for path in folder.iterdir()} == {
        name: 0o600 for name in ("secret_key", "learncircle.sqlite3")}
    assert "private" not in result.stderr  # nothing needed tightening

    backups = tmp_path / "backups"
    result = command(folder, "backup", f"{backups}/")
    assert result.returncode == 0, result.stderr
    assert mode(backups) == 0o700
    assert [mode(path) for path in backups.iterdir()] == [0o600]


def test_the_database_journals_are_private_while_the_server_writes(app, tmp_path):
    """SQLite gives -wal and -shm the database file's mode; the database is made under the server's umask."""
    with db.database.connection_context():
        db.database.execute_sql("CREATE TABLE scratch (x)")
    files = list(tmp_path.glob("test.sqlite3*"))
    assert {path.name for path in files} >= {"test.sqlite3", "test.sqlite3-wal", "test.sqlite3-shm"}
    assert {mode(path) for path in files} == {0o600}
    assert os.umask(0o077) == 0o077  # and the process keeps creating files for its owner only


def test_a_loosened_instance_is_made_private_on_start_with_one_notice(tmp_path):
    folder = tmp_path / "instance"
    assert command(folder, "db", "upgrade").returncode == 0
    (folder / "learncircle.sqlite3-wal").write_bytes(b"")
    (folder / "notes.txt").write_text("the operator's own file")
    for name in ("secret_key", "learncircle.sqlite3", "learncircle.sqlite3-wal", "notes.txt"):
        (folder / name).chmod(0o644)
    folder.chmod(0o755)

    result = command(folder, "db", "status")
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if "private" in line]
    assert len(notices) == 1
    for change in (f"{folder} 755→700", "secret_key 644→600", "learncircle.sqlite3 644→600",
                   "learncircle.sqlite3-wal 644→600"):
        assert change in notices[0]
    assert "notes.txt" not in notices[0]
    assert mode(folder) == 0o700
    assert {name: mode(folder / name) for name in ("secret_key", "learncircle.sqlite3", "notes.txt")} == \
        {"secret_key": 0o600, "learncircle.sqlite3": 0o600, "notes.txt": 0o644}

    again = command(folder, "db", "status")
    assert "private" not in again.stderr


def test_a_database_kept_elsewhere_is_made_private_too(tmp_path):
    folder, data = tmp_path / "instance", tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    database = data / "circles.sqlite3"
    env_url = f"sqlite:///{database}"
    run_with_url = lambda *args: subprocess.run(  # noqa: E731
        [LEARNCIRCLE, *args], env={**environment(folder), "LEARNCIRCLE_DATABASE_URL": env_url},
        capture_output=True, text=True, timeout=120, umask=0o022)
    assert run_with_url("db", "upgrade").returncode == 0
    assert mode(database) == 0o600
    database.chmod(0o644)
    result = run_with_url("db", "status")
    assert result.returncode == 0, result.stderr
    assert f"{database} 644→600" in result.stderr
    assert mode(database) == 0o600 and mode(data) == 0o755  # a folder LearnCircle does not own is left alone
