"""The docs of the development workflow say what the code does."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from devflow_support import CONTRIB, REPO

from greenroom._dev.debug import DEFAULT_DEBUG_ADDRESS
from greenroom._packaging.roles import ROLES
from greenroom._scripts.defaults import role_defaults
from greenroom.cli.main import cli

REFERENCE = REPO / "docs" / "reference" / "package-scripts.md"
HOW_TO = REPO / "docs" / "how-to" / "develop-a-plugin.md"
BACKSTAGE = REPO / "docs" / "explanation" / "backstage.md"
HELP_BLOCK = re.compile(r"<!-- help: (?P<command>[a-z -]+) -->\n(?:\n```text\n.*?```\n)?", re.S)


def render_help(command: str) -> str:
    """``greenroom <command> --help`` at 80 columns."""
    result = CliRunner().invoke(
        cli, [*command.split(), "--help"], prog_name="greenroom", terminal_width=80
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def blocks(page: Path, language: str) -> list[str]:
    """The fenced code blocks of ``language`` on ``page``."""
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def test_the_reference_holds_the_real_help() -> None:
    """Each help block is the command's --help; GREENROOM_UPDATE_DOCS=1 rewrites them."""
    text = REFERENCE.read_text(encoding="utf-8")

    def block(match: re.Match[str]) -> str:
        return f"<!-- help: {match['command']} -->\n\n```text\n{render_help(match['command'])}```\n"

    wanted = HELP_BLOCK.sub(block, text)
    if os.environ.get("GREENROOM_UPDATE_DOCS") == "1":
        REFERENCE.write_text(wanted, encoding="utf-8")
    commands = [match["command"] for match in HELP_BLOCK.finditer(text)]
    scripts = ["start", "build", "lint", "typecheck", "test", "clean"]
    assert commands == [*(f"package {s}" for s in scripts), "repo test", "repo lint"]
    assert text == wanted, "run GREENROOM_UPDATE_DOCS=1 pytest tests/devflow to update"


@pytest.mark.parametrize("role", ROLES)
def test_the_roles_table_matches_the_defaults(role: str) -> None:
    """The reference's row of each role says what start, build, check and typecheck do."""
    text = REFERENCE.read_text(encoding="utf-8")
    row = re.search(rf"^\| `{re.escape(role)}` \|(.*)\|$", text, re.M)
    assert row is not None, f"no row for {role}"
    start, build, check, typecheck = (cell.strip() for cell in row[1].split("|"))
    defaults = role_defaults(role)  # type: ignore[arg-type]
    assert start.startswith(("no", "as ")) == (defaults.start is None)
    assert ("production bundle" in build) == (defaults.build == "production-bundle")
    assert check == ("yes" if defaults.publish_check else "no")
    assert typecheck.startswith("yes" if defaults.typecheck else "no")


def test_the_data_store_example_is_the_todo_plugins_code() -> None:
    """The how-to's Python example is taken, line for line, from the todo plugin."""
    source = (
        CONTRIB / "greenroom-plugin-todo-backend" / "src" / "greenroom_plugin_todo_backend"
    ) / "plugin.py"
    code = source.read_text(encoding="utf-8")
    (example,) = blocks(HOW_TO, "python")
    assert example in code


def test_the_debugger_configurations_are_valid() -> None:
    """Both VS Code configurations are JSON; the attach one uses the default --debug address."""
    attach, launch = (json.loads(text)["configurations"][0] for text in blocks(HOW_TO, "json"))
    host, port = DEFAULT_DEBUG_ADDRESS.split(":")
    assert attach["type"] == launch["type"] == "debugpy"
    assert attach["connect"] == {"host": host, "port": int(port)}
    assert launch["module"] == "greenroom"
    assert launch["args"] == ["package", "start"]
    assert launch["subProcess"] is True


def test_the_javascript_only_parts_are_mapped_in_one_table() -> None:
    """Coming from Backstage lists each JavaScript-only part of the build system once."""
    text = BACKSTAGE.read_text(encoding="utf-8")
    section = text.split("## The JavaScript-only parts of the build system", 1)[1]
    for part in ("Transpilers", "Loaders", "webpack", "ECMAScript modules", "prepack", "exports"):
        assert part in section, part
    assert "Greenroom serves the built assets" in section
