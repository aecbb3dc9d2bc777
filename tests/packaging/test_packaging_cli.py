"""The CLI around package metadata: cheap to start, and documented by its own ``--help``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from greenroom._packaging.roles import ROLES
from greenroom.cli.main import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"
CLI_PAGE = DOCS / "reference" / "cli-packages.md"
#: A help block: the marker, then the ```text block the test writes (or none yet).
HELP_BLOCK = re.compile(r"<!-- help: (?P<command>[a-z -]+) -->\n(?:\n```text\n.*?```\n)?", re.S)


def test_help_does_not_import_the_heavy_libraries() -> None:
    """`greenroom --help` loads no tomlkit, rich, cattrs or packaging module (issue 4)."""
    code = (
        "import sys\n"
        "from greenroom.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('tomlkit', 'rich', 'cattrs', 'greenroom._packaging')\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] in heavy or\n"
        "             m.startswith('greenroom._packaging')), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stderr.strip() == "[]"


def render_help(command: str) -> str:
    """``greenroom <command> --help`` as a user sees it, 80 columns wide."""
    result = CliRunner().invoke(
        cli, [*command.split(), "--help"], prog_name="greenroom", terminal_width=80
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_cli_reference_is_the_real_help() -> None:
    """Each help block of cli-packages.md is its --help; GREENROOM_UPDATE_DOCS=1 rewrites them."""
    text = CLI_PAGE.read_text(encoding="utf-8")

    def block(match: re.Match[str]) -> str:
        command = match["command"]
        return f"<!-- help: {command} -->\n\n```text\n{render_help(command)}```\n"

    wanted = HELP_BLOCK.sub(block, text)
    if os.environ.get("GREENROOM_UPDATE_DOCS") == "1":
        CLI_PAGE.write_text(wanted, encoding="utf-8")
    commands = [match["command"] for match in HELP_BLOCK.finditer(text)]
    assert commands == [
        "repo",
        "repo list",
        "repo fix",
        "package",
        "package check",
        "package bundle",
        "new",
        "build-workspace",
        "backend",
        "backend bundle",
    ]
    assert text == wanted, "run GREENROOM_UPDATE_DOCS=1 pytest tests/packaging to update"


@pytest.mark.parametrize("role", ROLES)
def test_the_roles_table_explains_every_role(role: str) -> None:
    """docs/reference/package-metadata.md has a row for each of the ten roles."""
    text = (DOCS / "reference" / "package-metadata.md").read_text(encoding="utf-8")
    assert f"\n| `{role}` | " in text
