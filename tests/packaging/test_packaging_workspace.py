"""Workspace discovery: members globs, exclusions, the greenroom alternative, and ``repo list``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from packaging_builders import WorkspaceBuilder

from greenroom import PackageMetadataError
from greenroom._packaging.workspace import load_workspace


def relatives(start: Path | None = None) -> list[str]:
    """The members' folders, relative to the root."""
    return [member.relative for member in load_workspace(start).members]


def test_uv_members_globs_and_exclude(workspace: WorkspaceBuilder) -> None:
    """[tool.uv.workspace] members globs, minus exclude, sorted; the root is not a member."""
    workspace.write_root(["plugins/*", "libs/core"], extra='exclude = ["plugins/old-*"]\n')
    workspace.add("acme-plugin-b-backend", "backend-plugin")
    workspace.add("acme-plugin-a-backend", "backend-plugin")
    workspace.add("old-thing", "node-library")
    workspace.add("core", "node-library", folder="libs")
    (workspace.root / "plugins" / "README.md").write_text("not a folder\n", encoding="utf-8")
    (workspace.root / "plugins" / ".hidden").mkdir()
    assert relatives() == [
        "libs/core",
        "plugins/acme-plugin-a-backend",
        "plugins/acme-plugin-b-backend",
    ]


def test_the_root_is_a_member_only_when_listed(workspace: WorkspaceBuilder) -> None:
    """members = [".", ...] makes the root project a member too."""
    workspace.write_root([".", "plugins/*"], extra='\n[tool.greenroom]\nrole = "node-library"\n')
    workspace.add("acme-plugin-a-backend", "backend-plugin")
    ws = load_workspace()
    assert [m.relative for m in ws.members] == [".", "plugins/acme-plugin-a-backend"]
    assert ws.members[0].package.file == "pyproject.toml"
    assert ws.members[0].package.role == "node-library"


def test_the_greenroom_table_is_the_alternative_and_wins(workspace: WorkspaceBuilder) -> None:
    """[tool.greenroom.workspace] members are used instead of uv's when both are there."""
    workspace.write_root(
        ["plugins/*", "tools/*"],
        extra='\n[tool.greenroom.workspace]\nmembers = ["plugins/*"]\nprefix = "acme"\n',
    )
    workspace.add("acme-plugin-a-backend", "backend-plugin")
    workspace.add("lint-helper", "cli", folder="tools")
    ws = load_workspace()
    assert ws.settings.table == "tool.greenroom.workspace"
    assert ws.settings.prefix == "acme"
    assert [m.relative for m in ws.members] == ["plugins/acme-plugin-a-backend"]


def test_a_greenroom_table_without_members_leaves_them_to_uv(workspace: WorkspaceBuilder) -> None:
    """A [tool.greenroom.workspace] holding only the prefix does not hide uv's members."""
    workspace.write_root(extra='\n[tool.greenroom.workspace]\nprefix = "acme"\n')
    workspace.add("acme-plugin-a-backend", "backend-plugin")
    ws = load_workspace()
    assert ws.settings.table == "tool.uv.workspace"
    assert [m.relative for m in ws.members] == ["plugins/acme-plugin-a-backend"]


def test_the_root_is_found_from_a_member_folder(workspace: WorkspaceBuilder) -> None:
    """Commands run inside a member find the workspace above it."""
    workspace.write_root()
    member = workspace.add("acme-plugin-a-backend", "backend-plugin").parent
    (member / "src").mkdir()
    assert load_workspace(member / "src").root == workspace.root.resolve()


def test_a_single_project_is_a_workspace_of_one(workspace: WorkspaceBuilder) -> None:
    """Without a workspace table, the nearest project with [tool.greenroom] is the only member."""
    workspace.add_text(
        ".",
        '[project]\nname = "acme-plugin-a-backend"\n[tool.greenroom]\nrole = "backend-plugin"\n',
    )
    ws = load_workspace()
    assert ws.settings.table is None
    assert [m.relative for m in ws.members] == ["."]


def test_no_workspace_is_a_clear_error(workspace: WorkspaceBuilder) -> None:
    """Outside any workspace the error says what a root must declare."""
    with pytest.raises(PackageMetadataError, match="no Greenroom workspace") as info:
        load_workspace()
    assert "[tool.uv.workspace]" in info.value.hint


def test_bad_globs_and_folders_without_a_project_are_problems(workspace: WorkspaceBuilder) -> None:
    """A glob leaving the root, or matching a folder with no pyproject.toml, is reported."""
    workspace.write_root(["plugins/*", "../elsewhere/*"])
    (workspace.root / "plugins" / "empty").mkdir(parents=True)
    ws = load_workspace()
    assert ws.members == ()
    assert ws.problems == (
        "members glob 'plugins/*' matches plugins/empty/, which has no pyproject.toml; fix: "
        "add one, or list the folder in exclude @ pyproject.toml:$.tool.uv.workspace.members[0]",
        "glob '../elsewhere/*' leaves the workspace; fix: use a path relative to the root, "
        "without '..' @ pyproject.toml:$.tool.uv.workspace.members[1]",
    )


def test_source_url_comes_from_the_root_project(workspace: WorkspaceBuilder) -> None:
    """Any PEP 753 spelling of the source label names the repository."""
    workspace.write_root(url="https://example.org/acme/repo")
    assert load_workspace().source_url == "https://example.org/acme/repo"
    workspace.add_text(
        ".",
        '[project]\nname = "r"\n[project.urls]\n"Source Code" = "https://x.test/r"\n'
        "[tool.uv.workspace]\nmembers = []\n",
    )
    assert load_workspace().source_url == "https://x.test/r"


def test_repo_list_prints_role_and_plugin_id(
    catalog_workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """`greenroom repo list --json` lists every member with its role and plugin id."""
    catalog_workspace.add(
        "acme-plugin-todo-backend", "backend-plugin", greenroom={"plugin-id": "todo"}
    )
    result = run("repo", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {row["name"]: (row["role"], row["plugin_id"]) for row in rows} == {
        "backstage-plugin-catalog": ("frontend-plugin", None),
        "backstage-plugin-catalog-backend": ("backend-plugin", None),
        "backstage-plugin-catalog-backend-module-github": ("backend-plugin-module", None),
        "backstage-plugin-catalog-common": ("common-library", None),
        "backstage-plugin-catalog-node": ("node-library", None),
        "backstage-plugin-catalog-react": ("web-library", None),
        "acme-plugin-todo-backend": ("backend-plugin", "todo"),
    }
    table = run("repo", "list")
    assert table.exit_code == 0
    assert "7 package(s)" in table.stdout
    assert "backstage-plugin-catalog-common" in table.stdout.replace("\n", "")
