"""``greenroom repo test|lint --success-cache``: unchanged packages skipped, dependents re-run.

The workspace has three members: a common library, a backend plugin that
depends on it, and an unrelated library. Each has one passing test that
imports its own code (the plugin's imports the library's too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from devflow_support import run_cli, write_package, write_root

COMMON = "acme-plugin-notes-common"
BACKEND = "acme-plugin-notes-backend"
UTILS = "acme-http-utils"

pytestmark = pytest.mark.e2e
#: A per-package line of the report: ``passed  acme-http-utils: 1 passed in 0.01s (0.4 s)``.
LINE = r"^(?P<status>passed|failed|cached)\s+(?P<name>[\w.-]+):"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Three members, as the module says."""
    write_root(tmp_path)
    write_package(
        tmp_path,
        COMMON,
        "common-library",
        modules={"__init__.py": 'def greeting() -> str:\n    return "hello"\n'},
        tests={
            "test_notes_common.py": (
                "from acme_plugin_notes_common import greeting\n\n\n"
                'def test_greeting() -> None:\n    assert greeting() == "hello"\n'
            )
        },
    )
    write_package(
        tmp_path,
        BACKEND,
        "backend-plugin",
        modules={
            "__init__.py": (
                "from acme_plugin_notes_common import greeting\n\n\n"
                "def shout() -> str:\n    return greeting().upper()\n"
            )
        },
        tests={
            "test_notes_backend.py": (
                "from acme_plugin_notes_backend import shout\n\n\n"
                "def test_shout() -> None:\n    assert shout() == shout().upper()\n"
            )
        },
        dependencies=[COMMON],
    )
    write_package(
        tmp_path,
        UTILS,
        "node-library",
        modules={"__init__.py": "TIMEOUT = 5\n"},
        tests={
            "test_http_utils.py": (
                "from acme_http_utils import TIMEOUT\n\n\n"
                "def test_timeout() -> None:\n    assert TIMEOUT == 5\n"
            )
        },
    )
    return tmp_path


def statuses(output: str) -> dict[str, str]:
    """Package name -> passed, failed or cached, from the per-package lines."""
    return {
        match["name"]: match["status"]
        for match in re.finditer(
            r"^(?P<status>passed|failed|cached)\s+(?P<name>[\w.-]+):", output, re.M
        )
    }


def test_an_unchanged_package_is_skipped_and_a_dependents_change_reruns_it(
    workspace: Path,
) -> None:
    """Unchanged: skipped; the library changed: it and its dependent run; a test changed: it."""
    first = run_cli("repo", "test", "--success-cache", cwd=workspace)
    assert first.returncode == 0, first.stdout
    assert statuses(first.stdout) == {COMMON: "passed", BACKEND: "passed", UTILS: "passed"}

    second = run_cli("repo", "test", "--success-cache", cwd=workspace)
    assert second.returncode == 0, second.stdout
    assert statuses(second.stdout) == {COMMON: "cached", BACKEND: "cached", UTILS: "cached"}
    assert "skipped: unchanged since its last success" in second.stdout
    assert "3 package(s): 0 passed, 0 failed, 3 skipped (success cache)" in second.stdout

    source = workspace / "plugins" / COMMON / "src" / "acme_plugin_notes_common" / "__init__.py"
    source.write_text(source.read_text() + "\nVERSION = 2\n", encoding="utf-8")
    third = run_cli("repo", "test", "--success-cache", cwd=workspace)
    assert third.returncode == 0, third.stdout
    assert statuses(third.stdout) == {COMMON: "passed", BACKEND: "passed", UTILS: "cached"}

    # A package's own files, tests too, are its inputs; its dependents do not care.
    test_file = workspace / "plugins" / COMMON / "tests" / "test_notes_common.py"
    test_file.write_text(test_file.read_text() + "\n# edited\n", encoding="utf-8")
    fourth = run_cli("repo", "test", "--success-cache", cwd=workspace)
    assert statuses(fourth.stdout) == {COMMON: "passed", BACKEND: "cached", UTILS: "cached"}


def test_a_failure_is_reported_and_not_cached(workspace: Path) -> None:
    """A failing package fails the run (exit 1, its output shown) and runs again next time."""
    broken = workspace / "plugins" / UTILS / "tests" / "test_http_utils.py"
    broken.write_text(broken.read_text().replace("== 5", "== 6"), encoding="utf-8")
    for _ in range(2):
        result = run_cli("repo", "test", "--success-cache", cwd=workspace)
        assert result.returncode == 1
        assert statuses(result.stdout)[UTILS] == "failed"
        assert f"--- {UTILS}: pytest (exit status 1) ---" in result.stdout
        assert "assert 5 == 6" in result.stdout


def test_arguments_pass_through_and_are_part_of_the_key(workspace: Path) -> None:
    """`repo test -k pattern` runs matching tests only; a cached plain run does not count."""
    assert run_cli("repo", "test", "--success-cache", cwd=workspace).returncode == 0
    result = run_cli("repo", "test", "--success-cache", "-k", "timeout", cwd=workspace)
    assert result.returncode == 0, result.stdout
    assert statuses(result.stdout) == {COMMON: "passed", BACKEND: "passed", UTILS: "passed"}
    assert f"{UTILS}: 1 passed" in result.stdout
    assert f"{COMMON}: 1 deselected" in result.stdout


def test_lint_has_its_own_cache(workspace: Path) -> None:
    """repo lint --success-cache skips unchanged packages; a lint problem fails its package."""
    first = run_cli("repo", "lint", "--success-cache", cwd=workspace)
    assert first.returncode == 0, first.stdout
    second = run_cli("repo", "lint", "--success-cache", cwd=workspace)
    assert set(statuses(second.stdout).values()) == {"cached"}
    source = workspace / "plugins" / UTILS / "src" / "acme_http_utils" / "__init__.py"
    source.write_text("import os\nTIMEOUT = 5\n", encoding="utf-8")
    third = run_cli("repo", "lint", "--success-cache", cwd=workspace)
    assert third.returncode == 1
    assert statuses(third.stdout) == {COMMON: "cached", BACKEND: "cached", UTILS: "failed"}
    assert "F401" in third.stdout


def test_the_cache_lives_in_an_ignored_folder_or_where_asked(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """.greenroom-cache/ at the root ignores itself; --success-cache-dir keeps keys elsewhere."""
    assert run_cli("repo", "lint", "--success-cache", cwd=workspace).returncode == 0
    cache = workspace / ".greenroom-cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "success-cache" / "lint.json").is_file()
    elsewhere = tmp_path_factory.mktemp("ci-cache")
    result = run_cli(
        "repo", "lint", "--success-cache-dir", str(elsewhere), "--success-cache", cwd=workspace
    )
    assert set(statuses(result.stdout).values()) == {"passed"}
    assert (elsewhere / "success-cache" / "lint.json").is_file()
