"""Read a plugin package's metadata without importing it, and validate it.

A wheel or a ``pip install --target`` folder is read through
``importlib.metadata`` distributions over its ``*.dist-info`` (a small
:class:`~importlib.metadata.Distribution` over a :class:`SafeArchive` for
wheels, so every read is capped). Each problem names the file inside the
package, the rule and the fix; all of them are reported at once (issue 3,
"Validation (before any import)").

Checks that depend on the running host (Python version, greenroom version,
installed distributions) live apart in ``host_check.py``; the bundle manifest
in ``bundle_manifest.py``.
"""

from __future__ import annotations

import csv
import email.parser
import importlib.metadata
import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Final

import attrs

from greenroom._dynamic.archive import SafeArchive
from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    CONFIG_SCHEMA_GROUP,
    ENTRY_POINT_GROUPS,
    FRONTEND_ROLES,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
)
from greenroom._errors import PluginPackageError

__all__ = [
    "MAX_METADATA_SIZE",
    "entry_point_problem",
    "read_folder_manifest",
    "read_wheel_manifest",
    "top_level_names",
    "wheel_install_path",
]

#: A metadata file (METADATA, RECORD, entry_points.txt) larger than this is refused.
MAX_METADATA_SIZE: Final = 16 * 1024 * 1024

_NAME: Final = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
_REBUILD: Final = "rebuild the package with a standard build tool (python -m build)"
_CODE_SUFFIXES: Final = (".py", ".pyc", ".so", ".pyd")


def _first_line(exc: BaseException) -> str:
    """packaging's messages draw a caret on more lines; the first says it all."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _dotted(value: str) -> bool:
    return bool(value) and all(part.isidentifier() for part in value.split("."))


def entry_point_problem(group: str, value: str) -> str | None:
    """Why an entry point value does not fit its group, or ``None``."""
    if "[" in value:
        return "uses extras ('[...]'), which greenroom entry points do not support"
    if ENTRY_POINT_GROUPS[group] in FRONTEND_ROLES:
        if _dotted(value):
            return None
        return "must name a package ('pkg' or 'pkg.sub') whose folder holds dist/"
    module, colon, attr = (part.strip() for part in value.partition(":"))
    if _dotted(module) and (not colon or _dotted(attr)):
        return None
    return "must be 'module:attribute' or 'module'"


@attrs.frozen
class _Dist:
    """One ``*.dist-info`` as read, with the problems found in it."""

    label: str
    name: str
    version: str
    entry_points: tuple[EntryPointSpec, ...]
    other_groups: tuple[str, ...]
    config_schemas: tuple[EntryPointSpec, ...]
    requires: tuple[str, ...]
    requires_python: str | None
    top_level: tuple[str, ...]
    problems: tuple[str, ...]


def _read_text(
    dist: importlib.metadata.Distribution, label: str, filename: str, problems: list[str]
) -> str | None:
    try:
        return dist.read_text(filename)
    except UnicodeDecodeError as exc:
        problems.append(f"{label}/{filename} is not UTF-8 text ({exc.reason}); fix: {_REBUILD}")
        return None


def _top_level(
    dist: importlib.metadata.Distribution, label: str, problems: list[str]
) -> tuple[str, ...]:
    """Top-level import names: from RECORD, else ``top_level.txt``.

    RECORD is read as CSV here rather than through ``Distribution.files``,
    which makes a path object per file, twice the cost of a wheel's whole
    manifest (issue 8); it is checked the same way (at most three columns,
    an integer size).
    """
    record = _read_text(dist, label, "RECORD", problems)
    if record is None:
        try:
            files = dist.files  # no RECORD: an egg-info's SOURCES.txt, or nothing
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            problems.append(f"{label}/RECORD is malformed ({exc}); fix: {_REBUILD}")
            return ()
        if files is None:
            text = _read_text(dist, label, "top_level.txt", problems) or ""
            return tuple(sorted({line.strip() for line in text.splitlines() if line.strip()}))
        return top_level_names(str(file) for file in files)
    try:
        rows = [row for row in csv.reader(record.splitlines()) if row]
    except csv.Error as exc:
        problems.append(f"{label}/RECORD is malformed ({exc}); fix: {_REBUILD}")
        return ()
    for number, row in enumerate(rows, 1):
        if len(row) > 3 or (len(row) == 3 and row[2] and not row[2].strip().isdigit()):
            problems.append(
                f"{label}/RECORD is malformed (line {number}: {','.join(row)!r} is not "
                f"'path,hash,size'); fix: {_REBUILD}"
            )
            return ()
    return top_level_names(row[0] for row in rows)


def top_level_names(paths: Iterable[str]) -> tuple[str, ...]:
    """The importable top-level names among file paths of an installed distribution."""
    names: set[str] = set()
    for path in paths:
        installed = wheel_install_path(path)
        if not installed or installed.startswith("/"):
            continue
        parts = [part for part in installed.split("/") if part and part != "."]
        if not parts or ".." in parts or parts[0].endswith((".dist-info", ".data")):
            continue
        if not parts[-1].endswith(_CODE_SUFFIXES):
            continue
        top = parts[0] if len(parts) > 1 else parts[0].split(".", 1)[0]
        if top.isidentifier() and top != "__pycache__":
            names.add(top)
    return tuple(sorted(names))


def wheel_install_path(name: str) -> str | None:
    """Where a wheel member goes in a ``--target`` folder: ``*.data/purelib|platlib`` to the top."""
    head, _, rest = name.partition("/")
    if head.endswith(".data"):
        scheme, _, inner = rest.partition("/")
        if scheme in ("purelib", "platlib"):
            return inner or None
    return name


def _read_dist(dist: importlib.metadata.Distribution, label: str) -> _Dist:
    """Read and check one ``*.dist-info``: every problem, none raised."""
    from packaging.requirements import InvalidRequirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    from greenroom._dynamic.requirements import parse_requirement

    problems: list[str] = []
    meta = f"{label}/METADATA"
    text = _read_text(dist, label, "METADATA", problems)
    headers = email.parser.HeaderParser().parsestr(text or "")
    if text is None and not problems:
        problems.append(f"{meta} is missing; fix: {_REBUILD}")
    name = str(headers.get("Name") or "").strip()
    version = str(headers.get("Version") or "").strip()
    if text is not None and not _NAME.fullmatch(name):
        what = f"Name {name!r} is not a valid distribution name" if name else "Name is missing"
        problems.append(f"{meta}: {what}; fix: set the project name in pyproject.toml and rebuild")
    if text is not None:
        try:
            Version(version)
        except InvalidVersion:
            what = f"Version {version!r} is not a PEP 440 version" if version else ""
            what = what or "Version is missing"
            problems.append(f"{meta}: {what}; fix: set a version such as '1.0.0' and rebuild")
    requires = tuple(str(req).strip() for req in headers.get_all("Requires-Dist") or ())
    for req in requires:
        try:
            parse_requirement(req)
        except InvalidRequirement as exc:
            problems.append(
                f"{meta}: Requires-Dist {req!r} is not a valid requirement "
                f"({_first_line(exc)}); fix: correct it in pyproject.toml and rebuild"
            )
    requires_python = str(headers.get("Requires-Python") or "").strip() or None
    if requires_python is not None:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier:
            problems.append(
                f"{meta}: Requires-Python {requires_python!r} is not a valid "
                "version specifier; fix: use a form such as '>=3.11' and rebuild"
            )
    entry_points, other_groups, config_schemas = _entry_points(dist, label, problems)
    top_level = _top_level(dist, label, problems)
    return _Dist(
        label,
        name,
        version,
        entry_points,
        other_groups,
        config_schemas,
        requires,
        requires_python,
        top_level,
        tuple(problems),
    )


def _entry_points(
    dist: importlib.metadata.Distribution, label: str, problems: list[str]
) -> tuple[tuple[EntryPointSpec, ...], tuple[str, ...], tuple[EntryPointSpec, ...]]:
    """(entry points in the plugin groups, other greenroom groups, config schema entry points)."""
    file = f"{label}/entry_points.txt"
    text = _read_text(dist, label, "entry_points.txt", problems)
    if text is None:
        return (), (), ()
    try:
        found = list(dist.entry_points)
    except (ValueError, TypeError):
        bad = next(
            (
                f"line {number} ({line.strip()!r})"
                for number, line in enumerate(text.splitlines(), 1)
                if line.strip()
                and not line.lstrip().startswith(("#", ";", "["))
                and "=" not in line
            ),
            "a line",
        )
        problems.append(
            f"{file} is malformed: {bad} is not 'name = value' under a '[group]' header; "
            "fix: correct the entry points in pyproject.toml and rebuild"
        )
        return (), (), ()
    specs: list[EntryPointSpec] = []
    others: set[str] = set()
    schemas: list[EntryPointSpec] = []
    for ep in found:
        if ep.group not in ENTRY_POINT_GROUPS:
            if ep.group == CONFIG_SCHEMA_GROUP:
                schemas.append(EntryPointSpec(ep.group, ep.name, ep.value))
            if ep.group.startswith("greenroom."):
                others.add(ep.group)
            continue
        problem = entry_point_problem(ep.group, ep.value)
        if not ep.name:
            problems.append(
                f"{file}: an entry point in [{ep.group}] has an empty name; "
                "fix: name it after the plugin id"
            )
        elif problem:
            problems.append(
                f"{file}: entry point {ep.name!r} in [{ep.group}] has value "
                f"{ep.value!r}, which {problem}; fix: correct it under "
                f'[project.entry-points."{ep.group}"] in pyproject.toml'
            )
        specs.append(EntryPointSpec(ep.group, ep.name, ep.value))
    specs.sort(key=lambda spec: (spec.group, spec.name, spec.value))
    schemas.sort(key=lambda spec: spec.name)
    return tuple(specs), tuple(sorted(others)), tuple(schemas)


_NO_ENTRY_POINT: Final = (
    "declares no entry point in a greenroom group ({groups}){found}; fix: add one under "
    '[project.entry-points."greenroom.backend_plugin"] (or another greenroom group) '
    "in pyproject.toml and rebuild"
)


def _entry_points_broken(dist: _Dist) -> bool:
    return any(p.startswith(f"{dist.label}/entry_points.txt") for p in dist.problems)


def _no_entry_point(dist: _Dist) -> str:
    found = f", only in {', '.join(dist.other_groups)}" if dist.other_groups else ""
    return f"{dist.label}/entry_points.txt " + _NO_ENTRY_POINT.format(
        groups=", ".join(ENTRY_POINT_GROUPS), found=found
    )


def _manifest(plugin: _Dist, private: tuple[PrivatePackage, ...] = ()) -> ScannedPluginManifest:
    return ScannedPluginManifest(
        name=plugin.name,
        version=plugin.version,
        entry_points=plugin.entry_points,
        requires=plugin.requires,
        requires_python=plugin.requires_python,
        top_level=plugin.top_level,
        private_packages=private,
        dist_info=plugin.label,
        config_schemas=plugin.config_schemas,
    )


def _frontend_problems(plugin: _Dist, has_dir: Iterable[str]) -> list[str]:
    """Frontend entry points must name a package folder that holds ``dist/``."""
    folders = set(has_dir)
    problems = []
    for ep in plugin.entry_points:
        if ep.role in FRONTEND_ROLES and _dotted(ep.value):
            dist = ep.value.replace(".", "/") + "/dist"
            if dist not in folders:
                problems.append(
                    f"{plugin.label}/entry_points.txt: frontend entry point "
                    f"{ep.name!r} names package {ep.value!r}, but {dist}/ is not "
                    "in the package; fix: build the frontend assets into it"
                )
    return problems


class _ArchiveDistribution(importlib.metadata.Distribution):
    """A ``*.dist-info`` inside a wheel, read with the archive's size caps."""

    def __init__(self, archive: SafeArchive, dist_info: str) -> None:
        self._archive = archive
        self._dist_info = dist_info
        self._names = frozenset(archive.names)

    def read_text(self, filename: str) -> str | None:
        member = f"{self._dist_info}/{filename}"
        if member not in self._names:
            return None
        return self._archive.read_bytes(member, limit=MAX_METADATA_SIZE).decode("utf-8")

    def locate_file(self, path: str | os.PathLike[str]) -> Path:
        return self._archive.path / path


def read_wheel_manifest(archive: SafeArchive) -> ScannedPluginManifest:
    """The manifest of a wheel; raise :class:`PluginPackageError` with every problem."""
    from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
    from packaging.version import InvalidVersion, Version

    problems: list[str] = []
    try:
        wheel_name, wheel_version, _, _ = parse_wheel_filename(archive.path.name)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        problems.append(
            f"the file name is not a valid wheel name ({exc}); fix: keep the name "
            "the build tool gave it ('<name>-<version>-<tags>.whl')"
        )
        wheel_name, wheel_version = None, None
    dist_infos = sorted(
        {
            name.split("/", 1)[0]
            for name in archive.names
            if name.split("/", 1)[0].endswith(".dist-info") and "/" in name
        }
    )
    if len(dist_infos) != 1:
        found = ", ".join(dist_infos) or "none"
        problems.append(
            f"a wheel holds exactly one top-level *.dist-info folder, found {found};"
            f" fix: {_REBUILD}"
        )
        raise PluginPackageError(archive.path, problems)
    label = dist_infos[0]
    if f"{label}/WHEEL" not in archive.names:
        problems.append(f"{label}/WHEEL is missing, so this is not a wheel; fix: {_REBUILD}")
    plugin = _read_dist(_ArchiveDistribution(archive, label), label)
    problems.extend(plugin.problems)
    if (
        wheel_name is not None
        and not plugin.problems
        and (
            canonicalize_name(plugin.name) != wheel_name or Version(plugin.version) != wheel_version
        )
    ):
        problems.append(
            f"{label}/METADATA says {plugin.name} {plugin.version} but the file "
            f"name says {wheel_name} {wheel_version}; fix: do not rename wheels"
        )
    if not plugin.entry_points and not _entry_points_broken(plugin):
        problems.append(_no_entry_point(plugin))
    folders = {
        str(PurePosixPath(target).parent)
        for name in archive.names
        if (target := wheel_install_path(name))
    }
    folders |= {parent for folder in folders for parent in _parents(folder)}
    problems.extend(_frontend_problems(plugin, folders))
    if problems:
        raise PluginPackageError(archive.path, problems)
    return _manifest(plugin)


def _parents(folder: str) -> Iterable[str]:
    while "/" in folder:
        folder = folder.rpartition("/")[0]
        yield folder


def read_folder_manifest(folder: Path, *, path: Path | None = None) -> ScannedPluginManifest:
    """The manifest of a ``--target`` folder or bundle at ``folder``.

    ``path`` is the package named in errors (the zip of an extracted bundle);
    raises :class:`PluginPackageError` with every problem.
    """
    from greenroom._dynamic.bundle_manifest import (
        REBUNDLE_HINT,
        bundle_problems,
        load_bundle_manifest,
    )

    path = path or folder
    labels = sorted(
        entry.name
        for entry in os.scandir(folder)
        if entry.name.endswith(".dist-info") and entry.is_dir()
    )
    dists = [
        _read_dist(importlib.metadata.PathDistribution(folder / label), label) for label in labels
    ]
    plugins = [dist for dist in dists if dist.entry_points]
    broken = [problem for dist in dists if _entry_points_broken(dist) for problem in dist.problems]
    if not plugins and broken:
        raise PluginPackageError(path, broken)
    if not plugins:
        raise PluginPackageError(
            path,
            "not a plugin package: the folder has no *.dist-info declaring greenroom entry points",
            hint="install the plugin into it with 'pip install --target "
            f"{path} <plugin>', or move the folder out of the root directory",
        )
    problems: list[str] = []
    if len(plugins) > 1:
        problems.append(
            "several *.dist-info declare greenroom entry points ("
            + ", ".join(dist.label for dist in plugins)
            + "); a folder holds one plugin; fix: give each plugin its own folder"
        )
    plugin = plugins[0]
    for dist in dists:
        problems.extend(dist.problems)
    private = tuple(
        PrivatePackage(dist.name, dist.version, dist.top_level)
        for dist in dists
        if dist is not plugin and dist.name
    )
    problems.extend(_frontend_problems(plugin, _existing_dirs(folder, plugin)))
    manifest = _manifest(plugin, private)
    hint = ""
    if (folder / BUNDLE_MANIFEST_NAME).is_file():
        try:
            bundle = load_bundle_manifest(folder / BUNDLE_MANIFEST_NAME)
        except PluginPackageError as exc:
            bundle_found = list(exc.problems)
        else:
            bundle_found = bundle_problems(bundle, manifest, folder)
            manifest = attrs.evolve(manifest, bundle=bundle)
        problems.extend(bundle_found)
        hint = REBUNDLE_HINT if bundle_found else ""
    if problems:
        raise PluginPackageError(path, problems, hint=hint)
    return manifest


def _existing_dirs(folder: Path, plugin: _Dist) -> set[str]:
    return {
        dist
        for ep in plugin.entry_points
        if (dist := ep.value.replace(".", "/") + "/dist")
        and _dotted(ep.value)
        and (folder / dist).is_dir()
    }
