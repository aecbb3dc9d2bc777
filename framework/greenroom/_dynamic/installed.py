"""Installed plugins: the greenroom entry point groups, read once per process.

Backend entry points are loaded (imported) here, each on its own: one that
fails to import is recorded with its error and the others go on (pluggy's
own setuptools loader stops at the first failure). Frontend entry points are
never imported: their package folder is located through the distribution's
files, because importing a frontend package would run its code on the backend.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

import attrs

from greenroom._dynamic.models import ENTRY_POINT_GROUPS, FRONTEND_ROLES
from greenroom._dynamic.names import canonicalize_name
from greenroom._entry_points import installed_entry_points

__all__ = ["InstalledEntryPoint", "discover_installed"]

_log = logging.getLogger("greenroom.dynamic")


@attrs.define(eq=False)
class InstalledEntryPoint:
    """One greenroom entry point of an installed distribution."""

    group: str
    name: str
    value: str
    dist_name: str
    dist_version: str
    #: The loaded object (backend groups), or ``None``.
    target: Any = None
    #: The package folder (frontend groups), or ``None``.
    package_dir: Path | None = None
    failure: str | None = None

    @property
    def role(self) -> str:
        """The role the entry point group carries."""
        return ENTRY_POINT_GROUPS[self.group]

    @property
    def source(self) -> str:
        """Where it came from, for listings and messages."""
        return f"entry point {self.group}:{self.name} ({self.dist_name} {self.dist_version})"


def discover_installed(skip: Collection[str] = frozenset()) -> list[InstalledEntryPoint]:
    """Every installed greenroom entry point, backend ones loaded, in a stable order.

    Entry points of the distributions in ``skip`` (canonical names: the
    disabled ones) are listed but not imported. The entry points themselves
    are read once per process (``greenroom._entry_points``).
    """
    entries: list[InstalledEntryPoint] = []
    for group, role in ENTRY_POINT_GROUPS.items():
        if role in FRONTEND_ROLES:
            entries.extend(_frontend_entries(group))
            continue
        # Each entry point is imported on its own: one that fails is recorded and
        # the others go on (a loader that imports them all at once lets one abort all).
        for found in installed_entry_points(group):
            ep = found.entry_point
            entry = InstalledEntryPoint(
                group, ep.name, ep.value, found.dist_name, found.dist_version
            )
            if canonicalize_name(found.dist_name) not in skip:
                _load(entry, ep)
            entries.append(entry)
    entries.sort(key=lambda e: (e.dist_name.lower(), e.group, e.name))
    return entries


def _load(entry: InstalledEntryPoint, ep: importlib.metadata.EntryPoint) -> None:
    """Import what ``ep`` names into ``entry.target``, or record why it failed."""
    try:
        entry.target = ep.load()
    except Exception as exc:  # a plugin's import failure is its own (issue 3)
        entry.failure = f"could not import {ep.value!r}: {type(exc).__name__}: {exc}"
        _log.debug("entry point %s failed to load", ep.name, exc_info=exc)


def _frontend_entries(group: str) -> list[InstalledEntryPoint]:
    entries = []
    for found in installed_entry_points(group):
        ep, dist = found.entry_point, found.dist_name
        entry = InstalledEntryPoint(group, ep.name, ep.value, dist, found.dist_version)
        if ep.dist is None or ":" in ep.value:
            entry.failure = (
                f"frontend entry point {ep.name!r} must name a package ('pkg' or 'pkg.sub') "
                f"whose folder holds the built assets in dist/, got {ep.value!r}"
            )
        else:
            folder = Path(str(ep.dist.locate_file(ep.value.replace(".", "/"))))
            if not (folder / "dist").is_dir():
                folder = _editable_folder(ep.value) or folder
            if (folder / "dist").is_dir():
                entry.package_dir = folder
            else:
                entry.failure = (
                    f"frontend package {ep.value!r} has no dist/ folder at {folder}: build the "
                    "frontend assets into <package>/dist before installing"
                )
        entries.append(entry)
    return entries


def _editable_folder(package: str) -> Path | None:
    """Where an editable install's ``package`` lives: its files are not in the distribution.

    An editable wheel puts a ``.pth`` path or an import hook in site-packages,
    not the package, so ``locate_file`` misses it. ``find_spec`` of the
    top-level name asks the same finders an import would, without running the
    package's code; sub-packages are then plain sub-folders.
    """
    top, _, rest = package.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        return None
    return Path(next(iter(locations)), *rest.split(".") if rest else ())
