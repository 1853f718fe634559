"""The instance folder: the database and the secret key, private to the user LearnCircle runs as.

Checked at every start. A folder that cannot work (read-only, a broken or weak key) stops the
start with one line naming the file and what to do, rather than a traceback, or a server that
starts and then fails every request. Files are created for the owner only (umask 077), and an
instance made by an older version is tightened once, with a notice saying what changed.
"""
import os
import secrets
import stat
from pathlib import Path

from playhouse import db_url

KEY_FILE = "secret_key"
MIN_KEY_LENGTH = 32  # characters; a generated key has 64 (256 random bits in hex)
NEW_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"
# The files LearnCircle writes into the folder: the key, and SQLite databases with their journals.
OWN_FILES = (KEY_FILE, "*.sqlite3", "*.sqlite3-wal", "*.sqlite3-shm", "*.sqlite3-journal")
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600


class InstanceError(RuntimeError):
    """The instance folder or a secret cannot work; the message is one line saying what to do."""


def prepare(path, notice=print):
    """Make the instance folder exist, private and writable; tighten an older one, telling `notice` once.

    The umask is set first, for the whole process: SQLite creates the database, its -wal and -shm
    files, and `learncircle backup` its copies, with modes that follow it.
    """
    os.umask(os.umask(0o077) | 0o077)  # only ever tightened
    folder = Path(path)
    try:
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    except OSError as error:
        raise InstanceError(f"cannot create the instance folder {folder} ({_reason(error)}): create it for "
                            "the user LearnCircle runs as, or point LEARNCIRCLE_INSTANCE_PATH elsewhere.") from None
    if not folder.is_dir():
        raise InstanceError(f"the instance folder {folder} is not a folder: move that file away, "
                            "or point LEARNCIRCLE_INSTANCE_PATH elsewhere.")
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        raise InstanceError(f"the instance folder {folder} is read-only for this user, and LearnCircle writes "
                            f"its database and key there: make it writable by the user LearnCircle runs as "
                            f"(as root: chown -R USER {folder}).")
    changed = tighten(folder)
    if changed:
        notice(f"made the instance folder private (only its owner may read it): {', '.join(changed)}")


def tighten(folder):
    """Take group and other permissions off the folder and the files LearnCircle owns in it; say what changed."""
    return _tighten([(folder, PRIVATE_FOLDER, str(folder))]
                    + [(file, PRIVATE_FILE, file.name) for file in _own_files(folder)])


def _tighten(targets):
    changed = []
    for target, private, name in targets:
        mode = stat.S_IMODE(target.lstat().st_mode)
        if mode & 0o077:
            try:
                os.chmod(target, mode & private)
            except OSError as error:
                changed.append(f"{name} could not be changed ({_reason(error)})")
            else:
                changed.append(f"{name} {mode:o}→{mode & private:o}")
    return changed


def _own_files(folder):
    found = {file for pattern in OWN_FILES for file in folder.glob(pattern)}
    return sorted(file for file in found if stat.S_ISREG(file.lstat().st_mode))  # never follow a link


def secret_key(path):
    """The instance's secret key from `secret_key`, made on first start; InstanceError when it cannot serve."""
    file = Path(path) / KEY_FILE
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return _read_key(file)
    except OSError as error:
        raise InstanceError(f"cannot create {file} ({_reason(error)}): make the instance folder writable "
                            "by the user LearnCircle runs as, or set LEARNCIRCLE_SECRET_KEY.") from None
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    except OSError as error:
        file.unlink(missing_ok=True)  # a half-written key would stop the next start
        raise InstanceError(f"cannot write {file} ({_reason(error)}): free some space and start again.") from None
    return _read_key(file)


def _read_key(file):
    remedy = "delete it and start again, and LearnCircle writes a new key (everyone has to sign in again)."
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise InstanceError(f"cannot read {file} ({_reason(error)}): make it readable by the user LearnCircle "
                            f"runs as, or {remedy}") from None
    try:
        key = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InstanceError(f"{file} is not UTF-8 text: {remedy}") from None
    if not key:
        raise InstanceError(f"{file} is empty: {remedy}")
    if len(key) < MIN_KEY_LENGTH:
        raise InstanceError(f"{file} holds a key of {len(key)} characters, and a key needs at least "
                            f"{MIN_KEY_LENGTH}: {remedy}")
    return key


def check_configured_key(key):
    """Refuse a SECRET_KEY set in instance/config.py or LEARNCIRCLE_SECRET_KEY that is too short to be secret."""
    if key and len(str(key).strip()) < MIN_KEY_LENGTH:  # empty: not set, the key file serves
        raise InstanceError(f"SECRET_KEY (from instance/config.py or LEARNCIRCLE_SECRET_KEY) has "
                            f"{len(str(key).strip())} characters and needs at least {MIN_KEY_LENGTH}: "
                            f"make one with {NEW_KEY}")


def check_database(url, notice=print):
    """A SQLite database must be writable, and so must its folder (SQLite adds its -wal and -shm files there).

    A database kept outside the instance folder is made private too (its folder may be shared, so is left alone).
    """
    if not url.startswith("sqlite"):
        return
    name = db_url.parse(url).get("database") or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    file = Path(name)
    files = [Path(f"{file}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    changed = _tighten([(each, PRIVATE_FILE, str(each)) for each in files
                        if each.exists() and stat.S_ISREG(each.lstat().st_mode)])
    if changed:
        notice(f"made the database private (only its owner may read it): {', '.join(changed)}")
    if file.exists() and not os.access(file, os.R_OK | os.W_OK):
        raise InstanceError(f"the database {file} is read-only for this user: make it writable by the user "
                            "LearnCircle runs as (chown it).")
    if file.parent.is_dir() and not os.access(file.parent, os.W_OK | os.X_OK):
        raise InstanceError(f"the database's folder {file.parent} is read-only for this user, and SQLite keeps "
                            "its journal files beside the database: make it writable by the user LearnCircle runs as.")


def _reason(error):
    return (error.strerror or str(error)).lower()
