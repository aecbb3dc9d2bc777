"""Checks of a plugin's manifest against the running host, kept apart from reading it.

Whether a plugin fits depends on the interpreter, the running greenroom and
the distributions installed in the host; none of that is in the package. The
scan cache stores :func:`host_fingerprint` beside its results and re-runs
:func:`host_problems` alone (without rereading any archive) when it changes.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from greenroom._dynamic.models import ScannedPluginManifest

if TYPE_CHECKING:
    from packaging.requirements import Requirement

__all__ = ["host_fingerprint", "host_problems", "installed_version"]

_DIST_SUFFIXES: Final = (".dist-info", ".egg-info")


def host_fingerprint() -> str:
    """A digest of everything :func:`host_problems` reads from the host.

    The interpreter, the platform, greenroom's version, and for each
    ``sys.path`` entry holding distributions, its path and the names of its
    ``*.dist-info`` (which carry their versions). Entries without any (the
    script's folder, the standard library) are left out, so that starting
    from another folder does not look like another host. Costs one directory
    listing per ``sys.path`` entry.
    """
    from greenroom._version import __version__

    parts = [sys.version, sys.platform, platform.machine(), __version__]
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        dists = sorted(name for name in names if name.endswith(_DIST_SUFFIXES))
        if dists:
            parts += ["\x01", os.path.abspath(entry or "."), *dists]
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def installed_version(name: str) -> str | None:
    """The version of distribution ``name`` installed in the host, or ``None``."""
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _satisfies(requirement: Requirement, version: str | None) -> bool:
    from packaging.version import InvalidVersion, Version

    if version is None:
        return False
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return requirement.specifier.contains(parsed, prereleases=True)


def host_problems(
    manifest: ScannedPluginManifest,
    *,
    installed: Callable[[str], str | None] = installed_version,
) -> list[str]:
    """Every way the running host fails the plugin's requirements, each with its fix.

    Requires-Python against this interpreter; a requirement on ``greenroom``
    against the running greenroom; any other requirement (markers evaluated,
    extras-only ones skipped) against the host's installed distributions or
    the plugin's private packages, naming what was found. ``installed`` looks
    up host versions (a scan passes a memoized one).
    """
    from packaging.requirements import InvalidRequirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import canonicalize_name

    from greenroom._dynamic.requirements import parse_requirement
    from greenroom._version import __version__

    source = f"{manifest.dist_info or 'the plugin'}/METADATA"
    problems: list[str] = []
    python = platform.python_version()
    if manifest.requires_python:
        try:
            fits = SpecifierSet(manifest.requires_python).contains(python, prereleases=True)
        except InvalidSpecifier:
            fits = False
        if not fits:
            problems.append(
                f"{source}: Requires-Python {manifest.requires_python!r} excludes "
                f"the running Python {python}; fix: run greenroom on a matching "
                f"Python, or install a build of the plugin for Python {python}"
            )
    private = {canonicalize_name(p.name): p.version for p in manifest.private_packages}
    requirements = [(text, source, True) for text in manifest.requires]
    if manifest.bundle is not None:
        requirements += [
            (text, "greenroom-bundle.json sharedRequirements", False)
            for text in manifest.bundle.shared_requirements
        ]
    for text, where, private_ok in requirements:
        try:
            requirement = parse_requirement(text)
        except InvalidRequirement as exc:
            problems.append(
                f"{where}: {text!r} is not a valid requirement ({str(exc).splitlines()[0]}); fix: "
                "correct it and rebuild the package"
            )
            continue
        # "extra" is empty: a dropped-in plugin is never installed with extras.
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name == "greenroom":
            if not _satisfies(requirement, __version__):
                problems.append(
                    f"{where} requires {text!r}, but this is greenroom "
                    f"{__version__}; fix: upgrade greenroom, or use a build of "
                    f"the plugin made for greenroom {__version__}"
                )
            continue
        host = installed(requirement.name)
        mine = private.get(name) if private_ok else None
        if _satisfies(requirement, host) or _satisfies(requirement, mine):
            continue
        found = (
            f"the host has {requirement.name} {host}"
            if host
            else (f"the host does not have {requirement.name}")
        )
        if private_ok:
            found += (
                f" and the plugin ships {requirement.name} {mine}"
                if mine
                else " and the plugin does not ship it"
            )
        fix = f"install a matching version in the host (pip install '{requirement}')"
        if private_ok:
            fix += " or ship one in the plugin's folder (pip install --target)"
        problems.append(f"{where} requires {text!r}, but {found}; fix: {fix}")
    return problems
