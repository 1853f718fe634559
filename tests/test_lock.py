"""The lock files hold exactly what pyproject.toml asks for, each package pinned once and hashed.

`make run` and `make test` install only from requirements/*.txt (`pip install --require-hashes`), so a
dependency added to or dropped from pyproject.toml reaches nobody until `make lock` has run: these
tests fail until it has. The environment they run in was installed from the development lock, so
what each lock needs is worked out from the installed packages' own metadata.
"""
import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
DEV_LOCK = "requirements/dev.txt"
LOCKS = {"requirements/run.txt": (), "requirements/postgres.txt": ("postgres",), "requirements/redis.txt": ("redis",),
         DEV_LOCK: tuple(EXTRAS)}
STALE = "pyproject.toml and {lock} disagree: run `make lock`. "


def asked_for(extras):
    """What pyproject.toml asks for: the dependencies, the extras' and the build backend."""
    lines = PYPROJECT["project"]["dependencies"] + [line for extra in extras for line in EXTRAS[extra]]
    return [Requirement(line) for line in lines + PYPROJECT["build-system"]["requires"]]


def read_lock(lock):
    """name -> list of (pinned requirement, its hashes): every entry, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / lock).read_text(encoding="utf-8"))
    entries = {}
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        requirement, *hashes = (part.strip() for part in line.split(" --hash="))
        pinned = Requirement(requirement)
        entries.setdefault(canonicalize_name(pinned.name), []).append((pinned, hashes))
    return entries


def version_of(pinned):
    (specifier,) = pinned.specifier
    return specifier.version


def applies_here(requirement, extras=()):
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": extra}) for extra in ("", *extras))


def needed_here(requirements):
    """Every package the requirements need on this machine, following installed packages' metadata."""
    followed, todo = {}, [requirement for requirement in requirements if applies_here(requirement)]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in followed and requirement.extras <= followed[name]:
            continue
        extras = followed.setdefault(name, set())
        extras |= requirement.extras
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # reported as missing from the lock, or as not installed
        todo += [dependency for dependency in map(Requirement, distribution.requires or [])
                 if applies_here(dependency, extras)]
    return set(followed)


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_package_is_pinned_once_with_hashes(lock):
    for name, pins in read_lock(lock).items():
        assert len(pins) == 1, f"{lock}: {name} is pinned {len(pins)} times; every Python must get what CI tested"
        pinned, hashes = pins[0]
        assert len(pinned.specifier) == 1 and next(iter(pinned.specifier)).operator == "==", f"{lock}: {pinned}"
        assert hashes and all(h.startswith("sha256:") for h in hashes), f"{lock}: {name} has no hashes"


@pytest.mark.parametrize("lock, extras", sorted(LOCKS.items()))
def test_the_lock_satisfies_every_range_in_pyproject(lock, extras):
    entries = read_lock(lock)
    for requirement in asked_for(extras):
        name = canonicalize_name(requirement.name)
        assert name in entries, STALE.format(lock=lock) + f"{requirement} is not locked"
        for pinned, _ in entries[name]:
            assert requirement.specifier.contains(version_of(pinned), prereleases=True), \
                STALE.format(lock=lock) + f"{pinned} is outside {requirement}"


@pytest.mark.parametrize("lock, extras", sorted(LOCKS.items()))
def test_the_lock_holds_nothing_pyproject_does_not_need(lock, extras):
    here = {name for name, pins in read_lock(lock).items() if any(applies_here(pinned) for pinned, _ in pins)}
    needed = needed_here(asked_for(extras))
    assert sorted(here - needed) == [], STALE.format(lock=lock) + "these are locked but nothing needs them"
    assert sorted(needed - here) == [], STALE.format(lock=lock) + "these are needed but not locked"


def test_tests_run_on_the_locked_versions():
    for name, pins in read_lock(DEV_LOCK).items():
        pinned = pins[0][0]
        if applies_here(pinned):
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                installed = "nothing"
            assert installed == version_of(pinned), \
                f"{DEV_LOCK} says {pinned} but {installed} is installed: `make test` installs the lock"


@pytest.mark.parametrize("lock", sorted(set(LOCKS) - {DEV_LOCK}))
def test_what_is_installed_is_what_ci_tested(lock):
    """CI installs the development lock, so every other lock must hold exactly its versions and files."""
    tested = read_lock(DEV_LOCK)
    for name, [(pinned, hashes)] in read_lock(lock).items():
        assert name in tested, f"{lock}: {name} is not in {DEV_LOCK}, so CI never tests it"
        [(tested_pin, tested_hashes)] = tested[name]
        assert (version_of(pinned), sorted(hashes)) == (version_of(tested_pin), sorted(tested_hashes)), \
            f"{lock}: {pinned} differs from {DEV_LOCK}'s {tested_pin}"


def test_the_locks_start_at_the_oldest_python_pyproject_allows():
    oldest = re.fullmatch(r">=\s*(\d+\.\d+)", PYPROJECT["project"]["requires-python"]).group(1)
    assert f"--python-version {oldest} " in (ROOT / "Makefile").read_text(encoding="utf-8")
