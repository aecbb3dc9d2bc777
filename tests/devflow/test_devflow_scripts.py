"""``greenroom package lint|typecheck|test|build|clean`` on small packages, as real processes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from devflow_support import REPO, run_cli, write_package, write_root

pytestmark = pytest.mark.e2e

HATCH = '\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
GOOD_TEST = "def test_ok() -> None:\n    assert True\n\n\ndef test_other() -> None:\n    assert 1\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A typed common library of plugin "notes" (without plugin-packages yet), with two tests."""
    write_root(tmp_path)
    package = write_package(
        tmp_path,
        "acme-plugin-notes-common",
        "common-library",
        modules={"__init__.py": "", "core.py": 'def greeting() -> str:\n    return "hello"\n'},
        tests={"test_notes_common.py": GOOD_TEST},
        extra=HATCH,
        typed=True,
    )
    with (package / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write('plugin-id = "notes"\n')
    return package


def test_lint_reports_both_checks(library: Path) -> None:
    """A lint error and a formatting problem both fail lint, each named; --fix repairs them."""
    source = library / "src" / "acme_plugin_notes_common" / "core.py"
    source.write_text("import os\ndef greeting( ) -> str:\n    return 'hello'\n", encoding="utf-8")
    result = run_cli("package", "lint", cwd=library)
    assert result.returncode == 1
    assert "F401" in result.stdout
    assert "ruff check failed" in result.stdout
    assert "ruff format failed" in result.stdout
    assert run_cli("package", "lint", "--fix", cwd=library).returncode == 0
    assert run_cli("package", "lint", cwd=library).returncode == 0


def test_test_passes_pytest_arguments_through(library: Path) -> None:
    """Arguments after `package test` reach pytest: -k selects one of the two tests."""
    result = run_cli("package", "test", "-k", "other", "-q", cwd=library)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 deselected" in result.stdout


def test_a_package_without_tests_passes(tmp_path: Path) -> None:
    """pytest's "no tests collected" is no failure for a package that has none yet."""
    write_root(tmp_path)
    package = write_package(tmp_path, "acme-empty", "node-library")
    result = run_cli("package", "test", cwd=package)
    assert result.returncode == 0, result.stdout
    assert "no tests ran" in result.stdout


def test_typecheck_runs_mypy_on_a_typed_package(library: Path) -> None:
    """A typed package is type-checked; a type error fails it."""
    assert run_cli("package", "typecheck", cwd=library).returncode == 0
    source = library / "src" / "acme_plugin_notes_common" / "core.py"
    source.write_text('def greeting() -> int:\n    return "hello"\n', encoding="utf-8")
    result = run_cli("package", "typecheck", cwd=library)
    assert result.returncode == 1
    assert "Incompatible return value type" in result.stdout


def test_clean_removes_output_but_not_code(library: Path) -> None:
    """clean removes dist/, caches and __pycache__; a dist/ folder inside the code stays."""
    for folder in ("dist", ".pytest_cache", "src/acme_plugin_notes_common/__pycache__"):
        (library / folder).mkdir(parents=True)
        (library / folder / "file").write_text("x", encoding="utf-8")
    assets = library / "src" / "acme_plugin_notes_common" / "dist"
    assets.mkdir()
    (assets / "remoteEntry.js").write_text("//", encoding="utf-8")
    result = run_cli("package", "clean", cwd=library)
    assert result.returncode == 0, result.stdout
    assert not (library / "dist").exists()
    assert not (library / ".pytest_cache").exists()
    assert not (library / "src" / "acme_plugin_notes_common" / "__pycache__").exists()
    assert (assets / "remoteEntry.js").is_file()
    assert "removed: dist/" in result.stdout
    assert run_cli("package", "clean", cwd=library).stdout.strip() == "nothing to remove"


@pytest.fixture
def offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """uv builds offline, from the wheelhouse that ./dev test fills (as the bundle tests do)."""
    wheelhouse = Path(os.environ.get("GREENROOM_WHEELHOUSE") or REPO / ".wheelhouse")
    if not any(wheelhouse.glob("hatchling-*.whl")):
        message = f"the wheelhouse {wheelhouse} has no hatchling: ./dev test fills it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": str(wheelhouse),
        "UV_CACHE_DIR": str(tmp_path_factory.mktemp("uv-cache")),
        "UV_NO_PROGRESS": "1",
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield


@pytest.mark.usefixtures("offline")
def test_build_checks_a_publishable_package_first(library: Path) -> None:
    """A plugin library without plugin-packages is refused before anything is built."""
    result = run_cli("package", "build", cwd=library)
    assert result.returncode == 1
    assert "missing plugin-packages, please run `greenroom repo fix --publish`" in result.stdout
    assert not (library / "dist").exists()


@pytest.mark.usefixtures("offline")
def test_build_writes_a_wheel_and_an_sdist(library: Path) -> None:
    """With its metadata complete, build writes both distributions into dist/."""
    pyproject = library / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + 'plugin-packages = ["acme-plugin-notes-common"]\n',
        encoding="utf-8",
    )
    result = run_cli("package", "build", cwd=library)
    assert result.returncode == 0, result.stdout
    assert "the publish check passed" in result.stdout
    (wheel,) = (library / "dist").glob("acme_plugin_notes_common-1.0-*.whl")
    (sdist,) = (library / "dist").glob("acme_plugin_notes_common-1.0.tar.gz")
    assert f"built: {wheel}" in result.stdout
    assert f"built: {sdist}" in result.stdout
