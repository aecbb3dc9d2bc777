"""The config package's public surface."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import greenroom._config as config_package


def test_all_lists_every_public_name() -> None:
    """__all__ names exactly the package's public, non-module attributes."""
    public = {
        name
        for name, value in vars(config_package).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(config_package.__all__) == public
    assert len(config_package.__all__) == len(public)


def test_entry_points_are_exported() -> None:
    """Config and load_config are the entry points other packages import."""
    assert {"Config", "load_config"} <= set(config_package.__all__)


def test_importing_the_package_does_not_import_yaml() -> None:
    """PyYAML is imported on the first load, not when greenroom._config is imported."""
    code = "import sys, greenroom._config; print('yaml' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.stdout.strip() == "False"
