"""``greenroom repo list`` and ``greenroom repo fix``: the workspace's packages and metadata."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from greenroom._packaging.metadata import GreenroomMetadata

__all__ = ["repo"]


@click.group()
def repo() -> None:
    """Work on every package of the workspace at once."""


@repo.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_packages(as_json: bool) -> None:
    """List the workspace's member packages with their role and plugin id.

    The workspace is found from the working directory upwards: the nearest
    pyproject.toml with [tool.uv.workspace] or [tool.greenroom.workspace].
    """
    from greenroom._packaging.workspace import load_workspace

    workspace = load_workspace()
    rows = [
        {
            "name": member.package.name,
            "role": member.package.role,
            "plugin_id": _plugin_id(member.package.metadata),
            "path": member.relative,
            "problems": len(member.package.problems),
        }
        for member in workspace.members
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} package(s)")
    for column in ("name", "role", "plugin id", "path"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(row[key] or "") for key in ("name", "role", "plugin_id", "path")))
    console = Console()
    if not console.is_terminal:
        # Piped or captured: no terminal width to fit, so never cut a name.
        console = Console(width=10_000)
    console.print(table)
    broken = sum(1 for row in rows if row["problems"]) + len(workspace.problems)
    if broken:
        console.print(f"{broken} problem(s) found; `greenroom repo fix` lists them")


def _plugin_id(metadata: GreenroomMetadata | None) -> str | None:
    """The declared plugin id; an inferred one appears once `repo fix --publish` writes it."""
    return metadata.declared_plugin_id if metadata else None


@repo.command("fix")
@click.option(
    "--publish",
    is_flag=True,
    help="Also fill what published packages need: plugin-id, plugin-packages, "
    "plugin-package and [project.urls] Source.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 listing the packages that are out of sync.",
)
@click.pass_context
def fix(ctx: click.Context, publish: bool, check: bool) -> None:
    """Check every package's metadata and write the fields that can be generated.

    Edits pyproject.toml files in place, keeping comments and formatting, and
    only the fields it generates: names, entry points and dependencies are
    never rewritten. Problems only a person can fix are listed with the fix
    to make, and nothing is written then (exit 1).
    """
    from greenroom._packaging.fix import fix_command, plan_fixes
    from greenroom._packaging.workspace import load_workspace

    plan = plan_fixes(load_workspace(), publish=publish)
    lines, code = fix_command(plan, check=check)
    for line in lines:
        click.echo(line)
    ctx.exit(code)
