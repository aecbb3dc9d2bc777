"""``greenroom start`` with a dynamic plugins root that does not exist: one clear error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dynamic_plugin_sources import root_config, write_config

CLI = "import sys; from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"
#: A hang guard only: the error comes before anything listens.
DEADLINE_SECONDS = 60


def test_a_missing_root_stops_start_with_the_error_and_the_fix(tmp_path: Path) -> None:
    """Exit 1 with 'error: <path>: ... does not exist' and the fix on stderr, no traceback."""
    missing = tmp_path / "plugins"
    config = {**root_config(missing), "backend": {"listen": {"host": "127.0.0.1", "port": 0}}}
    config_file = write_config(tmp_path / "app-config.yaml", config)

    result = subprocess.run(
        [sys.executable, "-c", CLI, "start", "--config", str(config_file)],
        cwd=tmp_path,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")},
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr == (
        f"error: {missing}: the dynamic plugins root directory does not exist\n"
        "fix: create it, or remove dynamicPlugins.rootDirectory from the config\n"
    )
