"""Each role's defaults for the package scripts, and the standard tool tables that override them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from devflow_support import write_package, write_root

from greenroom._dev.target import dev_target
from greenroom._errors import PackageScriptError
from greenroom._packaging.roles import ROLE_ENTRY_POINT_GROUPS, ROLES
from greenroom._scripts.defaults import ROLE_DEFAULTS, role_defaults
from greenroom._scripts.pytest_config import pytest_options
from greenroom._scripts.steps import (
    lint_steps,
    mypy_config,
    pytest_steps,
    typecheck_skip_reason,
    typecheck_steps,
)
from greenroom._scripts.target import ScriptTarget, locate_target

#: role -> (what start runs, what build makes, publish check first, type-checked when typed)
EXPECTED = {
    "frontend": (None, "distributions", False, False),
    "backend": ("backend", "production-bundle", False, True),
    "cli": (None, "distributions", False, True),
    "web-library": (None, "distributions", True, False),
    "node-library": (None, "distributions", True, True),
    "common-library": (None, "distributions", True, True),
    "frontend-plugin": (None, "distributions", True, False),
    "frontend-plugin-module": (None, "distributions", True, False),
    "backend-plugin": ("plugin", "distributions", True, True),
    "backend-plugin-module": ("plugin", "distributions", True, True),
}


def member(tmp_path: Path, role: str, *, extra: str = "", root_extra: str = "") -> ScriptTarget:
    """A typed member of ``role`` with a test folder, its entry point if its role needs one."""
    write_root(tmp_path, extra=root_extra)
    group = ROLE_ENTRY_POINT_GROUPS.get(role)
    value = "acme_thing" if role.startswith("frontend") else "acme_thing:Feature"
    entry = f'\n[project.entry-points."{group}"]\nthing = "{value}"\n' if group else ""
    write_package(
        tmp_path,
        "acme-thing",
        role,
        tests={"test_acme_thing.py": "def test_nothing() -> None:\n    pass\n"},
        extra=entry + extra,
        typed=True,
    )
    return locate_target("acme-thing", tmp_path)


def test_every_role_has_defaults() -> None:
    """The table covers the ten roles, in the seed's order."""
    assert tuple(ROLE_DEFAULTS) == ROLES == tuple(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_the_role_decides_start_build_check_and_typecheck(role: str) -> None:
    """What start runs, what build makes, whether it checks first and type-checks, by role."""
    defaults = role_defaults(role)  # type: ignore[arg-type]
    assert (defaults.start, defaults.build, defaults.publish_check, defaults.typecheck) == (
        EXPECTED[role]
    )
    assert bool(defaults.start_instead) == (defaults.start is None)


@pytest.mark.parametrize("role", ROLES)
def test_start_runs_backends_and_refuses_the_rest(tmp_path: Path, role: str) -> None:
    """A backend runs as an app, plugins and modules in a dev backend, others say what instead."""
    target = member(tmp_path, role)
    mode = EXPECTED[role][0]
    if mode is None:
        with pytest.raises(PackageScriptError, match=f"is a {role}") as info:
            dev_target(target)
        assert info.value.hint == role_defaults(role).start_instead  # type: ignore[arg-type]
        return
    dev = dev_target(target)
    assert dev.spec.mode == mode
    assert dev.spec.paths[0] == str((target.directory / "src").resolve())
    if mode == "plugin":
        assert ("thing", "acme_thing:Feature") in [(n, v) for _, n, v in dev.spec.features]
    else:
        assert dev.spec.features == ()


@pytest.mark.parametrize("role", ROLES)
def test_lint_is_ruff_check_and_format_for_every_role(tmp_path: Path, role: str) -> None:
    """Every role is linted with ruff check and ruff format --check, in the package's folder."""
    steps = lint_steps(member(tmp_path, role))
    assert [step.argv[3:] for step in steps] == [("check", "."), ("format", "--check", ".")]
    assert all(step.argv[:3] == (sys.executable, "-m", "ruff") for step in steps)


@pytest.mark.parametrize("role", ROLES)
def test_typecheck_runs_for_typed_python_roles(tmp_path: Path, role: str) -> None:
    """A typed package is type-checked unless its role's code is web code."""
    target = member(tmp_path, role)
    reason = typecheck_skip_reason(target)
    if EXPECTED[role][3]:
        assert reason is None
        (step,) = typecheck_steps(target)
        assert step.argv[-1] == "src/acme_thing"
        assert "--strict" in step.argv  # neither the package nor the root has [tool.mypy]
    else:
        assert reason is not None
        assert "JavaScript toolchain" in reason
        assert typecheck_steps(target) == []


@pytest.mark.parametrize("role", ROLES)
def test_tests_get_the_shared_config_tests_folder_and_workspace_sources(
    tmp_path: Path, role: str
) -> None:
    """pytest gets the root's options (not its paths), tests/ and the package's src on its path."""
    root_extra = (
        '\n[tool.pytest.ini_options]\nxfail_strict = true\ntestpaths = ["elsewhere"]\n'
        'addopts = ["-ra"]\n'
    )
    target = member(tmp_path, role, root_extra=root_extra)
    options = pytest_options(target)
    assert options["xfail_strict"] is True
    assert options["addopts"] == ["-ra"]
    assert options["testpaths"] == ["tests"]
    assert options["pythonpath"] == [str((target.directory / "src").resolve())]


def test_the_packages_pytest_options_win(tmp_path: Path) -> None:
    """[tool.pytest.ini_options] in the package overrides the root's, key by key."""
    own = '\n[tool.pytest.ini_options]\nxfail_strict = false\npythonpath = ["helpers"]\n'
    target = member(
        tmp_path,
        "backend-plugin",
        extra=own,
        root_extra='\n[tool.pytest.ini_options]\nxfail_strict = true\nminversion = "8.0"\n',
    )
    options = pytest_options(target)
    assert options["xfail_strict"] is False
    assert options["minversion"] == "8.0"
    assert options["pythonpath"] == [str((target.directory / "src").resolve()), "helpers"]
    (step,) = pytest_steps(target, ["-k", "pattern"])
    assert step.argv[-2:] == ("-k", "pattern")
    assert step.cwd == target.directory


def test_the_packages_mypy_table_wins(tmp_path: Path) -> None:
    """[tool.mypy] in a package is its mypy config, and makes even web roles type-checked."""
    target = member(tmp_path, "frontend-plugin", extra="\n[tool.mypy]\nstrict = false\n")
    assert typecheck_skip_reason(target) is None
    assert mypy_config(target) == target.directory / "pyproject.toml"
    (step,) = typecheck_steps(target)
    assert step.argv[3:5] == ("--config-file", str(target.directory / "pyproject.toml"))


def test_the_roots_mypy_table_is_the_default(tmp_path: Path) -> None:
    """Without its own [tool.mypy], a package is checked with the root's."""
    target = member(tmp_path, "node-library", root_extra="\n[tool.mypy]\nstrict = true\n")
    assert mypy_config(target) == tmp_path / "pyproject.toml"


def test_an_untyped_package_is_not_type_checked(tmp_path: Path) -> None:
    """Without py.typed (and without [tool.mypy]) typecheck says how to opt in."""
    target = member(tmp_path, "backend-plugin")
    (target.directory / "src" / "acme_thing" / "py.typed").unlink()
    reason = typecheck_skip_reason(target)
    assert reason is not None
    assert "no py.typed marker" in reason


def test_a_modules_backend_has_its_plugin_from_the_workspace(tmp_path: Path) -> None:
    """package start of a module loads the plugin it extends, from the workspace's sources."""
    from devflow_support import copy_contrib

    write_root(tmp_path)
    for name in (
        "greenroom-plugin-catalog-common",
        "greenroom-plugin-catalog-backend",
        "greenroom-plugin-catalog-backend-module-yaml-files",
    ):
        copy_contrib(name, tmp_path)
    module = locate_target("greenroom-plugin-catalog-backend-module-yaml-files", tmp_path)
    dev = dev_target(module)
    assert dev.description.endswith("and its plugin greenroom-plugin-catalog-backend")
    assert [name for _, name, _ in dev.spec.features] == ["catalog", "catalog-yaml-files"]
    plugins = tmp_path / "plugins"
    # The module's own code first, then the workspace packages the module and plugin need.
    assert dev.spec.paths[0] == str((plugins / module.label / "src").resolve())
    assert set(dev.spec.paths) == {
        str((plugins / name / "src").resolve())
        for name in (
            "greenroom-plugin-catalog-backend-module-yaml-files",
            "greenroom-plugin-catalog-common",
            "greenroom-plugin-catalog-backend",
        )
    }
    # Tests and docs of those packages never restart the backend: only their code does.
    assert all("tests" not in path.parts for path in dev.sources)
