"""``greenroom new``: each kind passes ``repo fix --check``, lint and its own test right away."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from packaging_builders import WorkspaceBuilder

from greenroom._packaging.check import check_package

#: kind, extra options, the package it makes.
KINDS = [
    ("backend-plugin", ["--plugin-id", "todo"], "acme-plugin-todo-backend"),
    (
        "backend-module",
        ["--plugin-id", "catalog", "--module-id", "yaml-files"],
        "acme-plugin-catalog-backend-module-yaml-files",
    ),
    ("frontend-plugin", ["--plugin-id", "todo"], "acme-plugin-todo"),
    ("library", ["--plugin-id", "todo", "--role", "common-library"], "acme-plugin-todo-common"),
    ("library", ["--name", "http-utils"], "acme-http-utils"),
]
#: The rules this repository lints with, as a plugin author's own ruff would apply them.
RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF,PT,C4,PIE,RET"


@pytest.fixture
def acme(workspace: WorkspaceBuilder) -> WorkspaceBuilder:
    """A workspace with prefix "acme", members in plugins/* and a source URL."""
    workspace.write_root(
        url="https://github.com/acme/plugins",
        extra='\n[tool.greenroom.workspace]\nprefix = "acme"\n',
    )
    return workspace


def run_tests(directory: Path) -> subprocess.CompletedProcess[str]:
    """The package's own tests, in a fresh interpreter with its src/ on the path.

    The templates' tests need no third-party pytest plugin, and autoloading this
    environment's (hypothesis, anyio, ...) would triple each run's time.
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(directory / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """ruff from this environment, with no configuration but the given flags."""
    executable = Path(sys.executable).with_name("ruff")
    return subprocess.run(
        [str(executable), *args, "--isolated", "--no-cache", "--line-length", "100", "."],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("kind", "options", "name"), KINDS, ids=[k[2] for k in KINDS])
def test_a_new_package_is_in_sync_lint_clean_and_its_test_passes(
    acme: WorkspaceBuilder,
    run: Callable[..., Result],
    kind: str,
    options: list[str],
    name: str,
) -> None:
    """The new package passes repo fix --check, package check, ruff, and its own test."""
    made = run("new", kind, *options)
    assert made.exit_code == 0, made.output
    directory = acme.root / "plugins" / name
    assert made.stdout.startswith(f"created {name} (")
    check = run("repo", "fix", "--publish", "--check")
    assert check.exit_code == 0, check.output
    assert check_package(directory).name == name
    lint = ruff("check", "--select", RUFF_RULES, "--target-version", "py311", cwd=directory)
    assert lint.returncode == 0, lint.stdout
    formatted = ruff("format", "--check", cwd=directory)
    assert formatted.returncode == 0, formatted.stdout
    tests = run_tests(directory)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout


def test_new_packages_join_their_plugin(acme: WorkspaceBuilder, run: Callable[..., Result]) -> None:
    """A plugin's new packages update each other's plugin-packages; a module finds its plugin."""
    assert run("new", "backend-plugin", "--plugin-id", "todo").exit_code == 0
    module = run("new", "backend-module", "--plugin-id", "todo", "--module-id", "db")
    assert module.exit_code == 0, module.output
    web = run("new", "frontend-plugin", "--plugin-id", "todo")
    assert web.exit_code == 0
    assert "updated the plugin metadata of acme-plugin-todo-backend" in web.stdout
    node = run("new", "library", "--plugin-id", "todo")
    assert node.exit_code == 0
    assert run("repo", "fix", "--publish", "--check").exit_code == 0

    def table(name: str) -> dict[str, object]:
        text = (acme.root / "plugins" / name / "pyproject.toml").read_text(encoding="utf-8")
        result: dict[str, object] = tomllib.loads(text)["tool"]["greenroom"]
        return result

    family = ["acme-plugin-todo", "acme-plugin-todo-backend", "acme-plugin-todo-node"]
    assert table("acme-plugin-todo-backend")["plugin-packages"] == family
    assert table("acme-plugin-todo")["plugin-packages"] == family
    assert table("acme-plugin-todo-backend-module-db") == {
        "role": "backend-plugin-module",
        "plugin-id": "todo",
        "plugin-package": "acme-plugin-todo-backend",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backend-plugin"], "greenroom new backend-plugin needs --plugin-id"),
        (["backend-plugin", "--plugin-id", "Todo"], "--plugin-id 'Todo' is not kebab-case"),
        (["backend-module", "--plugin-id", "todo"], "needs --module-id"),
        (
            ["backend-module", "--plugin-id", "weather", "--module-id", "cache"],
            "no backend-plugin with plugin id 'weather' in the workspace, nor a known one",
        ),
        (["library", "--name", "x", "--plugin-id", "y"], "pass --name or --plugin-id, not both"),
        (
            ["backend-plugin", "--plugin-id", "x", "--module-id", "y"],
            "--module-id is not an option",
        ),
        (
            ["backend-plugin", "--plugin-id", "todo", "--prefix", "acme-plugin"],
            "would not read back as plugin 'todo'",
        ),
        (["backend-plugin", "--plugin-id", "todo", "--prefix", "3m"], "starts with a digit"),
    ],
)
def test_wrong_options_are_refused_before_anything_is_written(
    acme: WorkspaceBuilder, run: Callable[..., Result], args: list[str], message: str
) -> None:
    """Each refusal says what to pass, and leaves the workspace untouched."""
    result = run("new", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "hint: " in result.stderr
    assert not (acme.root / "plugins").exists()


def test_a_taken_name_or_folder_is_refused(
    acme: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """The same package twice, or a folder that is not empty, is refused."""
    assert run("new", "backend-plugin", "--plugin-id", "todo").exit_code == 0
    again = run("new", "backend-plugin", "--plugin-id", "todo")
    assert again.exit_code == 1
    assert "already has a package named 'acme-plugin-todo-backend'" in again.stderr
    busy = acme.root / "elsewhere"
    busy.mkdir()
    (busy / "file").write_text("x", encoding="utf-8")
    taken = run("new", "backend-plugin", "--plugin-id", "notes", "--directory", str(busy))
    assert taken.exit_code == 1
    assert "exists and is not empty" in taken.stderr


def test_a_prefix_is_needed(workspace: WorkspaceBuilder, run: Callable[..., Result]) -> None:
    """Without --prefix or a workspace prefix, new says where to set one."""
    workspace.write_root()
    result = run("new", "backend-plugin", "--plugin-id", "todo")
    assert result.exit_code == 1
    assert "no naming prefix" in result.stderr
    assert "[tool.greenroom.workspace]" in result.stderr
    assert run("new", "backend-plugin", "--plugin-id", "todo", "--prefix", "Example").exit_code == 0
    assert (workspace.root / "plugins" / "example-plugin-todo-backend" / "pyproject.toml").is_file()


def test_a_folder_outside_the_members_is_a_warning(
    acme: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """--directory outside the members globs works, and says repo commands will not see it."""
    result = run("new", "library", "--name", "tools", "--directory", str(acme.root / "tools"))
    assert result.exit_code == 0
    assert "is not a member of the workspace" in result.stderr
    assert (acme.root / "tools" / "src" / "acme_tools" / "__init__.py").is_file()
