"""``greenroom package start``: a copy of a contrib plugin, restarted on change, its data kept.

The plugin is a copy of ``contrib_plugins/greenroom-plugin-todo-backend`` in a
workspace under ``tmp_path``: the test edits the copy, never the real sources.
The copy's ``src`` goes first on the backend's ``sys.path``, so the backend
serves the copy even though the real plugin is installed (editable) here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from devflow_support import (
    RunningCli,
    copy_contrib,
    free_port,
    get_json,
    wait_for,
    write_package,
    write_root,
)

from greenroom.cli.main import cli

TODO = "greenroom-plugin-todo-backend"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def todo_copy(tmp_path: Path) -> tuple[Path, str]:
    """A workspace holding a copy of the todo plugin; its folder and the backend's base URL."""
    write_root(tmp_path)
    port = free_port()
    # The config at the workspace root: package start reads it there (then the package's).
    (tmp_path / "app-config.yaml").write_text(
        f"backend:\n  listen: {{host: 127.0.0.1, port: {port}}}\n", encoding="utf-8"
    )
    return copy_contrib(TODO, tmp_path), f"http://127.0.0.1:{port}"


@pytest.mark.e2e
def test_a_change_restarts_the_backend_and_the_dev_data_store_keeps_the_items(
    todo_copy: tuple[Path, str],
) -> None:
    """Editing the plugin restarts the backend; it serves the new code and still has the item."""
    plugin, base = todo_copy
    running = RunningCli("package", "start", cwd=plugin)
    try:
        wait_for(lambda: get_json(f"{base}/api/todo/health"), timeout=60, what="the first backend")
        created = get_json(f"{base}/api/todo/items", {"title": "Survive a restart"})
        assert created == {"id": "survive-a-restart", "title": "Survive a restart"}
        assert running.count("backend started in") == 1

        source = plugin / "src" / "greenroom_plugin_todo_backend" / "plugin.py"
        text = source.read_text(encoding="utf-8")
        assert 'JSONResponse({"status": "ok"})' in text
        source.write_text(
            text.replace('JSONResponse({"status": "ok"})', 'JSONResponse({"status": "edited"})'),
            encoding="utf-8",
        )

        wait_for(
            lambda: get_json(f"{base}/api/todo/health") == {"status": "edited"} or None,
            timeout=60,
            what="the restarted backend to serve the edited route",
        )
        items = get_json(f"{base}/api/todo/items")
        assert items == {"items": [{"id": "survive-a-restart", "title": "Survive a restart"}]}
        wait_for(
            lambda: running.count("backend restarted in") or None,
            timeout=30,
            what="the restart's report",
        )
        assert running.count("greenroom_plugin_todo_backend/plugin.py changed") == 1
    finally:
        code = running.stop()
    assert code == 0, running.output
    assert "stopping the backend" in running.output
    assert get_json(f"{base}/api/todo/health") is None, "the backend outlived package start"


@pytest.mark.e2e
def test_a_change_to_a_test_file_does_not_restart(todo_copy: tuple[Path, str]) -> None:
    """Only code, pyproject.toml and config files restart the backend; tests do not."""
    plugin, _ = todo_copy
    running = RunningCli("package", "start", cwd=plugin)
    try:
        wait_for(lambda: running.count("backend started in") or None, timeout=60, what="start")
        (plugin / "tests" / "test_todo_backend.py").write_text("# edited\n", encoding="utf-8")
        (plugin / "src" / "greenroom_plugin_todo_backend" / "store.py").write_text(
            (plugin / "src" / "greenroom_plugin_todo_backend" / "store.py").read_text() + "\n",
            encoding="utf-8",
        )
        wait_for(lambda: running.count("backend restarted") or None, timeout=60, what="a restart")
        restarts = [line for line in running.lines if "restarting the backend" in line]
        assert restarts == [line for line in restarts if "tests/" not in line]
        assert "store.py changed" in restarts[0]
    finally:
        assert running.stop() == 0, running.output


@pytest.mark.parametrize("role", ["common-library", "frontend-plugin", "cli"])
def test_roles_without_a_backend_are_refused_with_what_to_do_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    """package start in a library, a frontend plugin or a CLI says why not and what instead."""
    write_root(tmp_path)
    package = write_package(tmp_path, "acme-thing", role)
    monkeypatch.chdir(package)
    result = CliRunner().invoke(cli, ["package", "start"])
    assert result.exit_code == 1
    assert f"acme-thing is a {role}" in result.output
    assert "hint:" in result.output


def test_debug_without_debugpy_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--debug without debugpy fails before starting anything, naming the package to install."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "debugpy" else real(name, *a)
    )
    write_root(tmp_path)
    monkeypatch.chdir(copy_contrib(TODO, tmp_path))
    result = CliRunner().invoke(cli, ["package", "start", "--debug"])
    assert result.exit_code == 1
    assert "debugpy, which is not installed" in result.output
    assert "pip install debugpy" in result.output


def test_a_bad_debug_address_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--debug-address must be [HOST:]PORT."""
    write_root(tmp_path)
    monkeypatch.chdir(copy_contrib(TODO, tmp_path))
    result = CliRunner().invoke(cli, ["package", "start", "--debug-address", "localhost:99999"])
    assert result.exit_code == 1
    assert "is not [HOST:]PORT" in result.output


@pytest.mark.e2e
def test_code_that_does_not_start_waits_for_the_next_change(todo_copy: tuple[Path, str]) -> None:
    """A syntax error ends the backend with a message; saving the fix starts it again."""
    plugin, base = todo_copy
    store = plugin / "src" / "greenroom_plugin_todo_backend" / "store.py"
    good = store.read_text(encoding="utf-8")
    running = RunningCli("package", "start", cwd=plugin)
    try:
        wait_for(lambda: running.count("backend started in") or None, timeout=60, what="start")
        store.write_text(good + "\ndef broken(:\n", encoding="utf-8")
        wait_for(
            lambda: running.count("the backend exited with status 1") or None,
            timeout=60,
            what="the broken backend to exit",
        )
        assert "SyntaxError" in running.output
        store.write_text(good, encoding="utf-8")
        wait_for(lambda: get_json(f"{base}/api/todo/health"), timeout=60, what="the fixed backend")
    finally:
        assert running.stop() == 0, running.output
