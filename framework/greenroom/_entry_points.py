"""The entry points of Greenroom's groups in this environment, read once per process.

Every ``importlib.metadata.entry_points()`` call reads the ``entry_points.txt``
of every installed distribution, and a start asked for them several times
(backend groups, frontend groups, config schemas). One scan now serves every
group, and is kept for the life of the process per ``sys.path`` (a test that
adds a site folder gets a fresh scan). stevedore's on-disk cache, used before,
turned itself off when the interpreter lives under ``/tmp`` and cost an
import and a stat of every ``entry_points.txt`` on each start (issue 8).
"""

from __future__ import annotations

import importlib.metadata
import sys
import threading
from typing import Final

import attrs

__all__ = ["InstalledEntryPointSpec", "forget_entry_points", "installed_entry_points"]

_PREFIX: Final = "greenroom."


@attrs.frozen
class InstalledEntryPointSpec:
    """An entry point of a Greenroom group and the distribution that declares it."""

    entry_point: importlib.metadata.EntryPoint
    dist_name: str
    dist_version: str


_scans: dict[tuple[str, ...], tuple[InstalledEntryPointSpec, ...]] = {}
_lock = threading.Lock()


def installed_entry_points(group: str) -> list[InstalledEntryPointSpec]:
    """The entry points of ``group`` (a ``greenroom.*`` group), in discovery order.

    Like ``importlib.metadata.entry_points(group=...)``: the first distribution
    of a name on ``sys.path`` wins, and an entry point two distributions
    declare alike (same group, name and value) is listed once, for the first.
    """
    if not group.startswith(_PREFIX):
        raise ValueError(f"{group!r} is not a Greenroom entry point group (greenroom.*)")
    key = tuple(sys.path)
    with _lock:
        found = _scans.get(key)
        if found is None:
            found = _scans[key] = _scan()
    return [spec for spec in found if spec.entry_point.group == group]


def forget_entry_points() -> None:
    """Scan again on the next call (after installing or removing distributions)."""
    with _lock:
        _scans.clear()


def _scan() -> tuple[InstalledEntryPointSpec, ...]:
    every = importlib.metadata.entry_points()
    seen: set[tuple[str, str, str]] = set()
    found = []
    for group in sorted(g for g in every.groups if g.startswith(_PREFIX)):
        for ep in every.select(group=group):
            identity = (ep.group, ep.name, ep.value)
            if identity in seen:
                continue
            seen.add(identity)
            dist = ep.dist
            name, version = (dist.name, dist.version) if dist is not None else ("unknown", "0")
            found.append(InstalledEntryPointSpec(ep, name, version))
    return tuple(found)
