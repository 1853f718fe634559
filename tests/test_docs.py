"""The README must keep up with the code: every setting, every command, the two make targets.

A new setting in config.SETTINGS or a new `learncircle` command fails here until it is documented.
"""
import re
from pathlib import Path

import click
import pytest

from learncircle.cli import main
from learncircle.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Commands an operator never types by hand would be listed here; today every command is public.
INTERNAL_COMMANDS = frozenset()


def settings_table(text):
    """Rows of the README's settings table: LEARNCIRCLE_ name (without prefix) -> the whole row."""
    return {match[1]: match[0] for match in re.finditer(r"^\|\s*`LEARNCIRCLE_([A-Z_]+)`\s*\|.*$", text, re.M)}


def command_paths(group, prefix=()):
    """Every leaf command of a click group, as the words typed after `learncircle`."""
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if " ".join(path) in INTERNAL_COMMANDS:
            continue
        if isinstance(command, click.Group):
            yield from command_paths(command, path)
        else:
            yield " ".join(path)


COMMANDS = list(command_paths(main))


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_in_the_readme_settings_table(name):
    assert name in settings_table(README), f"add LEARNCIRCLE_{name} to the README's settings table"


@pytest.mark.parametrize("name", sorted(name for name, (default, _) in SETTINGS.items() if default is not None))
def test_the_readme_states_each_fixed_default(name):
    default = SETTINGS[name][0]
    row = settings_table(README).get(name, "")
    assert f"`{default}`" in row, f"the README's default for LEARNCIRCLE_{name} should read `{default}`"


def test_the_readme_documents_no_setting_that_does_not_exist():
    assert set(settings_table(README)) <= set(SETTINGS)


def test_the_command_walk_finds_the_commands():
    assert {"serve", "db upgrade", "db status", "create-admin", "demo", "backup"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    assert f"`learncircle {command}" in README, f"document `learncircle {command}` in the README"


@pytest.mark.parametrize("target", ["make run", "make test"])
def test_the_quick_start_has_the_two_commands(target):
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"```sh\n{target}\n```" in quick_start


@pytest.mark.parametrize("target", ["run", "test", "bench", "install"])
def test_the_makefile_has_the_documented_targets(target):
    assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), re.M)


def test_the_readme_links_only_to_files_that_exist():
    links = re.findall(r"\]\((?!https?://|#|mailto:)([^)#\s]+)", README)
    assert links
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, f"the README links to missing files: {missing}"
