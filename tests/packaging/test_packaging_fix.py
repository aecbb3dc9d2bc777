"""``greenroom repo fix [--publish] [--check]``: generated fields, edits that keep comments."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from packaging_builders import CATALOG_FAMILY, WorkspaceBuilder, member_toml

from greenroom import PackageMetadataError
from greenroom._packaging.fix import fix_command, plan_fixes
from greenroom._packaging.workspace import load_workspace

REPO = Path(__file__).resolve().parents[2]


def greenroom_table(root: Path, name: str) -> dict[str, object]:
    """A member's [tool.greenroom] as written on disk."""
    data = tomllib.loads((root / "plugins" / name / "pyproject.toml").read_text("utf-8"))
    table: dict[str, object] = data["tool"]["greenroom"]
    return table


def snapshot(root: Path) -> dict[Path, bytes]:
    """Every pyproject.toml under ``root`` with its bytes."""
    return {path: path.read_bytes() for path in sorted(root.rglob("pyproject.toml"))}


def test_publish_fills_the_seeds_catalog_family(
    catalog_workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """plugin-id by the rules, plugin-packages as in the seed, plugin-package for the module."""
    result = run("repo", "fix", "--publish")
    assert result.exit_code == 0, result.output
    root = catalog_workspace.root
    family = [n for n, role in sorted(CATALOG_FAMILY.items()) if "module" not in role]
    # The seed's own example: the frontend plugin lists these five packages, in this order.
    assert family == [
        "backstage-plugin-catalog",
        "backstage-plugin-catalog-backend",
        "backstage-plugin-catalog-common",
        "backstage-plugin-catalog-node",
        "backstage-plugin-catalog-react",
    ]
    for name, role in CATALOG_FAMILY.items():
        table = greenroom_table(root, name)
        assert table["plugin-id"] == "catalog"
        if role == "backend-plugin-module":
            assert table["plugin-package"] == "backstage-plugin-catalog-backend"
            assert "plugin-packages" not in table
        else:
            assert table["plugin-packages"] == family
    module = tomllib.loads(
        (root / "plugins/backstage-plugin-catalog-backend-module-github/pyproject.toml").read_text()
    )
    assert module["project"]["urls"] == {
        "Source": "https://github.com/backstage/backstage/tree/HEAD/"
        "plugins/backstage-plugin-catalog-backend-module-github"
    }


def test_a_second_run_writes_nothing(
    catalog_workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """Once in sync, repo fix leaves every file byte for byte and says so."""
    assert run("repo", "fix", "--publish").exit_code == 0
    before = snapshot(catalog_workspace.root)
    again = run("repo", "fix", "--publish")
    assert again.exit_code == 0
    assert again.stdout == "all 6 package(s) are in sync, nothing to write\n"
    assert snapshot(catalog_workspace.root) == before


def test_check_exits_1_listing_packages_and_the_command(
    catalog_workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """--check writes nothing, lists each out-of-sync package, and names the command to run."""
    before = snapshot(catalog_workspace.root)
    result = run("repo", "fix", "--publish", "--check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "The following packages are out of sync, run `greenroom repo fix --publish` to fix them:"
    )
    assert lines[1] == (
        "  backstage-plugin-catalog (plugins/backstage-plugin-catalog/pyproject.toml: "
        "plugin-id, plugin-packages, project.urls.Source)"
    )
    assert len(lines) == 1 + len(CATALOG_FAMILY)
    assert snapshot(catalog_workspace.root) == before
    assert run("repo", "fix", "--publish").exit_code == 0
    in_sync = run("repo", "fix", "--publish", "--check")
    assert in_sync.exit_code == 0
    assert in_sync.stdout == "all 6 package(s) are in sync\n"


def test_without_publish_nothing_is_generated(
    catalog_workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """Plain repo fix only checks: the catalog family breaks no rule, so it is in sync."""
    before = snapshot(catalog_workspace.root)
    result = run("repo", "fix", "--check")
    assert result.exit_code == 0
    assert snapshot(catalog_workspace.root) == before


COMMENTED = """\
# The todo plugin's backend.
[project]
name = "acme-plugin-todo-backend"   # by the naming scheme
version = "1.0"
dependencies = [
    "greenroom>=0.1",  # the host provides it
]

[project.entry-points."greenroom.backend_plugin"]
todo = "acme_todo:TodoPlugin"  # the plugin class

[tool.greenroom]
# What this package is.
role = "backend-plugin"    # aligned comment

[tool.ruff]
line-length = 100
"""


def test_edits_keep_comments_order_and_formatting(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """Only the generated lines are added; every comment and user line stays as written."""
    workspace.write_root(url="https://github.com/acme/plugins/")
    path = workspace.add_text("plugins/todo", COMMENTED)
    assert run("repo", "fix", "--publish").exit_code == 0
    assert path.read_text(encoding="utf-8") == COMMENTED.replace(
        'todo = "acme_todo:TodoPlugin"  # the plugin class\n',
        'todo = "acme_todo:TodoPlugin"  # the plugin class\n'
        "\n"
        "[project.urls]\n"
        'Source = "https://github.com/acme/plugins/tree/HEAD/plugins/todo"\n',
    ).replace(
        'role = "backend-plugin"    # aligned comment\n',
        'role = "backend-plugin"    # aligned comment\n'
        'plugin-id = "todo"\n'
        'plugin-packages = ["acme-plugin-todo-backend"]\n',
    )


def test_generated_values_are_updated_but_user_values_kept(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """A stale plugin-packages is rewritten; an explicit plugin-id and a user's URL are kept."""
    workspace.write_root(url="https://github.com/acme/plugins")
    workspace.add(
        "acme-plugin-todo-backend",
        "backend-plugin",
        greenroom={"plugin-id": "todo", "plugin-packages": ["acme-plugin-gone"]},
        project_extra='urls = { Repository = "https://gitlab.example/acme/todo" }',
    )
    workspace.add(
        "acme-plugin-todo-node",
        "node-library",
        project_extra='urls = { Source = "https://github.com/acme/plugins/tree/main/old" }',
    )
    workspace.add(
        "acme-plugin-todo-backend-extras-node", "node-library", greenroom={"plugin-id": False}
    )
    result = run("repo", "fix", "--publish")
    assert result.exit_code == 0, result.output
    backend = tomllib.loads(
        (workspace.root / "plugins/acme-plugin-todo-backend/pyproject.toml").read_text()
    )
    assert backend["tool"]["greenroom"] == {
        "role": "backend-plugin",
        "plugin-id": "todo",
        "plugin-packages": ["acme-plugin-todo-backend", "acme-plugin-todo-node"],
    }
    assert backend["project"]["urls"] == {"Repository": "https://gitlab.example/acme/todo"}
    node = tomllib.loads(
        (workspace.root / "plugins/acme-plugin-todo-node/pyproject.toml").read_text()
    )
    assert node["project"]["urls"] == {
        "Source": "https://github.com/acme/plugins/tree/HEAD/plugins/acme-plugin-todo-node"
    }
    opted_out = greenroom_table(workspace.root, "acme-plugin-todo-backend-extras-node")
    assert opted_out == {"role": "node-library", "plugin-id": False}


def test_a_module_of_a_known_plugin_gets_its_package(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """Outside this repository, a module for a first-party plugin finds it in the known map."""
    workspace.write_root()
    workspace.add("acme-plugin-catalog-backend-module-ldap", "backend-plugin-module")
    assert run("repo", "fix", "--publish").exit_code == 0
    table = greenroom_table(workspace.root, "acme-plugin-catalog-backend-module-ldap")
    assert table["plugin-package"] == "greenroom-plugin-catalog-backend"


def test_a_module_of_an_unknown_plugin_says_which_field_to_set(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """No plugin in the workspace or the map: a clear error, and nothing written anywhere."""
    workspace.write_root()
    workspace.add("acme-plugin-todo-backend", "backend-plugin")
    workspace.add("acme-plugin-weather-backend-module-cache", "backend-plugin-module")
    before = snapshot(workspace.root)
    result = run("repo", "fix", "--publish")
    assert result.exit_code == 1
    assert (
        "error: cannot find the plugin package of backend-plugin-module "
        "'acme-plugin-weather-backend-module-cache': no backend-plugin with plugin id "
        "'weather' in the workspace, nor a known one; fix: set plugin-package to the "
        "backend-plugin's distribution name by hand"
    ) in result.stderr
    assert "$.tool.greenroom.plugin-package" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(workspace.root) == before
    # Set by hand, it is kept: the module is then in sync.
    workspace.add(
        "acme-plugin-weather-backend-module-cache",
        "backend-plugin-module",
        greenroom={"plugin-package": "other-plugin-weather-backend"},
    )
    assert run("repo", "fix", "--publish").exit_code == 0
    table = greenroom_table(workspace.root, "acme-plugin-weather-backend-module-cache")
    assert table["plugin-package"] == "other-plugin-weather-backend"


def test_problems_of_every_package_are_listed_together(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """Names, entry points and duplicate plugins in several packages: one error, each listed."""
    workspace.write_root()
    workspace.add("acme-todo-service", "backend-plugin")
    workspace.add(
        "acme-plugin-todo-node",
        "node-library",
        entry_points={"greenroom.backend_plugin": {"x": "a:b"}},
    )
    workspace.add("acme-plugin-a-backend", "backend-plugin", greenroom={"plugin-id": "a"})
    workspace.add(
        "acme-plugin-b-backend", "backend-plugin", greenroom={"plugin-id": "a"}, folder="more"
    )
    workspace.write_root(["plugins/*", "more/*"])
    plan = plan_fixes(load_workspace(), publish=True)
    with pytest.raises(PackageMetadataError) as info:
        fix_command(plan, check=True)
    problems = info.value.problems
    assert len(problems) == 5
    assert sum("more than one backend-plugin has plugin id 'a'" in p for p in problems) == 2
    assert any(
        "cannot infer the plugin id of backend-plugin 'acme-todo-service'" in p for p in problems
    )
    assert any(
        "the name of backend-plugin 'acme-plugin-b-backend' gives plugin id 'b'" in p
        for p in problems
    )
    assert any("a node-library declares no greenroom entry points" in p for p in problems)


def test_an_invalid_name_is_a_problem_not_a_crash(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """A member whose name is not a distribution name is reported; the plan goes on."""
    workspace.write_root()
    workspace.add("acme-plugin-todo-backend", "backend-plugin")
    workspace.add_text("plugins/bad", member_toml("acme plugin todo node", "node-library"))
    result = run("repo", "fix", "--publish")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: 'acme plugin todo node' is not a valid distribution name "
        "@ plugins/bad/pyproject.toml:$.project.name\nhint: "
    )


def test_two_members_with_one_name_are_refused(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """Two folders holding the same distribution (in any spelling) are both reported."""
    workspace.write_root()
    workspace.add("acme-plugin-a-backend", "backend-plugin")
    workspace.add_text("plugins/copy", member_toml("Acme_Plugin_A_Backend", "backend-plugin"))
    result = run("repo", "fix")
    assert result.exit_code == 1
    assert (
        "plugins/copy has the same distribution name 'acme-plugin-a-backend'; fix: rename one "
        "of them @ plugins/acme-plugin-a-backend/pyproject.toml:$.project.name"
    ) in result.stderr


def test_this_repository_is_in_sync(
    monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """The check ./dev test runs passes on this repository (issue 4)."""
    monkeypatch.chdir(REPO)
    result = run("repo", "fix", "--publish", "--check")
    assert result.exit_code == 0, result.output
