"""Checks of one package: the rules that always apply, and the publish-time check.

:func:`consistency_problems` is what ``greenroom repo fix`` reports without
``--publish``: entry point groups that do not match the role, a library that
declares plugin entry points, a name that breaks the naming scheme. Each
problem names the fix to make by hand, because ``repo fix`` never rewrites what
a user wrote.

:func:`check_package` is ``greenroom package check``, the Python counterpart
of the seed's ``package prepack`` check, used before a package is published
or bundled: on top of the rules above, a plugin needs its ``plugin-id``, a
plugin or a plugin's library its ``plugin-packages``, a module its
``plugin-package``; a ``config-schema`` must be a valid JSON schema whose entry
point ``repo fix`` has written.

``config-schema`` (issue 6) is a path inside one of the package's import
packages, found in the source tree as ``sources.py`` finds them (hatchling's
``packages``, the src layout, the flat layout): the one a greenroom entry
point imports, else the one named after the distribution, else the only one.
It stands for the entry point
``"<path>" = "<package>"`` in the group ``greenroom.config_schema``, which the
runtime reads from the wheel. ``repo fix`` owns that entry point while the
group holds nothing else: it adds it, and renames it when ``config-schema``
moves inside the same package. Any other entry in the group is the user's, and
is reported instead of rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from greenroom._config.schema import SCHEMA_ENTRY_POINT_GROUP
from greenroom._dynamic.models import ENTRY_POINT_GROUPS
from greenroom._errors import PackageMetadataError
from greenroom._packaging.metadata import KEY_PATH
from greenroom._packaging.naming import naming_problem
from greenroom._packaging.project import PYPROJECT, Package, entry_point_path, read_package
from greenroom._packaging.roles import (
    LIBRARY_ROLES,
    MODULE_ROLES,
    PLUGIN_ROLES,
    ROLE_ENTRY_POINT_GROUPS,
)

__all__ = [
    "PUBLISH_FIX",
    "check_package",
    "config_schema_entry_point",
    "consistency_problems",
    "publish_problems",
]

#: The command that fills the metadata a published package needs.
PUBLISH_FIX: Final = "greenroom repo fix --publish"
_GROUPS: Final = ", ".join(ENTRY_POINT_GROUPS)
#: greenroom groups that load no feature: ``greenroom.config_schema`` names a package's
#: config schema file (``greenroom._config.schema.SCHEMA_ENTRY_POINT_GROUP``, issue 6).
_OTHER_GROUPS: Final = frozenset({"greenroom.config_schema"})


def consistency_problems(package: Package) -> list[str]:
    """What breaks the rules that always apply; empty when the metadata could not be read."""
    if package.metadata is None or package.name is None:
        return []
    problems = _entry_point_problems(package)
    problems += _config_schema_problems(package)
    problem = naming_problem(package.metadata.role, package.name, package.metadata.plugin_id)
    if problem:
        problems.append(f"{problem} @ {package.file}:$.project.name")
    return problems


def _entry_point_problems(package: Package) -> list[str]:
    from greenroom._dynamic.manifest import entry_point_problem

    assert package.metadata is not None
    role, file = package.metadata.role, package.file
    wanted = ROLE_ENTRY_POINT_GROUPS.get(role)
    problems: list[str] = []
    for group, entries in package.entry_points.items():
        if group not in ENTRY_POINT_GROUPS:
            if group.startswith("greenroom.") and group not in _OTHER_GROUPS:
                problems.append(
                    f"unknown entry point group {group!r}; the greenroom groups are "
                    f"{_GROUPS} @ {file}:{entry_point_path(group)}"
                )
            continue
        if wanted is None:
            problems.append(
                f"a {role} declares no greenroom entry points (they load plugins and "
                f"modules), but this one declares {group}; fix: remove "
                f'[project.entry-points."{group}"], or correct the role '
                f"@ {file}:{entry_point_path(group)}"
            )
            continue
        if group != wanted:
            problems.append(
                f"a {role} declares its features in {wanted}, but this one also "
                f"declares {group}, the group of {ENTRY_POINT_GROUPS[group]} packages; "
                f"fix: move them to a package of that role, or correct the role "
                f"@ {file}:{entry_point_path(group)}"
            )
            continue
        for name, value in entries.items():
            problem = entry_point_problem(group, value)
            if problem:
                problems.append(
                    f"entry point value {value!r} {problem} @ "
                    f"{file}:{entry_point_path(group, name)}"
                )
    declared = package.entry_points.get(wanted) if wanted else None
    # Entry points filled in by the build backend (dynamic) cannot be checked here.
    if wanted is not None and not declared and "entry-points" not in package.dynamic:
        example = "package" if role.startswith("frontend") else "package.module:Class"
        problems.append(
            f"a {role} must declare a {wanted} entry point; fix: add "
            f'[project.entry-points."{wanted}"] with a line like '
            f'<id> = "{example}" @ {file}:{entry_point_path(wanted)}'
        )
    return problems


def publish_problems(package: Package) -> list[str]:
    """The metadata a published package must have (seed ``001``, published packages)."""
    metadata = package.metadata
    if metadata is None:
        return []
    role, file, name = metadata.role, package.file, package.label
    run = f"run `{PUBLISH_FIX}`"
    problems: list[str] = []
    if role in PLUGIN_ROLES | MODULE_ROLES and not metadata.plugin_id:
        problems.append(
            f"plugin package {name} is missing a plugin-id, please {run} "
            f"@ {file}:{KEY_PATH}.plugin-id"
        )
    if role in PLUGIN_ROLES and metadata.plugin_packages is None:
        problems.append(
            f"plugin package {name} is missing plugin-packages, please {run} "
            f"@ {file}:{KEY_PATH}.plugin-packages"
        )
    if role in LIBRARY_ROLES and metadata.plugin_id and metadata.plugin_packages is None:
        problems.append(
            f"plugin library package {name} is missing plugin-packages, please {run} "
            f"@ {file}:{KEY_PATH}.plugin-packages"
        )
    if role in MODULE_ROLES and metadata.plugin_package is None:
        problems.append(
            f"plugin module package {name} is missing a plugin-package, please {run} "
            f"@ {file}:{KEY_PATH}.plugin-package"
        )
    return problems


def check_package(path: Path) -> Package:
    """``greenroom package check``: read the package at ``path`` and check it for publishing.

    ``path`` is the package's folder or its ``pyproject.toml``. Raise
    :class:`PackageMetadataError` listing every problem, else return the package.
    """
    directory = path.parent if path.name == PYPROJECT and path.is_file() else path
    package = read_package(directory, str(directory / PYPROJECT))
    problems = [
        *package.problems,
        *consistency_problems(package),
        *publish_problems(package),
        *_config_schema_publish_problems(package),
    ]
    if problems:
        hint = f"fix each problem by hand where it says so, then run `{PUBLISH_FIX}`"
        raise PackageMetadataError(problems, hint=hint)
    return package


def _import_packages(package: Package) -> list[str]:
    """The names of the import package ``config-schema`` is in, most likely first.

    The packages the greenroom entry points import, then the distribution name
    with ``_`` (the rule of the naming docs and of ``greenroom new``).
    """
    from packaging.utils import canonicalize_name

    candidates = [
        value.partition(":")[0].strip().partition(".")[0]
        for group in ENTRY_POINT_GROUPS
        for value in package.entry_points.get(group, {}).values()
    ]
    if package.name:
        candidates.append(canonicalize_name(package.name).replace("-", "_"))
    return list(dict.fromkeys(c for c in candidates if c.isidentifier()))


def _package_folders(package: Package) -> dict[str, Path]:
    """The package's top-level import packages (folders) by name, as ``sources.py`` finds them."""
    from greenroom._packaging.sources import package_sources

    return {m.name: m for m in package_sources(package).modules if m.is_dir()}


def _schema_package(package: Package) -> tuple[str, Path] | None:
    """The import package that ``config-schema`` is a path in, and its source folder.

    The one named by an entry point or after the distribution, else the only one.
    """
    folders = _package_folders(package)
    for name in _import_packages(package):
        if name in folders:
            return name, folders[name]
    return next(iter(folders.items())) if len(folders) == 1 else None


def _owned(entries: dict[str, str], package_name: str) -> bool:
    """Whether the group holds only what ``repo fix`` writes: nothing, or one entry of ours."""
    return len(entries) == 0 or (
        len(entries) == 1 and next(iter(entries.values())).strip() == package_name
    )


def config_schema_entry_point(package: Package) -> tuple[str, str] | None:
    """The ``greenroom.config_schema`` entry point ``repo fix`` writes, as ``(name, value)``.

    ``None`` when there is nothing to write: no ``config-schema``, entry points
    filled in by the build backend, an import package not found, or entries in
    the group that the user wrote (:func:`consistency_problems` reports the
    last two).
    """
    metadata = package.metadata
    if metadata is None or metadata.config_schema is None or "entry-points" in package.dynamic:
        return None
    found = _schema_package(package)
    if found is None:
        return None
    entries = package.entry_points.get(SCHEMA_ENTRY_POINT_GROUP, {})
    return (metadata.config_schema, found[0]) if _owned(entries, found[0]) else None


def _config_schema_problems(package: Package) -> list[str]:
    """``config-schema`` names a file of the package, and the group does not contradict it."""
    assert package.metadata is not None
    path, file = package.metadata.config_schema, package.file
    if path is None:
        return []
    where = f"{file}:{KEY_PATH}.config-schema"
    found = _schema_package(package)
    if found is None:
        folders = ", ".join(sorted(_package_folders(package))) or "none"
        wanted = " or ".join(_import_packages(package)) or "a name"
        return [
            f"cannot tell which import package config-schema {path!r} is a path in: the "
            f"package folders found (with an __init__.py) are {folders}, none is {wanted}; "
            "fix: put the schema in the import package named after the distribution or "
            f"imported by its entry point @ {where}"
        ]
    name, folder = found
    problems: list[str] = []
    if not (folder / path).is_file():
        shown = (folder / path).relative_to(package.directory).as_posix()
        problems.append(
            f"config-schema {path!r} is not a file of package {name}: {shown} does not exist; "
            f"fix: create it, or correct the path (relative to {name}'s folder) @ {where}"
        )
    entries = package.entry_points.get(SCHEMA_ENTRY_POINT_GROUP, {})
    if "entry-points" not in package.dynamic and not _owned(entries, name):
        written = ", ".join(f"{key!r} = {value!r}" for key, value in entries.items())
        problems.append(
            f"the {SCHEMA_ENTRY_POINT_GROUP} entry points ({written}) disagree with "
            f"config-schema, which stands for {path!r} = {name!r}; repo fix never rewrites "
            f'entry points you wrote; fix: remove [project.entry-points."'
            f'{SCHEMA_ENTRY_POINT_GROUP}"] (repo fix writes it), or correct config-schema '
            f"@ {file}:{entry_point_path(SCHEMA_ENTRY_POINT_GROUP)}"
        )
    return problems


def _config_schema_publish_problems(package: Package) -> list[str]:
    """For publishing: the generated entry point is written, and the file is a JSON schema.

    What :func:`consistency_problems` reports (no package, no file) is not repeated.
    """
    from greenroom._config.schema import SchemaProblem, read_schema_file

    metadata = package.metadata
    if metadata is None or metadata.config_schema is None:
        return []
    found = _schema_package(package)
    if found is None:
        return []
    wanted = config_schema_entry_point(package)
    problems: list[str] = []
    if wanted is not None:
        entries = package.entry_points.get(SCHEMA_ENTRY_POINT_GROUP, {})
        if entries != dict([wanted]):
            problems.append(
                f"the {SCHEMA_ENTRY_POINT_GROUP} entry point of config-schema is missing or "
                f"out of date, please run `greenroom repo fix` "
                f"@ {package.file}:{entry_point_path(SCHEMA_ENTRY_POINT_GROUP)}"
            )
    file = found[1] / metadata.config_schema
    if not file.is_file():
        return problems
    result = read_schema_file(package.label, file, file.as_posix())
    if isinstance(result, SchemaProblem):
        problems.append(
            f"config-schema {metadata.config_schema!r}: {result.message}; fix: correct the file "
            f"(JSON, or YAML for .yaml/.yml) @ {package.file}:{KEY_PATH}.config-schema"
        )
    return problems
