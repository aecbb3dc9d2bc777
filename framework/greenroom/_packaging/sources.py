"""Where a package's importable code lives: its import root and its top-level packages.

Read from the standard places, in order: hatchling's
``[tool.hatch.build.targets.wheel] packages`` (``["src/acme_todo"]``), then a
``src/`` folder (the src layout), then the package folder itself (the flat
layout: sub-folders with an ``__init__.py`` and top-level modules, tests and
build scripts left out). ``package start`` puts the import roots first on
``sys.path``, ``package test`` on pytest's ``pythonpath`` and ``package
typecheck`` hands the packages to mypy; the success cache hashes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import attrs

from greenroom._packaging.project import Package, read_pyproject

__all__ = ["PackageSources", "package_sources"]

#: Flat-layout folders and modules that are never the package's code.
_NOT_CODE: Final = frozenset({"tests", "test", "docs", "build", "dist", "setup.py", "conftest.py"})


@attrs.frozen
class PackageSources:
    """The folders that go on ``sys.path``, and the packages and modules inside them."""

    #: The folders to put on ``sys.path`` (``src/`` or the package folder).
    roots: tuple[Path, ...]
    #: Each top-level package folder or module file.
    modules: tuple[Path, ...]

    @property
    def typed(self) -> bool:
        """Whether a top-level package has a ``py.typed`` marker (PEP 561)."""
        return any((module / "py.typed").is_file() for module in self.modules if module.is_dir())


def _hatch_packages(package: Package) -> list[str]:
    try:
        data = read_pyproject(package.pyproject, package.file)
    except Exception:
        return []
    table: object = data
    for key in ("tool", "hatch", "build", "targets", "wheel", "packages"):
        table = table.get(key) if isinstance(table, dict) else None
    return [item for item in table if isinstance(item, str)] if isinstance(table, list) else []


def _top_level(root: Path) -> list[Path]:
    found = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name.startswith((".", "_")) or entry.name in _NOT_CODE:
            continue
        if (entry.is_dir() and (entry / "__init__.py").is_file()) or (
            entry.is_file() and entry.suffix == ".py"
        ):
            found.append(entry)
    return found


def package_sources(package: Package) -> PackageSources:
    """Where ``package``'s code is (see the module's docstring for the rules)."""
    directory = package.directory
    declared = [directory / item for item in _hatch_packages(package)]
    declared = [path for path in declared if path.exists()]
    if declared:
        roots = tuple(dict.fromkeys(path.parent for path in declared))
        return PackageSources(roots, tuple(declared))
    src = directory / "src"
    if src.is_dir():
        return PackageSources((src,), tuple(_top_level(src)))
    return PackageSources((directory,), tuple(_top_level(directory)))
