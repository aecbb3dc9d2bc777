"""``greenroom package clean``: remove what the scripts and the build tools wrote in a package.

Only output, never sources: the package's top-level ``dist/``, ``build/`` and
``dist-bundle/``, ``*.egg-info`` folders, the caches of pytest, mypy and ruff,
and every ``__pycache__`` below the package (hidden folders and virtual
environments, ``venv`` folders included, are left alone). A ``dist/`` inside
the code, such as a frontend plugin's built assets, is not touched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Final

from greenroom._scripts.target import ScriptTarget

__all__ = ["OUTPUT", "clean_package"]

#: Top-level folders of a package that only hold output.
OUTPUT: Final = ("dist", "build", "dist-bundle", ".pytest_cache", ".mypy_cache", ".ruff_cache")


def _removable(directory: Path) -> list[Path]:
    found = [directory / name for name in OUTPUT if (directory / name).is_dir()]
    for parent in (directory, directory / "src"):
        if parent.is_dir():
            found += sorted(p for p in parent.glob("*.egg-info") if p.is_dir())
    for folder, folders, _ in os.walk(directory):
        if "__pycache__" in folders:
            found.append(Path(folder, "__pycache__"))
        # Never below hidden folders (.venv, .git) nor into what is removed anyway.
        folders[:] = [
            name
            for name in folders
            if not name.startswith(".")
            and name not in ("__pycache__", "node_modules")
            and Path(folder, name) not in found
            and not Path(folder, name, "pyvenv.cfg").exists()
        ]
    return found


def clean_package(target: ScriptTarget) -> list[Path]:
    """Remove the output folders of ``target``; the ones removed."""
    removed = []
    for path in _removable(target.directory):
        shutil.rmtree(path)
        removed.append(path)
    return removed
