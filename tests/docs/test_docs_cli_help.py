"""docs/reference/cli-help.md is every command's real ``--help``, generated from the CLI.

The page lists the whole command tree, walked from the root group, so a new
command shows up in the docs the moment it exists. ``GREENROOM_UPDATE_DOCS=1``
rewrites the page instead of failing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

from greenroom.cli.main import cli

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli-help.md"

HEADER = """\
# CLI: every command's `--help`

<!-- Generated from the CLI by tests/docs/test_docs_cli_help.py: do not edit by hand;
     GREENROOM_UPDATE_DOCS=1 pytest tests/docs rewrites it. -->

What each command prints for `--help` (80 columns), the whole command tree in
order. [CLI](cli.md) explains `start`, `plugins` and `config`;
[CLI: repo, package, new](cli-packages.md) explains the packaging commands.
"""


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path under ``group``, depth first, in the order ``--help`` lists them."""
    context = click.Context(group, info_name="greenroom")
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))


def render_help(path: tuple[str, ...]) -> str:
    """``greenroom <path> --help`` as a user sees it, 80 columns wide."""
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="greenroom", terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.stdout


def render_page() -> str:
    """The page as it should be."""
    sections = [HEADER]
    for path in [(), *commands()]:
        title = " ".join(("greenroom", *path))
        sections.append(f"## `{title}`\n\n```text\n{render_help(path)}```\n")
    return "\n".join(sections)


def test_the_cli_help_page_is_the_real_help() -> None:
    """The page holds the --help of every command, as the CLI prints it now."""
    wanted = render_page()
    if os.environ.get("GREENROOM_UPDATE_DOCS") == "1":
        PAGE.write_text(wanted, encoding="utf-8")
    assert PAGE.read_text(encoding="utf-8") == wanted, (
        "run GREENROOM_UPDATE_DOCS=1 pytest tests/docs to update docs/reference/cli-help.md"
    )


def test_every_command_is_on_the_page() -> None:
    """Each command of the tree, nested ones too, has its own section."""
    text = PAGE.read_text(encoding="utf-8")
    paths = list(commands())
    assert ("start",) in paths
    assert ("config", "check") in paths
    for path in paths:
        assert f"## `greenroom {' '.join(path)}`" in text
