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
``plugin-package``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

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
    "consistency_problems",
    "publish_problems",
]

#: The command that fills the metadata a published package needs.
PUBLISH_FIX: Final = "greenroom repo fix --publish"
_GROUPS: Final = ", ".join(ENTRY_POINT_GROUPS)


def consistency_problems(package: Package) -> list[str]:
    """What breaks the rules that always apply; empty when the metadata could not be read."""
    if package.metadata is None or package.name is None:
        return []
    problems = _entry_point_problems(package)
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
            if group.startswith("greenroom."):
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
    problems = [*package.problems, *consistency_problems(package), *publish_problems(package)]
    if problems:
        hint = f"fix each problem by hand where it says so, then run `{PUBLISH_FIX}`"
        raise PackageMetadataError(problems, hint=hint)
    return package
