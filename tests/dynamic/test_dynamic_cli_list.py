"""``greenroom plugins list`` in a real subprocess: what start would load, as a table or JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from dynamic_plugin_sources import plugin_dist, root_config, write_config
from dynamic_scan_builders import write_folder, write_wheel

from cli_support import run_greenroom
from hidden_plugins import SUBPROCESS

KEYS = {"name", "version", "role", "plugin_id", "source", "state", "failure"}


def greenroom(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``greenroom ARGS`` in ``cwd``, seeing only the plugins the test makes (not those
    ./dev installs into the environment)."""
    return run_greenroom(*args, cwd=cwd, prelude=SUBPROCESS)


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    """A config whose root holds good, broken, noisy and disabled plugins; its path.

    ``acme-todo`` loads; ``bad-register`` fails in register; ``loud`` prints
    to stdout at import and in register; ``acme-off`` is disabled;
    ``junk.bin`` is no package. ``acme-todo``'s init would create ``init-ran``.
    """
    root = tmp_path / "plugins"
    write_wheel(root, plugin_dist("acme-todo", "todo", init_marker=tmp_path / "init-ran"))
    write_wheel(root, plugin_dist("bad-register", "bad-register", register_error="nope"))
    write_wheel(root, plugin_dist("acme-off", "off"))
    loud = plugin_dist("loud", "loud", imports="print('hello from import')")
    loud.code["loud/__init__.py"] = loud.code["loud/__init__.py"].replace(
        "        pass\n", "        print('hello from register')\n", 1
    )
    write_folder(root / "loud", loud)
    (root / "junk.bin").write_bytes(b"junk")
    (root / "README.md").write_text("skipped quietly\n")
    return write_config(tmp_path / "app-config.yaml", root_config(root, disabled=["acme-off"]))


def test_json_is_the_only_output_on_stdout_and_lists_every_entry(setup: Path) -> None:
    """--json --include-failed: a JSON list of every record on stdout, logs on stderr, exit 0."""
    result = greenroom(
        "plugins", "list", "--json", "--include-failed", "--config", str(setup), cwd=setup.parent
    )

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(set(row) == KEYS for row in rows)
    by_name = {row["name"]: row for row in rows}
    assert sorted(by_name) == ["acme-off", "acme-todo", "bad-register", "junk.bin", "loud"]
    assert by_name["acme-todo"] == {
        "name": "acme-todo",
        "version": "1.0.0",
        "role": "backend-plugin",
        "plugin_id": "todo",
        "source": f"{setup.parent / 'plugins' / 'acme_todo-1.0.0-py3-none-any.whl'} "
        "(greenroom.backend_plugin:plugin)",
        "state": "loaded",
        "failure": None,
    }
    assert (by_name["acme-off"]["state"], by_name["loud"]["state"]) == ("disabled", "loaded")
    assert by_name["bad-register"]["state"] == "failed"
    assert by_name["bad-register"]["failure"] == (
        "plugin 'bad-register' failed in its register hook: RuntimeError: nope"
    )
    assert by_name["junk.bin"]["failure"] == (
        "not a plugin package: expected a wheel, a zip or a folder"
    )
    # What plugin code prints, and the log of the failure, went to stderr.
    assert "hello from import" in result.stderr
    assert "hello from register" in result.stderr
    assert "register hook: RuntimeError: nope" in result.stderr


def test_the_listing_runs_register_but_never_init(setup: Path) -> None:
    """The register hooks ran (a failure shows it); no init did (its marker file is absent)."""
    result = greenroom(
        "plugins", "list", "--json", "--include-failed", "--config", str(setup), cwd=setup.parent
    )

    assert result.returncode == 0, result.stderr
    assert "register hook" in result.stdout
    assert not (setup.parent / "init-ran").exists()


def test_without_include_failed_failed_rows_are_left_out(setup: Path) -> None:
    """--json alone: loaded and disabled plugins only."""
    result = greenroom("plugins", "list", "--json", "--config", str(setup), cwd=setup.parent)

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(row["name"], row["state"]) for row in rows] == [
        ("acme-off", "disabled"),
        ("acme-todo", "loaded"),
        ("loud", "loaded"),
    ]


def test_the_table_names_every_plugin_with_its_state_and_failure(setup: Path) -> None:
    """Without --json: one line per record with name, state, source and the failure in full."""
    result = greenroom(
        "plugins", "list", "--include-failed", "--config", str(setup), cwd=setup.parent
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "name",
        "version",
        "role",
        "plugin_id",
        "source",
        "state",
        "failure",
    ]
    assert lines[-1] == "5 plugin(s)"
    body = {line.split()[0]: line for line in lines[1:-1]}
    assert sorted(body) == ["acme-off", "acme-todo", "bad-register", "junk.bin", "loud"]
    assert "disabled" in body["acme-off"].split()
    assert str(setup.parent / "plugins" / "acme_todo-1.0.0-py3-none-any.whl") in body["acme-todo"]
    assert "failed" in body["bad-register"].split()
    assert body["bad-register"].endswith(
        "  plugin 'bad-register' failed in its register hook: RuntimeError: nope"
    )


def test_a_missing_root_is_an_error_and_a_fix_not_a_traceback(tmp_path: Path) -> None:
    """A configured root that does not exist: exit 1, 'error:' and the fix on stderr."""
    missing = tmp_path / "nowhere"
    config = write_config(tmp_path / "app-config.yaml", root_config(missing))

    result = greenroom("plugins", "list", "--json", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {missing}: the dynamic plugins root directory does not exist\n"
        "fix: create it, or remove dynamicPlugins.rootDirectory from the config\n"
    )
