"""The host's shared packages: import names every plugin gets from the host, never privately.

Greenroom itself and its runtime dependencies (their requirements followed
recursively, markers and extras honoured) are always shared, so that
``ServiceRef``, ``ExtensionPoint`` and Starlette types are one object in the
whole process; ``dynamicPlugins.sharedPackages`` adds more, by distribution
name (``PyYAML``, whose dependencies come along) or by import name (``yaml``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from greenroom._dynamic.layout import module_name
from greenroom._dynamic.names import canonicalize_name

__all__ = [
    "ALWAYS_SHARED",
    "cached_shared_import_names",
    "shared_distribution_names",
    "shared_import_names",
    "top_level_names",
]

#: Shared whatever the metadata says (an editable install lists no package files).
ALWAYS_SHARED: Final = frozenset({"greenroom", "greenroom_dynamic"})


def top_level_names(dist: metadata.Distribution) -> frozenset[str]:
    """The top-level import names a distribution provides, from its metadata only."""
    listed = dist.read_text("top_level.txt")
    if listed:
        return frozenset(line.strip() for line in listed.splitlines() if line.strip())
    names: set[str] = set()
    for file in dist.files or ():
        parts = file.parts
        if not parts or parts[0] in ("..", "") or parts[0].endswith((".dist-info", ".data")):
            continue
        if len(parts) > 1:
            if parts[0].isidentifier() and parts[0] not in ("__pycache__", "bin"):
                names.add(parts[0])
        else:
            name = module_name(parts[0])
            if name is not None:
                names.add(name)
    return frozenset(names)


def _requirement_closure(roots: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions ``roots`` need at run time, roots included."""
    from packaging.requirements import InvalidRequirement, Requirement

    found: dict[str, metadata.Distribution] = {}
    extras_seen: dict[str, frozenset[str]] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset()) for root in roots]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in extras_seen and extras <= extras_seen[key]:
            continue
        extras_seen[key] = extras_seen.get(key, frozenset()) | extras
        try:
            dist = found.get(key) or metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[key] = dist
        for raw in dist.requires or ():
            try:
                requirement = Requirement(raw)
            except InvalidRequirement:
                continue
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({"extra": extra}) for extra in (extras or {""})
            ):
                continue
            todo.append((requirement.name, frozenset(requirement.extras)))
    return list(found.values())


def shared_import_names(extra: Iterable[str] = ()) -> frozenset[str]:
    """Import names shared with the host: greenroom's closure plus ``extra`` (config)."""
    names = set(ALWAYS_SHARED)
    roots = ["greenroom"]
    for entry in extra:
        entry = entry.strip()
        if not entry:
            continue
        try:
            metadata.distribution(entry)
        except metadata.PackageNotFoundError:
            # Not an installed distribution: an import name (``yaml``), or a package
            # the host does not have, which is still shared (plugins must not ship it).
            names.add(entry.split(".")[0])
            names.add(canonicalize_name(entry).replace("-", "_"))
        else:
            roots.append(entry)
    for dist in _requirement_closure(roots):
        provided = top_level_names(dist)
        names |= provided or {canonicalize_name(dist.metadata["Name"] or "").replace("-", "_")}
    names.discard("")
    return frozenset(names)


def cached_shared_import_names(extra: Iterable[str], cache_root: Path | None) -> frozenset[str]:
    """:func:`shared_import_names`, remembered in ``cache_root/shared/`` for this host.

    Following the requirements costs ~25 ms and the import of ``packaging``
    on every start (issue 8). The key covers what the answer depends on: the
    interpreter and platform, Greenroom's version, the ``*.dist-info`` folders
    of every ``sys.path`` entry (their names carry versions) and the mtime of
    each such entry (a reinstall of the same version recreates its folder),
    and ``extra``. A cache that cannot be read or written is skipped.
    """
    extra = tuple(extra)
    if cache_root is None:
        return shared_import_names(extra)
    from greenroom._dynamic.host_check import host_fingerprint

    mtimes = []
    for entry in sys.path:
        try:
            mtimes.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            continue
    key = hashlib.sha256(
        json.dumps([host_fingerprint(), mtimes, extra]).encode("utf-8", "surrogateescape")
    ).hexdigest()[:32]
    file = cache_root / "shared" / f"{key}.json"
    try:
        names = json.loads(file.read_bytes())
        if isinstance(names, list) and all(isinstance(name, str) for name in names):
            return frozenset(names)
    except (OSError, ValueError):
        pass
    found = shared_import_names(extra)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".shared-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(sorted(found), stream)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
    return found


def shared_distribution_names(extra: Iterable[str] = ()) -> frozenset[str]:
    """Canonical names of the distributions shared with the host: what a bundle never ships.

    Greenroom and the installed closure of its requirements, plus ``extra``
    (``dynamicPlugins.sharedPackages``) with the closure of each one installed;
    an ``extra`` entry that is not installed is kept as a name (canonicalized).
    """
    roots = ["greenroom"]
    names = {"greenroom"}
    for entry in extra:
        entry = entry.strip()
        if entry:
            roots.append(entry)
            names.add(canonicalize_name(entry))
    for dist in _requirement_closure(roots):
        names.add(canonicalize_name(dist.metadata["Name"] or ""))
    names.discard("")
    return frozenset(names)
