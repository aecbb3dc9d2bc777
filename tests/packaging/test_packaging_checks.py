"""The rules that always apply (entry points, names) and ``greenroom package check``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from packaging_builders import GROUPS, member_toml

from greenroom import PackageMetadataError
from greenroom._packaging.check import check_package, consistency_problems, publish_problems
from greenroom._packaging.project import read_package


def write(tmp_path: Path, name: str, role: str, **options: object) -> Path:
    """A package folder with one ``pyproject.toml``."""
    (tmp_path / "pyproject.toml").write_text(
        member_toml(name, role, **options),  # type: ignore[arg-type]
        encoding="utf-8",
    )
    return tmp_path


def consistency(tmp_path: Path, name: str, role: str, **options: object) -> list[str]:
    """The always-apply problems of a package written as given."""
    package = read_package(write(tmp_path, name, role, **options), "pyproject.toml")
    assert package.problems == ()
    return consistency_problems(package)


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("backend-plugin", "acme-plugin-todo-backend"),
        ("backend-plugin-module", "acme-plugin-todo-backend-module-db"),
        ("frontend-plugin", "acme-plugin-todo"),
        ("frontend-plugin-module", "acme-plugin-todo-module-theme"),
    ],
)
def test_each_plugin_role_needs_its_own_entry_point_group(
    tmp_path: Path, role: str, name: str
) -> None:
    """A plugin role with its group is fine; without it, the problem names the table to add."""
    assert consistency(tmp_path, name, role) == []
    (problem,) = consistency(tmp_path, name, role, entry_points={})
    group = GROUPS[role]
    assert problem.startswith(f"a {role} must declare a {group} entry point; fix: add ")
    assert f'[project.entry-points."{group}"]' in problem
    assert problem.endswith(f"""@ pyproject.toml:$.project.entry-points["{group}"]""")


def test_an_entry_point_group_that_does_not_match_the_role(tmp_path: Path) -> None:
    """A backend plugin that also declares a frontend plugin is told to split or re-role."""
    (problem,) = consistency(
        tmp_path,
        "acme-plugin-todo-backend",
        "backend-plugin",
        entry_points={
            "greenroom.backend_plugin": {"todo": "acme_todo:TodoPlugin"},
            "greenroom.frontend_plugin": {"todo": "acme_todo_web"},
        },
    )
    assert problem == (
        "a backend-plugin declares its features in greenroom.backend_plugin, but this one "
        "also declares greenroom.frontend_plugin, the group of frontend-plugin packages; fix: "
        "move them to a package of that role, or correct the role "
        """@ pyproject.toml:$.project.entry-points["greenroom.frontend_plugin"]"""
    )


@pytest.mark.parametrize("role", ["node-library", "web-library", "common-library", "backend"])
def test_libraries_and_apps_declare_no_plugin_entry_points(tmp_path: Path, role: str) -> None:
    """A library (or an app) with a plugin entry point is a mistake of role or of place."""
    (problem,) = consistency(
        tmp_path,
        "acme-plugin-todo-node" if role == "node-library" else "acme-things",
        role,
        entry_points={"greenroom.backend_plugin": {"todo": "acme:Todo"}},
    )
    assert problem.startswith(f"a {role} declares no greenroom entry points")
    assert "fix: remove" in problem


def test_unknown_greenroom_groups_and_bad_values(tmp_path: Path) -> None:
    """A misspelt greenroom group and a value that is not module:attribute are both named."""
    problems = consistency(
        tmp_path,
        "acme-plugin-todo-backend",
        "backend-plugin",
        entry_points={
            "greenroom.backend_plugins": {"todo": "acme:Todo"},
            "greenroom.backend_plugin": {"todo": "acme todo"},
            "console_scripts": {"todo": "acme:main"},
        },
    )
    assert problems == [
        "unknown entry point group 'greenroom.backend_plugins'; the greenroom groups are "
        "greenroom.backend_plugin, greenroom.backend_plugin_module, greenroom.frontend_plugin, "
        'greenroom.frontend_plugin_module @ pyproject.toml:$.project.entry-points["greenroom.'
        'backend_plugins"]',
        "entry point value 'acme todo' must be 'module:attribute' or 'module' @ "
        """pyproject.toml:$.project.entry-points["greenroom.backend_plugin"]["todo"]""",
    ]


def test_dynamic_entry_points_are_not_required_statically(tmp_path: Path) -> None:
    """Entry points a build backend fills in (dynamic) cannot be checked, so are not required."""
    problems = consistency(
        tmp_path,
        "acme-plugin-todo-backend",
        "backend-plugin",
        entry_points={},
        project_extra='dynamic = ["entry-points"]',
    )
    assert problems == []


def test_a_name_against_the_scheme_is_reported_on_the_name(tmp_path: Path) -> None:
    """The naming problem points at $.project.name."""
    (problem,) = consistency(
        tmp_path, "acme-plugin-catalog-backend", "backend-plugin", greenroom={"plugin-id": "todo"}
    )
    assert "rename the package to '<prefix>-plugin-todo-backend'" in problem
    assert problem.endswith("@ pyproject.toml:$.project.name")


@pytest.mark.parametrize(
    ("role", "name", "greenroom", "missing"),
    [
        ("backend-plugin", "acme-plugin-todo-backend", {}, ["plugin-id", "plugin-packages"]),
        ("frontend-plugin", "acme-plugin-todo", {"plugin-id": "todo"}, ["plugin-packages"]),
        (
            "backend-plugin-module",
            "acme-plugin-todo-backend-module-db",
            {},
            ["plugin-id", "plugin-package"],
        ),
        ("node-library", "acme-plugin-todo-node", {"plugin-id": "todo"}, ["plugin-packages"]),
        ("node-library", "acme-plugin-todo-node", {}, []),
        ("node-library", "acme-plugin-todo-node", {"plugin-id": False}, []),
        ("backend", "acme-backend", {}, []),
    ],
)
def test_publish_check_requires_the_generated_fields(
    tmp_path: Path, role: str, name: str, greenroom: dict[str, object], missing: list[str]
) -> None:
    """Plugins need plugin-id and plugin-packages, modules plugin-package; the fix is repo fix."""
    package = read_package(write(tmp_path, name, role, greenroom=greenroom), "pyproject.toml")
    problems = publish_problems(package)
    assert [p.rpartition("$.tool.greenroom.")[2] for p in problems] == missing
    assert all("please run `greenroom repo fix --publish`" in p for p in problems)


def test_package_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    """check_package raises one error with the always-apply and the publish-time problems."""
    write(tmp_path, "acme-plugin-todo-backend", "backend-plugin", entry_points={})
    with pytest.raises(PackageMetadataError) as info:
        check_package(tmp_path / "pyproject.toml")
    assert len(info.value.problems) == 3
    assert "greenroom repo fix --publish" in info.value.hint


def test_package_check_cli_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """`greenroom package check` exits 0 for a ready package and 1 listing the problems."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "acme-plugin-todo-backend", "backend-plugin")
    failed = run("package", "check")
    assert failed.exit_code == 1
    assert "plugin package acme-plugin-todo-backend is missing a plugin-id" in failed.stderr
    assert "hint: " in failed.stderr
    write(
        tmp_path,
        "acme-plugin-todo-backend",
        "backend-plugin",
        greenroom={"plugin-id": "todo", "plugin-packages": ["acme-plugin-todo-backend"]},
    )
    passed = run("package", "check", str(tmp_path))
    assert passed.exit_code == 0
    assert passed.stdout == "acme-plugin-todo-backend (backend-plugin): ready to publish\n"
