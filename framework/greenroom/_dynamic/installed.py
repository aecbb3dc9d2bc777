"""Installed plugins: the greenroom entry point groups, read with stevedore.

Backend entry points are loaded (imported) here, each on its own: one that
fails to import is recorded with its error and the others go on (pluggy's
own setuptools loader stops at the first failure). Frontend entry points are
never imported: their package folder is located through the distribution's
files, because importing a frontend package would run its code on the backend.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

import attrs
from packaging.utils import canonicalize_name

from greenroom._dynamic.models import ENTRY_POINT_GROUPS, FRONTEND_ROLES

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


def _distributions_by_entry_point() -> dict[tuple[str, str, str], tuple[str, str]]:
    """``(group, name, value) -> (distribution, version)`` for the greenroom groups."""
    found: dict[tuple[str, str, str], tuple[str, str]] = {}
    every = importlib.metadata.entry_points()
    for group in ENTRY_POINT_GROUPS:
        for ep in every.select(group=group):
            if ep.dist is not None:
                found.setdefault((group, ep.name, ep.value), (ep.dist.name, ep.dist.version))
    return found


def discover_installed(skip: Collection[str] = frozenset()) -> list[InstalledEntryPoint]:
    """Every installed greenroom entry point, backend ones loaded, in a stable order.

    Entry points of the distributions in ``skip`` (canonical names: the
    disabled ones) are listed but not imported.
    """
    from stevedore import NamedExtensionManager

    owners = _distributions_by_entry_point()
    entries: list[InstalledEntryPoint] = []
    for group, role in ENTRY_POINT_GROUPS.items():
        if role in FRONTEND_ROLES:
            entries.extend(_frontend_entries(group, owners))
            continue
        # stevedore lists the group (through its cache) and loads nothing (no names):
        # each entry point is imported below on its own, because stevedore's loading
        # lets an AssertionError abort all of them, and selects by entry point name,
        # which two distributions may share.
        listing: NamedExtensionManager[Any] = NamedExtensionManager(
            group, (), on_missing_entrypoints_callback=None
        )
        for ep in listing.list_entry_points():
            dist_name, dist_version = owners.get((group, ep.name, ep.value), ("unknown", "0"))
            entry = InstalledEntryPoint(group, ep.name, ep.value, dist_name, dist_version)
            if canonicalize_name(dist_name) not in skip:
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


def _frontend_entries(
    group: str, owners: dict[tuple[str, str, str], tuple[str, str]]
) -> list[InstalledEntryPoint]:
    entries = []
    for ep in importlib.metadata.entry_points(group=group):
        dist_name, dist_version = owners.get((group, ep.name, ep.value), ("unknown", "0"))
        entry = InstalledEntryPoint(group, ep.name, ep.value, dist_name, dist_version)
        if ep.dist is None or ":" in ep.value:
            entry.failure = (
                f"frontend entry point {ep.name!r} must name a package ('pkg' or 'pkg.sub') "
                f"whose folder holds the built assets in dist/, got {ep.value!r}"
            )
        else:
            folder = Path(str(ep.dist.locate_file(ep.value.replace(".", "/"))))
            if (folder / "dist").is_dir():
                entry.package_dir = folder
            else:
                entry.failure = (
                    f"frontend package {ep.value!r} has no dist/ folder at {folder}: build the "
                    "frontend assets into <package>/dist before installing"
                )
        entries.append(entry)
    return entries
