"""What a ``pip install --target`` folder holds: its top-level import names and compiled modules.

Read from the file system only (nothing is imported), so that the module
loader can decide which names are the plugin's own before running any of its
code.
"""

from __future__ import annotations

import os
import re
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Final

import attrs

__all__ = ["ContentLayout", "module_name", "read_layout"]

#: Folders of a ``--target`` folder that never hold importable code.
_NOT_CODE_SUFFIXES: Final = (".dist-info", ".data", ".egg-info")
_NOT_CODE_NAMES: Final = frozenset({"__pycache__", "bin"})

#: Longest first, so that ``x.cpython-311-x86_64-linux-gnu.so`` is not read as ``x.cpython-...``.
_EXTENSION_SUFFIXES: Final = tuple(sorted(EXTENSION_SUFFIXES, key=len, reverse=True))

#: A compiled module tagged for some interpreter (``x.cpython-312-x86_64-linux-gnu.so``,
#: ``x.cp312-win_amd64.pyd``, ``x.abi3.so``, ``x.pypy310-pp73-x86_64-linux-gnu.so``).
_TAGGED_EXTENSION: Final = re.compile(
    r"^(?P<module>[^.]+)\.(?:cpython-|cp\d|abi\d|pypy)[^/]*\.(?:so|pyd)$"
)


def module_name(filename: str) -> str | None:
    """The module a file in a package folder provides (``x.py`` -> ``x``), or ``None``.

    Compiled modules keep names that are not identifiers (mypyc's
    ``<hash>__mypyc`` helper modules): native code imports those by name.
    """
    for suffix in _EXTENSION_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem if stem and "." not in stem else None
    for suffix in (".py", ".pyc"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem if stem.isidentifier() else None
    return None


def _is_code_folder(name: str) -> bool:
    return (
        name.isidentifier()
        and name not in _NOT_CODE_NAMES
        and not name.endswith(_NOT_CODE_SUFFIXES)
    )


@attrs.frozen
class ContentLayout:
    """The importable content of one plugin folder."""

    #: Top-level import name -> the package folder or module file providing it.
    top_level: dict[str, Path]
    #: Dotted (unprefixed) module name -> compiled module file this interpreter can load.
    extension_modules: dict[str, Path]
    #: Compiled modules built for another interpreter or platform: never importable here.
    foreign_extensions: tuple[Path, ...]
    #: ``*.pth`` files: an installer would process them, the module loader does not.
    pth_files: tuple[Path, ...]


#: A folder's (file names, folder names), as the module loader's finder keeps them.
Listing = tuple[frozenset[str], frozenset[str]]


def read_layout(content_dir: Path, listings: dict[str, Listing] | None = None) -> ContentLayout:
    """Read ``content_dir`` without importing anything from it.

    ``listings`` receives what each folder read holds (keyed by its path as a
    string), so that the finder does not list them again (issue 8).
    """
    top_level: dict[str, Path] = {}
    extensions: dict[str, Path] = {}
    foreign: list[Path] = []
    pth: list[Path] = []
    with os.scandir(content_dir) as scanned:
        entries = sorted(scanned, key=lambda e: e.name)
    if listings is not None:
        listings[str(content_dir)] = _listing(entries)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if _is_code_folder(entry.name):
                top_level.setdefault(entry.name, Path(entry.path))
            continue
        if entry.name.endswith(".pth"):
            pth.append(Path(entry.path))
            continue
        name = module_name(entry.name)
        if name is not None:
            top_level.setdefault(name, Path(entry.path))
            if entry.name.endswith(_EXTENSION_SUFFIXES):
                extensions[name] = Path(entry.path)
        elif _TAGGED_EXTENSION.match(entry.name):
            foreign.append(Path(entry.path))
    for name, path in top_level.items():
        if path.is_dir():
            _walk_package(name, path, extensions, foreign, listings)
    return ContentLayout(top_level, extensions, tuple(foreign), tuple(pth))


def _listing(entries: list[os.DirEntry[str]]) -> Listing:
    files: set[str] = set()
    folders: set[str] = set()
    for entry in entries:
        (folders if entry.is_dir() else files).add(entry.name)
    return frozenset(files), frozenset(folders)


def _walk_package(
    dotted: str,
    folder: Path,
    extensions: dict[str, Path],
    foreign: list[Path],
    listings: dict[str, Listing] | None,
) -> None:
    """Collect the compiled modules of one package, recursively."""
    with os.scandir(folder) as scanned:
        entries = list(scanned)
    if listings is not None:
        listings[str(folder)] = _listing(entries)
    for entry in entries:
        if entry.is_dir():
            if _is_code_folder(entry.name):
                _walk_package(
                    f"{dotted}.{entry.name}", Path(entry.path), extensions, foreign, listings
                )
        elif entry.name.endswith(_EXTENSION_SUFFIXES):
            name = module_name(entry.name)
            if name is not None:
                extensions[f"{dotted}.{name}"] = Path(entry.path)
            elif _TAGGED_EXTENSION.match(entry.name):
                foreign.append(Path(entry.path))
        elif _TAGGED_EXTENSION.match(entry.name):
            foreign.append(Path(entry.path))
